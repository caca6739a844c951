// The Python example client (client/examples/python/salesops_example.py)
// against the real salesopsd, run as docs/CLIENTS.md tells a developer to run
// it: Debian's python3 with python3-grpcio, and the stubs the build generated.
// What the example claims is checked again here through the C++ stubs.
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/tls/channel.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "tests/common/test_certs.h"
#include "tests/common/testing.h"
#include "tests/e2e/run_program.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::client::ChannelSecurity;
using ::salesops::testing::CertifiedKey;
using ::salesops::testing::CliRun;
using ::salesops::testing::kAliceToken;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TestCa;
using ::salesops::testing::WriteTextFile;
using ::testing::HasSubstr;

constexpr char kLeadId[] = "py-e2e-1";

class PythonExampleTest : public ::testing::Test {
 protected:
  PythonExampleTest() : ca_("salesops example CA") {
    // The example imports the generated salesops.v1 package from here.
    setenv("PYTHONPATH", PYTHON_STUBS_DIR, /*overwrite=*/1);
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  // Starts salesopsd with `flags`, `extra_tokens` appended to its tokens
  // file, and adds alice (SALES_REP and BD_MANAGER: every step of the
  // example) as root over a channel secured by `security`.
  void StartServer(std::vector<std::string> flags, const std::string& extra_tokens = "",
                   const ChannelSecurity& security = {}) {
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::move(flags));
    std::ofstream(Path("tokens"), std::ios::app) << extra_tokens;
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::NewChannel(server_->address(), security);
    ASSERT_TRUE(channel.ok()) << channel.status();
    channel_ = *channel;
    v1::AddMemberRequest add;
    add.set_member_id("alice");
    add.set_display_name("王芳");
    add.add_roles(v1::ROLE_SALES_REP);
    add.add_roles(v1::ROLE_BD_MANAGER);
    v1::TeamCommandReply reply;
    grpc::ClientContext context;
    Authorize(context, kRootToken);
    const grpc::Status s = v1::Team::NewStub(channel_)->AddMember(&context, add, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static void Authorize(grpc::ClientContext& context, const std::string& token) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  // Runs the example with --server, --lead-id and `args`. Every call it
  // makes has a deadline and its subscriptions a watchdog, so it ends.
  CliRun RunExample(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {PYTHON3_PATH, PYTHON_EXAMPLE_PATH, "--server=" + server_->address(),
                                     absl::StrCat("--lead-id=", kLeadId)};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunProgram(std::move(argv), dir_.path());
  }

  // What a successful run printed, and what the server holds after it.
  void ExpectTheWholeExampleRan(const CliRun& run, const std::string& mode) {
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_THAT(run.out, HasSubstr(absl::StrCat("connected to ", server_->address(), " over ", mode, "\n")));
    // The retry's reply is the first reply, word for word.
    const std::string prefix = "identify-lead: ";
    const size_t at = run.out.find(prefix + "lead py-e2e-1 version 2 position ");
    ASSERT_NE(at, std::string::npos) << run.out;
    const size_t begin = at + prefix.size();
    const std::string reply = run.out.substr(begin, run.out.find('\n', begin) - begin);
    EXPECT_THAT(run.out, HasSubstr("identify-lead again, same request_id: " + reply + "\n"));
    EXPECT_THAT(run.out, HasSubstr("get-lead: 北京星辰科技有限公司 · 王芳 · STAGE_IDENTIFIED · version 2 · "
                                   "estimated 120,000.00 CNY"));
    EXPECT_THAT(run.out, HasSubstr("record-needs (stale expected_version 2): ABORTED: lead 'py-e2e-1' is at "
                                   "version 3, expected_version was 2"));
    // ... with the error details decoded from grpc-status-details-bin.
    EXPECT_THAT(run.out, HasSubstr("  google.rpc.ErrorInfo: reason: \"VERSION_CONFLICT\" domain: \"salesops\""));
    EXPECT_THAT(run.out, HasSubstr("key: \"expected_version\" value: \"2\""));
    EXPECT_THAT(run.out, HasSubstr("  google.rpc.RetryInfo: retry_delay {"));
    EXPECT_THAT(run.out,
                HasSubstr("record-needs after re-reading (expected_version 3): lead py-e2e-1 version"));
    EXPECT_THAT(run.out, HasSubstr("py-e2e-1 listed in NEEDS_ANALYZED"));
    EXPECT_THAT(run.out,
                HasSubstr("LeadQualified STAGE_IDENTIFIED → STAGE_QUALIFIED by alice (ROLE_BD_MANAGER)"));
    EXPECT_THAT(run.out, HasSubstr("new event(s) (SolutionProposed@"));
    EXPECT_THAT(run.out, HasSubstr("\ndone\n"));

    // Through the C++ stubs: one LeadIdentified (the retry appended
    // nothing), the refused command absent, the lead where the example left it.
    auto audit = v1::Audit::NewStub(channel_);
    v1::GetLeadHistoryRequest request;
    request.set_lead_id(kLeadId);
    v1::GetLeadHistoryResponse history;
    grpc::ClientContext context;
    Authorize(context, kRootToken);
    const grpc::Status s = audit->GetLeadHistory(&context, request, &history);
    ASSERT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> actions;
    for (const v1::HistoryEntry& e : history.entries()) actions.push_back(e.action());
    EXPECT_THAT(actions, ::testing::ElementsAre("LeadIdentified", "LeadAssigned", "LeadQualified",
                                                "NeedsRecorded", "LeadAssigned", "SolutionProposed"));
    EXPECT_EQ(history.entries(0).request_id(), "example-identify-py-e2e-1");
    EXPECT_EQ(history.entries(0).event().lead_identified().company(), "北京星辰科技有限公司");
    EXPECT_EQ(history.entries(3).request_id(), "example-needs-py-e2e-1-2");
  }

  TempDir dir_;
  TestCa ca_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(PythonExampleTest, RunsOverPlaintextWithAToken) {
  StartServer({});
  const CliRun run = RunExample({absl::StrCat("--token=", kAliceToken)});
  ExpectTheWholeExampleRan(run, "plaintext");
}

TEST_F(PythonExampleTest, RunsOverMutualTlsWithAClientCertificateForItsMember) {
  WriteTextFile(Path("ca.pem"), ca_.cert_pem());
  const CertifiedKey server = ca_.IssueServer();
  WriteTextFile(Path("server.pem"), server.cert_pem);
  WriteTextFile(Path("server.key"), server.key_pem);
  // alice's certificate stands for her (no token); the set-up's unmapped
  // one lets root's token through, as every connection needs a certificate.
  const CertifiedKey alice = ca_.IssueClient("svc-example");
  WriteTextFile(Path("alice.pem"), alice.cert_pem);
  WriteTextFile(Path("alice.key"), alice.key_pem);
  const CertifiedKey setup = ca_.IssueClient("svc-setup");
  WriteTextFile(Path("setup.pem"), setup.cert_pem);
  WriteTextFile(Path("setup.key"), setup.key_pem);
  ChannelSecurity security;
  security.ca_file = Path("ca.pem");
  security.cert_file = Path("setup.pem");
  security.key_file = Path("setup.key");
  StartServer({"--tls-cert=" + Path("server.pem"), "--tls-key=" + Path("server.key"),
               "--tls-client-ca=" + Path("ca.pem"), "--tls-client-certificates=required"},
              "x509:svc-example alice\n", security);

  const CliRun run = RunExample(
      {"--tls-ca=" + Path("ca.pem"), "--tls-cert=" + Path("alice.pem"), "--tls-key=" + Path("alice.key")});
  ExpectTheWholeExampleRan(run, "mutual TLS");
}

TEST_F(PythonExampleTest, ReportsARefusedCallWithItsCodeAndMessage) {
  StartServer({});
  const CliRun run = RunExample({"--token=not-a-token-of-this-server"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("call failed: UNAUTHENTICATED: "));
  EXPECT_EQ(run.err, "");  // handled, not a traceback
}

}  // namespace
}  // namespace salesops
