// TLS and mutual TLS end to end (docs/SECURITY.md): the real salesopsd with
// certificates made by this test (tests/common/test_certs.h), our client
// channels (client/tls/channel.h) and salesctl.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/tls/channel.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "tests/common/test_certs.h"
#include "tests/common/testing.h"
#include "tests/e2e/run_program.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::client::ChannelSecurity;
using ::salesops::testing::CertifiedKey;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TestCa;
using ::salesops::testing::TokenOf;
using ::salesops::testing::WriteTextFile;
using ::testing::HasSubstr;

class TlsE2eTest : public ::testing::Test {
 protected:
  TlsE2eTest() : ca_("salesops test CA"), other_ca_("an unrelated CA") {
    Write("ca.pem", ca_.cert_pem());
    Write("other-ca.pem", other_ca_.cert_pem());
    const CertifiedKey server = ca_.IssueServer();
    Write("server.pem", server.cert_pem);
    Write("server.key", server.key_pem);
    // Client certificates: one mapped by its common name, one by a URI
    // name (a SPIFFE id), one not mapped, one from a CA the server does not
    // trust.
    WriteIdentity("billing", ca_.IssueClient("svc-billing"));
    WriteIdentity("crm", ca_.IssueClient("crm-sync", {"spiffe://salesops.test/crm-sync"}));
    WriteIdentity("stranger", ca_.IssueClient("svc-stranger"));
    WriteIdentity("forged", other_ca_.IssueClient("svc-billing"));
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  void Write(const std::string& name, const std::string& text) { WriteTextFile(Path(name), text); }
  void WriteIdentity(const std::string& name, const CertifiedKey& key) {
    Write(name + ".pem", key.cert_pem);
    Write(name + ".key", key.key_pem);
  }

  std::vector<std::string> TlsFlags() const {
    return {"--tls-cert=" + Path("server.pem"), "--tls-key=" + Path("server.key")};
  }
  std::vector<std::string> MutualTlsFlags() const {
    std::vector<std::string> flags = TlsFlags();
    flags.push_back("--tls-client-ca=" + Path("ca.pem"));
    return flags;
  }

  // Starts salesopsd with `flags`; the tokens file also maps two client
  // certificates: svc-billing to rep1 (by common name) and the crm-sync
  // SPIFFE id to mgr.
  void StartServer(std::vector<std::string> flags) {
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::move(flags));
    std::ofstream tokens(dir_.path() + "/tokens", std::ios::app);
    tokens << "x509:svc-billing rep1\nx509:spiffe://salesops.test/crm-sync mgr\n";
    tokens.close();
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    // The certificates' members and a reader join the team (as root, over
    // TLS with an unmapped certificate, which every mode accepts).
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        client::NewChannel(server_->address(), Tls("ca", "stranger"));
    ASSERT_TRUE(channel.ok()) << channel.status();
    auto team = v1::Team::NewStub(*channel);
    for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
             {"rep1", v1::ROLE_SALES_REP}, {"mgr", v1::ROLE_SALES_MANAGER}, {"aud1", v1::ROLE_AUDITOR}}) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(id);
      add.add_roles(role);
      v1::TeamCommandReply reply;
      const grpc::Status s = team->AddMember(&ctx, add, &reply);
      ASSERT_TRUE(s.ok()) << id << ": " << s.error_message();
    }
  }

  // TLS trusting `ca` ("ca" or "other-ca"), optionally as client `identity`.
  ChannelSecurity Tls(const std::string& ca = "ca", const std::string& identity = "") const {
    ChannelSecurity security;
    security.ca_file = Path(ca + ".pem");
    if (!identity.empty()) {
      security.cert_file = Path(identity + ".pem");
      security.key_file = Path(identity + ".key");
    }
    return security;
  }

  // One call over a new channel secured by `security`, with `token` (none
  // when empty): `call(channel, context)` makes it.
  template <typename Call>
  grpc::Status CallOver(const ChannelSecurity& security, const std::string& token, Call call) const {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::NewChannel(server_->address(), security);
    EXPECT_TRUE(channel.ok()) << channel.status();
    if (!channel.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return call(*channel, ctx);
  }

  grpc::Status Ping(const ChannelSecurity& security, const std::string& token) const {
    return CallOver(security, token, [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& ctx) {
      v1::PingResponse pong;
      return v1::Admin::NewStub(channel)->Ping(&ctx, v1::PingRequest(), &pong);
    });
  }

  // Views.GetPipeline (every member may read it).
  grpc::Status ReadPipeline(const ChannelSecurity& security, const std::string& token = "") const {
    return CallOver(security, token, [](const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& ctx) {
      v1::Pipeline pipeline;
      return v1::Views::NewStub(channel)->GetPipeline(&ctx, v1::GetPipelineRequest(), &pipeline);
    });
  }

  // salesctl with the server flag and `args`.
  testing::CliRun Salesctl(std::vector<std::string> args) {
    std::vector<std::string> all = {SALESCTL_PATH, "--server=" + server_->address()};
    all.insert(all.end(), args.begin(), args.end());
    return testing::RunProgram(std::move(all), dir_.path());
  }

  TempDir dir_;
  TestCa ca_;
  TestCa other_ca_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(TlsE2eTest, TlsServesAndNothingElseIsAccepted) {
  StartServer(TlsFlags());
  EXPECT_THAT(server_->Log(), HasSubstr("over TLS,"));
  const grpc::Status ok = Ping(Tls(), kRootToken);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  // A plaintext client, and a client that does not trust the server's CA,
  // do not get a connection.
  EXPECT_EQ(Ping(ChannelSecurity(), kRootToken).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Ping(Tls("other-ca"), kRootToken).error_code(), grpc::StatusCode::UNAVAILABLE);
  // The name checked is the certificate's: a wrong server name fails.
  ChannelSecurity wrong_name = Tls();
  wrong_name.server_name = "billing.example.com";
  EXPECT_EQ(Ping(wrong_name, kRootToken).error_code(), grpc::StatusCode::UNAVAILABLE);
  ChannelSecurity right_name = Tls();
  right_name.server_name = "localhost";
  EXPECT_TRUE(Ping(right_name, kRootToken).ok());
  // TLS changes nothing about tokens.
  EXPECT_EQ(Ping(Tls(), "no-such-token-0123456789").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsE2eTest, AClientCertificateStandsForItsMappedMember) {
  StartServer(MutualTlsFlags());
  EXPECT_THAT(server_->Log(), HasSubstr("over TLS with client certificates"));
  // Mapped by common name (rep1) and by URI name (mgr): no token needed.
  EXPECT_TRUE(ReadPipeline(Tls("ca", "billing")).ok());
  EXPECT_TRUE(ReadPipeline(Tls("ca", "crm")).ok());
  // The certificate's member is the actor of what it writes.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::NewChannel(server_->address(), Tls("ca", "billing"));
  ASSERT_TRUE(channel.ok());
  {
    grpc::ClientContext ctx;
    v1::IdentifyLeadRequest r;
    r.set_lead_id("tls-1");
    r.set_company("深圳证书科技有限公司");
    r.mutable_contact()->set_name("黄磊");
    r.set_source(v1::LEAD_SOURCE_INBOUND);
    v1::LeadCommandReply reply;
    const grpc::Status s = v1::Leads::NewStub(*channel)->IdentifyLead(&ctx, r, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    grpc::ClientContext history_ctx;
    v1::GetLeadHistoryRequest h;
    h.set_lead_id("tls-1");
    v1::GetLeadHistoryResponse history;
    ASSERT_TRUE(v1::Audit::NewStub(*channel)->GetLeadHistory(&history_ctx, h, &history).ok());
    ASSERT_GE(history.entries_size(), 1);
    EXPECT_EQ(history.entries(0).actor(), "rep1");  // the identification
  }
  // A verified but unmapped certificate without a token: refused, naming it.
  const grpc::Status stranger = ReadPipeline(Tls("ca", "stranger"));
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(stranger.error_message(), HasSubstr("svc-stranger"));
  // ... with a token it is the token's member.
  EXPECT_TRUE(ReadPipeline(Tls("ca", "stranger"), TokenOf("aud1")).ok());
  // A token and a certificate naming different members: refused.
  const grpc::Status both = ReadPipeline(Tls("ca", "billing"), TokenOf("mgr"));
  EXPECT_EQ(both.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(both.error_message(), HasSubstr("the bearer token is member 'mgr' but the client certificate is member 'rep1'"));
  // A certificate with a mapped name from a CA the server does not trust
  // gets no connection; optional client certificates let token clients in.
  EXPECT_EQ(ReadPipeline(Tls("ca", "forged")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(ReadPipeline(Tls(), TokenOf("aud1")).ok());
  // Every refusal is in the log with method, member, peer and reason.
  EXPECT_TRUE(server_->WaitForLog("is not in the tokens file as 'x509:NAME MEMBER_ID'", absl::Seconds(10)));
  EXPECT_THAT(server_->Log(), HasSubstr("refused salesops.v1.Views/GetPipeline: UNAUTHENTICATED, member unknown, "
                                        "peer ipv4:127.0.0.1:"));
}

TEST_F(TlsE2eTest, RequiredClientCertificatesRefuseOtherConnections) {
  std::vector<std::string> flags = MutualTlsFlags();
  flags.push_back("--tls-client-certificates=required");
  StartServer(flags);
  EXPECT_EQ(Ping(Tls(), kRootToken).error_code(), grpc::StatusCode::UNAVAILABLE);
  const grpc::Status with_cert = ReadPipeline(Tls("ca", "billing"));
  EXPECT_TRUE(with_cert.ok()) << with_cert.error_message();
}

TEST_F(TlsE2eTest, SalesctlSpeaksTlsAndMutualTls) {
  StartServer(MutualTlsFlags());
  const testing::CliRun token = Salesctl({"--tls-ca=" + Path("ca.pem"), std::string("--token=") + kRootToken,
                                          "list-members"});
  EXPECT_EQ(token.exit_code, 0) << token.err;
  EXPECT_THAT(token.out, HasSubstr("root"));
  const testing::CliRun cert = Salesctl({"--tls-ca=" + Path("ca.pem"), "--tls-cert=" + Path("crm.pem"),
                                         "--tls-key=" + Path("crm.key"), "pipeline"});
  EXPECT_EQ(cert.exit_code, 0) << cert.err;
  const testing::CliRun plain = Salesctl({std::string("--token=") + kRootToken, "list-members"});
  EXPECT_NE(plain.exit_code, 0);
  const testing::CliRun missing = Salesctl({"--tls-ca=" + Path("nope.pem"), "pipeline"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("--tls-ca: cannot read"));
  const testing::CliRun half = Salesctl({"--tls-ca=" + Path("ca.pem"), "--tls-cert=" + Path("crm.pem"), "pipeline"});
  EXPECT_THAT(half.err, HasSubstr("--tls-cert: needs --tls-key"));
}

// Replacing the certificate files rotates the server's certificate without
// a restart: a client that trusts only the new CA connects once the server
// has re-read the files.
TEST_F(TlsE2eTest, ReplacedCertificateFilesAreServedWithoutARestart) {
  std::vector<std::string> flags = TlsFlags();
  flags.push_back("--tls-refresh-interval=1s");
  StartServer(flags);
  ASSERT_TRUE(Ping(Tls(), kRootToken).ok());
  ASSERT_EQ(Ping(Tls("other-ca"), kRootToken).error_code(), grpc::StatusCode::UNAVAILABLE);
  const CertifiedKey next = other_ca_.IssueServer();
  // Written under other names, then renamed over the old ones: the watcher
  // never reads a certificate without its key.
  Write("server.key.new", next.key_pem);
  Write("server.pem.new", next.cert_pem);
  ASSERT_EQ(std::rename(Path("server.key.new").c_str(), Path("server.key").c_str()), 0);
  ASSERT_EQ(std::rename(Path("server.pem.new").c_str(), Path("server.pem").c_str()), 0);
  // The watcher re-reads every second: each attempt is a new connection.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  grpc::Status rotated;
  do {
    rotated = Ping(Tls("other-ca"), kRootToken);
  } while (!rotated.ok() && absl::Now() < deadline);
  EXPECT_TRUE(rotated.ok()) << rotated.error_message();
  EXPECT_EQ(Ping(Tls("ca"), kRootToken).error_code(), grpc::StatusCode::UNAVAILABLE);
}

// Start-up refuses what cannot work, naming the flag.
TEST_F(TlsE2eTest, BadTlsSettingsStopTheStartNamingTheFlag) {
  const CertifiedKey other = ca_.IssueServer();
  Write("other.key", other.key_pem);
  const CertifiedKey expired = ca_.Issue({.common_name = "old", .dns_names = {"localhost"}, .server = true,
                                          .not_before = absl::Hours(-48), .not_after = absl::Hours(-24)});
  Write("expired.pem", expired.cert_pem);
  Write("expired.key", expired.key_pem);
  Write("garbage.pem", "not a certificate\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--tls-cert=" + Path("server.pem")}, "--tls-key: required with --tls-cert"},
      {{"--tls-cert=" + Path("missing.pem"), "--tls-key=" + Path("server.key")}, "--tls-cert: cannot read"},
      {{"--tls-cert=" + Path("garbage.pem"), "--tls-key=" + Path("server.key")}, "holds no PEM certificate"},
      {{"--tls-cert=" + Path("server.pem"), "--tls-key=" + Path("other.key")}, "--tls-key: " + Path("other.key") +
                                                                                  " is not the key of"},
      {{"--tls-cert=" + Path("expired.pem"), "--tls-key=" + Path("expired.key")}, "has expired"},
      {{"--tls-client-ca=" + Path("ca.pem")}, "--tls-client-ca: needs --tls-cert"},
      {{"--listen=0.0.0.0:0"}, "is not a loopback address"},
  };
  for (const auto& [flags, message] : cases) {
    ServerProcess server(dir_.path(), flags);
    std::string error;
    EXPECT_FALSE(server.Start(&error)) << message;
    EXPECT_THAT(error, HasSubstr(message));
  }
  // Plaintext beyond loopback only when the operator says so, with a warning.
  ServerProcess insecure(dir_.path(), {"--listen=0.0.0.0:0", "--allow-insecure"});
  std::string error;
  ASSERT_TRUE(insecure.Start(&error)) << error;
  EXPECT_TRUE(insecure.WaitForLog("serving PLAINTEXT on 0.0.0.0:0 (--allow-insecure)", absl::Seconds(10)));
}

}  // namespace
}  // namespace salesops
