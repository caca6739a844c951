// The team decider as given(events) / when(command) / then(events or error).
#include "server/domain/team.h"

#include <cmath>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::TeamCommand Add(const std::string& id, std::vector<v1::Role> roles, uint32_t capacity = 0) {
  v1::TeamCommand c;
  auto* a = c.mutable_add_member();
  a->set_member_id(id);
  a->set_display_name("王芳");
  for (v1::Role r : roles) a->add_roles(r);
  a->set_capacity(capacity);
  return c;
}

// Decides and folds each command in turn; returns the state.
TeamState Given(const std::vector<v1::TeamCommand>& commands) {
  TeamState state;
  for (const v1::TeamCommand& c : commands) {
    auto events = DecideTeam(state, c);
    EXPECT_THAT(events, IsOk());
    if (!events.ok()) continue;
    for (v1::Event& e : *events) {
      v1::EventEnvelope envelope;
      envelope.set_stream_version(state.version + 1);
      *envelope.mutable_event() = std::move(e);
      EvolveTeam(state, envelope);
    }
  }
  return state;
}

TEST(TeamDeciderTest, AddThenChangeRolesRecordsThePreviousOnes) {
  const TeamState state = Given({Add("wf", {v1::ROLE_SALES_REP}, 20)});
  ASSERT_NE(state.Find("wf"), nullptr);
  EXPECT_TRUE(state.Find("wf")->active());
  EXPECT_EQ(state.Find("wf")->display_name(), "王芳");
  EXPECT_EQ(state.Find("wf")->capacity(), 20u);
  v1::TeamCommand set;
  set.mutable_set_roles()->set_member_id("wf");
  set.mutable_set_roles()->add_roles(v1::ROLE_BD_MANAGER);
  set.mutable_set_roles()->add_roles(v1::ROLE_SALES_REP);
  auto events = DecideTeam(state, set);
  ASSERT_THAT(events, IsOk());
  const v1::MemberRolesChanged& e = (*events)[0].member_roles_changed();
  EXPECT_THAT(e.roles(), ElementsAre(v1::ROLE_BD_MANAGER, v1::ROLE_SALES_REP));
  EXPECT_THAT(e.previous_roles(), ElementsAre(v1::ROLE_SALES_REP));
}

TEST(TeamDeciderTest, RefusalsNameTheRule) {
  const TeamState state = Given({Add("wf", {v1::ROLE_SALES_REP})});
  EXPECT_THAT(DecideTeam(state, Add("wf", {v1::ROLE_ADMIN})),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("'wf' already exists")));
  v1::TeamCommand reactivate;
  reactivate.mutable_reactivate()->set_member_id("wf");
  EXPECT_THAT(DecideTeam(state, reactivate), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already active")));
  v1::TeamCommand deactivate;
  deactivate.mutable_deactivate()->set_member_id("nobody");
  EXPECT_THAT(DecideTeam(state, deactivate), StatusIs(absl::StatusCode::kNotFound, HasSubstr("'nobody'")));
  deactivate.mutable_deactivate()->set_member_id("wf");
  const TeamState after = Given({Add("wf", {v1::ROLE_SALES_REP}), deactivate});
  EXPECT_FALSE(after.Find("wf")->active());
  EXPECT_THAT(DecideTeam(after, deactivate), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already deactivated")));
  v1::TeamCommand bootstrap;
  bootstrap.mutable_bootstrap()->set_member_id("root");
  EXPECT_THAT(DecideTeam(state, bootstrap), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not empty")));
  EXPECT_THAT(DecideTeam(TeamState(), bootstrap), IsOk());
  v1::TeamCommand stale = Add("x", {v1::ROLE_SALES_REP});
  stale.mutable_add_member()->mutable_options()->set_expected_version(0);
  EXPECT_THAT(DecideTeam(state, stale), StatusIs(absl::StatusCode::kAborted, HasSubstr("team is at version 1")));
}

TEST(TeamDeciderTest, TheTeamKeepsAnActiveAdmin) {
  const TeamState state = Given({Add("root", {v1::ROLE_ADMIN}), Add("wf", {v1::ROLE_SALES_REP})});
  v1::TeamCommand deactivate;
  deactivate.mutable_deactivate()->set_member_id("root");
  EXPECT_THAT(DecideTeam(state, deactivate),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("last active ADMIN")));
  v1::TeamCommand drop;
  drop.mutable_set_roles()->set_member_id("root");
  drop.mutable_set_roles()->add_roles(v1::ROLE_SALES_REP);
  EXPECT_THAT(DecideTeam(state, drop), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("keep the ADMIN role")));
  // With a second admin, either is fine.
  const TeamState two = Given({Add("root", {v1::ROLE_ADMIN}), Add("ops", {v1::ROLE_ADMIN})});
  EXPECT_THAT(DecideTeam(two, deactivate), IsOk());
  EXPECT_THAT(DecideTeam(two, drop), IsOk());
}

TEST(TeamDeciderTest, ValidationNamesTheField) {
  EXPECT_THAT(ValidateTeamCommand(Add("bad id", {v1::ROLE_SALES_REP})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("member_id:")));
  EXPECT_THAT(ValidateTeamCommand(Add("a", {})), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("roles: at least one")));
  EXPECT_THAT(ValidateTeamCommand(Add("a", {v1::ROLE_SALES_REP, v1::ROLE_SALES_REP})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("SALES_REP is listed twice")));
  EXPECT_THAT(ValidateTeamCommand(Add("a", {v1::ROLE_UNSPECIFIED})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("roles:")));
  EXPECT_THAT(ValidateTeamCommand(Add("a", {v1::ROLE_SALES_REP}, 10001)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("capacity:")));
  v1::TeamCommand no_name = Add("a", {v1::ROLE_SALES_REP});
  no_name.mutable_add_member()->clear_display_name();
  EXPECT_THAT(ValidateTeamCommand(no_name), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("display_name:")));
  EXPECT_THAT(ValidateTeamCommand(v1::TeamCommand()), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("command")));
}

v1::TeamCommand Target(const std::string& member, const std::string& period, int64_t yuan) {
  v1::TeamCommand c;
  auto* t = c.mutable_set_target();
  t->set_member_id(member);
  t->set_period(period);
  t->set_metric(v1::TARGET_METRIC_WON_VALUE);
  t->mutable_won_value()->set_amount_minor(yuan * 100);
  t->mutable_won_value()->set_currency("CNY");
  return c;
}

TEST(TeamDeciderTest, LaterTargetsSupersedeEarlierOnesAndBothStayInTheLog) {
  const TeamState state = Given({Add("wf", {v1::ROLE_SALES_REP}), Target("wf", "2026-Q4", 1'000'000),
                                 Target("wf", "2026-Q4", 1'200'000), Target("wf", "2026-11", 400'000)});
  ASSERT_EQ(state.targets.size(), 2u);  // one per member, period, metric, currency
  const v1::Target& q4 = state.targets.begin()->second.period() == "2026-Q4" ? state.targets.begin()->second
                                                                             : state.targets.rbegin()->second;
  EXPECT_EQ(q4.won_value().amount_minor(), 120'000'000);
  EXPECT_EQ(q4.revision(), 2u);
  EXPECT_THAT(DecideTeam(state, Target("ghost", "2026-Q4", 1)), StatusIs(absl::StatusCode::kNotFound, HasSubstr("'ghost'")));
  for (const char* bad : {"2026-13", "2026-Q5", "26-Q1", "2026-1", "2026Q1"}) {
    EXPECT_THAT(ValidateTeamCommand(Target("wf", bad, 1)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("period:"))) << bad;
  }
  v1::TeamCommand count = Target("wf", "2026-12", 0);
  count.mutable_set_target()->set_metric(v1::TARGET_METRIC_WON_COUNT);
  count.mutable_set_target()->set_won_count(-1);
  EXPECT_THAT(ValidateTeamCommand(count), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("won_count:")));
  v1::TeamCommand no_metric = Target("wf", "2026-12", 1);
  no_metric.mutable_set_target()->set_metric(v1::TARGET_METRIC_UNSPECIFIED);
  EXPECT_THAT(ValidateTeamCommand(no_metric), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("metric:")));
}

v1::TeamCommand Policy(std::vector<std::tuple<v1::Role, std::string, double>> weights) {
  v1::TeamCommand c;
  auto* p = c.mutable_set_scoring_policy();
  for (const auto& [role, metric, weight] : weights) {
    v1::RoleWeights* r = nullptr;
    for (v1::RoleWeights& existing : *p->mutable_roles()) {
      if (existing.role() == role) r = &existing;
    }
    if (r == nullptr) {
      r = p->add_roles();
      r->set_role(role);
    }
    v1::MetricWeight* w = r->add_weights();
    w->set_metric(metric);
    w->set_weight(weight);
  }
  return c;
}

TEST(TeamDeciderTest, ScoringPoliciesAreVersionedInOrder) {
  const TeamState state =
      Given({Policy({{v1::ROLE_SALES_REP, "deals_won", 2}}),
             Policy({{v1::ROLE_SALES_REP, "win_rate", 10}, {v1::ROLE_AFTER_SALES, "reopen_rate", -5}})});
  ASSERT_EQ(state.policies.size(), 2u);
  EXPECT_EQ(state.policies[0].version(), 1u);
  EXPECT_EQ(state.policies[1].version(), 2u);
  ASSERT_EQ(state.policies[1].roles_size(), 2);
  EXPECT_EQ(state.policies[1].roles(1).weights(0).weight(), -5);
  // The next one would be version 3.
  auto next = DecideTeam(state, Policy({{v1::ROLE_BD_MANAGER, "leads_qualified", 1}}));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ((*next)[0].scoring_policy_set().version(), 3u);
}

TEST(TeamDeciderTest, ScoringPolicyValidationNamesTheField) {
  EXPECT_THAT(ValidateTeamCommand(Policy({})), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("roles: at least one")));
  EXPECT_THAT(ValidateTeamCommand(Policy({{v1::ROLE_SALES_REP, "tickets_resolved", 1}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("roles[0].weights[0].metric: 'tickets_resolved' is not a SALES_REP metric")));
  EXPECT_THAT(ValidateTeamCommand(Policy({{v1::ROLE_ADMIN, "deals_won", 1}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("roles[0].role: must be a reviewed role")));
  EXPECT_THAT(ValidateTeamCommand(Policy({{v1::ROLE_SALES_REP, "deals_won", 1}, {v1::ROLE_SALES_REP, "deals_won", 2}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'deals_won' appears twice")));
  EXPECT_THAT(ValidateTeamCommand(Policy({{v1::ROLE_SALES_REP, "deals_won", 1e7}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("roles[0].weights[0].weight:")));
  EXPECT_THAT(ValidateTeamCommand(Policy({{v1::ROLE_SALES_REP, "deals_won", std::nan("")}})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weight: must be finite")));
}

}  // namespace
}  // namespace salesops::domain
