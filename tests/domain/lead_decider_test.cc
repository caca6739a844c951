// Given/when/then tests of the lead decider (DecideLead + EvolveLead) and of
// the field rules (ValidateLeadCommand).
//
//   given  a history of hand-built events, folded with EvolveLead;
//   when   one command, decided with DecideLead;
//   then   the one event it yields and the state after folding it, or the
//          error it is refused with.
#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/domain/lead.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"
#include "tests/common/testing.h"
#include "tests/domain/lead_test_events.h"

namespace salesops::domain {

// Readable failure output for LeadState comparisons (found by ADL).
static void PrintTo(const LeadState& s, std::ostream* os) {
  *os << "{exists=" << s.exists << " stage=" << StageName(s.stage) << " version=" << s.version
      << " closed_from=" << StageName(s.closed_from) << " quote_revisions=" << s.quote_revisions
      << " owner=" << s.owner << " last_occurred_at=" << absl::FormatTime(s.last_occurred_at) << "}";
}

namespace {

namespace ev = ::salesops::test_events;
using C = v1::LeadCommand;
using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAreArray;

constexpr absl::string_view kLeadId = "ACME-1";
constexpr absl::string_view kActor = "bob";
constexpr absl::string_view kNewLeadId = "GEN-42";

// Every stage a lead can be in, in lifecycle order.
const std::vector<v1::Stage> kAllStages = {
    v1::STAGE_IDENTIFIED,
    v1::STAGE_QUALIFIED,
    v1::STAGE_NEEDS_ANALYZED,
    v1::STAGE_SOLUTION_PROPOSED,
    v1::STAGE_QUOTED,
    v1::STAGE_NEGOTIATING,
    v1::STAGE_WON,
    v1::STAGE_LOST,
    v1::STAGE_DISQUALIFIED,
};

// ---------------------------------------------------------------------------
// given: histories

// The server clock in these tests: a month after every hand-built history.
absl::Time Now() { return ev::HistoryStart() + absl::Hours(24 * 30); }

DecideContext Context() {
  return DecideContext{Now(), std::string(kActor), std::string(kNewLeadId)};
}

// Folds `events` of lead kLeadId with EvolveLead, as committed envelopes with
// stream_version 1..n and occurred_at one hour apart from HistoryStart().
LeadState Given(const std::vector<v1::Event>& events) {
  LeadState state;
  for (const v1::EventEnvelope& envelope : ev::Envelopes(kLeadId, events)) {
    EvolveLead(state, envelope);
  }
  return state;
}

// Business time of the last event of Given() over `n` events.
absl::Time LastEventTime(size_t n) { return ev::HistoryStart() + absl::Hours(n - 1); }

// The events of a lead that took the usual path to `stage` (none for
// STAGE_UNSPECIFIED: no lead). WON and LOST are reached from NEGOTIATING;
// DISQUALIFIED from QUALIFIED.
std::vector<v1::Event> HistoryTo(v1::Stage stage) {
  std::vector<v1::Event> h;
  if (stage == v1::STAGE_UNSPECIFIED) return h;
  h.push_back(ev::LeadIdentified(kLeadId));
  if (stage == v1::STAGE_IDENTIFIED) return h;
  h.push_back(ev::LeadQualified(v1::STAGE_IDENTIFIED));
  if (stage == v1::STAGE_QUALIFIED) return h;
  if (stage == v1::STAGE_DISQUALIFIED) {
    h.push_back(ev::LeadDisqualified(v1::STAGE_QUALIFIED));
    return h;
  }
  h.push_back(ev::NeedsRecorded(v1::STAGE_QUALIFIED));
  if (stage == v1::STAGE_NEEDS_ANALYZED) return h;
  h.push_back(ev::SolutionProposed(v1::STAGE_NEEDS_ANALYZED));
  if (stage == v1::STAGE_SOLUTION_PROPOSED) return h;
  h.push_back(ev::QuoteSent(v1::STAGE_SOLUTION_PROPOSED, 1));
  if (stage == v1::STAGE_QUOTED) return h;
  h.push_back(ev::NegotiationStarted(v1::STAGE_QUOTED));
  if (stage == v1::STAGE_NEGOTIATING) return h;
  if (stage == v1::STAGE_WON) h.push_back(ev::DealWon(v1::STAGE_NEGOTIATING));
  if (stage == v1::STAGE_LOST) h.push_back(ev::DealLost(v1::STAGE_NEGOTIATING));
  return h;
}

// Facts of HistoryTo(stage), written out by hand (not read from EvolveLead).
v1::Stage ClosedFromOfHistory(v1::Stage stage) {
  if (stage == v1::STAGE_LOST) return v1::STAGE_NEGOTIATING;
  if (stage == v1::STAGE_DISQUALIFIED) return v1::STAGE_QUALIFIED;
  return v1::STAGE_UNSPECIFIED;
}
uint32_t QuoteRevisionsOfHistory(v1::Stage stage) {
  switch (stage) {
    case v1::STAGE_QUOTED:
    case v1::STAGE_NEGOTIATING:
    case v1::STAGE_WON:
    case v1::STAGE_LOST:
      return 1;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------
// when: commands

// A command of kind `which`, valid in every field, for `lead_id`.
v1::LeadCommand ValidCommand(C::CommandCase which, absl::string_view lead_id = kLeadId) {
  const std::string id(lead_id);
  v1::LeadCommand command;
  switch (which) {
    case C::kIdentify: {
      auto* c = command.mutable_identify();
      c->set_lead_id(id);
      c->set_company("ACME 北京科技有限公司");
      c->mutable_contact()->set_name("张伟");
      c->mutable_contact()->set_email("zhang.wei@example.cn");
      c->mutable_contact()->set_phone("+86 (10) 1234-5678");
      c->set_source(v1::LEAD_SOURCE_REFERRAL);
      *c->mutable_estimated_value() = ev::Money(1'000'000);
      break;
    }
    case C::kQualify: {
      auto* c = command.mutable_qualify();
      c->set_lead_id(id);
      *c->mutable_budget() = ev::Money(800'000);
      c->set_authority("CTO 李娜 signs");
      c->set_need("CRM migration");
      c->set_timeline("Q2");
      c->set_score(80);
      break;
    }
    case C::kDisqualify: {
      auto* c = command.mutable_disqualify();
      c->set_lead_id(id);
      c->set_reason("no budget this year");
      break;
    }
    case C::kRecordNeeds: {
      auto* c = command.mutable_record_needs();
      c->set_lead_id(id);
      c->set_requirements("200 个席位\n\tSSO");
      break;
    }
    case C::kProposeSolution: {
      auto* c = command.mutable_propose_solution();
      c->set_lead_id(id);
      c->set_summary("CRM Pro with analytics");
      c->add_products("CRM Pro");
      c->add_products("数据分析");
      *c->mutable_value() = ev::Money(900'000);
      break;
    }
    case C::kSendQuote: {
      auto* c = command.mutable_send_quote();
      c->set_lead_id(id);
      c->set_quote_id("Q-7.1");
      *c->mutable_amount() = ev::Money(850'000);
      c->set_valid_until("2026-03-31");
      c->set_discount_basis_points(500);
      break;
    }
    case C::kStartNegotiation: {
      auto* c = command.mutable_start_negotiation();
      c->set_lead_id(id);
      c->set_note("asks for 10 %");
      break;
    }
    case C::kWinDeal: {
      auto* c = command.mutable_win_deal();
      c->set_lead_id(id);
      *c->mutable_final_amount() = ev::Money(800'000);
      c->set_signed_date("2026-04-15");
      break;
    }
    case C::kLoseDeal: {
      auto* c = command.mutable_lose_deal();
      c->set_lead_id(id);
      c->set_reason(v1::LOSS_REASON_COMPETITOR);
      c->set_competitor("Globex");
      c->set_note("cheaper");
      break;
    }
    case C::kReopen: {
      auto* c = command.mutable_reopen();
      c->set_lead_id(id);
      c->set_reason("budget approved");
      break;
    }
    case C::kUpdate: {
      auto* c = command.mutable_update();
      c->set_lead_id(id);
      c->mutable_contact()->set_name("王芳");
      break;
    }
    case C::kAssign: {
      auto* c = command.mutable_assign();
      c->set_lead_id(id);
      c->set_assignee("bd-1");
      c->set_reason("原负责人休假");
      break;
    }
    case C::kChangeOwner: {
      auto* c = command.mutable_change_owner();
      c->set_lead_id(id);
      c->set_owner("rep-2");
      c->set_reason("客户经理调岗");
      break;
    }
    case C::COMMAND_NOT_SET:
      break;
  }
  return command;
}

// The options of whichever request `command` holds.
v1::CommandOptions* MutableOptions(v1::LeadCommand& command) {
  const google::protobuf::Reflection* r = command.GetReflection();
  const google::protobuf::FieldDescriptor* field =
      r->GetOneofFieldDescriptor(command, C::descriptor()->FindOneofByName("command"));
  google::protobuf::Message* request = r->MutableMessage(&command, field);
  return static_cast<v1::CommandOptions*>(request->GetReflection()->MutableMessage(
      request, request->GetDescriptor()->FindFieldByName("options")));
}

// Every command case of v1::LeadCommand, read from its descriptor.
std::vector<C::CommandCase> AllCommandCases() {
  std::vector<C::CommandCase> cases;
  const google::protobuf::OneofDescriptor* oneof = C::descriptor()->FindOneofByName("command");
  for (int i = 0; i < oneof->field_count(); ++i) {
    cases.push_back(static_cast<C::CommandCase>(oneof->field(i)->number()));
  }
  return cases;
}

// ---------------------------------------------------------------------------
// then: committing and folding a decision

// The envelope the store would commit for the decision's only event.
v1::EventEnvelope Committed(const Decision& decision, uint64_t stream_version) {
  v1::EventEnvelope envelope;
  envelope.set_envelope_version(1);
  envelope.set_stream_id(LeadStreamId(decision.lead_id));
  envelope.set_stream_version(stream_version);
  envelope.set_event_type(EventTypeName(decision.events.at(0)));
  *envelope.mutable_recorded_at() = ToProtoTime(Now());
  *envelope.mutable_occurred_at() = ToProtoTime(decision.occurred_at);
  envelope.set_actor(std::string(kActor));
  *envelope.mutable_event() = decision.events.at(0);
  return envelope;
}

// Decides `command` against `state`; on success folds the event into
// `state` and returns it.
absl::StatusOr<v1::Event> DecideAndEvolve(LeadState& state, const v1::LeadCommand& command,
                                          const DecideContext& context = Context()) {
  absl::StatusOr<Decision> decision = DecideLead(state, command, context);
  if (!decision.ok()) return decision.status();
  if (decision->events.size() != 1) return absl::InternalError("expected exactly one event");
  EvolveLead(state, Committed(*decision, state.version + 1));
  return decision->events[0];
}

std::string StageList(const std::vector<v1::Stage>& stages) {
  return absl::StrJoin(stages, ", ",
                       [](std::string* out, v1::Stage s) { absl::StrAppend(out, StageName(s)); });
}

bool Contains(const std::vector<v1::Stage>& stages, v1::Stage stage) {
  return std::find(stages.begin(), stages.end(), stage) != stages.end();
}

// ---------------------------------------------------------------------------
// The stage table as specified (docs/API.md), written out by hand so that a
// wrong LeadRules() fails these tests.

enum class Target {
  kStage,       // moves to SpecRow::to
  kClosedFrom,  // moves back to the stage the lead was closed from
  kUnchanged,   // no transition; the stage stays
};

struct SpecRow {
  C::CommandCase command;
  std::string action;
  std::vector<v1::Stage> allowed_from;  // empty: only for a lead that does not exist
  std::string event_type;
  Target target;
  v1::Stage to = v1::STAGE_UNSPECIFIED;
};

const std::vector<SpecRow>& Spec() {
  using namespace v1;  // NOLINT: the stage names read better unqualified here
  static const std::vector<SpecRow>* const spec = new std::vector<SpecRow>{
      {C::kIdentify, "IdentifyLead", {}, "LeadIdentified", Target::kStage, STAGE_IDENTIFIED},
      {C::kQualify,
       "QualifyLead",
       {STAGE_IDENTIFIED},
       "LeadQualified",
       Target::kStage,
       STAGE_QUALIFIED},
      {C::kDisqualify,
       "DisqualifyLead",
       {STAGE_IDENTIFIED, STAGE_QUALIFIED},
       "LeadDisqualified",
       Target::kStage,
       STAGE_DISQUALIFIED},
      {C::kRecordNeeds,
       "RecordNeeds",
       {STAGE_QUALIFIED, STAGE_NEEDS_ANALYZED},
       "NeedsRecorded",
       Target::kStage,
       STAGE_NEEDS_ANALYZED},
      {C::kProposeSolution,
       "ProposeSolution",
       {STAGE_NEEDS_ANALYZED, STAGE_SOLUTION_PROPOSED},
       "SolutionProposed",
       Target::kStage,
       STAGE_SOLUTION_PROPOSED},
      {C::kSendQuote,
       "SendQuote",
       {STAGE_SOLUTION_PROPOSED, STAGE_QUOTED, STAGE_NEGOTIATING},
       "QuoteSent",
       Target::kStage,
       STAGE_QUOTED},
      {C::kStartNegotiation,
       "StartNegotiation",
       {STAGE_QUOTED},
       "NegotiationStarted",
       Target::kStage,
       STAGE_NEGOTIATING},
      {C::kWinDeal,
       "WinDeal",
       {STAGE_QUOTED, STAGE_NEGOTIATING},
       "DealWon",
       Target::kStage,
       STAGE_WON},
      {C::kLoseDeal,
       "LoseDeal",
       {STAGE_QUALIFIED, STAGE_NEEDS_ANALYZED, STAGE_SOLUTION_PROPOSED, STAGE_QUOTED,
        STAGE_NEGOTIATING},
       "DealLost",
       Target::kStage,
       STAGE_LOST},
      {C::kReopen,
       "ReopenLead",
       {STAGE_LOST, STAGE_DISQUALIFIED},
       "LeadReopened",
       Target::kClosedFrom},
      {C::kUpdate,
       "UpdateLead",
       {STAGE_IDENTIFIED, STAGE_QUALIFIED, STAGE_NEEDS_ANALYZED, STAGE_SOLUTION_PROPOSED,
        STAGE_QUOTED, STAGE_NEGOTIATING},
       "LeadUpdated",
       Target::kUnchanged},
      {C::kAssign,
       "AssignLead",
       {STAGE_IDENTIFIED, STAGE_QUALIFIED, STAGE_NEEDS_ANALYZED, STAGE_SOLUTION_PROPOSED,
        STAGE_QUOTED, STAGE_NEGOTIATING},
       "LeadAssigned",
       Target::kUnchanged},
      {C::kChangeOwner,
       "ChangeOwner",
       {STAGE_IDENTIFIED, STAGE_QUALIFIED, STAGE_NEEDS_ANALYZED, STAGE_SOLUTION_PROPOSED,
        STAGE_QUOTED, STAGE_NEGOTIATING, STAGE_WON, STAGE_LOST, STAGE_DISQUALIFIED},
       "OwnerChanged",
       Target::kUnchanged},
  };
  return *spec;
}

const SpecRow* SpecFor(C::CommandCase command) {
  for (const SpecRow& row : Spec()) {
    if (row.command == command) return &row;
  }
  return nullptr;
}

TEST(LeadRulesTest, MatchesTheSpecifiedStageTable) {
  ASSERT_EQ(LeadRules().size(), Spec().size());
  for (const SpecRow& row : Spec()) {
    SCOPED_TRACE(row.action);
    const LeadRule& rule = RuleFor(row.command);
    EXPECT_EQ(rule.command, row.command);
    EXPECT_EQ(rule.action, row.action);
    EXPECT_THAT(rule.allowed_from, UnorderedElementsAreArray(row.allowed_from));
  }
}

TEST(LeadRulesTest, EveryCommandCaseHasExactlyOneRule) {
  const std::vector<C::CommandCase> cases = AllCommandCases();
  ASSERT_EQ(cases.size(), 13u);
  for (C::CommandCase c : cases) {
    SCOPED_TRACE(c);
    EXPECT_EQ(std::count_if(LeadRules().begin(), LeadRules().end(),
                            [c](const LeadRule& r) { return r.command == c; }),
              1);
    EXPECT_EQ(RuleFor(c).command, c);
    EXPECT_NE(SpecFor(c), nullptr) << "the hand-written spec misses a command";
  }
}

TEST(LeadRulesTest, UpdateIsAllowedExactlyInTheOpenStages) {
  for (v1::Stage s : kAllStages) {
    EXPECT_EQ(Contains(RuleFor(C::kUpdate).allowed_from, s), IsOpenStage(s)) << StageName(s);
  }
  EXPECT_FALSE(IsOpenStage(v1::STAGE_UNSPECIFIED));
}

TEST(LeadCommandHelpersTest, ValidCommandCoversEveryCaseAndIsValid) {
  for (C::CommandCase c : AllCommandCases()) {
    SCOPED_TRACE(RuleFor(c).action);
    v1::LeadCommand command = ValidCommand(c);
    EXPECT_EQ(command.command_case(), c);
    EXPECT_EQ(LeadIdOf(command), kLeadId);
    EXPECT_THAT(ValidateLeadCommand(command), IsOk());
    MutableOptions(command)->set_request_id("r-1");
    EXPECT_EQ(OptionsOf(command).request_id(), "r-1");
  }
  EXPECT_EQ(&OptionsOf(v1::LeadCommand()), &v1::CommandOptions::default_instance());
  EXPECT_EQ(LeadIdOf(v1::LeadCommand()), "");
}

TEST(LeadGivenTest, HistoriesReachTheirStage) {
  EXPECT_EQ(Given({}), LeadState());
  for (v1::Stage s : kAllStages) {
    const std::vector<v1::Event> history = HistoryTo(s);
    const LeadState state = Given(history);
    SCOPED_TRACE(StageName(s));
    EXPECT_TRUE(state.exists);
    EXPECT_EQ(state.stage, s);
    EXPECT_EQ(state.version, history.size());
    EXPECT_EQ(state.closed_from, ClosedFromOfHistory(s));
    EXPECT_EQ(state.quote_revisions, QuoteRevisionsOfHistory(s));
    EXPECT_EQ(state.last_occurred_at, LastEventTime(history.size()));
  }
}

// ---------------------------------------------------------------------------
// The stage table: every rule of LeadRules() x every stage (and no lead).

struct StageCase {
  C::CommandCase command;
  std::string action;
  v1::Stage given;  // STAGE_UNSPECIFIED: the lead does not exist
};

void PrintTo(const StageCase& c, std::ostream* os) {
  *os << c.action << " given "
      << (c.given == v1::STAGE_UNSPECIFIED ? "no lead" : StageName(c.given));
}

std::vector<StageCase> StageCases() {
  std::vector<StageCase> cases;
  for (const LeadRule& rule : LeadRules()) {
    cases.push_back({rule.command, std::string(rule.action), v1::STAGE_UNSPECIFIED});
    for (v1::Stage s : kAllStages) cases.push_back({rule.command, std::string(rule.action), s});
  }
  return cases;
}

class LeadStageTableTest : public ::testing::TestWithParam<StageCase> {};

TEST_P(LeadStageTableTest, DecidesAndEvolvesPerTheTable) {
  const StageCase& p = GetParam();
  const LeadRule& rule = RuleFor(p.command);
  const SpecRow* spec = SpecFor(p.command);
  ASSERT_NE(spec, nullptr);

  // given
  const bool exists = p.given != v1::STAGE_UNSPECIFIED;
  const LeadState given = Given(HistoryTo(p.given));
  ASSERT_EQ(given.exists, exists);
  ASSERT_EQ(given.stage, p.given);

  const bool creates = p.command == C::kIdentify;
  const bool allowed = creates ? !exists : exists && Contains(rule.allowed_from, p.given);
  const bool allowed_by_spec = creates ? !exists : exists && Contains(spec->allowed_from, p.given);
  EXPECT_EQ(allowed, allowed_by_spec) << "LeadRules() disagrees with the specified table";

  // when
  const absl::StatusOr<Decision> decision = DecideLead(given, ValidCommand(p.command), Context());

  // then: refused
  if (!allowed) {
    if (creates) {
      EXPECT_THAT(decision, StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr(kLeadId)));
    } else if (!exists) {
      EXPECT_THAT(decision, StatusIs(absl::StatusCode::kNotFound, HasSubstr(kLeadId)));
    } else {
      EXPECT_THAT(decision,
                  StatusIs(absl::StatusCode::kFailedPrecondition,
                           AllOf(HasSubstr(absl::StrCat("stage ", StageName(p.given))),
                                 HasSubstr(p.action), HasSubstr(StageList(rule.allowed_from)))));
    }
    return;
  }

  // then: allowed — exactly one event of the specified type ...
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->lead_id, kLeadId);
  EXPECT_EQ(decision->occurred_at, Now());
  ASSERT_EQ(decision->events.size(), 1u);
  const v1::Event& event = decision->events[0];
  EXPECT_EQ(EventTypeName(event), spec->event_type);

  // ... recording the specified transition ...
  v1::Stage to = p.given;
  if (spec->target == Target::kStage) to = spec->to;
  if (spec->target == Target::kClosedFrom) to = ClosedFromOfHistory(p.given);
  const std::optional<v1::StageTransition> transition = TransitionOf(event);
  if (spec->target == Target::kUnchanged) {
    EXPECT_FALSE(transition.has_value());
  } else {
    ASSERT_TRUE(transition.has_value());
    EXPECT_EQ(transition->from_stage(), p.given);
    EXPECT_EQ(transition->to_stage(), to);
  }

  // ... and the state after folding it.
  LeadState expected = given;
  expected.exists = true;
  expected.stage = to;
  expected.version = given.version + 1;
  expected.last_occurred_at = Now();
  if (spec->target != Target::kUnchanged) {
    expected.closed_from =
        (to == v1::STAGE_LOST || to == v1::STAGE_DISQUALIFIED) ? p.given : v1::STAGE_UNSPECIFIED;
  }
  if (p.command == C::kSendQuote) expected.quote_revisions = QuoteRevisionsOfHistory(p.given) + 1;
  if (p.command == C::kIdentify) expected.owner = event.lead_identified().owner();
  if (p.command == C::kChangeOwner) expected.owner = "rep-2";
  if (p.command == C::kAssign) expected.assignee = "bd-1";
  LeadState after = given;
  EvolveLead(after, Committed(*decision, given.version + 1));
  EXPECT_EQ(after, expected);
}

INSTANTIATE_TEST_SUITE_P(AllRulesAllStages, LeadStageTableTest, ::testing::ValuesIn(StageCases()),
                         [](const ::testing::TestParamInfo<StageCase>& info) {
                           return absl::StrCat(info.param.action, "_given_",
                                               info.param.given == v1::STAGE_UNSPECIFIED
                                                   ? "NoLead"
                                                   : StageName(info.param.given));
                         });

// ---------------------------------------------------------------------------
// Named given/when/then cases.

TEST(LeadDeciderTest, QuoteRevisionsCountOneTwoThree) {
  LeadState state = Given(HistoryTo(v1::STAGE_SOLUTION_PROPOSED));
  ASSERT_EQ(state.quote_revisions, 0u);

  absl::StatusOr<v1::Event> first = DecideAndEvolve(state, ValidCommand(C::kSendQuote));
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->quote_sent().revision(), 1u);
  EXPECT_EQ(first->quote_sent().transition().from_stage(), v1::STAGE_SOLUTION_PROPOSED);
  EXPECT_EQ(state.quote_revisions, 1u);

  absl::StatusOr<v1::Event> second = DecideAndEvolve(state, ValidCommand(C::kSendQuote));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->quote_sent().revision(), 2u);
  EXPECT_EQ(second->quote_sent().transition().from_stage(), v1::STAGE_QUOTED);
  EXPECT_EQ(second->quote_sent().transition().to_stage(), v1::STAGE_QUOTED);
  EXPECT_EQ(state.quote_revisions, 2u);

  ASSERT_THAT(DecideAndEvolve(state, ValidCommand(C::kStartNegotiation)), IsOk());
  EXPECT_EQ(state.quote_revisions, 2u);

  absl::StatusOr<v1::Event> third = DecideAndEvolve(state, ValidCommand(C::kSendQuote));
  ASSERT_THAT(third, IsOk());
  EXPECT_EQ(third->quote_sent().revision(), 3u);
  EXPECT_EQ(third->quote_sent().transition().from_stage(), v1::STAGE_NEGOTIATING);
  EXPECT_EQ(third->quote_sent().transition().to_stage(), v1::STAGE_QUOTED);
  EXPECT_EQ(state.quote_revisions, 3u);
  EXPECT_EQ(state.stage, v1::STAGE_QUOTED);
  EXPECT_EQ(state.version, HistoryTo(v1::STAGE_SOLUTION_PROPOSED).size() + 4);
}

TEST(LeadDeciderTest, QuoteRevisionsContinueAfterReopen) {
  // given: quoted twice, lost from QUOTED, reopened to QUOTED.
  std::vector<v1::Event> history = HistoryTo(v1::STAGE_QUOTED);
  history.push_back(ev::QuoteSent(v1::STAGE_QUOTED, 2));
  history.push_back(ev::DealLost(v1::STAGE_QUOTED));
  history.push_back(ev::LeadReopened(v1::STAGE_LOST, v1::STAGE_QUOTED));
  LeadState state = Given(history);
  ASSERT_EQ(state.stage, v1::STAGE_QUOTED);

  absl::StatusOr<v1::Event> quote = DecideAndEvolve(state, ValidCommand(C::kSendQuote));
  ASSERT_THAT(quote, IsOk());
  EXPECT_EQ(quote->quote_sent().revision(), 3u);
}

struct ReopenCase {
  std::string name;
  std::vector<v1::Event> history;
  v1::Stage closed;
  v1::Stage closed_from;
};

void PrintTo(const ReopenCase& c, std::ostream* os) { *os << c.name; }

std::vector<v1::Event> Concat(std::vector<v1::Event> a, const std::vector<v1::Event>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class ReopenTest : public ::testing::TestWithParam<ReopenCase> {};

TEST_P(ReopenTest, ReturnsToTheStageItWasClosedFrom) {
  const ReopenCase& p = GetParam();
  LeadState state = Given(p.history);
  ASSERT_EQ(state.stage, p.closed);
  EXPECT_EQ(state.closed_from, p.closed_from);

  absl::StatusOr<v1::Event> reopened = DecideAndEvolve(state, ValidCommand(C::kReopen));
  ASSERT_THAT(reopened, IsOk());
  ASSERT_TRUE(reopened->has_lead_reopened());
  EXPECT_EQ(reopened->lead_reopened().reason(), "budget approved");
  EXPECT_EQ(reopened->lead_reopened().transition().from_stage(), p.closed);
  EXPECT_EQ(reopened->lead_reopened().transition().to_stage(), p.closed_from);
  EXPECT_EQ(state.stage, p.closed_from);
  EXPECT_EQ(state.closed_from, v1::STAGE_UNSPECIFIED);

  // A reopened lead is open again: a second reopen is refused.
  EXPECT_THAT(DecideLead(state, ValidCommand(C::kReopen), Context()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr(absl::StrCat("stage ", StageName(p.closed_from)))));
}

INSTANTIATE_TEST_SUITE_P(
    ClosedLeads, ReopenTest,
    ::testing::Values(
        ReopenCase{"LostFromNegotiating", HistoryTo(v1::STAGE_LOST), v1::STAGE_LOST,
                   v1::STAGE_NEGOTIATING},
        ReopenCase{"LostFromQualified",
                   Concat(HistoryTo(v1::STAGE_QUALIFIED), {ev::DealLost(v1::STAGE_QUALIFIED)}),
                   v1::STAGE_LOST, v1::STAGE_QUALIFIED},
        ReopenCase{"LostFromQuoted",
                   Concat(HistoryTo(v1::STAGE_QUOTED), {ev::DealLost(v1::STAGE_QUOTED)}),
                   v1::STAGE_LOST, v1::STAGE_QUOTED},
        ReopenCase{"DisqualifiedFromQualified", HistoryTo(v1::STAGE_DISQUALIFIED),
                   v1::STAGE_DISQUALIFIED, v1::STAGE_QUALIFIED},
        ReopenCase{
            "DisqualifiedFromIdentified",
            Concat(HistoryTo(v1::STAGE_IDENTIFIED), {ev::LeadDisqualified(v1::STAGE_IDENTIFIED)}),
            v1::STAGE_DISQUALIFIED, v1::STAGE_IDENTIFIED},
        ReopenCase{
            "LostAgainAfterAReopen",
            Concat(HistoryTo(v1::STAGE_LOST),
                   {ev::LeadReopened(v1::STAGE_LOST, v1::STAGE_NEGOTIATING),
                    ev::QuoteSent(v1::STAGE_NEGOTIATING, 2), ev::DealLost(v1::STAGE_QUOTED)}),
            v1::STAGE_LOST, v1::STAGE_QUOTED}),
    [](const ::testing::TestParamInfo<ReopenCase>& info) { return info.param.name; });

TEST(LeadDeciderTest, WholeLifecycleThroughTheDecider) {
  LeadState state;
  const C::CommandCase steps[] = {C::kIdentify,         C::kQualify,         C::kRecordNeeds,
                                  C::kRecordNeeds,      C::kProposeSolution, C::kSendQuote,
                                  C::kStartNegotiation, C::kLoseDeal,        C::kReopen,
                                  C::kUpdate,           C::kWinDeal};
  const v1::Stage stages[] = {v1::STAGE_IDENTIFIED,
                              v1::STAGE_QUALIFIED,
                              v1::STAGE_NEEDS_ANALYZED,
                              v1::STAGE_NEEDS_ANALYZED,
                              v1::STAGE_SOLUTION_PROPOSED,
                              v1::STAGE_QUOTED,
                              v1::STAGE_NEGOTIATING,
                              v1::STAGE_LOST,
                              v1::STAGE_NEGOTIATING,
                              v1::STAGE_NEGOTIATING,
                              v1::STAGE_WON};
  for (size_t i = 0; i < std::size(steps); ++i) {
    SCOPED_TRACE(RuleFor(steps[i]).action);
    ASSERT_THAT(DecideAndEvolve(state, ValidCommand(steps[i])), IsOk());
    EXPECT_EQ(state.stage, stages[i]);
    EXPECT_EQ(state.version, i + 1);
  }
  // WON is final (only the credit for it may move to another rep).
  for (C::CommandCase c : AllCommandCases()) {
    if (c == C::kIdentify || c == C::kChangeOwner) continue;
    EXPECT_THAT(DecideLead(state, ValidCommand(c), Context()),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("stage WON")))
        << RuleFor(c).action;
  }
}

TEST(LeadDeciderTest, ExpectedVersionMismatchIsAbortedBeforeTheStageRule) {
  // given: a WON lead, where QualifyLead is not allowed.
  const LeadState won = Given(HistoryTo(v1::STAGE_WON));
  ASSERT_EQ(won.version, 7u);
  v1::LeadCommand qualify = ValidCommand(C::kQualify);
  MutableOptions(qualify)->set_expected_version(3);
  EXPECT_THAT(
      DecideLead(won, qualify, Context()),
      StatusIs(absl::StatusCode::kAborted, AllOf(HasSubstr(kLeadId), HasSubstr("version 7"))));
  // With the right version the stage rule speaks.
  MutableOptions(qualify)->set_expected_version(7);
  EXPECT_THAT(DecideLead(won, qualify, Context()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("stage WON")));
}

TEST(LeadDeciderTest, ExpectedVersionOnAnAllowedAction) {
  const LeadState negotiating = Given(HistoryTo(v1::STAGE_NEGOTIATING));
  ASSERT_EQ(negotiating.version, 6u);
  v1::LeadCommand win = ValidCommand(C::kWinDeal);
  for (uint64_t stale : {0u, 5u, 7u}) {
    MutableOptions(win)->set_expected_version(stale);
    EXPECT_THAT(DecideLead(negotiating, win, Context()),
                StatusIs(absl::StatusCode::kAborted, HasSubstr("version 6")))
        << "expected_version " << stale;
  }
  MutableOptions(win)->set_expected_version(6);
  EXPECT_THAT(DecideLead(negotiating, win, Context()), IsOk());
  MutableOptions(win)->clear_expected_version();
  EXPECT_THAT(DecideLead(negotiating, win, Context()), IsOk());
}

TEST(LeadDeciderTest, ExpectedVersionForANewLead) {
  v1::LeadCommand identify = ValidCommand(C::kIdentify);
  MutableOptions(identify)->set_expected_version(0);
  EXPECT_THAT(DecideLead(LeadState(), identify, Context()), IsOk());
  MutableOptions(identify)->set_expected_version(1);
  EXPECT_THAT(DecideLead(LeadState(), identify, Context()),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version 0")));
  // An unknown lead is NOT_FOUND whatever version the caller expected.
  v1::LeadCommand qualify = ValidCommand(C::kQualify);
  MutableOptions(qualify)->set_expected_version(5);
  EXPECT_THAT(DecideLead(LeadState(), qualify, Context()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(kLeadId)));
}

TEST(LeadDeciderTest, IdentifyWithoutLeadIdUsesTheNewLeadId) {
  v1::LeadCommand identify = ValidCommand(C::kIdentify);
  identify.mutable_identify()->clear_lead_id();
  const absl::StatusOr<Decision> decision = DecideLead(LeadState(), identify, Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->lead_id, kNewLeadId);
  ASSERT_EQ(decision->events.size(), 1u);
  EXPECT_EQ(decision->events[0].lead_identified().lead_id(), kNewLeadId);
}

TEST(LeadDeciderTest, IdentifyWithALeadIdIgnoresTheNewLeadId) {
  const absl::StatusOr<Decision> decision =
      DecideLead(LeadState(), ValidCommand(C::kIdentify, "OWN-ID"), Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->lead_id, "OWN-ID");
  EXPECT_EQ(decision->events.at(0).lead_identified().lead_id(), "OWN-ID");
}

TEST(LeadDeciderTest, IdentifyCopiesTheCommandIntoTheEvent) {
  const v1::LeadCommand identify = ValidCommand(C::kIdentify);
  const absl::StatusOr<Decision> decision = DecideLead(LeadState(), identify, Context());
  ASSERT_THAT(decision, IsOk());
  const v1::LeadIdentified& e = decision->events.at(0).lead_identified();
  EXPECT_EQ(e.company(), "ACME 北京科技有限公司");
  EXPECT_EQ(e.contact().SerializeAsString(), identify.identify().contact().SerializeAsString());
  EXPECT_EQ(e.source(), v1::LEAD_SOURCE_REFERRAL);
  EXPECT_EQ(e.estimated_value().amount_minor(), 1'000'000);
  EXPECT_EQ(e.estimated_value().currency(), "CNY");
}

TEST(LeadDeciderTest, OwnerDefaultsToTheActor) {
  const absl::StatusOr<Decision> decision =
      DecideLead(LeadState(), ValidCommand(C::kIdentify), Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->events.at(0).lead_identified().owner(), kActor);
}

TEST(LeadDeciderTest, OwnerIsTheNamedOwner) {
  v1::LeadCommand identify = ValidCommand(C::kIdentify);
  identify.mutable_identify()->set_owner("carol");
  const absl::StatusOr<Decision> decision = DecideLead(LeadState(), identify, Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->events.at(0).lead_identified().owner(), "carol");
}

TEST(LeadDeciderTest, OccurredAtInTheFutureIsInvalid) {
  v1::LeadCommand identify = ValidCommand(C::kIdentify);
  *MutableOptions(identify)->mutable_occurred_at() = ToProtoTime(Now() + absl::Seconds(1));
  EXPECT_THAT(DecideLead(LeadState(), identify, Context()),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("options.occurred_at")));

  const LeadState qualified = Given(HistoryTo(v1::STAGE_QUALIFIED));
  v1::LeadCommand needs = ValidCommand(C::kRecordNeeds);
  *MutableOptions(needs)->mutable_occurred_at() = ToProtoTime(Now() + absl::Hours(24 * 365));
  EXPECT_THAT(DecideLead(qualified, needs, Context()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("options.occurred_at"), HasSubstr("future"))));

  // Exactly now is not in the future.
  *MutableOptions(needs)->mutable_occurred_at() = ToProtoTime(Now());
  EXPECT_THAT(DecideLead(qualified, needs, Context()), IsOk());
}

TEST(LeadDeciderTest, OccurredAtBeforeThePreviousEventIsInvalid) {
  const std::vector<v1::Event> history = HistoryTo(v1::STAGE_QUALIFIED);
  const LeadState qualified = Given(history);
  v1::LeadCommand needs = ValidCommand(C::kRecordNeeds);
  *MutableOptions(needs)->mutable_occurred_at() =
      ToProtoTime(LastEventTime(history.size()) - absl::Seconds(1));
  EXPECT_THAT(DecideLead(qualified, needs, Context()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("options.occurred_at"), HasSubstr("previous event"))));
}

TEST(LeadDeciderTest, OccurredAtBackfillIsAcceptedAndReturned) {
  // A new lead may be backfilled to any past time.
  const absl::Time year_ago = Now() - absl::Hours(24 * 365);
  v1::LeadCommand identify = ValidCommand(C::kIdentify);
  *MutableOptions(identify)->mutable_occurred_at() = ToProtoTime(year_ago);
  absl::StatusOr<Decision> decision = DecideLead(LeadState(), identify, Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->occurred_at, year_ago);

  // An existing lead: between its previous event and now, sub-second precision kept.
  const std::vector<v1::Event> history = HistoryTo(v1::STAGE_QUALIFIED);
  LeadState state = Given(history);
  const absl::Time backfill =
      LastEventTime(history.size()) + absl::Minutes(10) + absl::Nanoseconds(7);
  v1::LeadCommand needs = ValidCommand(C::kRecordNeeds);
  *MutableOptions(needs)->mutable_occurred_at() = ToProtoTime(backfill);
  decision = DecideLead(state, needs, Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->occurred_at, backfill);
  EvolveLead(state, Committed(*decision, state.version + 1));
  EXPECT_EQ(state.last_occurred_at, backfill);

  // Exactly the previous event's time is not before it.
  v1::LeadCommand more_needs = ValidCommand(C::kRecordNeeds);
  *MutableOptions(more_needs)->mutable_occurred_at() = ToProtoTime(backfill);
  decision = DecideLead(state, more_needs, Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->occurred_at, backfill);
}

TEST(LeadDeciderTest, OccurredAtDefaultsToNow) {
  const absl::StatusOr<Decision> decision =
      DecideLead(Given(HistoryTo(v1::STAGE_QUALIFIED)), ValidCommand(C::kRecordNeeds), Context());
  ASSERT_THAT(decision, IsOk());
  EXPECT_EQ(decision->occurred_at, Now());
}

// lead.h: a bad occurred_at is INVALID_ARGUMENT before any state check.
TEST(LeadDeciderTest, OccurredAtBeforeThePreviousEventComesFirstPerTheContract) {
  const std::vector<v1::Event> history = HistoryTo(v1::STAGE_WON);
  const LeadState won = Given(history);
  const auto too_early = ToProtoTime(LastEventTime(history.size()) - absl::Hours(1));

  v1::LeadCommand qualify = ValidCommand(C::kQualify);  // not allowed from WON
  *MutableOptions(qualify)->mutable_occurred_at() = too_early;
  EXPECT_THAT(DecideLead(won, qualify, Context()),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("options.occurred_at")));

  v1::LeadCommand identify = ValidCommand(C::kIdentify);  // the lead exists
  *MutableOptions(identify)->mutable_occurred_at() = too_early;
  EXPECT_THAT(DecideLead(won, identify, Context()),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("options.occurred_at")));

  v1::LeadCommand reopen = ValidCommand(C::kReopen);
  MutableOptions(reopen)->set_expected_version(1);  // stale
  *MutableOptions(reopen)->mutable_occurred_at() = too_early;
  EXPECT_THAT(DecideLead(Given(HistoryTo(v1::STAGE_LOST)), reopen, Context()),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("options.occurred_at")));
}

// "An invalid command is refused before the state is consulted" is the
// composition's contract now (domain::Decide validates once, DecideLead does
// not validate again): tests/domain/compose_test.cc,
// DecideRefusesAnInvalidCommandBeforeTheStateIsConsulted.

struct UpdateCase {
  std::string name;
  std::function<void(v1::UpdateLeadRequest&)> set;
  std::vector<std::string> changed_fields;
};

void PrintTo(const UpdateCase& c, std::ostream* os) { *os << c.name; }

class UpdateLeadTest : public ::testing::TestWithParam<UpdateCase> {};

TEST_P(UpdateLeadTest, RecordsChangedFieldsAndKeepsTheStage) {
  const UpdateCase& p = GetParam();
  LeadState state = Given(HistoryTo(v1::STAGE_QUOTED));
  const LeadState before = state;
  v1::LeadCommand update;
  update.mutable_update()->set_lead_id(std::string(kLeadId));
  p.set(*update.mutable_update());

  const absl::StatusOr<v1::Event> event = DecideAndEvolve(state, update);
  ASSERT_THAT(event, IsOk());
  ASSERT_TRUE(event->has_lead_updated());
  const v1::LeadUpdated& e = event->lead_updated();
  EXPECT_THAT(e.changed_fields(), ElementsAreArray(p.changed_fields));
  EXPECT_EQ(e.has_contact(), update.update().has_contact());
  EXPECT_EQ(e.contact().name(), update.update().contact().name());
  EXPECT_EQ(e.has_estimated_value(), update.update().has_estimated_value());
  EXPECT_EQ(e.estimated_value().amount_minor(), update.update().estimated_value().amount_minor());
  EXPECT_EQ(e.source(), update.update().source());
  EXPECT_FALSE(TransitionOf(*event).has_value());
  EXPECT_EQ(state.stage, before.stage);
  EXPECT_EQ(state.quote_revisions, before.quote_revisions);
  EXPECT_EQ(state.version, before.version + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, UpdateLeadTest,
    ::testing::Values(
        UpdateCase{"Contact",
                   [](v1::UpdateLeadRequest& r) { r.mutable_contact()->set_name("王芳"); },
                   {"contact"}},
        UpdateCase{"EstimatedValue",
                   [](v1::UpdateLeadRequest& r) { *r.mutable_estimated_value() = ev::Money(5); },
                   {"estimated_value"}},
        UpdateCase{"Source",
                   [](v1::UpdateLeadRequest& r) { r.set_source(v1::LEAD_SOURCE_EVENT); },
                   {"source"}},
        UpdateCase{"All",
                   [](v1::UpdateLeadRequest& r) {
                     r.set_source(v1::LEAD_SOURCE_INBOUND);
                     *r.mutable_estimated_value() = ev::Money(0);
                     r.mutable_contact()->set_name("李娜");
                   },
                   {"contact", "estimated_value", "source"}}),
    [](const ::testing::TestParamInfo<UpdateCase>& info) { return info.param.name; });

// ---------------------------------------------------------------------------
// ValidateLeadCommand: each class of bad input, and inputs at the limits.

std::string Repeat(absl::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

struct InputCase {
  std::string name;
  C::CommandCase base;  // starts from ValidCommand(base)
  std::function<void(v1::LeadCommand&)> edit;
  std::string field = "";   // refused: the message starts "<field>: "
  std::string detail = "";  // refused: the message also says this
};

void PrintTo(const InputCase& c, std::ostream* os) { *os << c.name; }

std::vector<InputCase> BadInputs() {
  using L = v1::LeadCommand;
  return {
      {"MissingCompany", C::kIdentify, [](L& c) { c.mutable_identify()->clear_company(); },
       "company", "got 0"},
      {"Company201ChineseChars", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company(Repeat("中", 201)); }, "company", "got 201"},
      {"CompanyInvalidUtf8", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company("ACME \xff\xfe"); }, "company", "UTF-8"},
      {"CompanyTruncatedUtf8", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company("ACME \xe4\xb8"); }, "company", "UTF-8"},
      {"CompanyOverlongUtf8", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company("ACME \xc0\xaf"); }, "company", "UTF-8"},
      {"CompanySurrogateUtf8", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company("ACME \xed\xa0\x80"); }, "company", "UTF-8"},
      {"CompanyNewline", C::kIdentify, [](L& c) { c.mutable_identify()->set_company("ACME\nLtd"); },
       "company", "control"},
      {"CompanyTab", C::kIdentify, [](L& c) { c.mutable_identify()->set_company("ACME\tLtd"); },
       "company", "control"},
      {"CompanyNul", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company(std::string("ACME\0Ltd", 8)); }, "company",
       "control"},
      {"CompanyDel", C::kIdentify, [](L& c) { c.mutable_identify()->set_company("ACME\x7f"); },
       "company", "control"},
      {"CompanyC1Control", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company("ACME \xc2\x85"); }, "company", "control"},
      {"CompetitorNewline", C::kLoseDeal,
       [](L& c) { c.mutable_lose_deal()->set_competitor("Glo\nbex"); }, "competitor", "control"},
      {"RequirementsControlChar", C::kRecordNeeds,
       [](L& c) { c.mutable_record_needs()->set_requirements("需求\x01"); }, "requirements",
       "control"},
      {"IdentifyLeadIdWithSpace", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_lead_id("bad id!"); }, "lead_id"},
      {"IdentifyLeadId65Chars", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_lead_id(std::string(65, 'a')); }, "lead_id"},
      {"QualifyLeadIdWithSpace", C::kQualify,
       [](L& c) { c.mutable_qualify()->set_lead_id("bad id!"); }, "lead_id"},
      {"QualifyLeadId65Chars", C::kQualify,
       [](L& c) { c.mutable_qualify()->set_lead_id(std::string(65, 'a')); }, "lead_id"},
      {"QualifyLeadIdMissing", C::kQualify, [](L& c) { c.mutable_qualify()->clear_lead_id(); },
       "lead_id"},
      {"LeadIdWithDot", C::kWinDeal, [](L& c) { c.mutable_win_deal()->set_lead_id("a.b"); },
       "lead_id"},
      {"MissingContact", C::kIdentify, [](L& c) { c.mutable_identify()->clear_contact(); },
       "contact"},
      {"MissingContactName", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->clear_name(); }, "contact.name"},
      {"ContactName101Chars", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_name(Repeat("张", 101)); },
       "contact.name", "got 101"},
      {"EmailWithoutAt", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_email("zhang.example.cn"); },
       "contact.email"},
      {"EmailWithSpace", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_email("zhang wei@example.cn"); },
       "contact.email"},
      {"EmailTwoAts", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_email("a@b@c"); }, "contact.email"},
      {"EmailNoDomain", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_email("zhang@"); }, "contact.email"},
      {"PhoneLetters", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_phone("call me"); },
       "contact.phone"},
      {"Phone33Chars", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_phone(std::string(33, '1')); },
       "contact.phone"},
      {"UpdateBadPhone", C::kUpdate,
       [](L& c) { c.mutable_update()->mutable_contact()->set_phone("+86 10 x"); }, "contact.phone"},
      {"MissingSource", C::kIdentify, [](L& c) { c.mutable_identify()->clear_source(); }, "source"},
      {"UnknownSource", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_source(static_cast<v1::LeadSource>(99)); }, "source"},
      {"NegativeAmount", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_estimated_value()->set_amount_minor(-1); },
       "estimated_value.amount_minor"},
      {"AmountOver1e15", C::kSendQuote,
       [](L& c) {
         c.mutable_send_quote()->mutable_amount()->set_amount_minor(1'000'000'000'000'001);
       },
       "amount.amount_minor"},
      {"CurrencyLowercase", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_estimated_value()->set_currency("cny"); },
       "estimated_value.currency"},
      {"CurrencyTwoLetters", C::kWinDeal,
       [](L& c) { c.mutable_win_deal()->mutable_final_amount()->set_currency("CN"); },
       "final_amount.currency"},
      {"CurrencyNotIso4217", C::kSendQuote,
       [](L& c) { c.mutable_send_quote()->mutable_amount()->set_currency("XYZ"); },
       "amount.currency", "'XYZ' is not an ISO 4217 currency code"},
      {"CurrencyNoCurrencyCode", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_estimated_value()->set_currency("XXX"); },
       "estimated_value.currency", "'XXX' is not an ISO 4217 currency code"},
      {"CurrencyFourChars", C::kProposeSolution,
       [](L& c) { c.mutable_propose_solution()->mutable_value()->set_currency("CNY1"); },
       "value.currency"},
      {"BudgetCurrencyMissing", C::kQualify,
       [](L& c) { c.mutable_qualify()->mutable_budget()->clear_currency(); }, "budget.currency"},
      {"MissingQuoteAmount", C::kSendQuote, [](L& c) { c.mutable_send_quote()->clear_amount(); },
       "amount"},
      {"MissingFinalAmount", C::kWinDeal, [](L& c) { c.mutable_win_deal()->clear_final_amount(); },
       "final_amount"},
      {"MissingProposalValue", C::kProposeSolution,
       [](L& c) { c.mutable_propose_solution()->clear_value(); }, "value"},
      {"DateFeb30", C::kSendQuote,
       [](L& c) { c.mutable_send_quote()->set_valid_until("2026-02-30"); }, "valid_until"},
      {"DateMonth13", C::kSendQuote,
       [](L& c) { c.mutable_send_quote()->set_valid_until("2026-13-01"); }, "valid_until"},
      {"DateTwoDigitYear", C::kSendQuote,
       [](L& c) { c.mutable_send_quote()->set_valid_until("26-01-01"); }, "valid_until"},
      {"DateMissing", C::kSendQuote, [](L& c) { c.mutable_send_quote()->clear_valid_until(); },
       "valid_until"},
      {"DateFeb29NonLeapYear", C::kWinDeal,
       [](L& c) { c.mutable_win_deal()->set_signed_date("2026-02-29"); }, "signed_date"},
      {"DateSlashes", C::kWinDeal,
       [](L& c) { c.mutable_win_deal()->set_signed_date("2026/04/15"); }, "signed_date"},
      // Whitespace inside a date part is not YYYY-MM-DD.
      {"DateWithSpaceInMonth", C::kWinDeal,
       [](L& c) { c.mutable_win_deal()->set_signed_date("2026-4 -15"); }, "signed_date"},
      {"DateWithNewlineInDay", C::kWinDeal,
       [](L& c) { c.mutable_win_deal()->set_signed_date("2026-04-1\n"); }, "signed_date"},
      {"Score101", C::kQualify, [](L& c) { c.mutable_qualify()->set_score(101); }, "score"},
      {"ScoreMinus1", C::kQualify, [](L& c) { c.mutable_qualify()->set_score(-1); }, "score"},
      {"Discount10001", C::kSendQuote,
       [](L& c) { c.mutable_send_quote()->set_discount_basis_points(10001); },
       "discount_basis_points"},
      {"BadQuoteId", C::kSendQuote, [](L& c) { c.mutable_send_quote()->set_quote_id("Q 7"); },
       "quote_id"},
      {"LoseCompetitorWithoutCompetitor", C::kLoseDeal,
       [](L& c) {
         c.mutable_lose_deal()->set_reason(v1::LOSS_REASON_COMPETITOR);
         c.mutable_lose_deal()->clear_competitor();
       },
       "competitor"},
      {"LoseWithoutReason", C::kLoseDeal, [](L& c) { c.mutable_lose_deal()->clear_reason(); },
       "reason"},
      {"DisqualifyWithoutReason", C::kDisqualify,
       [](L& c) { c.mutable_disqualify()->clear_reason(); }, "reason"},
      {"ReopenWithoutReason", C::kReopen, [](L& c) { c.mutable_reopen()->clear_reason(); },
       "reason"},
      {"RecordNeedsWithoutRequirements", C::kRecordNeeds,
       [](L& c) { c.mutable_record_needs()->clear_requirements(); }, "requirements"},
      {"ProposeWithoutSummary", C::kProposeSolution,
       [](L& c) { c.mutable_propose_solution()->clear_summary(); }, "summary"},
      {"UpdateNothingSet", C::kUpdate, [](L& c) { c.mutable_update()->clear_contact(); },
       "contact, estimated_value, source", "at least one"},
      {"UpdateUnknownSource", C::kUpdate,
       [](L& c) { c.mutable_update()->set_source(static_cast<v1::LeadSource>(42)); }, "source"},
      {"RequestIdWithSpace", C::kQualify, [](L& c) { MutableOptions(c)->set_request_id("req 1"); },
       "options.request_id"},
      {"RequestIdNonAscii", C::kQualify, [](L& c) { MutableOptions(c)->set_request_id("请求-1"); },
       "options.request_id"},
      {"RequestId129Bytes", C::kQualify,
       [](L& c) { MutableOptions(c)->set_request_id(std::string(129, 'r')); }, "options.request_id",
       "128"},
      {"CorrelationIdWithSpace", C::kQualify,
       [](L& c) { MutableOptions(c)->set_correlation_id("corr 1"); }, "options.correlation_id"},
      {"OccurredAtNegativeNanos", C::kQualify,
       [](L& c) { MutableOptions(c)->mutable_occurred_at()->set_nanos(-1); },
       "options.occurred_at"},
      {"OccurredAtBefore1970", C::kQualify,
       [](L& c) { MutableOptions(c)->mutable_occurred_at()->set_seconds(-1); },
       "options.occurred_at"},
      {"Products51", C::kProposeSolution,
       [](L& c) {
         c.mutable_propose_solution()->clear_products();
         for (int i = 0; i < 51; ++i) c.mutable_propose_solution()->add_products("CRM");
       },
       "products", "51"},
      {"ProductEmpty", C::kProposeSolution,
       [](L& c) { c.mutable_propose_solution()->add_products(""); }, "products[2]"},
      {"BadOwner", C::kIdentify, [](L& c) { c.mutable_identify()->set_owner("bad owner"); },
       "owner"},
  };
}

class BadInputTest : public ::testing::TestWithParam<InputCase> {};

TEST_P(BadInputTest, IsInvalidArgumentNamingTheField) {
  const InputCase& p = GetParam();
  v1::LeadCommand command = ValidCommand(p.base);
  p.edit(command);
  EXPECT_THAT(ValidateLeadCommand(command),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith(absl::StrCat(p.field, ": ")), HasSubstr(p.detail))));
}

INSTANTIATE_TEST_SUITE_P(Fields, BadInputTest, ::testing::ValuesIn(BadInputs()),
                         [](const ::testing::TestParamInfo<InputCase>& info) {
                           return info.param.name;
                         });

std::vector<InputCase> GoodInputs() {
  using L = v1::LeadCommand;
  return {
      {"Company200ChineseChars", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company(Repeat("中", 200)); }},
      {"Company200AsciiChars", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company(std::string(200, 'A')); }},
      {"CompanyWithEmoji", C::kIdentify,
       [](L& c) { c.mutable_identify()->set_company("ACME 🚀 科技"); }},
      {"ContactName100ChineseChars", C::kIdentify,
       [](L& c) { c.mutable_identify()->mutable_contact()->set_name(Repeat("张", 100)); }},
      {"ChineseEverywhere", C::kIdentify,
       [](L& c) {
         auto* r = c.mutable_identify();
         r->set_company("北京星辰科技有限公司");
         r->mutable_contact()->set_name("欧阳娜娜");
         r->mutable_contact()->set_email("娜娜@例子.中国");
       }},
      {"LeadId64Chars", C::kQualify,
       [](L& c) { c.mutable_qualify()->set_lead_id(std::string(64, 'a')); }},
      {"IdentifyWithoutLeadId", C::kIdentify, [](L& c) { c.mutable_identify()->clear_lead_id(); }},
      {"ContactWithoutEmailOrPhone", C::kIdentify,
       [](L& c) {
         c.mutable_identify()->mutable_contact()->clear_email();
         c.mutable_identify()->mutable_contact()->clear_phone();
       }},
      {"WithoutEstimatedValue", C::kIdentify,
       [](L& c) { c.mutable_identify()->clear_estimated_value(); }},
      {"AmountZero", C::kWinDeal,
       [](L& c) { c.mutable_win_deal()->mutable_final_amount()->set_amount_minor(0); }},
      {"AmountExactly1e15", C::kSendQuote,
       [](L& c) {
         c.mutable_send_quote()->mutable_amount()->set_amount_minor(1'000'000'000'000'000);
       }},
      {"Feb29LeapYear", C::kWinDeal,
       [](L& c) { c.mutable_win_deal()->set_signed_date("2028-02-29"); }},
      {"Score0", C::kQualify, [](L& c) { c.mutable_qualify()->set_score(0); }},
      {"Score100", C::kQualify, [](L& c) { c.mutable_qualify()->set_score(100); }},
      {"Discount10000", C::kSendQuote,
       [](L& c) { c.mutable_send_quote()->set_discount_basis_points(10000); }},
      {"QualifyChineseMultiLine", C::kQualify,
       [](L& c) {
         c.mutable_qualify()->set_need("需要:\n\t1. 客户管理\r\n\t2. 报表");
         c.mutable_qualify()->set_timeline("第二季度");
       }},
      {"RequirementsAt4000Chars", C::kRecordNeeds,
       [](L& c) { c.mutable_record_needs()->set_requirements(Repeat("需", 4000)); }},
      {"LoseForPriceWithoutCompetitor", C::kLoseDeal,
       [](L& c) {
         c.mutable_lose_deal()->set_reason(v1::LOSS_REASON_PRICE);
         c.mutable_lose_deal()->clear_competitor();
       }},
      {"LoseToChineseCompetitor", C::kLoseDeal,
       [](L& c) { c.mutable_lose_deal()->set_competitor("华为"); }},
      {"Products50", C::kProposeSolution,
       [](L& c) {
         c.mutable_propose_solution()->clear_products();
         for (int i = 0; i < 50; ++i) c.mutable_propose_solution()->add_products("客户管理");
       }},
      {"NoProducts", C::kProposeSolution,
       [](L& c) { c.mutable_propose_solution()->clear_products(); }},
      {"RequestId128Bytes", C::kQualify,
       [](L& c) { MutableOptions(c)->set_request_id(std::string(128, 'r')); }},
      {"RequestIdPrintableAscii", C::kQualify,
       [](L& c) { MutableOptions(c)->set_request_id("req-1_A.b:c/d~!"); }},
      {"UpdateOnlySource", C::kUpdate,
       [](L& c) {
         c.mutable_update()->clear_contact();
         c.mutable_update()->set_source(v1::LEAD_SOURCE_EVENT);
       }},
      {"UpdateOnlyEstimatedValue", C::kUpdate,
       [](L& c) {
         c.mutable_update()->clear_contact();
         *c.mutable_update()->mutable_estimated_value() = ev::Money(1, "USD");
       }},
      {"QuoteIdWithDots", C::kSendQuote,
       [](L& c) { c.mutable_send_quote()->set_quote_id("Q-2026.03.1"); }},
  };
}

class GoodInputTest : public ::testing::TestWithParam<InputCase> {};

TEST_P(GoodInputTest, IsAccepted) {
  const InputCase& p = GetParam();
  v1::LeadCommand command = ValidCommand(p.base);
  p.edit(command);
  EXPECT_THAT(ValidateLeadCommand(command), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Fields, GoodInputTest, ::testing::ValuesIn(GoodInputs()),
                         [](const ::testing::TestParamInfo<InputCase>& info) {
                           return info.param.name;
                         });

TEST(LeadValidationTest, ChineseTextIsCarriedIntoEventsByteForByte) {
  const std::string company = "北京星辰科技有限公司";
  const std::string requirements = "需要 200 个席位\n支持单点登录";
  LeadState state;
  v1::LeadCommand identify = ValidCommand(C::kIdentify);
  identify.mutable_identify()->set_company(company);
  const absl::StatusOr<v1::Event> identified = DecideAndEvolve(state, identify);
  ASSERT_THAT(identified, IsOk());
  EXPECT_EQ(identified->lead_identified().company(), company);
  ASSERT_THAT(DecideAndEvolve(state, ValidCommand(C::kQualify)), IsOk());
  v1::LeadCommand needs = ValidCommand(C::kRecordNeeds);
  needs.mutable_record_needs()->set_requirements(requirements);
  const absl::StatusOr<v1::Event> recorded = DecideAndEvolve(state, needs);
  ASSERT_THAT(recorded, IsOk());
  EXPECT_EQ(recorded->needs_recorded().requirements(), requirements);
}

TEST(LeadValidationTest, TextLimitsCountCharactersNotBytes) {
  // 200 Chinese characters are 600 bytes: accepted; 201 are refused.
  const std::string at_limit = Repeat("中", kMaxNameChars);
  ASSERT_EQ(at_limit.size(), 3 * kMaxNameChars);
  EXPECT_THAT(ValidateText("company", at_limit, 1, kMaxNameChars), IsOk());
  EXPECT_THAT(ValidateText("company", at_limit + "中", 1, kMaxNameChars),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("company: "), HasSubstr("got 201"))));
  // Four-byte characters count once too.
  EXPECT_THAT(ValidateText("company", Repeat("🚀", kMaxNameChars), 1, kMaxNameChars), IsOk());
}

}  // namespace
}  // namespace salesops::domain
