#include "run.h"

#include <map>
#include <sstream>

#include "exit_codes.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// Records the call and answers with canned replies and status.
class FakeRpcClient final : public RpcClient {
 public:
  grpc::Status Call(const GlobalOptions& options, const Command& command,
                    const google::protobuf::Message& request, const ReplyHandler& on_reply) override {
    ++calls;
    last_options = options;
    last_path = command.RpcPath();
    last_request = request.SerializeAsString();
    for (const auto& reply : replies) on_reply(*reply);
    return status;
  }

  int calls = 0;
  GlobalOptions last_options;
  std::string last_path;
  std::string last_request;
  std::vector<std::unique_ptr<google::protobuf::Message>> replies;
  grpc::Status status;
};

class RunTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    const EnvLookup env = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    return RunSalesctl(args, env, rpc_, out_, err_, console_);
  }

  std::map<std::string, std::string> env_;
  Console console_;
  FakeRpcClient rpc_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(RunTest, AuditAndAdminHelpListTheirSubcommands) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"audit", "--help"}, {"audit", "help"}, {"admin", "-h"}}) {
    EXPECT_EQ(Run(args), kExitOk) << args[0] << " " << args[1];
    EXPECT_THAT(out_.str(), HasSubstr("audit follow"));
    EXPECT_THAT(out_.str(), HasSubstr("admin backup"));
    EXPECT_EQ(rpc_.calls, 0);
  }
  EXPECT_NE(Run({"audit", "nonsense"}), kExitOk);
  EXPECT_THAT(err_.str(), HasSubstr("unknown subcommand 'audit nonsense'"));
}

TEST_F(RunTest, NoArgumentsAndHelpListCommands) {
  EXPECT_EQ(Run({}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("get-lead-history"));
  EXPECT_EQ(Run({"help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("identify-lead"));
  EXPECT_THAT(err_.str(), IsEmpty());
  EXPECT_EQ(rpc_.calls, 0);
}

TEST_F(RunTest, CommandHelp) {
  EXPECT_EQ(Run({"read-log", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("--stream_prefix"));
  EXPECT_EQ(Run({"help", "read-log"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("--event_types"));
  EXPECT_EQ(rpc_.calls, 0);
}

TEST_F(RunTest, UsageErrorsExit64WithoutCalling) {
  EXPECT_EQ(Run({"no-such-command"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("salesctl: unknown command 'no-such-command'"));
  EXPECT_EQ(Run({"get-lead", "--leadid=A"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("unknown flag --leadid"));
  EXPECT_THAT(err_.str(), HasSubstr("--lead_id"));
  EXPECT_EQ(Run({"--bogus", "get-lead"}), kExitUsage);
  EXPECT_EQ(Run({"--json"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("no command given"));
  EXPECT_EQ(rpc_.calls, 0);
  EXPECT_THAT(out_.str(), IsEmpty());
}

TEST_F(RunTest, SendsTheBuiltRequestAndPrintsTheReply) {
  env_["SALESOPS_TOKEN"] = "secret";
  auto reply = std::make_unique<salesops::v1::LeadCommandReply>();
  reply->set_lead_id("ACME-1");
  reply->set_version(1);
  reply->set_stage(salesops::v1::STAGE_IDENTIFIED);
  rpc_.replies.push_back(std::move(reply));

  EXPECT_EQ(Run({"identify-lead", "--company=北京某某科技", "--contact.name=张三", "--source=referral",
                 "--estimated_value=0.5 CNY", "--request_id=r-1"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(rpc_.calls, 1);
  EXPECT_EQ(rpc_.last_path, "/salesops.v1.Leads/IdentifyLead");
  EXPECT_EQ(rpc_.last_options.token, "secret");
  salesops::v1::IdentifyLeadRequest sent;
  ASSERT_TRUE(sent.ParseFromString(rpc_.last_request));
  EXPECT_EQ(sent.company(), "北京某某科技");
  EXPECT_EQ(sent.contact().name(), "张三");
  EXPECT_EQ(sent.source(), salesops::v1::LEAD_SOURCE_REFERRAL);
  EXPECT_EQ(sent.estimated_value().amount_minor(), 50);
  EXPECT_EQ(sent.options().request_id(), "r-1");
  EXPECT_EQ(out_.str(), "lead_id: ACME-1\nversion: 1\nstage: IDENTIFIED\n");
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(RunTest, JsonOutput) {
  auto reply = std::make_unique<salesops::v1::LeadCommandReply>();
  reply->set_lead_id("A");
  rpc_.replies.push_back(std::move(reply));
  EXPECT_EQ(Run({"get-lead", "--lead_id=A", "--json"}), kExitOk);
  EXPECT_EQ(out_.str(), "{\"leadId\":\"A\"}\n");
  EXPECT_TRUE(rpc_.last_options.json);
}

TEST_F(RunTest, GrpcErrorsGoToStderrAndBecomeTheExitStatus) {
  rpc_.status =
      grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "lead ACME-1 is QUOTED; allowed from: QUALIFIED");
  EXPECT_EQ(Run({"record-needs", "--lead_id=ACME-1", "--requirements=x"}), 9);
  EXPECT_EQ(err_.str(),
            "salesctl: FAILED_PRECONDITION (9): lead ACME-1 is QUOTED; "
            "allowed from: QUALIFIED\n");
  EXPECT_THAT(out_.str(), IsEmpty());

  rpc_.status = grpc::Status(grpc::StatusCode::NOT_FOUND, "no lead X");
  EXPECT_EQ(Run({"get-lead-history", "--lead_id=X"}), 5);
  EXPECT_EQ(err_.str(), "salesctl: NOT_FOUND (5): no lead X\n");
}

TEST_F(RunTest, HistoryRepliesPrintAsATable) {
  auto history = std::make_unique<salesops::v1::GetLeadHistoryResponse>();
  history->set_lead_id("ACME-1");
  salesops::v1::HistoryEntry* entry = history->add_entries();
  entry->set_position(1);
  entry->set_version(1);
  entry->set_actor("张三");
  entry->set_action("LeadIdentified");
  entry->set_to_stage(salesops::v1::STAGE_IDENTIFIED);
  rpc_.replies.push_back(std::move(history));
  EXPECT_EQ(Run({"get-lead-history", "--lead_id=ACME-1"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("POS  VER  OCCURRED  ACTOR  ACTION"));
  EXPECT_THAT(out_.str(), HasSubstr("→ IDENTIFIED"));
}

TEST(ExitCodesTest, NamesAndNumbers) {
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_EQ(FormatGrpcError(grpc::Status(grpc::StatusCode::ABORTED, "v")), "salesctl: ABORTED (10): v");
  EXPECT_EQ(ExitCodeForGrpcError(grpc::Status(grpc::StatusCode::UNAVAILABLE, "")), 14);
  EXPECT_EQ(ExitCodeForGrpcError(grpc::Status(grpc::StatusCode::CANCELLED, "")), 1);
}

TEST(ExitCodesTest, PrintsTheErrorDetailsLineByLine) {
  google::rpc::Status rpc;
  rpc.set_code(14);
  rpc.set_message("shutting down");
  google::rpc::ErrorInfo info;
  info.set_reason("SHUTTING_DOWN");
  info.set_domain("salesops");
  (*info.mutable_metadata())["b"] = "2";
  (*info.mutable_metadata())["a"] = "一";
  rpc.add_details()->PackFrom(info);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_nanos(250'000'000);
  rpc.add_details()->PackFrom(retry);
  rpc.add_details()->set_type_url("type.googleapis.com/example.Unknown");
  EXPECT_EQ(FormatGrpcError(grpc::Status(grpc::StatusCode::UNAVAILABLE, "shutting down", rpc.SerializeAsString())),
            "salesctl: UNAVAILABLE (14): shutting down\n"
            "  reason: SHUTTING_DOWN (a=一, b=2)\n"
            "  retry after: 250ms\n"
            "  detail: type.googleapis.com/example.Unknown");
  EXPECT_EQ(FormatErrorDetails("not a status \xff"), "");
}

// Export's progress goes to stderr in the style the console calls for;
// stdout (or --out) gets the same bytes in every case.
TEST_F(RunTest, ExportChoosesItsProgressByTheConsole) {
  auto page = std::make_unique<salesops::v1::ReadLogResponse>();
  for (uint64_t position : {1, 2}) page->add_events()->set_position(position);
  page->set_head_position(2);
  page->set_next_position(3);
  page->set_reached_head(true);
  rpc_.replies.push_back(std::move(page));
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  console_.now = [&now] { return now += absl::Seconds(1); };  // every reading a second later
  const std::string done = "exported 2 events (positions 1..2)\n";

  // Not terminals (a script, CI): lines by default.
  ASSERT_EQ(Run({"export"}), kExitOk) << err_.str();
  const std::string events = out_.str();
  EXPECT_THAT(events, StartsWith("{\"position\":\"1\"}\n"));
  EXPECT_EQ(err_.str(), "salesctl export: 2 events in 2.0s (1.0/s)\n" + done);
  // Both on a terminal: the events themselves show progress; no bar.
  console_.stdout_is_terminal = console_.stderr_is_terminal = true;
  ASSERT_EQ(Run({"export"}), kExitOk);
  EXPECT_EQ(out_.str(), events);
  EXPECT_EQ(err_.str(), done);
  // Into a file from a terminal: the bar, its line ended before the count.
  const std::string file = ::testing::TempDir() + "/run_test_export.jsonl";
  ASSERT_EQ(Run({"export", "--out=" + file}), kExitOk);
  const std::string full = "\rexport  [████████████████████]  100%  2/2 events  ";
  EXPECT_EQ(err_.str(), full + "2.0/s\x1b[K" + full + "1.0/s\x1b[K\n" + done);
  // Forced off.
  ASSERT_EQ(Run({"export", "--out=" + file, "--progress=none"}), kExitOk);
  EXPECT_EQ(err_.str(), done);
}

}  // namespace
}  // namespace salesctl
