// Tests of the event catalogue helpers (server/domain/events.h).
#include "server/domain/events.h"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tests/domain/lead_test_events.h"

namespace salesops::domain {
namespace {

namespace ev = ::salesops::test_events;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Every event payload, with its stable stored type name written out by hand:
// a renamed message would change the stored event_type and must fail here.
struct EventKind {
  const char* type_name;
  v1::Event::BodyCase body;
  void (*set)(v1::Event&);
};

const std::vector<EventKind>& AllKinds() {
  static const std::vector<EventKind>* const kinds = new std::vector<EventKind>{
      {"LeadIdentified", v1::Event::kLeadIdentified,
       [](v1::Event& e) { e.mutable_lead_identified(); }},
      {"LeadQualified", v1::Event::kLeadQualified,
       [](v1::Event& e) { e.mutable_lead_qualified(); }},
      {"LeadDisqualified", v1::Event::kLeadDisqualified,
       [](v1::Event& e) { e.mutable_lead_disqualified(); }},
      {"NeedsRecorded", v1::Event::kNeedsRecorded,
       [](v1::Event& e) { e.mutable_needs_recorded(); }},
      {"SolutionProposed", v1::Event::kSolutionProposed,
       [](v1::Event& e) { e.mutable_solution_proposed(); }},
      {"QuoteSent", v1::Event::kQuoteSent, [](v1::Event& e) { e.mutable_quote_sent(); }},
      {"NegotiationStarted", v1::Event::kNegotiationStarted,
       [](v1::Event& e) { e.mutable_negotiation_started(); }},
      {"DealWon", v1::Event::kDealWon, [](v1::Event& e) { e.mutable_deal_won(); }},
      {"DealLost", v1::Event::kDealLost, [](v1::Event& e) { e.mutable_deal_lost(); }},
      {"LeadReopened", v1::Event::kLeadReopened, [](v1::Event& e) { e.mutable_lead_reopened(); }},
      {"LeadUpdated", v1::Event::kLeadUpdated, [](v1::Event& e) { e.mutable_lead_updated(); }},
      {"LeadAssigned", v1::Event::kLeadAssigned, [](v1::Event& e) { e.mutable_lead_assigned(); }},
      {"OwnerChanged", v1::Event::kOwnerChanged, [](v1::Event& e) { e.mutable_owner_changed(); }},
      {"OrderOpened", v1::Event::kOrderOpened, [](v1::Event& e) { e.mutable_order_opened(); }},
      {"OrderConfirmed", v1::Event::kOrderConfirmed, [](v1::Event& e) { e.mutable_order_confirmed(); }},
      {"OrderShipped", v1::Event::kOrderShipped, [](v1::Event& e) { e.mutable_order_shipped(); }},
      {"OrderDelivered", v1::Event::kOrderDelivered, [](v1::Event& e) { e.mutable_order_delivered(); }},
      {"OrderCancelled", v1::Event::kOrderCancelled, [](v1::Event& e) { e.mutable_order_cancelled(); }},
      {"OrderAssigned", v1::Event::kOrderAssigned, [](v1::Event& e) { e.mutable_order_assigned(); }},
      {"TicketOpened", v1::Event::kTicketOpened, [](v1::Event& e) { e.mutable_ticket_opened(); }},
      {"TicketAssigned", v1::Event::kTicketAssigned, [](v1::Event& e) { e.mutable_ticket_assigned(); }},
      {"TicketResolved", v1::Event::kTicketResolved, [](v1::Event& e) { e.mutable_ticket_resolved(); }},
      {"TicketClosed", v1::Event::kTicketClosed, [](v1::Event& e) { e.mutable_ticket_closed(); }},
      {"TicketReopened", v1::Event::kTicketReopened, [](v1::Event& e) { e.mutable_ticket_reopened(); }},
      {"SurveyRecorded", v1::Event::kSurveyRecorded, [](v1::Event& e) { e.mutable_survey_recorded(); }},
      {"TargetSet", v1::Event::kTargetSet, [](v1::Event& e) { e.mutable_target_set(); }},
      {"ScoringPolicySet", v1::Event::kScoringPolicySet, [](v1::Event& e) { e.mutable_scoring_policy_set(); }},
      {"MemberAdded", v1::Event::kMemberAdded, [](v1::Event& e) { e.mutable_member_added(); }},
      {"MemberRolesChanged", v1::Event::kMemberRolesChanged,
       [](v1::Event& e) { e.mutable_member_roles_changed(); }},
      {"MemberDeactivated", v1::Event::kMemberDeactivated,
       [](v1::Event& e) { e.mutable_member_deactivated(); }},
      {"MemberReactivated", v1::Event::kMemberReactivated,
       [](v1::Event& e) { e.mutable_member_reactivated(); }},
      {"MeetingScheduled", v1::Event::kMeetingScheduled, [](v1::Event& e) { e.mutable_meeting_scheduled(); }},
      {"MinutesRecorded", v1::Event::kMinutesRecorded, [](v1::Event& e) { e.mutable_minutes_recorded(); }},
      {"MeetingCancelled", v1::Event::kMeetingCancelled, [](v1::Event& e) { e.mutable_meeting_cancelled(); }},
      {"ActionItemAdded", v1::Event::kActionItemAdded, [](v1::Event& e) { e.mutable_action_item_added(); }},
      {"ActionItemCompleted", v1::Event::kActionItemCompleted,
       [](v1::Event& e) { e.mutable_action_item_completed(); }},
      {"ActionItemCancelled", v1::Event::kActionItemCancelled,
       [](v1::Event& e) { e.mutable_action_item_cancelled(); }},
      {"ReviewFeedbackRecorded", v1::Event::kReviewFeedbackRecorded,
       [](v1::Event& e) { e.mutable_review_feedback_recorded(); }},
      {"ReviewFeedbackAcknowledged", v1::Event::kReviewFeedbackAcknowledged,
       [](v1::Event& e) { e.mutable_review_feedback_acknowledged(); }},
      {"TrainingSessionRecorded", v1::Event::kTrainingSessionRecorded,
       [](v1::Event& e) { e.mutable_training_session_recorded(); }},
      {"TrainingAttendanceRecorded", v1::Event::kTrainingAttendanceRecorded,
       [](v1::Event& e) { e.mutable_training_attendance_recorded(); }},
      {"AccountOpened", v1::Event::kAccountOpened, [](v1::Event& e) { e.mutable_account_opened(); }},
  };
  return *kinds;
}

TEST(EventTypeNameTest, KindsCoverEveryOneofCase) {
  const google::protobuf::OneofDescriptor* body = v1::Event::descriptor()->FindOneofByName("body");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(static_cast<size_t>(body->field_count()), AllKinds().size())
      << "a new event message needs a row in AllKinds()";
}

TEST(EventTypeNameTest, IsThePayloadMessageName) {
  for (const EventKind& kind : AllKinds()) {
    v1::Event event;
    kind.set(event);
    ASSERT_EQ(event.body_case(), kind.body) << kind.type_name;
    EXPECT_EQ(EventTypeName(event), kind.type_name);
    // And the name is the message's own name in the schema.
    const google::protobuf::FieldDescriptor* field =
        v1::Event::descriptor()->FindFieldByNumber(kind.body);
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->message_type()->name(), kind.type_name);
  }
}

TEST(EventTypeNameTest, EmptyEventHasNoTypeName) { EXPECT_EQ(EventTypeName(v1::Event()), ""); }

TEST(EventTypeNameTest, DoesNotDependOnPayloadContent) {
  EXPECT_EQ(EventTypeName(ev::QuoteSent(v1::STAGE_QUOTED, 3)), "QuoteSent");
  EXPECT_EQ(EventTypeName(ev::LeadIdentified("X", "北京")), "LeadIdentified");
}

TEST(IsKnownEventTypeTest, KnowsEveryCatalogueName) {
  for (const EventKind& kind : AllKinds())
    EXPECT_TRUE(IsKnownEventType(kind.type_name)) << kind.type_name;
}

TEST(IsKnownEventTypeTest, RejectsOtherNames) {
  for (const char* name : {"", "leadidentified", "LEADIDENTIFIED", "lead_identified", "LeadCreated",
                           "LeadIdentified ", "Event", "EventEnvelope", "StageTransition", "Money",
                           "Contact", "salesops.v1.LeadIdentified"}) {
    EXPECT_FALSE(IsKnownEventType(name)) << "'" << name << "'";
  }
}

TEST(TransitionOfTest, ReturnsTheRecordedTransitionOfEveryStageChangingEvent) {
  const std::vector<v1::Event> events = {
      ev::LeadIdentified("A"),
      ev::LeadQualified(v1::STAGE_IDENTIFIED),
      ev::LeadDisqualified(v1::STAGE_QUALIFIED),
      ev::NeedsRecorded(v1::STAGE_QUALIFIED),
      ev::SolutionProposed(v1::STAGE_NEEDS_ANALYZED),
      ev::QuoteSent(v1::STAGE_NEGOTIATING, 2),
      ev::NegotiationStarted(v1::STAGE_QUOTED),
      ev::DealWon(v1::STAGE_QUOTED),
      ev::DealLost(v1::STAGE_SOLUTION_PROPOSED),
      ev::LeadReopened(v1::STAGE_LOST, v1::STAGE_SOLUTION_PROPOSED),
  };
  const std::vector<std::pair<v1::Stage, v1::Stage>> expected = {
      {v1::STAGE_UNSPECIFIED, v1::STAGE_IDENTIFIED},
      {v1::STAGE_IDENTIFIED, v1::STAGE_QUALIFIED},
      {v1::STAGE_QUALIFIED, v1::STAGE_DISQUALIFIED},
      {v1::STAGE_QUALIFIED, v1::STAGE_NEEDS_ANALYZED},
      {v1::STAGE_NEEDS_ANALYZED, v1::STAGE_SOLUTION_PROPOSED},
      {v1::STAGE_NEGOTIATING, v1::STAGE_QUOTED},
      {v1::STAGE_QUOTED, v1::STAGE_NEGOTIATING},
      {v1::STAGE_QUOTED, v1::STAGE_WON},
      {v1::STAGE_SOLUTION_PROPOSED, v1::STAGE_LOST},
      {v1::STAGE_LOST, v1::STAGE_SOLUTION_PROPOSED},
  };
  ASSERT_EQ(events.size(), expected.size());
  // Ten of the eleven lead event kinds change the stage; LeadUpdated and the
  // team events do not.
  size_t stage_changing = 0;
  for (const EventKind& kind : AllKinds()) {
    v1::Event e;
    kind.set(e);
    if (TransitionOf(e).has_value()) ++stage_changing;
  }
  ASSERT_EQ(stage_changing, 10u);
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(EventTypeName(events[i]));
    const std::optional<v1::StageTransition> t = TransitionOf(events[i]);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->from_stage(), expected[i].first);
    EXPECT_EQ(t->to_stage(), expected[i].second);
  }
}

TEST(TransitionOfTest, NoneForLeadUpdatedOrAnEmptyEvent) {
  v1::Event updated;
  updated.mutable_lead_updated()->add_changed_fields("source");
  EXPECT_FALSE(TransitionOf(updated).has_value());
  EXPECT_FALSE(TransitionOf(v1::Event()).has_value());
}

TEST(LeadStreamIdTest, PrefixesTheLeadId) {
  EXPECT_EQ(LeadStreamId("ACME-1"), "lead-ACME-1");
  EXPECT_EQ(kLeadStreamPrefix, "lead-");
}

TEST(StageNameTest, DropsThePrefix) {
  EXPECT_EQ(StageName(v1::STAGE_QUALIFIED), "QUALIFIED");
  EXPECT_EQ(StageName(v1::STAGE_NEEDS_ANALYZED), "NEEDS_ANALYZED");
  EXPECT_EQ(StageName(v1::STAGE_DISQUALIFIED), "DISQUALIFIED");
  EXPECT_EQ(StageName(v1::STAGE_UNSPECIFIED), "UNSPECIFIED");
}

TEST(FormatMoneyTest, WritesMinorUnitsWithTwoDecimals) {
  EXPECT_EQ(FormatMoney(ev::Money(12345)), "123.45 CNY");
  EXPECT_EQ(FormatMoney(ev::Money(5)), "0.05 CNY");
  EXPECT_EQ(FormatMoney(ev::Money(0)), "0.00 CNY");
  EXPECT_EQ(FormatMoney(ev::Money(100, "USD")), "1.00 USD");
  EXPECT_EQ(FormatMoney(ev::Money(120050)), "1200.50 CNY");
  EXPECT_EQ(FormatMoney(ev::Money(1'000'000'000'000'000)), "10000000000000.00 CNY");
}

TEST(DescribeEventTest, QuoteSentAsInTheHeader) {
  v1::Event event = ev::QuoteSent(v1::STAGE_QUOTED, 2, 120000, "Q-7");
  EXPECT_THAT(DescribeEvent(event),
              AllOf(StartsWith("quote Q-7 rev 2: 1200.00 CNY"), HasSubstr("2026-03-31")));
  event.mutable_quote_sent()->set_discount_basis_points(550);
  EXPECT_THAT(DescribeEvent(event), HasSubstr("5.50%"));
}

TEST(DescribeEventTest, LeadIdentifiedKeepsChineseTextIntact) {
  v1::Event event = ev::LeadIdentified("BJ-1", "北京星辰科技有限公司", "alice");
  const std::string s = DescribeEvent(event);
  EXPECT_THAT(s, HasSubstr("北京星辰科技有限公司"));
  EXPECT_THAT(s, HasSubstr("张伟"));
  EXPECT_THAT(s, HasSubstr("REFERRAL"));
  EXPECT_THAT(s, Not(HasSubstr("LEAD_SOURCE_")));
  EXPECT_THAT(s, HasSubstr("alice"));
  EXPECT_THAT(s, HasSubstr("10000.00 CNY"));
  EXPECT_EQ(s.find('\n'), std::string::npos);
}

TEST(DescribeEventTest, DealLostNamesReasonCompetitorAndNote) {
  const std::string s =
      DescribeEvent(ev::DealLost(v1::STAGE_QUOTED, v1::LOSS_REASON_COMPETITOR, "华为", "价格更低"));
  EXPECT_THAT(s, AllOf(HasSubstr("COMPETITOR"), Not(HasSubstr("LOSS_REASON_")), HasSubstr("华为"),
                       HasSubstr("价格更低")));
}

TEST(DescribeEventTest, OtherEvents) {
  v1::Event needs = ev::NeedsRecorded();
  needs.mutable_needs_recorded()->set_requirements("需要 200 个席位");
  EXPECT_THAT(DescribeEvent(needs), HasSubstr("需要 200 个席位"));

  v1::Event disqualified = ev::LeadDisqualified(v1::STAGE_IDENTIFIED, "没有预算");
  EXPECT_THAT(DescribeEvent(disqualified), HasSubstr("没有预算"));

  EXPECT_THAT(DescribeEvent(ev::DealWon(v1::STAGE_NEGOTIATING, 800000)),
              AllOf(HasSubstr("8000.00 CNY"), HasSubstr("2026-04-15")));

  v1::Event proposed = ev::SolutionProposed(v1::STAGE_NEEDS_ANALYZED, 900000);
  proposed.mutable_solution_proposed()->add_products("客户管理");
  proposed.mutable_solution_proposed()->add_products("CRM Pro");
  EXPECT_THAT(DescribeEvent(proposed),
              AllOf(HasSubstr("9000.00 CNY"), HasSubstr("客户管理"), HasSubstr("CRM Pro")));

  v1::Event updated;
  updated.mutable_lead_updated()->add_changed_fields("contact");
  updated.mutable_lead_updated()->add_changed_fields("source");
  EXPECT_THAT(DescribeEvent(updated), AllOf(HasSubstr("contact"), HasSubstr("source")));

  EXPECT_EQ(DescribeEvent(v1::Event()), "");
}

TEST(DescribeEventTest, EveryKindIsDescribedWithoutThrowing) {
  for (const EventKind& kind : AllKinds()) {
    v1::Event event;
    kind.set(event);
    EXPECT_NO_THROW(DescribeEvent(event)) << kind.type_name;
  }
}

// A newer schema may add enum values; describing them must not fail.
TEST(DescribeEventTest, UnknownEnumValuesFromANewerSchemaDoNotThrow) {
  v1::Event identified = ev::LeadIdentified("BJ-1", "北京星辰");
  identified.mutable_lead_identified()->set_source(static_cast<v1::LeadSource>(99));
  std::string s;
  EXPECT_NO_THROW(s = DescribeEvent(identified));
  EXPECT_THAT(s, HasSubstr("北京星辰"));

  v1::Event lost = ev::DealLost(v1::STAGE_QUOTED, static_cast<v1::LossReason>(99), "", "");
  EXPECT_NO_THROW(s = DescribeEvent(lost));
}

}  // namespace
}  // namespace salesops::domain
