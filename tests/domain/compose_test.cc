// The composition of the deciders (server/domain/compose.h) as
// given/when/then tables: every command kind has one aggregate and every
// stream one owner; a won deal's decision opens the order through the
// process step; a command is validated once, before any state is consulted;
// RequireActiveMember's errors are the ones clients match on.
#include "server/domain/compose.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/lead.h"
#include "server/domain/order.h"
#include "server/domain/state.h"
#include "server/domain/team.h"
#include "server/domain/ticket.h"
#include "tests/common/testing.h"
#include "tests/domain/compose_testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A team: root (ADMIN), rep (SALES_REP), mgr (SALES_MANAGER), sup1 and sup2
// (SALES_SUPPORT), after (AFTER_SALES, deactivated), bd (BD_MANAGER).
State Team() {
  return TeamOf({{"rep", v1::ROLE_SALES_REP},
                 {"mgr", v1::ROLE_SALES_MANAGER},
                 {"sup1", v1::ROLE_SALES_SUPPORT},
                 {"sup2", v1::ROLE_SALES_SUPPORT},
                 {"after", v1::ROLE_AFTER_SALES},
                 {"bd", v1::ROLE_BD_MANAGER}},
                {"after"});
}

// `state` with lead L1 owned by rep, in `stage` (without its history: the
// composition reads only the deciders' record).
State WithLead(State state, v1::Stage stage) {
  LeadState& lead = state.leads["L1"];
  lead.exists = true;
  lead.version = 5;
  lead.stage = stage;
  lead.owner = "rep";
  lead.last_occurred_at = kNow - absl::Hours(1);
  return state;
}

v1::Command WinDeal(const std::string& assign_to = "") {
  v1::Command c;
  auto* win = c.mutable_lead()->mutable_win_deal();
  win->set_lead_id("L1");
  win->mutable_final_amount()->set_currency("CNY");
  win->mutable_final_amount()->set_amount_minor(88'000'000);
  win->set_signed_date("2026-09-01");
  win->mutable_options()->set_assign_to(assign_to);
  return c;
}

// --- The tables -------------------------------------------------------------

TEST(ComposeTest, EveryCommandKindHasExactlyOneAggregate) {
  const google::protobuf::OneofDescriptor* kinds = v1::Command::descriptor()->FindOneofByName("kind");
  ASSERT_NE(kinds, nullptr);
  for (int i = 0; i < kinds->field_count(); ++i) {
    const auto kind = static_cast<v1::Command::KindCase>(kinds->field(i)->number());
    int owners = 0;
    for (const Aggregate* aggregate : Aggregates()) owners += aggregate->command == kind ? 1 : 0;
    EXPECT_EQ(owners, 1) << kinds->field(i)->name();
    ASSERT_NE(AggregateFor(kind), nullptr) << kinds->field(i)->name();
    EXPECT_NE(AggregateFor(kind)->validate, nullptr);
    EXPECT_NE(AggregateFor(kind)->decide, nullptr);
    EXPECT_NE(AggregateFor(kind)->evolve, nullptr);
    EXPECT_NE(AggregateFor(kind)->reply, nullptr);
  }
  EXPECT_EQ(AggregateFor(v1::Command::KIND_NOT_SET), nullptr);
}

TEST(ComposeTest, EveryStreamHasOneOwnerAndItsId) {
  struct Row {
    std::string stream;
    const Aggregate* owner;
    std::string id;
  };
  const std::vector<Row> rows = {
      {LeadStreamId("acme-1"), &kLeadAggregate, "acme-1"},
      {OrderStreamId("acme-1"), &kOrderAggregate, "acme-1"},
      {TicketStreamId("T-9"), &kTicketAggregate, "T-9"},
      {std::string(kTeamStreamId), &kTeamAggregate, ""},
      {AccountStreamId("hz-yunfan"), &kAccountAggregate, "hz-yunfan"},
      {"teams", nullptr, ""},
      {"unknown-1", nullptr, ""},
  };
  for (const Row& row : rows) {
    absl::string_view id;
    EXPECT_EQ(AggregateOfStream(row.stream, &id), row.owner) << row.stream;
    if (row.owner != nullptr) {
      EXPECT_EQ(id, row.id) << row.stream;
    }
  }
  // No aggregate's streams can be taken for another's.
  for (const Aggregate* a : Aggregates()) {
    for (const Aggregate* b : Aggregates()) {
      if (a != b && !a->single_stream) {
        EXPECT_FALSE(absl::StartsWith(b->stream_prefix, a->stream_prefix));
      }
    }
  }
}

// Every aggregate with a status has its rules table, one row per command
// (RecordSurvey has no status of its own: the after-sales entry checks it).
TEST(ComposeTest, EveryCommandOfAnAggregateWithAStatusHasOneRule) {
  const auto rows_for = [](const google::protobuf::Descriptor* d, auto rules, absl::string_view skip) {
    const google::protobuf::OneofDescriptor* oneof = d->FindOneofByName("command");
    ASSERT_NE(oneof, nullptr) << d->name();
    for (int i = 0; i < oneof->field_count(); ++i) {
      if (oneof->field(i)->name() == skip) continue;
      int rows = 0;
      for (const auto& rule : rules) rows += static_cast<int>(rule.command) == oneof->field(i)->number() ? 1 : 0;
      EXPECT_EQ(rows, 1) << d->name() << "." << oneof->field(i)->name();
    }
  };
  rows_for(v1::LeadCommand::descriptor(), LeadRules(), "");
  rows_for(v1::OrderCommand::descriptor(), OrderRules(), "");
  rows_for(v1::SupportCommand::descriptor(), TicketRules(), "survey");
  EXPECT_EQ(TicketRuleFor(v1::SupportCommand::kSurvey).command, v1::SupportCommand::COMMAND_NOT_SET);
}

// --- The process step: a won deal opens an order -----------------------------

TEST(ComposeTest, WonDealStepIsListedAndReactsToDealWon) {
  EXPECT_THAT(ProcessSteps(), ::testing::Contains(&kWonDealOpensOrder));
  EXPECT_EQ(kWonDealOpensOrder.on, v1::Event::kDealWon);
}

TEST(ComposeTest, GivenAWonDealEventThenTheStepOpensTheOrderForTheLeastLoadedSalesSupport) {
  // given: sup1 already carries an open order, sup2 none.
  State state = Team();
  state.workload["sup1"].open_items = 1;
  state = WithLead(std::move(state), v1::STAGE_NEGOTIATING);
  v1::Event won;
  won.mutable_deal_won()->mutable_final_amount()->set_currency("CNY");
  won.mutable_deal_won()->mutable_final_amount()->set_amount_minor(88'000'000);
  const v1::Command cause = WinDeal();
  // when
  std::vector<StreamDecision> caused;
  ASSERT_THAT(kWonDealOpensOrder.react(state, DecidedEvent{cause, LeadStreamId("L1"), won}, caused), IsOk());
  // then
  ASSERT_EQ(caused.size(), 1u);
  EXPECT_EQ(caused[0].stream_id, "order-L1");
  EXPECT_EQ(caused[0].expected_version, 0u);
  ASSERT_EQ(caused[0].events.size(), 2u);
  const v1::OrderOpened& opened = caused[0].events[0].order_opened();
  EXPECT_EQ(opened.order_id(), "L1");
  EXPECT_EQ(opened.lead_id(), "L1");
  EXPECT_EQ(opened.owner(), "rep");
  EXPECT_EQ(opened.amount().amount_minor(), 88'000'000);
  EXPECT_EQ(opened.order_transition().to_status(), v1::ORDER_STATUS_OPEN);
  const v1::OrderAssigned& assigned = caused[0].events[1].order_assigned();
  EXPECT_EQ(assigned.assignee(), "sup2");
  EXPECT_EQ(assigned.role(), v1::ROLE_SALES_SUPPORT);
  EXPECT_EQ(assigned.explanation().candidates_size(), 2);
}

TEST(ComposeTest, WhenWinDealThenTheDecisionHoldsTheLeadStreamThenTheOrderStream) {
  struct Row {
    std::string assign_to;
    std::string assignee;
  };
  for (const Row& row : std::vector<Row>{{"", "sup1"}, {"sup2", "sup2"}, {"rep", "sup1"}}) {
    const State given = WithLead(Team(), v1::STAGE_NEGOTIATING);
    const absl::StatusOr<CommandDecision> d = Decide(given, WinDeal(row.assign_to), DecideContext{kNow, "rep", ""});
    ASSERT_THAT(d, IsOk()) << row.assign_to;
    ASSERT_EQ(d->streams.size(), 2u);
    EXPECT_EQ(d->streams[0].stream_id, "lead-L1");
    ASSERT_EQ(d->streams[0].events.size(), 1u);
    EXPECT_TRUE(d->streams[0].events[0].has_deal_won());
    EXPECT_EQ(d->streams[1].stream_id, "order-L1");
    ASSERT_EQ(d->streams[1].events.size(), 2u);
    EXPECT_TRUE(d->streams[1].events[0].has_order_opened());
    EXPECT_EQ(d->streams[1].events[1].order_assigned().assignee(), row.assignee) << row.assign_to;
    EXPECT_EQ(d->lead_id, "L1");
  }
}

TEST(ComposeTest, OtherDecisionsOpenNoOrder) {
  v1::Command lose;
  lose.mutable_lead()->mutable_lose_deal()->set_lead_id("L1");
  lose.mutable_lead()->mutable_lose_deal()->set_reason(v1::LOSS_REASON_PRICE);
  const absl::StatusOr<CommandDecision> d =
      Decide(WithLead(Team(), v1::STAGE_NEGOTIATING), lose, DecideContext{kNow, "rep", ""});
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->streams.size(), 1u);
  EXPECT_EQ(d->streams[0].stream_id, "lead-L1");
}

// --- Validation, once -------------------------------------------------------

TEST(ComposeTest, DecideRefusesAnInvalidCommandBeforeTheStateIsConsulted) {
  v1::Command qualify;
  qualify.mutable_lead()->mutable_qualify()->set_lead_id("L1");
  qualify.mutable_lead()->mutable_qualify()->set_score(101);
  const DecideContext bd{kNow, "bd", ""};
  // Unknown lead: INVALID_ARGUMENT, not NOT_FOUND.
  EXPECT_THAT(Decide(Team(), qualify, bd), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("score")));
  // Wrong stage: INVALID_ARGUMENT, not FAILED_PRECONDITION.
  EXPECT_THAT(Decide(WithLead(Team(), v1::STAGE_WON), qualify, bd),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("score")));
  // An actor who may not act: INVALID_ARGUMENT, not PERMISSION_DENIED.
  EXPECT_THAT(Decide(Team(), qualify, DecideContext{kNow, "nobody", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("score")));
  // No command at all, and an aggregate's command without a request.
  EXPECT_THAT(Decide(Team(), v1::Command(), bd), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("command")));
  v1::Command empty_lead;
  empty_lead.mutable_lead();
  EXPECT_THAT(Decide(Team(), empty_lead, bd), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("command")));
  // Every aggregate's validation is reached through Decide.
  v1::Command ship;
  ship.mutable_order()->mutable_ship()->set_order_id("L1");
  EXPECT_THAT(Decide(Team(), ship, bd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("carrier:")));
  v1::Command open;
  open.mutable_support()->mutable_open()->set_lead_id("L1");
  EXPECT_THAT(Decide(Team(), open, bd), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subject:")));
  v1::Command add;
  add.mutable_team()->mutable_add_member()->set_member_id("x");
  EXPECT_THAT(Decide(Team(), add, DecideContext{kNow, "root", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("display_name:")));
}

TEST(ComposeTest, ValidateRefusesAsValidateCommandAndDecidingTheValidatedCommandIsTheSameDecision) {
  EXPECT_THAT(Validate(v1::Command()), StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("command")));
  const State given = WithLead(Team(), v1::STAGE_NEGOTIATING);
  const v1::Command win = WinDeal("sup2");
  const absl::StatusOr<ValidatedCommand> valid = Validate(win);
  ASSERT_THAT(valid, IsOk());
  EXPECT_EQ(&valid->command(), &win);  // refers to the command, no copy
  const DecideContext context{kNow, "rep", ""};
  const absl::StatusOr<CommandDecision> a = Decide(given, win, context);
  const absl::StatusOr<CommandDecision> b = Decide(given, *valid, context);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  ASSERT_EQ(a->streams.size(), b->streams.size());
  for (size_t i = 0; i < a->streams.size(); ++i) {
    EXPECT_EQ(a->streams[i].stream_id, b->streams[i].stream_id);
    ASSERT_EQ(a->streams[i].events.size(), b->streams[i].events.size());
    for (size_t j = 0; j < a->streams[i].events.size(); ++j) {
      EXPECT_EQ(a->streams[i].events[j].SerializeAsString(), b->streams[i].events[j].SerializeAsString());
    }
  }
}

// --- RequireActiveMember ------------------------------------------------------

// --- A low survey opens a follow-up --------------------------------------

// `state` with an active AFTER_SALES member as1 (and as2, holding more),
// L1 won and ticket T1 resolved, and a scoring policy whose follow_up_below
// is `below`.
State WithResolvedTicket(uint32_t below) {
  State state = WithLead(Team(), v1::STAGE_WON);
  for (const char* id : {"as1", "as2"}) AddMember(state, id, v1::ROLE_AFTER_SALES);
  state.workload["as2"].open_items = 3;
  v1::Ticket& t = state.tickets["T1"];
  t.set_ticket_id("T1");
  t.set_lead_id("L1");
  t.set_status(v1::TICKET_STATUS_RESOLVED);
  t.set_version(3);
  v1::Command policy;
  v1::SetScoringPolicyRequest* p = policy.mutable_team()->mutable_set_scoring_policy();
  v1::RoleWeights* w = p->add_roles();
  w->set_role(v1::ROLE_AFTER_SALES);
  v1::MetricWeight* weight = w->add_weights();
  weight->set_metric("tickets_resolved");
  weight->set_weight(1);
  p->set_follow_up_below(below);
  EXPECT_THAT(DecideAndFold(state, "mgr", policy), IsOk());
  return state;
}

v1::Command Survey(int32_t product, int32_t attitude, int32_t speed, const std::string& ticket = "T1") {
  v1::Command c;
  v1::RecordSurveyRequest* r = c.mutable_support()->mutable_survey();
  r->set_lead_id("L1");
  r->set_ticket_id(ticket);
  r->set_product_quality(product);
  r->set_service_attitude(attitude);
  r->set_response_speed(speed);
  r->set_comment("响应太慢");
  return c;
}

TEST(ComposeTest, LowSurveyStepIsListedAndReactsToSurveyRecorded) {
  EXPECT_THAT(ProcessSteps(), ::testing::Contains(&kLowSurveyOpensFollowUp));
  EXPECT_EQ(kLowSurveyOpensFollowUp.on, v1::Event::kSurveyRecorded);
}

TEST(ComposeTest, GivenAPolicyThresholdWhenASurveyScoresBelowItThenAFollowUpOpensForAfterSales) {
  State state = WithResolvedTicket(3);
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "as1", Survey(5, 4, 2));
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->streams.size(), 2u);
  EXPECT_EQ(d->streams[0].stream_id, "ticket-T1");
  EXPECT_EQ(d->streams[1].stream_id, "ticket-followup-T1");
  EXPECT_EQ(d->streams[1].expected_version, 0u);
  const v1::TicketOpened& opened = d->streams[1].events[0].ticket_opened();
  EXPECT_EQ(opened.lead_id(), "L1");
  EXPECT_EQ(opened.description(), "响应太慢");
  EXPECT_EQ(opened.follow_up_reason(),
            "survey of ticket 'T1' scored product quality 5, service attitude 4, response speed 2; below 3 "
            "(follow_up_below of scoring policy v1)");
  const v1::TicketAssigned& assigned = d->streams[1].events[1].ticket_assigned();
  EXPECT_EQ(assigned.assignee(), "as1");  // the least loaded
  EXPECT_EQ(assigned.role(), v1::ROLE_AFTER_SALES);
  // Folded: the follow-up is an open ticket with its reason, on as1's load.
  const v1::Ticket& followup = state.Ticket("followup-T1");
  EXPECT_EQ(followup.status(), v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(followup.assignee(), "as1");
  EXPECT_EQ(followup.follow_up_reason(), opened.follow_up_reason());
}

TEST(ComposeTest, NoFollowUpAtOrAboveTheThresholdWithoutOneOrWhenItExists) {
  struct Case {
    std::string name;
    uint32_t below;
    v1::Command survey;
    bool follow_up_exists;
  };
  const std::vector<Case> cases = {
      {"every score at the threshold", 3, Survey(3, 3, 3), false},
      {"no threshold in the policy", 0, Survey(1, 1, 1), false},
      {"the survey's follow-up is open already", 3, Survey(1, 5, 5), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    State state = WithResolvedTicket(c.below);
    if (c.follow_up_exists) state.tickets["followup-T1"].set_ticket_id("followup-T1");
    absl::StatusOr<CommandDecision> d = DecideAndFold(state, "as1", c.survey);
    ASSERT_THAT(d, IsOk());
    EXPECT_EQ(d->streams.size(), 1u);
  }
  // Without any policy, nothing either.
  State state = WithResolvedTicket(3);
  state.team.policies.clear();
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "as1", Survey(1, 1, 1));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->streams.size(), 1u);
}

TEST(ComposeTest, APolicyThresholdIsTwoToFiveOrNone) {
  State state = WithResolvedTicket(0);
  v1::Command policy;
  v1::RoleWeights* w = policy.mutable_team()->mutable_set_scoring_policy()->add_roles();
  w->set_role(v1::ROLE_AFTER_SALES);
  v1::MetricWeight* weight = w->add_weights();
  weight->set_metric("tickets_resolved");
  weight->set_weight(1);
  for (uint32_t bad : {1u, 6u}) {
    policy.mutable_team()->mutable_set_scoring_policy()->set_follow_up_below(bad);
    EXPECT_THAT(DecideAndFold(state, "mgr", policy),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("follow_up_below: must be 2..5")));
  }
}

TEST(RequireActiveMemberTest, Table) {
  const State state = Team();
  struct Row {
    std::string member;
    v1::Role role;
    std::string field;
    MemberCheck check;
    std::string note;
    absl::StatusCode code;
    std::string message;  // the whole message, as clients see it
  };
  const std::vector<Row> rows = {
      {"rep", v1::ROLE_SALES_REP, "owner", MemberCheck::kNamed, "", absl::StatusCode::kOk, ""},
      {"sup1", v1::ROLE_SALES_SUPPORT, "assignee", MemberCheck::kEligible, "", absl::StatusCode::kOk, ""},
      // unknown, lacking the role, deactivated: one message.
      {"ghost", v1::ROLE_SALES_REP, "owner", MemberCheck::kNamed, "", absl::StatusCode::kInvalidArgument,
       "owner: member 'ghost' is not an active SALES_REP"},
      {"mgr", v1::ROLE_SALES_REP, "owner", MemberCheck::kNamed, "", absl::StatusCode::kInvalidArgument,
       "owner: member 'mgr' is not an active SALES_REP"},
      {"after", v1::ROLE_AFTER_SALES, "assignee", MemberCheck::kEligible, "",
       absl::StatusCode::kFailedPrecondition, "assignee: member 'after' is not an active AFTER_SALES"},
      {"rep", v1::ROLE_SALES_SUPPORT, "assignee", MemberCheck::kEligible, "", absl::StatusCode::kFailedPrecondition,
       "assignee: member 'rep' is not an active SALES_SUPPORT"},
      {"sup1", v1::ROLE_BD_MANAGER, "assignee", MemberCheck::kEligible, " (the lead awaits BD_MANAGER)",
       absl::StatusCode::kFailedPrecondition,
       "assignee: member 'sup1' is not an active BD_MANAGER (the lead awaits BD_MANAGER)"},
  };
  for (const Row& row : rows) {
    const absl::Status s = RequireActiveMember(state.team, row.member, row.role, row.field, row.check, row.note);
    EXPECT_EQ(s.code(), row.code) << row.member << " " << s;
    EXPECT_EQ(s.message(), row.message);
    const std::optional<google::rpc::ErrorInfo> info = errors::ErrorInfoOf(s);
    if (row.code == absl::StatusCode::kFailedPrecondition) {
      ASSERT_TRUE(info.has_value()) << row.member;
      EXPECT_EQ(info->reason(), errors::kAssigneeNotEligible);
      EXPECT_EQ(info->metadata().at("assignee"), row.member);
      EXPECT_EQ(info->metadata().at("required_role"), RoleName(row.role));
    } else {
      EXPECT_FALSE(info.has_value()) << row.member;  // as before: no reason on an owner
    }
  }
}

// The four sites the helper replaced keep their errors, end to end.
TEST(RequireActiveMemberTest, EveryDeciderSiteKeepsItsError) {
  State state = WithLead(Team(), v1::STAGE_QUALIFIED);
  state.leads["L1"].awaiting_role = v1::ROLE_BD_MANAGER;
  v1::Command identify;
  auto* i = identify.mutable_lead()->mutable_identify();
  i->set_lead_id("L2");
  i->set_company("杭州某某科技");
  i->mutable_contact()->set_name("陈静");
  i->set_source(v1::LEAD_SOURCE_EVENT);
  i->set_owner("sup1");
  EXPECT_THAT(Decide(state, identify, DecideContext{kNow, "mgr", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, "owner: member 'sup1' is not an active SALES_REP"));
  v1::Command change;
  change.mutable_lead()->mutable_change_owner()->set_lead_id("L1");
  change.mutable_lead()->mutable_change_owner()->set_owner("bd");
  change.mutable_lead()->mutable_change_owner()->set_reason("rebalance");
  EXPECT_THAT(Decide(state, change, DecideContext{kNow, "mgr", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, "owner: member 'bd' is not an active SALES_REP"));
  v1::Command assign;
  assign.mutable_lead()->mutable_assign()->set_lead_id("L1");
  assign.mutable_lead()->mutable_assign()->set_assignee("rep");
  assign.mutable_lead()->mutable_assign()->set_reason("cover");
  const absl::StatusOr<CommandDecision> lead = Decide(state, assign, DecideContext{kNow, "mgr", ""});
  EXPECT_THAT(lead, StatusIs(absl::StatusCode::kFailedPrecondition,
                             "assignee: member 'rep' is not an active BD_MANAGER (the lead awaits BD_MANAGER)"));
  EXPECT_EQ(errors::ErrorInfoOf(lead.status())->reason(), errors::kAssigneeNotEligible);
}

}  // namespace
}  // namespace salesops::domain
