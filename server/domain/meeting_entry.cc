// The meeting and action item aggregates' entries in the composition
// (compose.h): authorization (sales managers run meetings; a member adds,
// completes and cancels its own action items), the business time, what the
// deciders need from the rest of the state (the team, the linked lead, order
// or ticket, the new id), the fold into State and the reply. Their own rules
// are meeting.h's.
#include "server/common/status_macros.h"
#include "server/domain/compose.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
namespace {

MeetingWorld WorldOf(const State& state, const DecideContext& context) {
  MeetingWorld world;
  world.team = &state.team;
  world.now = context.now;
  world.new_id = context.new_lead_id;
  return world;
}

void TakeDecision(MeetingDecision d, CommandDecision& decision) {
  decision.meeting_id = std::move(d.meeting_id);
  decision.action_item_id = std::move(d.action_item_id);
  decision.streams.push_back({std::move(d.stream_id), d.expected_version, std::move(d.events)});
}

absl::Status DecideMeetingEntry(const State& state, const v1::Command& command, const DecideContext& context,
                                CommandDecision& decision) {
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, ""));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  const v1::Meeting& meeting = state.meetings.Meeting(MeetingIdOf(command.meeting()));
  SALESOPS_ASSIGN_OR_RETURN(
      decision.occurred_at,
      BusinessTime(OptionsOf(command.meeting()), context.now,
                   meeting.has_last_occurred_at() ? FromProtoTime(meeting.last_occurred_at()) : absl::InfinitePast(),
                   "meeting"));
  SALESOPS_ASSIGN_OR_RETURN(MeetingDecision d,
                            DecideMeeting(state.meetings, command.meeting(), decision.occurred_at,
                                          WorldOf(state, context)));
  TakeDecision(std::move(d), decision);
  return absl::OkStatus();
}

absl::Status DecideActionItemEntry(const State& state, const v1::Command& command, const DecideContext& context,
                                   CommandDecision& decision) {
  const v1::ActionItemCommand& c = command.action_item();
  const v1::ActionItem& item = state.meetings.Item(ActionItemIdOf(c));
  // The owner the command concerns: the item's, or the one AddActionItem names.
  const absl::string_view owner = c.has_add() ? ItemOwnerOf(c.add(), context.actor) : absl::string_view(item.owner());
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, owner));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  SALESOPS_ASSIGN_OR_RETURN(
      decision.occurred_at,
      BusinessTime(OptionsOf(c), context.now,
                   item.has_last_occurred_at() ? FromProtoTime(item.last_occurred_at()) : absl::InfinitePast(),
                   "action item"));
  MeetingWorld world = WorldOf(state, context);
  if (c.has_add()) {
    world.linked_lead_exists = c.add().lead_id().empty() || state.Lead(c.add().lead_id()).exists;
    world.linked_order_exists = c.add().order_id().empty() || !state.Order(c.add().order_id()).order_id().empty();
    world.linked_ticket_exists =
        c.add().ticket_id().empty() || !state.Ticket(c.add().ticket_id()).ticket_id().empty();
  }
  SALESOPS_ASSIGN_OR_RETURN(MeetingDecision d, DecideActionItem(state.meetings, c, context.actor, world));
  TakeDecision(std::move(d), decision);
  return absl::OkStatus();
}

void EvolveMeetingEntry(State& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  EvolveMeeting(state.meetings, id, envelope);
}

void EvolveActionItemEntry(State& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  EvolveActionItem(state.meetings, id, envelope);
}

v1::CommandReply MeetingReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  v1::MeetingCommandReply* r = reply.mutable_meeting();
  r->set_meeting_id(decision.meeting_id);
  r->set_position(position);
  if (decision.action_item_id.empty()) {
    const v1::Meeting& meeting = state.meetings.Meeting(decision.meeting_id);
    r->set_version(meeting.version());
    r->set_meeting_status(meeting.status());
  } else {
    const v1::ActionItem& item = state.meetings.Item(decision.action_item_id);
    r->set_action_item_id(decision.action_item_id);
    r->set_version(item.version());
    r->set_action_item_status(item.status());
    r->set_meeting_status(state.meetings.Meeting(item.meeting_id()).status());
  }
  return reply;
}

absl::Status ValidateMeetingEntry(const v1::Command& command) { return ValidateMeetingCommand(command.meeting()); }
absl::Status ValidateActionItemEntry(const v1::Command& command) {
  return ValidateActionItemCommand(command.action_item());
}
const v1::CommandOptions& MeetingOptions(const v1::Command& command) { return OptionsOf(command.meeting()); }
const v1::CommandOptions& ActionItemOptions(const v1::Command& command) { return OptionsOf(command.action_item()); }

}  // namespace

const Aggregate kMeetingAggregate{
    "meeting",          v1::Command::kMeeting, kMeetingStreamPrefix, false, ValidateMeetingEntry, MeetingOptions,
    DecideMeetingEntry, EvolveMeetingEntry,   MeetingReply,
};

const Aggregate kActionItemAggregate{
    "action_item",         v1::Command::kActionItem, kActionItemStreamPrefix, false, ValidateActionItemEntry,
    ActionItemOptions,     DecideActionItemEntry,    EvolveActionItemEntry,   MeetingReply,
};

}  // namespace salesops::domain
