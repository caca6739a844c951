#include "view_commands.h"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "run.h"
#include "absl/time/civil_time.h"
#include "salesops/v1/team.pb.h"
#include "salesops/v1/views.pb.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// 2026-11-28T10:00:00Z
constexpr int64_t kNow = 1795860000;

// Records the one call and answers with a canned reply.
class FakeRpcClient final : public RpcClient {
 public:
  grpc::Status Call(const GlobalOptions& options, const Command& command,
                    const google::protobuf::Message& request, const ReplyHandler& on_reply) override {
    ++calls;
    last_options = options;
    last_path = command.RpcPath();
    last_request.reset(request.New());
    last_request->CopyFrom(request);
    if (status.ok()) {
      std::unique_ptr<google::protobuf::Message> reply(google::protobuf::MessageFactory::generated_factory()
                                                           ->GetPrototype(command.method->output_type())
                                                           ->New());
      if (auto it = canned_by_path.find(last_path); it != canned_by_path.end()) {
        reply->CopyFrom(*it->second);
      } else if (canned != nullptr) {
        reply->CopyFrom(*canned);
      }
      paths.push_back(last_path);
      on_reply(*reply);
    }
    return status;
  }

  int calls = 0;
  GlobalOptions last_options;
  std::string last_path;
  std::unique_ptr<google::protobuf::Message> last_request;
  const google::protobuf::Message* canned = nullptr;
  std::map<std::string, const google::protobuf::Message*> canned_by_path;  // before `canned`
  std::vector<std::string> paths;  // of the calls answered, in order
  grpc::Status status;
};

class ViewCommandsTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    const EnvLookup env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    return RunSalesctl(args, env, rpc_, out_, err_);
  }

  template <typename T>
  T Sent() {
    T typed;
    if (rpc_.last_request != nullptr) typed.CopyFrom(*rpc_.last_request);
    return typed;
  }

  // Builds the request of a named command at kNow.
  template <typename T>
  absl::StatusOr<T> Build(absl::string_view name, std::vector<std::string> args) {
    const ViewCommand* command = FindViewCommand(name);
    if (command == nullptr) return absl::NotFoundError(name);
    T request;
    GlobalOptions globals;
    absl::StatusOr<RequestArgs> parsed =
        BuildViewRequest(*command, args, absl::FromUnixSeconds(kNow), &request, &globals);
    if (!parsed.ok()) return parsed.status();
    return request;
  }

  FakeRpcClient rpc_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ViewCommandsTest, EachNameCallsItsRpc) {
  const std::pair<const char*, const char*> expected[] = {
      {"pipeline", "/salesops.v1.Views/GetPipeline"},
      {"leads", "/salesops.v1.Views/ListLeads"},
      {"workload", "/salesops.v1.Views/GetWorkload"},
      {"review", "/salesops.v1.Views/GetPerformanceReview"},
      {"reviews", "/salesops.v1.Views/ListPerformanceReviews"},
      {"compare", "/salesops.v1.Views/CompareReviews"},
      {"analysis", "/salesops.v1.Views/GetSalesAnalysis"},
      {"satisfaction", "/salesops.v1.Views/GetSatisfactionAnalysis"},
      {"account", "/salesops.v1.Views/GetAccount"},
  };
  for (const auto& [name, path] : expected) {
    rpc_.paths.clear();
    EXPECT_EQ(Run({name}), kExitOk) << name << ": " << err_.str();
    ASSERT_FALSE(rpc_.paths.empty()) << name;
    EXPECT_EQ(rpc_.paths.front(), path) << name;
  }
}

TEST_F(ViewCommandsTest, AnalysesDefaultToTheLastCompleteMonthAndTakeAGrouping) {
  // kNow is in November 2026: the last complete month is October.
  absl::StatusOr<v1::GetSalesAnalysisRequest> sales =
      Build<v1::GetSalesAnalysisRequest>("analysis", {"--group-by=source"});
  ASSERT_TRUE(sales.ok()) << sales.status();
  EXPECT_EQ(sales->period(), "2026-10");
  EXPECT_EQ(sales->group_by(), v1::SALES_GROUPING_SOURCE);
  absl::StatusOr<v1::GetSatisfactionAnalysisRequest> scores =
      Build<v1::GetSatisfactionAnalysisRequest>("satisfaction", {"--group-by", "sales_owner", "--period=2026-Q3"});
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_EQ(scores->period(), "2026-Q3");
  EXPECT_EQ(scores->group_by(), v1::SATISFACTION_GROUPING_SALES_OWNER);
  absl::StatusOr<v1::GetSalesAnalysisRequest> bad = Build<v1::GetSalesAnalysisRequest>("analysis", {"--group-by=shoe"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("group_by"));
}

TEST_F(ViewCommandsTest, AsOfTakesAPositionATimeOrADate) {
  ASSERT_EQ(Run({"pipeline", "--as-of=42", "--owner=wang_fang"}), kExitOk) << err_.str();
  auto pipeline = Sent<v1::GetPipelineRequest>();
  EXPECT_EQ(pipeline.view().as_of_position(), 42u);
  EXPECT_FALSE(pipeline.view().has_as_of_time());
  EXPECT_EQ(pipeline.owner(), "wang_fang");

  ASSERT_EQ(Run({"workload", "--as-of", "2026-11-28T18:00:00+08:00", "--min-position=7"}), kExitOk)
      << err_.str();
  auto workload = Sent<v1::GetWorkloadRequest>();
  EXPECT_EQ(workload.view().as_of_time().seconds(), kNow);
  EXPECT_EQ(workload.view().min_position(), 7u);

  ASSERT_EQ(Run({"leads", "--as_of=2026-11-28"}), kExitOk) << err_.str();
  EXPECT_EQ(Sent<v1::ListLeadsRequest>().view().as_of_time().seconds(), kNow - 10 * 3600);

  // The request's own dotted flags still work.
  ASSERT_EQ(Run({"pipeline", "--view.as_of_position=5"}), kExitOk) << err_.str();
  EXPECT_EQ(Sent<v1::GetPipelineRequest>().view().as_of_position(), 5u);
}

TEST_F(ViewCommandsTest, DurationsAndDates) {
  ASSERT_EQ(Run({"leads", "--stale-for=72h", "--stage=quoted", "--order-by=value", "--currency=CNY"}),
            kExitOk)
      << err_.str();
  auto leads = Sent<v1::ListLeadsRequest>();
  EXPECT_EQ(leads.stale_for().seconds(), 72 * 3600);
  EXPECT_EQ(leads.stage(), v1::STAGE_QUOTED);
  EXPECT_EQ(leads.order_by(), v1::LEAD_ORDER_VALUE);

  ASSERT_EQ(Run({"pipeline", "--identified-from", "2026-11-01", "--identified_before=2026-11-28T10:00:00Z"}),
            kExitOk)
      << err_.str();
  auto pipeline = Sent<v1::GetPipelineRequest>();
  EXPECT_EQ(pipeline.identified_from().seconds(), kNow - 27 * 86400 - 10 * 3600);
  EXPECT_EQ(pipeline.identified_before().seconds(), kNow);
}

TEST_F(ViewCommandsTest, ReviewsDefaultToTheLastCompleteMonthAndSalesReps) {
  absl::StatusOr<v1::GetPerformanceReviewRequest> review =
      Build<v1::GetPerformanceReviewRequest>("review", {"--member=wang_fang", "--policy=2"});
  ASSERT_TRUE(review.ok()) << review.status();
  EXPECT_EQ(review->member_id(), "wang_fang");
  EXPECT_EQ(review->policy_version(), 2u);
  EXPECT_EQ(review->period(), "2026-10");  // kNow is in November

  absl::StatusOr<v1::ListPerformanceReviewsRequest> reviews =
      Build<v1::ListPerformanceReviewsRequest>("reviews", {});
  ASSERT_TRUE(reviews.ok()) << reviews.status();
  EXPECT_EQ(reviews->role(), v1::ROLE_SALES_REP);
  EXPECT_EQ(reviews->period(), "2026-10");

  reviews = Build<v1::ListPerformanceReviewsRequest>("reviews", {"--role=after_sales", "--period=2026-Q3"});
  ASSERT_TRUE(reviews.ok()) << reviews.status();
  EXPECT_EQ(reviews->role(), v1::ROLE_AFTER_SALES);
  EXPECT_EQ(reviews->period(), "2026-Q3");

  // An explicit range is not mixed with a default label.
  absl::StatusOr<v1::CompareReviewsRequest> compare = Build<v1::CompareReviewsRequest>(
      "compare", {"--policy-a=1", "--policy-b=2", "--from=2026-09-01", "--to=2026-12-01"});
  ASSERT_TRUE(compare.ok()) << compare.status();
  EXPECT_EQ(compare->period(), "");
  EXPECT_EQ(compare->policy_a(), 1u);
  EXPECT_EQ(compare->policy_b(), 2u);
  EXPECT_TRUE(compare->has_from());
  EXPECT_TRUE(compare->has_to());

  // On the 2nd of January: December of the year before.
  const ViewCommand* command = FindViewCommand("reviews");
  ASSERT_NE(command, nullptr);
  v1::ListPerformanceReviewsRequest january;
  GlobalOptions globals;
  ASSERT_TRUE(BuildViewRequest(*command, {}, absl::FromCivil(absl::CivilDay(2027, 1, 2), absl::UTCTimeZone()),
                               &january, &globals)
                  .ok());
  EXPECT_EQ(january.period(), "2026-12");
}

// Under no scoring policy nobody is ranked, and salesctl says which policy
// to name and how.
TEST_F(ViewCommandsTest, AReviewUnderNoPolicySaysWhichPolicyToNameOrHowToSetOne) {
  v1::ListPerformanceReviewsResponse ranking;
  ranking.set_role(v1::ROLE_SALES_REP);
  for (const char* id : {"li_na", "wang_fang"}) {
    v1::RankedReview* r = ranking.add_reviews();
    r->set_rank(1);
    r->mutable_review()->set_member_id(id);
  }
  v1::ListScoringPoliciesResponse none;
  rpc_.canned_by_path["/salesops.v1.Views/ListPerformanceReviews"] = &ranking;
  rpc_.canned_by_path["/salesops.v1.Team/ListScoringPolicies"] = &none;
  ASSERT_EQ(Run({"reviews"}), kExitOk) << err_.str();
  EXPECT_THAT(rpc_.paths, ElementsAre("/salesops.v1.Views/ListPerformanceReviews",
                                      "/salesops.v1.Team/ListScoringPolicies"));
  EXPECT_THAT(out_.str(), HasSubstr("\n   \u2014  li_na  "));  // no rank under no policy
  EXPECT_THAT(out_.str(), HasSubstr("No scoring policy is set yet, so nobody is scored or ranked. A SALES_MANAGER "
                                    "sets one"));
  EXPECT_THAT(out_.str(), HasSubstr("salesctl team.set-scoring-policy --note="));

  v1::ListScoringPoliciesResponse later;
  for (uint32_t v : {1u, 2u}) {
    v1::ScoringPolicy* p = later.add_policies();
    p->set_version(v);
    p->set_set_by("admin");
    p->mutable_set_at()->set_seconds(kNow);
  }
  later.mutable_policies(0)->set_note("销量优先");
  rpc_.canned_by_path["/salesops.v1.Team/ListScoringPolicies"] = &later;
  ASSERT_EQ(Run({"reviews"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("No scoring policy was in force at the end of this period: the first, v1, was "
                                    "set 2026-11-28T10:00:00Z by admin (\"销量优先\").\nScore this period under a "
                                    "policy with --policy=2 (the latest; versions 1..2), or compare two: salesctl "
                                    "compare --policy-a=1 --policy-b=2.\n"));

  // Under a policy, no second call.
  ranking.set_policy_version(2);
  rpc_.paths.clear();
  ASSERT_EQ(Run({"reviews"}), kExitOk) << err_.str();
  EXPECT_THAT(rpc_.paths, ElementsAre("/salesops.v1.Views/ListPerformanceReviews"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("No scoring policy")));
}



TEST_F(ViewCommandsTest, BadFlagsAreUsageErrorsNamingTheFlag) {
  EXPECT_EQ(Run({"leads", "--stale-for=72"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--stale_for: bad duration '72': a number needs a unit"));
  EXPECT_THAT(err_.str(), HasSubstr("salesctl leads --help"));

  // --member is sugar for member_id, which the pipeline has not.
  EXPECT_EQ(Run({"pipeline", "--member=x"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("unknown flag --member"));

  EXPECT_EQ(Run({"pipeline", "--as-of"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--as_of needs a value"));

  EXPECT_EQ(Run({"workload", "--as-of=yesterday"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--as_of: neither a log position nor a time (bad timestamp 'yesterday'"));
  EXPECT_EQ(rpc_.calls, 0);
}

TEST_F(ViewCommandsTest, PrintsATableOrJson) {
  v1::Workload workload;
  workload.mutable_view()->set_position(9);
  workload.set_sla_table_version(1);
  rpc_.canned = &workload;
  ASSERT_EQ(Run({"workload"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("Workload \u00b7 log position 9 \u00b7 SLA table v1\n"));
  ASSERT_EQ(Run({"--json", "workload"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "{\"view\":{\"position\":\"9\"},\"slaTableVersion\":1}\n");
  ASSERT_EQ(Run({"workload", "--json"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), StartsWith("{\"view\""));
}

TEST_F(ViewCommandsTest, FailedCallExitsWithItsCode) {
  rpc_.status =
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "Views.ListPerformanceReviews needs role ...");
  EXPECT_EQ(Run({"reviews"}), 7);
  EXPECT_EQ(err_.str(), "salesctl: PERMISSION_DENIED (7): Views.ListPerformanceReviews needs role ...\n");
  EXPECT_THAT(out_.str(), IsEmpty());
}

TEST_F(ViewCommandsTest, HelpListsAndExplainsTheNamedCommands) {
  ASSERT_EQ(Run({"help"}), kExitOk);
  for (const char* name : {"pipeline", "leads", "workload", "review", "reviews", "compare", "demo"}) {
    EXPECT_THAT(out_.str(), HasSubstr(absl::StrCat("\n    ", name, " "))) << name;
  }
  EXPECT_THAT(out_.str(), HasSubstr("get-pipeline"));  // the generic commands stay

  ASSERT_EQ(Run({"pipeline", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), StartsWith("Usage: salesctl [GLOBAL FLAGS] pipeline"));
  EXPECT_THAT(out_.str(), HasSubstr("--as-of=POSITION|TIME"));
  EXPECT_THAT(out_.str(), HasSubstr("--win_rate_days"));
  ASSERT_EQ(Run({"help", "review"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("--member=ID"));
  EXPECT_EQ(rpc_.calls, 0);
}

TEST_F(ViewCommandsTest, GenericCommandsTakeDurationsToo) {
  ASSERT_EQ(Run({"list-leads", "--stale_for=1d12h"}), kExitOk) << err_.str();
  EXPECT_EQ(Sent<v1::ListLeadsRequest>().stale_for().seconds(), 36 * 3600);
  // ... and print them readably.
  v1::Pipeline pipeline;
  pipeline.add_stages()->mutable_max_time_in_stage()->set_seconds(3 * 86400 + 4 * 3600);
  rpc_.canned = &pipeline;
  ASSERT_EQ(Run({"get-pipeline"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("max_time_in_stage: 3d 4h\n"));
}

}  // namespace
}  // namespace salesctl
