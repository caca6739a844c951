// The whole decider state (every aggregate the write path decides against)
// and the one decide path every command goes through:
//
//   Validate(command)                  -> ValidatedCommand | error  (once per decision)
//   Decide(state, command, context)    -> decision | error   (the command's aggregate
//                                         authorizes and decides, then the process steps react)
//   Evolve(state, envelope)                                   (fold one committed event)
//
// The aggregates and the process steps are composed in one place,
// compose.cc (compose.h says how to add an aggregate). Pure: no I/O, no
// clock; time and new ids arrive in DecideContext.
#ifndef SALESOPS_SERVER_DOMAIN_STATE_H_
#define SALESOPS_SERVER_DOMAIN_STATE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/account.h"
#include "server/domain/handoff.h"
#include "server/domain/lead.h"
#include "server/domain/meeting.h"
#include "server/domain/review_feedback.h"
#include "server/domain/training.h"
#include "server/domain/order.h"
#include "server/domain/team.h"
#include "server/domain/ticket.h"

namespace salesops::domain {

struct State {
  TeamState team;
  // Node maps: growing one moves pointers, not the aggregates (a replay
  // grows them to the whole log's size).
  absl::node_hash_map<std::string, LeadState> leads;
  absl::node_hash_map<std::string, v1::Order> orders;
  absl::node_hash_map<std::string, v1::Ticket> tickets;
  Workload workload;  // open items per member (handoff.h)
  MeetingsState meetings;  // meetings and action items (meeting.h)
  FeedbackState feedback;  // review feedback (review_feedback.h)
  TrainingState training;  // training sessions and attendance (training.h)
  AccountsState accounts;  // customer accounts (account.h)

  // The lead's state (a default, non-existing state for an unknown id).
  const LeadState& Lead(absl::string_view lead_id) const;
  // The order (an empty Order for an unknown id).
  const v1::Order& Order(absl::string_view order_id) const;
  // The ticket (an empty Ticket for an unknown id).
  const v1::Ticket& Ticket(absl::string_view ticket_id) const;
};

// The events one command appends to one stream.
struct StreamDecision {
  std::string stream_id;
  uint64_t expected_version = 0;  // the stream's version the events follow
  std::vector<v1::Event> events;  // never empty
};

// What one command appends (to one or more streams, atomically), and how.
struct CommandDecision {
  v1::Command::KindCase kind = v1::Command::KIND_NOT_SET;  // the aggregate that decided
  // Never empty: the command's own stream first, then what the process
  // steps added (a WinDeal also opens the order).
  std::vector<StreamDecision> streams;
  absl::Time occurred_at;
  v1::Role acted_as = v1::ROLE_UNSPECIFIED;
  std::string override_reason;
  std::string lead_id;    // for lead commands
  std::string member_id;  // for team and review feedback commands
  std::string period;     // for review feedback commands
  std::string session_id;  // for training commands
  std::string order_id;   // for order commands
  bool ticket_reply = false;  // for support commands: reply with ticket_id (maybe empty)
  std::string ticket_id;
  std::string meeting_id;      // for meeting and action item commands
  std::string action_item_id;  // for action item commands
};

// Checks that `command` is well formed (INVALID_ARGUMENT naming the field;
// "command: is required" for a command without a kind).
absl::Status ValidateCommand(const v1::Command& command);

// A command that passed ValidateCommand: the proof that validation ran, so
// that it runs once per decision. Refers to the command (which must outlive
// it); only Validate makes one.
class ValidatedCommand {
 public:
  const v1::Command& command() const { return *command_; }

 private:
  friend absl::StatusOr<ValidatedCommand> Validate(const v1::Command& command);
  explicit ValidatedCommand(const v1::Command& command) : command_(&command) {}
  const v1::Command* command_;
};

// ValidateCommand's errors, or the command as validated.
absl::StatusOr<ValidatedCommand> Validate(const v1::Command& command);

// The command's options; a default instance for commands without any.
const v1::CommandOptions& OptionsOf(const v1::Command& command);

// The command's options for writing (created when absent); null for a
// command without a kind.
v1::CommandOptions* MutableOptionsOf(v1::Command& command);

// True for an IdentifyLead without a lead id or an OpenTicket without a
// ticket id (the caller draws one into DecideContext::new_lead_id).
bool NeedsNewLeadId(const v1::Command& command);
bool NeedsNewTicketId(const v1::Command& command);

// Validates `command` (ValidateCommand: an invalid command is refused with
// INVALID_ARGUMENT before the state is consulted), then decides it as the
// overload below. Errors: those of ValidateCommand, Authorize, DecideLead,
// DecideTeam, DecideOrder, DecideTicket, DecideMeeting and DecideActionItem
// (meeting.h); for IdentifyLead also INVALID_ARGUMENT when the owner is not
// an active SALES_REP (or none is named by a caller that is not one); for
// AssignLead FAILED_PRECONDITION when the lead awaits its owning rep (use
// ChangeOwner) or the assignee does not hold the awaited role;
// INVALID_ARGUMENT for options.assign_to on a command that enters no stage;
// for RecordSurvey NOT_FOUND, FAILED_PRECONDITION (not WON, ticket not
// resolved, survey already recorded), ABORTED (expected_version).
absl::StatusOr<CommandDecision> Decide(const State& state, const v1::Command& command,
                                       const DecideContext& context);

// Decides an already validated command (the sequencer validates before its
// idempotency check, then decides with this, so nothing validates twice):
// the command's aggregate authorizes (policy.h) and decides it, then every
// process step reacting to a decided event adds its streams (compose.h).
// Errors: as above, without ValidateCommand's.
absl::StatusOr<CommandDecision> Decide(const State& state, const ValidatedCommand& command,
                                       const DecideContext& context);

// Folds one committed event into the state.
void Evolve(State& state, const v1::EventEnvelope& envelope);

// The reply to a decided and folded command whose last event is at `position`.
v1::CommandReply MakeReply(const State& state, const CommandDecision& decision, uint64_t position);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_STATE_H_
