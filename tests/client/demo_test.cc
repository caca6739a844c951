// "salesctl demo" against a fake server: the order of its steps, the roles it
// gives the actor, its usage errors and how it reports a failed call.
#include "demo.h"

#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "run.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"
#include "salesops/v1/team.pb.h"
#include "salesops/v1/views.pb.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
namespace v1 = ::salesops::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// 2026-11-28T10:00:00Z
constexpr int64_t kAnchor = 1795860000;

// Answers like a server that accepts everything; thread-safe, as the demo
// calls concurrently.
class FakeServer final : public RpcClient {
 public:
  grpc::Status Call(const GlobalOptions&, const Command& command, const pb::Message& request,
                    const ReplyHandler& on_reply) override {
    std::unique_ptr<pb::Message> reply(
        pb::MessageFactory::generated_factory()->GetPrototype(command.method->output_type())->New());
    const std::string method = command.method->name();
    {
      absl::MutexLock lock(&mu_);
      methods_.push_back(method);
      if (method == fail_method_) return fail_status_;
      if (method == flaky_method_ && flaky_left_ > 0) {
        --flaky_left_;
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "try again");
      }
      if (method == "GetPerformanceReview") {
        auto* review = static_cast<v1::PerformanceReview*>(reply.get());
        review->set_member_id("admin");
        review->mutable_view()->set_position(5);
      } else if (method == "GetMember") {
        auto* member = static_cast<v1::Member*>(reply.get());
        member->set_member_id("admin");
        for (v1::Role role : roles_) member->add_roles(role);
      } else if (method == "ReadLog") {
        v1::EventEnvelope* event = static_cast<v1::ReadLogResponse*>(reply.get())->add_events();
        event->set_position(static_cast<const v1::ReadLogRequest&>(request).from_position());
        event->mutable_recorded_at()->set_seconds(kAnchor);
      } else if (method == "GetWorkload") {
        // What the two BD managers hold once the stories are in.
        workload_min_position_ = static_cast<const v1::GetWorkloadRequest&>(request).view().min_position();
        auto* workload = static_cast<v1::Workload*>(reply.get());
        for (const auto& [id, load] : {std::pair<const char*, uint32_t>{"sun_li", 16}, {"zhao_lei", 13}}) {
          v1::MemberWorkload* m = workload->add_members();
          m->set_member_id(id);
          m->set_load(load);
        }
      } else if (method == "ListScoringPolicies") {
        auto* list = static_cast<v1::ListScoringPoliciesResponse*>(reply.get());
        for (const std::string& note : policy_notes_) {
          v1::ScoringPolicy* p = list->add_policies();
          p->set_version(static_cast<uint32_t>(list->policies_size()));
          p->set_note(note);
          p->set_set_by("admin");
        }
      } else {
        if (method == "SetScoringPolicy") {
          policy_notes_.push_back(static_cast<const v1::SetScoringPolicyRequest&>(request).note());
        }
        if (method == "SetMemberRoles") {
          const auto& set = static_cast<const v1::SetMemberRolesRequest&>(request);
          set_roles_of_[set.member_id()].CopyFrom(set);
          if (set.member_id() == "admin") set_roles_.CopyFrom(set);
        }
        const pb::FieldDescriptor* position = reply->GetDescriptor()->FindFieldByName("position");
        if (position != nullptr) reply->GetReflection()->SetUInt64(reply.get(), position, ++position_);
        const pb::FieldDescriptor* options = request.GetDescriptor()->FindFieldByName("options");
        if (options != nullptr) {
          const auto& o =
              static_cast<const v1::CommandOptions&>(request.GetReflection()->GetMessage(request, options));
          if (o.has_occurred_at() && o.occurred_at().seconds() > latest_) latest_ = o.occurred_at().seconds();
          ++writes_;
        }
      }
    }
    on_reply(*reply);
    return grpc::Status::OK;
  }

  std::vector<v1::Role> roles_ = {v1::ROLE_ADMIN};
  std::string fail_method_;
  grpc::Status fail_status_;
  std::string flaky_method_;
  int flaky_left_ = 0;

  absl::Mutex mu_;
  std::vector<std::string> methods_;
  std::vector<std::string> policy_notes_;
  v1::SetMemberRolesRequest set_roles_;  // the actor's
  std::map<std::string, v1::SetMemberRolesRequest> set_roles_of_;
  uint64_t workload_min_position_ = 0;
  uint64_t position_ = 5;
  int64_t latest_ = 0;
  int writes_ = 0;
};

class DemoTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    const EnvLookup env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    return RunSalesctl(args, env, server_, out_, err_);
  }

  FakeServer server_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(DemoTest, FillsTheServerInOrder) {
  ASSERT_EQ(Run({"demo", "--leads=20", "--parallel=4"}), kExitOk) << err_.str();
  const std::vector<std::string>& m = server_.methods_;
  ASSERT_GT(m.size(), 40u);
  // Who am I, my roles, the team, the anchor, my new roles; the stories;
  // targets and policies; the policies' versions.
  EXPECT_EQ(m[0], "GetPerformanceReview");
  EXPECT_EQ(m[1], "GetMember");
  for (size_t i = 2; i < 17; ++i) EXPECT_EQ(m[i], "AddMember") << i;
  EXPECT_EQ(m[17], "ReadLog");
  EXPECT_EQ(m[18], "SetMemberRoles");
  EXPECT_EQ(m[19], "IdentifyLead");
  EXPECT_EQ(m.back(), "ListScoringPolicies");
  EXPECT_THAT(server_.set_roles_.roles(), ElementsAre(v1::ROLE_SALES_MANAGER, v1::ROLE_ADMIN));
  // Two BD managers go part-time at the end, sized to what they hold then
  // (read after every story's write): one over (16 on 12), one near (13 on
  // 14) capacity.
  EXPECT_GT(server_.workload_min_position_, 0u);
  EXPECT_EQ(server_.set_roles_of_["sun_li"].capacity(), 12u);
  EXPECT_EQ(server_.set_roles_of_["zhao_lei"].capacity(), 14u);
  EXPECT_THAT(server_.set_roles_of_["zhao_lei"].roles(), ElementsAre(v1::ROLE_BD_MANAGER));
  EXPECT_LE(server_.latest_, kAnchor);  // nothing backfilled past the anchor

  EXPECT_THAT(out_.str(), HasSubstr("salesctl demo: recording as 'admin'"));
  EXPECT_THAT(out_.str(), HasSubstr("customers 20/20\n"));
  EXPECT_THAT(out_.str(), HasSubstr("roles of 'admin': SALES_MANAGER, ADMIN (were ADMIN)\n"));
  EXPECT_THAT(out_.str(), HasSubstr("scoring policies: v1 销量优先"));
  EXPECT_THAT(out_.str(), HasSubstr(", v2 质量优先"));
  EXPECT_THAT(out_.str(), HasSubstr("\ndone in "));
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(DemoTest, DropsTheRolesItMustOverrideAndKeepsOthers) {
  server_.roles_ = {v1::ROLE_ADMIN, v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER, v1::ROLE_SALES_MANAGER,
                    v1::ROLE_AUDITOR};
  ASSERT_EQ(Run({"demo", "--leads=3"}), kExitOk) << err_.str();
  EXPECT_THAT(server_.set_roles_.roles(),
              ElementsAre(v1::ROLE_SALES_MANAGER, v1::ROLE_ADMIN, v1::ROLE_AUDITOR));
  EXPECT_EQ(server_.set_roles_.options().request_id(), "demo:actor-roles:3,6,7");
}

TEST_F(DemoTest, LeavesFittingRolesAlone) {
  server_.roles_ = {v1::ROLE_SALES_MANAGER, v1::ROLE_ADMIN};
  ASSERT_EQ(Run({"demo", "--leads=3"}), kExitOk) << err_.str();
  EXPECT_FALSE(server_.set_roles_of_.contains("admin"));
}

TEST_F(DemoTest, NeedsAnAdmin) {
  server_.roles_ = {v1::ROLE_SALES_MANAGER};
  EXPECT_EQ(Run({"demo"}), 7);
  EXPECT_EQ(err_.str(),
            "salesctl demo: member 'admin' holds SALES_MANAGER; the demo adds members and backfills business "
            "time, which needs ADMIN\n");
  EXPECT_EQ(server_.writes_, 0);
}

TEST_F(DemoTest, UsageErrorsNameTheFlagAndSendNothing) {
  EXPECT_EQ(Run({"demo", "--leads=0"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--leads: '0' is not a whole number in 1..5000"));
  EXPECT_EQ(Run({"demo", "--parallel", "17"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--parallel: '17' is not a whole number in 1..16"));
  EXPECT_EQ(Run({"demo", "--lead=3"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("unknown flag --lead (demo takes --leads, --seed, --parallel)"));
  EXPECT_EQ(Run({"demo", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Running it again appends nothing."));
  EXPECT_THAT(server_.methods_, IsEmpty());
}

TEST_F(DemoTest, RetriesWhatIsSafeAndReportsTheRest) {
  server_.flaky_method_ = "IdentifyLead";
  server_.flaky_left_ = 2;
  ASSERT_EQ(Run({"demo", "--leads=2", "--parallel=1"}), kExitOk) << err_.str();

  server_.fail_method_ = "WinDeal";
  server_.fail_status_ = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "lead is in stage LOST");
  EXPECT_EQ(Run({"demo", "--leads=40", "--parallel=1"}), 9);
  EXPECT_THAT(err_.str(),
              ::testing::MatchesRegex(
                  "salesctl demo: demo-00[0-9][0-9], leads.win-deal: FAILED_PRECONDITION \\(9\\): lead "
                  "is in stage LOST\n"));
}

}  // namespace
}  // namespace salesctl
