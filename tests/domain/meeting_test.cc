// The meeting deciders as given(state) / when(command) / then(event or
// error), and the fold they decide against.
#include "server/domain/meeting.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/match.h"
#include "server/domain/errors.h"
#include "server/domain/proto_time.h"
#include "tests/common/testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using M = v1::Command;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), absl::UTCTimeZone());

TeamState Team() {
  TeamState team;
  auto add = [&](const std::string& id, v1::Role role, bool active) {
    v1::Member& m = team.members[id];
    m.set_member_id(id);
    m.add_roles(role);
    m.set_active(active);
  };
  add("boss", v1::ROLE_SALES_MANAGER, true);
  add("rep1", v1::ROLE_SALES_REP, true);
  add("gone", v1::ROLE_SALES_REP, false);
  return team;
}

const TeamState& TheTeam() {
  static const TeamState* const team = new TeamState(Team());
  return *team;
}

MeetingWorld World() {
  MeetingWorld world;
  world.team = &TheTeam();
  world.now = kNow;
  world.new_id = "NEW1";
  return world;
}

// Folds `event` as the next event of its stream (the sequencer's stamping).
void Apply(MeetingsState& state, const std::string& stream, const v1::Event& event, absl::Time at,
           absl::string_view actor = "boss") {
  const bool meeting = absl::StartsWith(stream, kMeetingStreamPrefix);
  const std::string id =
      stream.substr(meeting ? kMeetingStreamPrefix.size() : kActionItemStreamPrefix.size());
  const uint64_t version = meeting ? state.Meeting(id).version() : state.Item(id).version();
  v1::EventEnvelope e;
  e.set_stream_id(stream);
  e.set_stream_version(version + 1);
  e.set_actor(std::string(actor));
  *e.mutable_occurred_at() = ToProtoTime(at);
  *e.mutable_event() = event;
  if (meeting) {
    EvolveMeeting(state, id, e);
  } else {
    EvolveActionItem(state, id, e);
  }
}

// Validates and decides `command` as the meeting or the action item
// aggregate does.
absl::StatusOr<MeetingDecision> DecideAny(const MeetingsState& state, const M& command, absl::string_view actor,
                                       absl::Time at, const MeetingWorld& world) {
  if (command.has_meeting()) {
    if (absl::Status s = ValidateMeetingCommand(command.meeting()); !s.ok()) return s;
    return DecideMeeting(state, command.meeting(), at, world);
  }
  if (absl::Status s = ValidateActionItemCommand(command.action_item()); !s.ok()) return s;
  return DecideActionItem(state, command.action_item(), actor, world);
}

absl::Status CheckFields(const M& command) {
  return command.has_meeting() ? ValidateMeetingCommand(command.meeting())
                               : ValidateActionItemCommand(command.action_item());
}

// Decides `command` and folds what it decides; the decision's status.
absl::Status Act(MeetingsState& state, const M& command, absl::Time at = kNow, absl::string_view actor = "boss",
                 const MeetingWorld& world = World()) {
  absl::StatusOr<MeetingDecision> d = DecideAny(state, command, actor, at, world);
  if (!d.ok()) return d.status();
  for (const v1::Event& event : d->events) Apply(state, d->stream_id, event, at, actor);
  return absl::OkStatus();
}

M Schedule(const std::string& id, absl::Time starts_at, const std::string& member = "",
           v1::MeetingCadence cadence = v1::MEETING_CADENCE_WEEKLY) {
  M c;
  v1::ScheduleMeetingRequest* r = c.mutable_meeting()->mutable_schedule();
  r->set_meeting_id(id);
  r->set_title("周例会：华东区");
  r->set_member_id(member);
  r->set_cadence(cadence);
  *r->mutable_starts_at() = ToProtoTime(starts_at);
  return c;
}

M Minutes(const std::string& id, const std::string& reason = "") {
  M c;
  c.mutable_meeting()->mutable_minutes()->set_meeting_id(id);
  c.mutable_meeting()->mutable_minutes()->set_minutes("讨论了本周的赢单与丢单原因。\n下周重点：跟进报价。");
  c.mutable_meeting()->mutable_minutes()->add_attendees("boss");
  c.mutable_meeting()->mutable_minutes()->add_attendees("rep1");
  c.mutable_meeting()->mutable_minutes()->set_correction_reason(reason);
  return c;
}

M CancelMeeting(const std::string& id) {
  M c;
  c.mutable_meeting()->mutable_cancel()->set_meeting_id(id);
  c.mutable_meeting()->mutable_cancel()->set_reason("节假日");
  return c;
}

M AddItem(const std::string& item, const std::string& meeting, const std::string& owner = "rep1") {
  M c;
  v1::AddActionItemRequest* r = c.mutable_action_item()->mutable_add();
  r->set_action_item_id(item);
  r->set_meeting_id(meeting);
  r->set_owner(owner);
  r->set_title("回访客户张总");
  r->set_due_date("2026-11-25");
  return c;
}

M Complete(const std::string& item) {
  M c;
  c.mutable_action_item()->mutable_complete()->set_action_item_id(item);
  c.mutable_action_item()->mutable_complete()->set_note("已回访");
  return c;
}

M CancelItem(const std::string& item) {
  M c;
  c.mutable_action_item()->mutable_cancel()->set_action_item_id(item);
  c.mutable_action_item()->mutable_cancel()->set_reason("客户已签约，无需回访");
  return c;
}

// A state holding meeting "W1" (starting an hour before now) in `status`,
// and its action item "A1" in `item_status`.
MeetingsState Given(v1::MeetingStatus status, v1::ActionItemStatus item_status = v1::ACTION_ITEM_STATUS_OPEN) {
  MeetingsState state;
  EXPECT_THAT(Act(state, Schedule("W1", kNow - absl::Hours(1)), kNow - absl::Hours(48)), IsOk());
  EXPECT_THAT(Act(state, AddItem("A1", "W1"), kNow - absl::Hours(47)), IsOk());
  if (item_status == v1::ACTION_ITEM_STATUS_DONE) EXPECT_THAT(Act(state, Complete("A1"), kNow - absl::Hours(46), "rep1"), IsOk());
  if (item_status == v1::ACTION_ITEM_STATUS_CANCELLED) EXPECT_THAT(Act(state, CancelItem("A1"), kNow - absl::Hours(46)), IsOk());
  if (status == v1::MEETING_STATUS_HELD) EXPECT_THAT(Act(state, Minutes("W1")), IsOk());
  if (status == v1::MEETING_STATUS_CANCELLED) EXPECT_THAT(Act(state, CancelMeeting("W1"), kNow - absl::Hours(45)), IsOk());
  return state;
}

struct MeetingRow {
  const char* name;
  M command;
  std::vector<v1::MeetingStatus> allowed;
  v1::MeetingStatus to;
};

// The meeting lifecycle: SCHEDULED -> HELD (minutes; again as a correction)
// or CANCELLED; an action item is agreed in any meeting not cancelled.
TEST(MeetingDeciderTest, EveryMeetingCommandFromEveryStatus) {
  const MeetingRow rows[] = {
      {"RecordMinutes", Minutes("W1"), {v1::MEETING_STATUS_SCHEDULED}, v1::MEETING_STATUS_HELD},
      {"RecordMinutes (correction)", Minutes("W1", "补充遗漏的参会人"), {v1::MEETING_STATUS_HELD},
       v1::MEETING_STATUS_HELD},
      {"CancelMeeting", CancelMeeting("W1"), {v1::MEETING_STATUS_SCHEDULED}, v1::MEETING_STATUS_CANCELLED},
      {"AddActionItem", AddItem("A2", "W1"), {v1::MEETING_STATUS_SCHEDULED, v1::MEETING_STATUS_HELD},
       v1::MEETING_STATUS_UNSPECIFIED},
  };
  for (const MeetingRow& row : rows) {
    for (v1::MeetingStatus status :
         {v1::MEETING_STATUS_SCHEDULED, v1::MEETING_STATUS_HELD, v1::MEETING_STATUS_CANCELLED}) {
      SCOPED_TRACE(absl::StrCat(row.name, " from ", MeetingStatusName(status)));
      MeetingsState state = Given(status);
      const uint64_t version = state.Meeting("W1").version();
      const absl::Status s = Act(state, row.command);
      if (std::find(row.allowed.begin(), row.allowed.end(), status) == row.allowed.end()) {
        EXPECT_FALSE(s.ok());
        EXPECT_EQ(state.Meeting("W1").version(), version) << "a refusal changes nothing";
        continue;
      }
      ASSERT_THAT(s, IsOk());
      if (row.to != v1::MEETING_STATUS_UNSPECIFIED) EXPECT_EQ(state.Meeting("W1").status(), row.to);
    }
  }
}

TEST(MeetingDeciderTest, RefusalsNameTheStatusAndTheRule) {
  MeetingsState cancelled = Given(v1::MEETING_STATUS_CANCELLED);
  EXPECT_THAT(Act(cancelled, Minutes("W1")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("meeting 'W1' is CANCELLED; RecordMinutes is allowed only when SCHEDULED or HELD")));
  EXPECT_EQ(errors::ReasonOf(Act(cancelled, CancelMeeting("W1"))), errors::kMeetingStatusNotAllowed);
  EXPECT_THAT(Act(cancelled, AddItem("A2", "W1")), StatusIs(absl::StatusCode::kFailedPrecondition,
                                                           HasSubstr("agrees no action items")));
  MeetingsState held = Given(v1::MEETING_STATUS_HELD);
  EXPECT_THAT(Act(held, Minutes("W1")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("correction_reason: required to correct minutes already recorded (revision 1)")));
  MeetingsState scheduled = Given(v1::MEETING_STATUS_SCHEDULED);
  EXPECT_THAT(Act(scheduled, Minutes("W1", "更正")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("correction_reason: only for a correction")));
}

TEST(MeetingDeciderTest, EveryItemCommandFromEveryStatus) {
  struct Row {
    const char* name;
    M command;
    absl::string_view actor;
    v1::ActionItemStatus to;
  };
  const Row rows[] = {
      {"CompleteActionItem", Complete("A1"), "rep1", v1::ACTION_ITEM_STATUS_DONE},
      {"CancelActionItem", CancelItem("A1"), "boss", v1::ACTION_ITEM_STATUS_CANCELLED},
  };
  for (const Row& row : rows) {
    for (v1::ActionItemStatus status :
         {v1::ACTION_ITEM_STATUS_OPEN, v1::ACTION_ITEM_STATUS_DONE, v1::ACTION_ITEM_STATUS_CANCELLED}) {
      SCOPED_TRACE(absl::StrCat(row.name, " from ", ActionItemStatusName(status)));
      MeetingsState state = Given(v1::MEETING_STATUS_SCHEDULED, status);
      const absl::Status s = Act(state, row.command, kNow, row.actor);
      if (status != v1::ACTION_ITEM_STATUS_OPEN) {
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr(absl::StrCat("action item 'A1' is ", ActionItemStatusName(status),
                                                       "; ", row.name, " is allowed only when OPEN"))));
        EXPECT_EQ(errors::ReasonOf(s), errors::kActionItemStatusNotAllowed);
        continue;
      }
      ASSERT_THAT(s, IsOk());
      const v1::ActionItem& item = state.Item("A1");
      EXPECT_EQ(item.status(), row.to);
      EXPECT_EQ(item.version(), 2u);
      EXPECT_EQ(FromProtoTime(item.closed_at()), kNow);
      EXPECT_FALSE(item.note().empty());
    }
  }
}

TEST(MeetingDeciderTest, SchedulingResolvesThePeriodIntoTheEvent) {
  MeetingsState state;
  const absl::Time w1 = kNow + absl::Hours(24);
  // No earlier meeting of the scope: one cadence back.
  MeetingWorld world = World();
  absl::StatusOr<MeetingDecision> first = DecideAny(state, Schedule("W1", w1), "boss", kNow, world);
  ASSERT_THAT(first, IsOk());
  const v1::MeetingScheduled& e1 = first->events[0].meeting_scheduled();
  EXPECT_EQ(FromProtoTime(e1.period_from()), w1 - absl::Hours(24 * 7));
  EXPECT_EQ(FromProtoTime(e1.period_to()), w1);
  EXPECT_EQ(e1.duration_minutes(), 60u);
  EXPECT_EQ(first->stream_id, "meeting-W1");
  ASSERT_THAT(Act(state, Schedule("W1", w1)), IsOk());
  EXPECT_EQ(state.Meeting("W1").organizer(), "boss");
  EXPECT_EQ(state.Meeting("W1").status(), v1::MEETING_STATUS_SCHEDULED);

  // The next meeting of the same scope reviews from the previous one's start,
  // a one-to-one's scope is its member's, and a cancelled meeting is skipped.
  const absl::Time w2 = w1 + absl::Hours(24 * 6);
  auto period_from = [&](const M& command) {
    absl::StatusOr<MeetingDecision> d = DecideAny(state, command, "boss", kNow, world);
    EXPECT_THAT(d, IsOk());
    return d.ok() ? FromProtoTime(d->events[0].meeting_scheduled().period_from()) : absl::InfinitePast();
  };
  EXPECT_EQ(period_from(Schedule("W2", w2)), w1);
  EXPECT_EQ(period_from(Schedule("O1", w2, "rep1", v1::MEETING_CADENCE_MONTHLY)),
            absl::FromCivil(absl::CivilSecond(2026, 10, 27, 10, 0, 0), absl::UTCTimeZone()));
  ASSERT_THAT(Act(state, CancelMeeting("W1")), IsOk());
  EXPECT_EQ(period_from(Schedule("W2", w2)), w2 - absl::Hours(24 * 7));

  // An explicit period must end at or before the start.
  M late = Schedule("W3", w2);
  *late.mutable_meeting()->mutable_schedule()->mutable_period_to() = ToProtoTime(w2 + absl::Seconds(1));
  EXPECT_THAT(Act(state, late),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("period_to: must not be after starts_at")));
  M empty = Schedule("W3", w2);
  *empty.mutable_meeting()->mutable_schedule()->mutable_period_from() = ToProtoTime(w2);
  EXPECT_THAT(Act(state, empty), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("period_from: must be before")));
  EXPECT_THAT(Act(state, Schedule("W1", w2)), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("'W1'")));
  EXPECT_THAT(Act(state, Schedule("O2", w2, "gone")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("member_id: member 'gone' is not an active")));
  EXPECT_THAT(Act(state, Schedule("F1", kNow + absl::Hours(24 * 367))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("starts_at: must be within 366 days")));
  // Without an id the world's new id is used.
  absl::StatusOr<MeetingDecision> drawn = DecideAny(state, Schedule("", w2), "boss", kNow, world);
  ASSERT_THAT(drawn, IsOk());
  EXPECT_EQ(drawn->meeting_id, "NEW1");
}

TEST(MeetingDeciderTest, MinutesFollowTheStartAndCountRevisions) {
  MeetingsState state;
  ASSERT_THAT(Act(state, Schedule("W1", kNow + absl::Hours(2))), IsOk());
  EXPECT_THAT(Act(state, Minutes("W1")), StatusIs(absl::StatusCode::kFailedPrecondition,
                                                  HasSubstr("the meeting has not started yet")));
  const absl::Time after = kNow + absl::Hours(3);
  ASSERT_THAT(Act(state, Minutes("W1"), after), IsOk());
  EXPECT_EQ(state.Meeting("W1").minutes_revision(), 1u);
  EXPECT_THAT(state.Meeting("W1").attendees(), ElementsAre("boss", "rep1"));
  ASSERT_THAT(Act(state, Minutes("W1", "补充参会人"), after), IsOk());
  EXPECT_EQ(state.Meeting("W1").minutes_revision(), 2u);
  EXPECT_EQ(state.Meeting("W1").version(), 3u);
  M stranger = Minutes("W1", "再补充");
  stranger.mutable_meeting()->mutable_minutes()->add_attendees("nobody");
  EXPECT_THAT(Act(state, stranger, after), StatusIs(absl::StatusCode::kInvalidArgument,
                                                     HasSubstr("attendees[2]: member 'nobody' is not in the team")));
  // A deactivated member may still have attended.
  M former = Minutes("W1", "再补充");
  former.mutable_meeting()->mutable_minutes()->add_attendees("gone");
  EXPECT_THAT(Act(state, former, after), IsOk());
}

TEST(MeetingDeciderTest, ActionItemsNeedAnActiveOwnerAndExistingLinks) {
  MeetingsState state = Given(v1::MEETING_STATUS_SCHEDULED);
  // The owner defaults to the caller.
  M mine = AddItem("A2", "W1", "");
  ASSERT_THAT(Act(state, mine, kNow, "rep1"), IsOk());
  EXPECT_EQ(state.Item("A2").owner(), "rep1");
  EXPECT_EQ(state.Item("A2").added_by(), "rep1");
  EXPECT_EQ(state.Item("A2").meeting_id(), "W1");
  EXPECT_EQ(state.Item("A2").status(), v1::ACTION_ITEM_STATUS_OPEN);
  EXPECT_THAT(Act(state, AddItem("A3", "W1", "gone")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("owner: member 'gone' is not an active member")));
  EXPECT_THAT(Act(state, AddItem("A2", "W1")), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("'A2'")));
  EXPECT_THAT(Act(state, AddItem("A3", "W9")), StatusIs(absl::StatusCode::kNotFound, HasSubstr("meeting 'W9'")));
  MeetingWorld world = World();
  world.linked_lead_exists = false;
  M linked = AddItem("A3", "W1");
  linked.mutable_action_item()->mutable_add()->set_lead_id("L404");
  EXPECT_THAT(Act(state, linked, kNow, "boss", world),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("lead_id: lead 'L404' not found")));
  world = World();
  world.linked_ticket_exists = false;
  linked.mutable_action_item()->mutable_add()->set_ticket_id("T404");
  EXPECT_THAT(Act(state, linked, kNow, "boss", world),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("ticket_id: ticket 'T404' not found")));
  EXPECT_FALSE(state.items.contains("A3"));
}

TEST(MeetingDeciderTest, ExpectedVersionGuardsEachStream) {
  MeetingsState state = Given(v1::MEETING_STATUS_SCHEDULED);
  M c = Complete("A1");
  c.mutable_action_item()->mutable_complete()->mutable_options()->set_expected_version(2);
  EXPECT_THAT(Act(state, c, kNow, "rep1"),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("action item 'A1' is at version 1, expected_version was 2")));
  c.mutable_action_item()->mutable_complete()->mutable_options()->set_expected_version(1);
  EXPECT_THAT(Act(state, c, kNow, "rep1"), IsOk());
  M minutes = Minutes("W1");
  minutes.mutable_meeting()->mutable_minutes()->mutable_options()->set_expected_version(5);
  EXPECT_THAT(Act(state, minutes), StatusIs(absl::StatusCode::kAborted, HasSubstr("meeting 'W1' is at version 1")));
}

TEST(MeetingDeciderTest, ValidationNamesEveryFieldAndCountsCharacters) {
  M c = Schedule("bad id", absl::Now());
  c.mutable_meeting()->mutable_schedule()->set_title("");
  c.mutable_meeting()->mutable_schedule()->set_cadence(v1::MEETING_CADENCE_UNSPECIFIED);
  c.mutable_meeting()->mutable_schedule()->clear_starts_at();
  c.mutable_meeting()->mutable_schedule()->set_duration_minutes(1441);
  const absl::Status s = CheckFields(c);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("meeting_id:")));
  for (absl::string_view field : {"title", "cadence", "starts_at", "duration_minutes"}) {
    EXPECT_THAT(std::string(s.message()), HasSubstr(field)) << s;
  }
  // Limits count characters: 200 Chinese characters are a valid title, 201 are not.
  M cjk = Schedule("W1", kNow);
  std::string title;
  for (int i = 0; i < 200; ++i) title += "会";
  cjk.mutable_meeting()->mutable_schedule()->set_title(title);
  EXPECT_THAT(CheckFields(cjk), IsOk());
  cjk.mutable_meeting()->mutable_schedule()->set_title(title + "议");
  EXPECT_THAT(CheckFields(cjk), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("title:")));
  M item = AddItem("A1", "W1");
  item.mutable_action_item()->mutable_add()->set_due_date("2026-02-30");
  EXPECT_THAT(CheckFields(item), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("due_date:")));
  M repeated = Minutes("W1");
  repeated.mutable_meeting()->mutable_minutes()->add_attendees("rep1");
  EXPECT_THAT(CheckFields(repeated),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("attendees[2]: must not repeat")));
  EXPECT_THAT(ValidateMeetingCommand(v1::MeetingCommand()), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("command:")));
}

TEST(MeetingDeciderTest, AnItemIsOverdueFromTheEndOfItsDueDay) {
  v1::ActionItem item;
  item.set_status(v1::ACTION_ITEM_STATUS_OPEN);
  item.set_due_date("2026-11-25");
  const absl::Time end = absl::FromCivil(absl::CivilDay(2026, 11, 26), absl::UTCTimeZone());
  EXPECT_FALSE(IsOverdue(item, end - absl::Nanoseconds(1)));
  EXPECT_TRUE(IsOverdue(item, end));
  item.set_status(v1::ACTION_ITEM_STATUS_DONE);
  EXPECT_FALSE(IsOverdue(item, end + absl::Hours(1)));
}

}  // namespace
}  // namespace salesops::domain
