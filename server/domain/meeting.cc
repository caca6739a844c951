#include "server/domain/meeting.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"

namespace salesops::domain {
namespace {

using M = v1::MeetingCommand;
using A = v1::ActionItemCommand;

// The longest a meeting may be scheduled ahead of, or recorded behind, now.
constexpr absl::Duration kMaxScheduleDistance = absl::Hours(24 * 366);

void ValidateTime(errors::FieldViolations& v, absl::string_view field, bool present,
                  const google::protobuf::Timestamp& t, bool required) {
  if (!present) {
    if (required) v.Add(field, "is required");
    return;
  }
  v.Add(ValidateTimestamp(field, t));
}

absl::Status NotFoundMeeting(absl::string_view id) {
  return errors::NotFound("meeting", id, absl::StrCat("meeting '", id, "' not found"));
}

absl::Status NotFoundItem(absl::string_view id) {
  return errors::NotFound("action_item", id, absl::StrCat("action item '", id, "' not found"));
}

absl::Status CheckVersion(absl::string_view kind, absl::string_view id, uint64_t version,
                          const v1::CommandOptions& options) {
  if (!options.has_expected_version() || options.expected_version() == version) return absl::OkStatus();
  return errors::VersionConflict(kind, id, version, options.expected_version());
}

absl::Status MeetingNotAllowed(const v1::Meeting& meeting, absl::string_view action, absl::string_view why) {
  const std::string status = MeetingStatusName(meeting.status());
  return errors::NotAllowedIn(errors::kMeetingStatusNotAllowed, "meeting", meeting.meeting_id(), "MEETING_STATUS",
                              "status", status, action,
                              absl::StrCat("meeting '", meeting.meeting_id(), "' is ", status, "; ", why));
}

absl::Status ItemNotAllowed(const v1::ActionItem& item, absl::string_view action) {
  const std::string status = ActionItemStatusName(item.status());
  return errors::NotAllowedIn(errors::kActionItemStatusNotAllowed, "action_item", item.action_item_id(),
                              "ACTION_ITEM_STATUS", "status", status, action,
                              absl::StrCat("action item '", item.action_item_id(), "' is ", status, "; ", action,
                                           " is allowed only when OPEN"));
}

// An active member (of any role) named in `field`, else INVALID_ARGUMENT.
absl::Status RequireActive(const TeamState& team, absl::string_view field, absl::string_view member_id) {
  return RequireActiveMember(team, member_id, v1::ROLE_UNSPECIFIED, field, MemberCheck::kNamed);
}

// The period a meeting reviews when the scheduler names none: back to the
// previous meeting of its scope, else one cadence.
absl::Time DefaultPeriodFrom(const MeetingsState& state, absl::string_view member_id, v1::MeetingCadence cadence,
                             absl::Time starts_at) {
  if (std::optional<absl::Time> previous = state.PreviousStart(member_id, starts_at)) return *previous;
  const absl::CivilSecond start = absl::ToCivilSecond(starts_at, absl::UTCTimeZone());
  // Civil arithmetic normalizes (e.g. March 31 minus one month is March 3).
  auto months_back = [&](int n) {
    return absl::FromCivil(absl::CivilSecond(start.year(), start.month() - n, start.day(), start.hour(),
                                             start.minute(), start.second()),
                           absl::UTCTimeZone());
  };
  switch (cadence) {
    case v1::MEETING_CADENCE_MONTHLY: return months_back(1);
    case v1::MEETING_CADENCE_QUARTERLY: return months_back(3);
    default: return starts_at - absl::Hours(24 * 7);
  }
}

}  // namespace

std::string MeetingStreamId(absl::string_view meeting_id) { return absl::StrCat(kMeetingStreamPrefix, meeting_id); }
std::string ActionItemStreamId(absl::string_view action_item_id) {
  return absl::StrCat(kActionItemStreamPrefix, action_item_id);
}

std::string MeetingStatusName(v1::MeetingStatus status) {
  const std::string& full = v1::MeetingStatus_Name(status);
  return full.size() > 15 ? full.substr(15) : absl::StrCat(static_cast<int>(status));  // "MEETING_STATUS_"
}

std::string ActionItemStatusName(v1::ActionItemStatus status) {
  const std::string& full = v1::ActionItemStatus_Name(status);
  return full.size() > 19 ? full.substr(19) : absl::StrCat(static_cast<int>(status));  // "ACTION_ITEM_STATUS_"
}

const v1::Meeting& MeetingsState::Meeting(absl::string_view meeting_id) const {
  auto it = meetings.find(meeting_id);
  return it == meetings.end() ? v1::Meeting::default_instance() : it->second;
}

const v1::ActionItem& MeetingsState::Item(absl::string_view action_item_id) const {
  auto it = items.find(action_item_id);
  return it == items.end() ? v1::ActionItem::default_instance() : it->second;
}

std::optional<absl::Time> MeetingsState::PreviousStart(absl::string_view member_id, absl::Time before) const {
  std::optional<absl::Time> latest;
  for (const auto& [id, m] : meetings) {
    if (m.member_id() != member_id || m.status() == v1::MEETING_STATUS_CANCELLED) continue;
    const absl::Time start = FromProtoTime(m.starts_at());
    if (start < before && (!latest.has_value() || start > *latest)) latest = start;
  }
  return latest;
}

absl::string_view MeetingIdOf(const v1::MeetingCommand& command) {
  switch (command.command_case()) {
    case M::kSchedule: return command.schedule().meeting_id();
    case M::kMinutes: return command.minutes().meeting_id();
    case M::kCancel: return command.cancel().meeting_id();
    case M::COMMAND_NOT_SET: break;
  }
  return {};
}

absl::string_view ActionItemIdOf(const v1::ActionItemCommand& command) {
  switch (command.command_case()) {
    case A::kAdd: return command.add().action_item_id();
    case A::kComplete: return command.complete().action_item_id();
    case A::kCancel: return command.cancel().action_item_id();
    case A::COMMAND_NOT_SET: break;
  }
  return {};
}

const v1::CommandOptions& OptionsOf(const v1::MeetingCommand& command) {
  switch (command.command_case()) {
    case M::kSchedule: return command.schedule().options();
    case M::kMinutes: return command.minutes().options();
    case M::kCancel: return command.cancel().options();
    case M::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

const v1::CommandOptions& OptionsOf(const v1::ActionItemCommand& command) {
  switch (command.command_case()) {
    case A::kAdd: return command.add().options();
    case A::kComplete: return command.complete().options();
    case A::kCancel: return command.cancel().options();
    case A::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

bool NeedsNewMeetingId(const v1::Command& command) {
  return command.has_meeting() && command.meeting().has_schedule() &&
         command.meeting().schedule().meeting_id().empty();
}

bool NeedsNewActionItemId(const v1::Command& command) {
  return command.has_action_item() && command.action_item().has_add() &&
         command.action_item().add().action_item_id().empty();
}

absl::string_view ItemOwnerOf(const v1::AddActionItemRequest& request, absl::string_view actor) {
  return request.owner().empty() ? actor : absl::string_view(request.owner());
}

const std::vector<MeetingRule>& MeetingRules() {
  static const std::vector<MeetingRule>* const rules = new std::vector<MeetingRule>{
      {"ScheduleMeeting", {v1::MEETING_STATUS_UNSPECIFIED}},
      {"RecordMinutes", {v1::MEETING_STATUS_SCHEDULED, v1::MEETING_STATUS_HELD}},
      {"CancelMeeting", {v1::MEETING_STATUS_SCHEDULED}},
  };
  return *rules;
}

const std::vector<ActionItemRule>& ActionItemRules() {
  static const std::vector<ActionItemRule>* const rules = new std::vector<ActionItemRule>{
      {"AddActionItem", {v1::ACTION_ITEM_STATUS_UNSPECIFIED}},
      {"CompleteActionItem", {v1::ACTION_ITEM_STATUS_OPEN}},
      {"CancelActionItem", {v1::ACTION_ITEM_STATUS_OPEN}},
  };
  return *rules;
}

absl::Status ValidateMeetingCommand(const v1::MeetingCommand& command) {
  if (command.command_case() == M::COMMAND_NOT_SET) return absl::InvalidArgumentError("command: is required");
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));
  const TextKind multi = TextKind::kMultiLine;
  switch (command.command_case()) {
    case M::kSchedule: {
      const v1::ScheduleMeetingRequest& r = command.schedule();
      if (!r.meeting_id().empty()) v.Add(ValidateId("meeting_id", r.meeting_id()));
      v.Add(ValidateText("title", r.title(), 1, kMaxNameChars));
      if (!r.member_id().empty()) v.Add(ValidateId("member_id", r.member_id()));
      if (r.cadence() == v1::MEETING_CADENCE_UNSPECIFIED || !v1::MeetingCadence_IsValid(r.cadence())) {
        v.Add("cadence", "must be WEEKLY, MONTHLY, QUARTERLY or ONE_OFF");
      }
      ValidateTime(v, "starts_at", r.has_starts_at(), r.starts_at(), true);
      ValidateTime(v, "period_from", r.has_period_from(), r.period_from(), false);
      ValidateTime(v, "period_to", r.has_period_to(), r.period_to(), false);
      if (r.duration_minutes() > kMaxMeetingMinutes) {
        v.Add("duration_minutes", absl::StrCat("must be at most ", kMaxMeetingMinutes, " (0 = 60)"));
      }
      break;
    }
    case M::kMinutes: {
      const v1::RecordMinutesRequest& r = command.minutes();
      v.Add(ValidateId("meeting_id", r.meeting_id()));
      v.Add(ValidateText("minutes", r.minutes(), 1, kMaxMinutesChars, multi));
      v.Add(ValidateText("correction_reason", r.correction_reason(), 0, kMaxTextChars, multi));
      if (r.attendees_size() > static_cast<int>(kMaxAttendees)) {
        v.Add("attendees", absl::StrCat("must be at most ", kMaxAttendees, " members"));
      } else {
        absl::flat_hash_set<absl::string_view> seen;
        for (int i = 0; i < r.attendees_size(); ++i) {
          const std::string field = absl::StrCat("attendees[", i, "]");
          v.Add(ValidateId(field, r.attendees(i)));
          if (!seen.insert(r.attendees(i)).second) v.Add(field, "must not repeat an attendee");
        }
      }
      break;
    }
    case M::kCancel:
      v.Add(ValidateId("meeting_id", command.cancel().meeting_id()));
      v.Add(ValidateText("reason", command.cancel().reason(), 1, kMaxTextChars, multi));
      break;
    case M::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

absl::Status ValidateActionItemCommand(const v1::ActionItemCommand& command) {
  if (command.command_case() == A::COMMAND_NOT_SET) return absl::InvalidArgumentError("command: is required");
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));
  const TextKind multi = TextKind::kMultiLine;
  switch (command.command_case()) {
    case A::kAdd: {
      const v1::AddActionItemRequest& r = command.add();
      if (!r.action_item_id().empty()) v.Add(ValidateId("action_item_id", r.action_item_id()));
      v.Add(ValidateId("meeting_id", r.meeting_id()));
      if (!r.owner().empty()) v.Add(ValidateId("owner", r.owner()));
      v.Add(ValidateText("title", r.title(), 1, kMaxNameChars));
      v.Add(ValidateText("description", r.description(), 0, kMaxTextChars, multi));
      v.Add(ValidateDate("due_date", r.due_date()));
      if (!r.lead_id().empty()) v.Add(ValidateId("lead_id", r.lead_id()));
      if (!r.order_id().empty()) v.Add(ValidateId("order_id", r.order_id()));
      if (!r.ticket_id().empty()) v.Add(ValidateId("ticket_id", r.ticket_id()));
      break;
    }
    case A::kComplete:
      v.Add(ValidateId("action_item_id", command.complete().action_item_id()));
      v.Add(ValidateText("note", command.complete().note(), 0, kMaxTextChars, multi));
      break;
    case A::kCancel:
      v.Add(ValidateId("action_item_id", command.cancel().action_item_id()));
      v.Add(ValidateText("reason", command.cancel().reason(), 1, kMaxTextChars, multi));
      break;
    case A::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

absl::StatusOr<MeetingDecision> DecideMeeting(const MeetingsState& state, const v1::MeetingCommand& command,
                                              absl::Time occurred_at, const MeetingWorld& world) {
  MeetingDecision d;
  v1::Event& event = d.events.emplace_back();
  const v1::CommandOptions& options = OptionsOf(command);
  d.meeting_id = command.has_schedule() && command.schedule().meeting_id().empty() ? world.new_id
                                                                                    : std::string(MeetingIdOf(command));
  d.stream_id = MeetingStreamId(d.meeting_id);
  const v1::Meeting& meeting = state.Meeting(d.meeting_id);
  if (command.has_schedule() && !meeting.meeting_id().empty()) {
    return errors::AlreadyExists("meeting", d.meeting_id, absl::StrCat("meeting '", d.meeting_id, "' already exists"));
  }
  if (!command.has_schedule() && meeting.meeting_id().empty()) return NotFoundMeeting(d.meeting_id);
  SALESOPS_RETURN_IF_ERROR(CheckVersion("meeting", d.meeting_id, meeting.version(), options));
  d.expected_version = meeting.version();
  const MeetingRule& rule = MeetingRules()[static_cast<size_t>(command.command_case()) - 1];
  if (std::find(rule.allowed_from.begin(), rule.allowed_from.end(), meeting.status()) == rule.allowed_from.end()) {
    return MeetingNotAllowed(meeting, rule.action,
                             absl::StrCat(rule.action, " is allowed only when ",
                                          absl::StrJoin(rule.allowed_from, " or ",
                                                        [](std::string* out, v1::MeetingStatus s) {
                                                          absl::StrAppend(out, MeetingStatusName(s));
                                                        })));
  }
  switch (command.command_case()) {
    case M::kSchedule: {
      const v1::ScheduleMeetingRequest& r = command.schedule();
      if (!r.member_id().empty()) SALESOPS_RETURN_IF_ERROR(RequireActive(*world.team, "member_id", r.member_id()));
      const absl::Time starts_at = FromProtoTime(r.starts_at());
      if (starts_at > world.now + kMaxScheduleDistance || starts_at < world.now - kMaxScheduleDistance) {
        return absl::InvalidArgumentError("starts_at: must be within 366 days of now");
      }
      const absl::Time to = r.has_period_to() ? FromProtoTime(r.period_to()) : starts_at;
      const absl::Time from = r.has_period_from() ? FromProtoTime(r.period_from())
                                                  : DefaultPeriodFrom(state, r.member_id(), r.cadence(), starts_at);
      if (to > starts_at) return absl::InvalidArgumentError("period_to: must not be after starts_at");
      if (from >= to) return absl::InvalidArgumentError("period_from: must be before period_to (or starts_at)");
      v1::MeetingScheduled* e = event.mutable_meeting_scheduled();
      e->set_meeting_id(d.meeting_id);
      e->set_title(r.title());
      e->set_member_id(r.member_id());
      e->set_cadence(r.cadence());
      *e->mutable_starts_at() = r.starts_at();
      *e->mutable_period_from() = ToProtoTime(from);
      *e->mutable_period_to() = ToProtoTime(to);
      e->set_duration_minutes(r.duration_minutes() == 0 ? 60 : r.duration_minutes());
      return d;
    }
    case M::kCancel:
      event.mutable_meeting_cancelled()->set_reason(command.cancel().reason());
      return d;
    case M::kMinutes: {
      const v1::RecordMinutesRequest& r = command.minutes();
      if (occurred_at < FromProtoTime(meeting.starts_at())) {
        return MeetingNotAllowed(meeting, "RecordMinutes", "the meeting has not started yet");
      }
      if (meeting.minutes_revision() > 0 && r.correction_reason().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "correction_reason: required to correct minutes already recorded (revision ", meeting.minutes_revision(),
            ")"));
      }
      if (meeting.minutes_revision() == 0 && !r.correction_reason().empty()) {
        return absl::InvalidArgumentError("correction_reason: only for a correction of minutes already recorded");
      }
      for (int i = 0; i < r.attendees_size(); ++i) {
        if (world.team->Find(r.attendees(i)) == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("attendees[", i, "]: member '", r.attendees(i), "' is not in the team"));
        }
      }
      v1::MinutesRecorded* e = event.mutable_minutes_recorded();
      e->set_minutes(r.minutes());
      *e->mutable_attendees() = r.attendees();
      e->set_revision(meeting.minutes_revision() + 1);
      e->set_correction_reason(r.correction_reason());
      return d;
    }
    case M::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("command: is required");
}

absl::StatusOr<MeetingDecision> DecideActionItem(const MeetingsState& state, const v1::ActionItemCommand& command,
                                                 absl::string_view actor, const MeetingWorld& world) {
  MeetingDecision d;
  v1::Event& event = d.events.emplace_back();
  const v1::CommandOptions& options = OptionsOf(command);
  d.action_item_id = command.has_add() && command.add().action_item_id().empty() ? world.new_id
                                                                                  : std::string(ActionItemIdOf(command));
  d.stream_id = ActionItemStreamId(d.action_item_id);
  const v1::ActionItem& item = state.Item(d.action_item_id);
  if (command.has_add() && !item.action_item_id().empty()) {
    return errors::AlreadyExists("action_item", d.action_item_id,
                                 absl::StrCat("action item '", d.action_item_id, "' already exists"));
  }
  if (!command.has_add() && item.action_item_id().empty()) return NotFoundItem(d.action_item_id);
  SALESOPS_RETURN_IF_ERROR(CheckVersion("action_item", d.action_item_id, item.version(), options));
  d.expected_version = item.version();
  d.meeting_id = command.has_add() ? command.add().meeting_id() : item.meeting_id();
  const ActionItemRule& rule = ActionItemRules()[static_cast<size_t>(command.command_case()) - 1];
  if (std::find(rule.allowed_from.begin(), rule.allowed_from.end(), item.status()) == rule.allowed_from.end()) {
    return ItemNotAllowed(item, rule.action);
  }
  switch (command.command_case()) {
    case A::kAdd: {
      const v1::AddActionItemRequest& r = command.add();
      const v1::Meeting& meeting = state.Meeting(r.meeting_id());
      if (meeting.meeting_id().empty()) return NotFoundMeeting(r.meeting_id());
      if (meeting.status() == v1::MEETING_STATUS_CANCELLED) {
        return MeetingNotAllowed(meeting, "AddActionItem", "a cancelled meeting agrees no action items");
      }
      const absl::string_view owner = ItemOwnerOf(r, actor);
      SALESOPS_RETURN_IF_ERROR(RequireActive(*world.team, "owner", owner));
      if (!world.linked_lead_exists) {
        return errors::NotFound("lead", r.lead_id(), absl::StrCat("lead_id: lead '", r.lead_id(), "' not found"));
      }
      if (!world.linked_order_exists) {
        return errors::NotFound("order", r.order_id(), absl::StrCat("order_id: order '", r.order_id(), "' not found"));
      }
      if (!world.linked_ticket_exists) {
        return errors::NotFound("ticket", r.ticket_id(),
                                absl::StrCat("ticket_id: ticket '", r.ticket_id(), "' not found"));
      }
      v1::ActionItemAdded* e = event.mutable_action_item_added();
      e->set_action_item_id(d.action_item_id);
      e->set_meeting_id(r.meeting_id());
      e->set_owner(std::string(owner));
      e->set_title(r.title());
      e->set_description(r.description());
      e->set_due_date(r.due_date());
      e->set_lead_id(r.lead_id());
      e->set_order_id(r.order_id());
      e->set_ticket_id(r.ticket_id());
      return d;
    }
    case A::kComplete:
      event.mutable_action_item_completed()->set_note(command.complete().note());
      return d;
    case A::kCancel:
      event.mutable_action_item_cancelled()->set_reason(command.cancel().reason());
      return d;
    case A::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("command: is required");
}

void EvolveMeeting(MeetingsState& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  v1::Meeting& m = state.meetings[id];
  m.set_version(envelope.stream_version());
  *m.mutable_last_occurred_at() = envelope.occurred_at();
  switch (event.body_case()) {
    case v1::Event::kMeetingScheduled: {
      const v1::MeetingScheduled& e = event.meeting_scheduled();
      m.set_meeting_id(e.meeting_id());
      m.set_title(e.title());
      m.set_member_id(e.member_id());
      m.set_cadence(e.cadence());
      *m.mutable_starts_at() = e.starts_at();
      *m.mutable_period_from() = e.period_from();
      *m.mutable_period_to() = e.period_to();
      m.set_duration_minutes(e.duration_minutes());
      m.set_status(v1::MEETING_STATUS_SCHEDULED);
      m.set_organizer(envelope.actor());
      *m.mutable_scheduled_at() = envelope.occurred_at();
      break;
    }
    case v1::Event::kMinutesRecorded: {
      const v1::MinutesRecorded& e = event.minutes_recorded();
      m.set_minutes(e.minutes());
      *m.mutable_attendees() = e.attendees();
      m.set_minutes_revision(e.revision());
      m.set_status(v1::MEETING_STATUS_HELD);
      break;
    }
    case v1::Event::kMeetingCancelled:
      m.set_cancel_reason(event.meeting_cancelled().reason());
      m.set_status(v1::MEETING_STATUS_CANCELLED);
      break;
    default:
      break;
  }
}

void EvolveActionItem(MeetingsState& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  v1::ActionItem& item = state.items[id];
  item.set_version(envelope.stream_version());
  *item.mutable_last_occurred_at() = envelope.occurred_at();
  switch (event.body_case()) {
    case v1::Event::kActionItemAdded: {
      const v1::ActionItemAdded& e = event.action_item_added();
      item.set_action_item_id(e.action_item_id());
      item.set_meeting_id(e.meeting_id());
      item.set_owner(e.owner());
      item.set_title(e.title());
      item.set_description(e.description());
      item.set_due_date(e.due_date());
      item.set_lead_id(e.lead_id());
      item.set_order_id(e.order_id());
      item.set_ticket_id(e.ticket_id());
      item.set_status(v1::ACTION_ITEM_STATUS_OPEN);
      item.set_added_by(envelope.actor());
      *item.mutable_added_at() = envelope.occurred_at();
      break;
    }
    case v1::Event::kActionItemCompleted:
      item.set_status(v1::ACTION_ITEM_STATUS_DONE);
      item.set_note(event.action_item_completed().note());
      *item.mutable_closed_at() = envelope.occurred_at();
      break;
    case v1::Event::kActionItemCancelled:
      item.set_status(v1::ACTION_ITEM_STATUS_CANCELLED);
      item.set_note(event.action_item_cancelled().reason());
      *item.mutable_closed_at() = envelope.occurred_at();
      break;
    default:
      break;
  }
}

absl::Time DueEnd(absl::string_view due_date) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(due_date, &day)) return absl::InfiniteFuture();
  return absl::FromCivil(day + 1, absl::UTCTimeZone());
}

bool IsOverdue(const v1::ActionItem& item, absl::Time now) {
  return item.status() == v1::ACTION_ITEM_STATUS_OPEN && now >= DueEnd(item.due_date());
}

}  // namespace salesops::domain
