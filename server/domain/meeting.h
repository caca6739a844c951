// The meeting deciders: team meetings and one-to-ones (stream
// "meeting-<meeting_id>") and their action items (stream
// "action-<action_item_id>", one per item, so an owner completing its item
// never races the meeting's other items). Pure. The state is the Meeting and
// ActionItem read models themselves (meetings are few: a team holds a few
// hundred a year).
#ifndef SALESOPS_SERVER_DOMAIN_MEETING_H_
#define SALESOPS_SERVER_DOMAIN_MEETING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "salesops/v1/meetings.pb.h"
#include "server/domain/team.h"

namespace salesops::domain {

inline constexpr absl::string_view kMeetingStreamPrefix = "meeting-";
inline constexpr absl::string_view kActionItemStreamPrefix = "action-";
std::string MeetingStreamId(absl::string_view meeting_id);
std::string ActionItemStreamId(absl::string_view action_item_id);

inline constexpr size_t kMaxMinutesChars = 20000;
inline constexpr size_t kMaxAttendees = 200;
inline constexpr uint32_t kMaxMeetingMinutes = 1440;

// "HELD" for MEETING_STATUS_HELD; "DONE" for ACTION_ITEM_STATUS_DONE.
std::string MeetingStatusName(v1::MeetingStatus status);
std::string ActionItemStatusName(v1::ActionItemStatus status);

struct MeetingsState {
  absl::node_hash_map<std::string, v1::Meeting> meetings;     // action_items left empty
  absl::node_hash_map<std::string, v1::ActionItem> items;

  // The meeting (an empty Meeting for an unknown id).
  const v1::Meeting& Meeting(absl::string_view meeting_id) const;
  // The action item (an empty ActionItem for an unknown id).
  const v1::ActionItem& Item(absl::string_view action_item_id) const;
  // The start of the latest meeting of the same scope (member_id, "" for the
  // team) starting before `before` that was not cancelled; nullopt if none.
  std::optional<absl::Time> PreviousStart(absl::string_view member_id, absl::Time before) const;
};

absl::string_view MeetingIdOf(const v1::MeetingCommand& command);
absl::string_view ActionItemIdOf(const v1::ActionItemCommand& command);
const v1::CommandOptions& OptionsOf(const v1::MeetingCommand& command);
const v1::CommandOptions& OptionsOf(const v1::ActionItemCommand& command);
// True for a ScheduleMeeting without a meeting id or an AddActionItem
// without an action item id (the caller draws one into
// DecideContext::new_lead_id).
bool NeedsNewMeetingId(const v1::Command& command);
bool NeedsNewActionItemId(const v1::Command& command);

// INVALID_ARGUMENT naming every malformed field.
absl::Status ValidateMeetingCommand(const v1::MeetingCommand& command);
absl::Status ValidateActionItemCommand(const v1::ActionItemCommand& command);

// What the meeting deciders need to know about the rest of the state.
struct MeetingWorld {
  const TeamState* team = nullptr;
  absl::Time now;
  std::string new_id;  // for a command without its id (NeedsNewMeetingId)
  bool linked_lead_exists = true;    // AddActionItem's lead_id (when set) names a lead
  bool linked_order_exists = true;   // ... order_id an order
  bool linked_ticket_exists = true;  // ... ticket_id a ticket
};

struct MeetingDecision {
  std::string stream_id;
  uint64_t expected_version = 0;
  std::vector<v1::Event> events;  // one
  std::string meeting_id;
  std::string action_item_id;  // for action item commands
};

// Decide a validated command by `actor` (authorized) at `occurred_at`.
// Errors: NOT_FOUND, ALREADY_EXISTS, ABORTED (expected_version),
// FAILED_PRECONDITION (the status does not allow it, MeetingRules() /
// ActionItemRules()), INVALID_ARGUMENT (a member that is not active, a
// period after the start, a correction without its reason).
absl::StatusOr<MeetingDecision> DecideMeeting(const MeetingsState& state, const v1::MeetingCommand& command,
                                              absl::Time occurred_at, const MeetingWorld& world);
absl::StatusOr<MeetingDecision> DecideActionItem(const MeetingsState& state, const v1::ActionItemCommand& command,
                                                 absl::string_view actor, const MeetingWorld& world);

// The status rules as data: the statuses each command is allowed from.
struct MeetingRule {
  absl::string_view action;
  std::vector<v1::MeetingStatus> allowed_from;
};
const std::vector<MeetingRule>& MeetingRules();  // by v1::MeetingCommand case (1-based - 1)
struct ActionItemRule {
  absl::string_view action;
  std::vector<v1::ActionItemStatus> allowed_from;
};
const std::vector<ActionItemRule>& ActionItemRules();  // by v1::ActionItemCommand case (1-based - 1)

// The owner an AddActionItem gives its item: the named one, else the actor.
absl::string_view ItemOwnerOf(const v1::AddActionItemRequest& request, absl::string_view actor);

// Fold one committed event of the meeting (or action item) stream `id`.
void EvolveMeeting(MeetingsState& state, absl::string_view id, const v1::EventEnvelope& envelope);
void EvolveActionItem(MeetingsState& state, absl::string_view id, const v1::EventEnvelope& envelope);

// The end of an action item's due date (the start of the next UTC day); an
// item is overdue from then while OPEN.
absl::Time DueEnd(absl::string_view due_date);
bool IsOverdue(const v1::ActionItem& item, absl::Time now);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_MEETING_H_
