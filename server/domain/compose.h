// The composition of the deciders (internal to server/domain): every
// aggregate the write path decides, as one entry keyed by its v1::Command
// oneof case and its streams, and the process steps that react to decided
// events across aggregates. domain::ValidateCommand, Decide, Evolve and
// MakeReply (state.h) dispatch through these two tables and nothing else.
//
// HOW TO ADD AN AGGREGATE (e.g. meetings):
//   1. proto: its command message as a new case of v1::Command's oneof, its
//      events as new cases of v1::Event (and a state message if its state
//      is a proto, as v1::Order is).
//   2. one module server/domain/<name>.{h,cc} with the aggregate's own
//      initial state (a default-constructed value), Validate<Name>Command,
//      Decide<Name> (its state and a validated command -> events or error;
//      no validation inside: Decide validated once), Evolve<Name> and its
//      rules table <Name>Rules() (action, allowed-from states), as lead.h,
//      order.h and ticket.h do; and server/domain/<name>_entry.cc defining
//      its `extern const Aggregate k<Name>Aggregate` (authorize with
//      Authorize, read its state from State, check members with
//      RequireActiveMember, hand work off with Choose, fold into State,
//      reply).
//   3. a map of its states in State (state.h), by the id in its stream id.
//   4. one line in Aggregates() (compose.cc) and its commands' rows in the
//      responsibility table (policy.cc: RowOf, ResponsibilityTable).
// A cross-aggregate rule ("a low survey opens a follow-up item") is not
// written into a decider: it is a ProcessStep, one line in ProcessSteps()
// (compose.cc), reacting to the event that triggers it.
#ifndef SALESOPS_SERVER_DOMAIN_COMPOSE_H_
#define SALESOPS_SERVER_DOMAIN_COMPOSE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/state.h"

namespace salesops::domain {

// One aggregate as the composition sees it. Plain function pointers: the
// hot write path dispatches with one table lookup, no std::function.
struct Aggregate {
  absl::string_view name;               // "lead"
  // The v1::Command case it decides; KIND_NOT_SET for an aggregate without
  // commands, written to only by process steps (accounts), whose validate,
  // options, decide and reply are null.
  v1::Command::KindCase command;
  // Its streams: "<stream_prefix><id>" ("lead-acme-1"), or, when
  // `single_stream`, the one stream named stream_prefix ("team").
  absl::string_view stream_prefix;
  bool single_stream = false;

  // INVALID_ARGUMENT naming the field; depends on nothing but the command.
  absl::Status (*validate)(const v1::Command& command);
  // The command's options (a default instance when it has none).
  const v1::CommandOptions& (*options)(const v1::Command& command);
  // Authorizes and decides a command that passed `validate` against the
  // state, filling `decision` (its streams, business time, acted_as, what
  // the reply names). Leaves the process steps to Decide.
  absl::Status (*decide)(const State& state, const v1::Command& command, const DecideContext& context,
                         CommandDecision& decision);
  // Folds one committed event of its stream `id` (the stream id without
  // the prefix; empty for a single stream) into the state.
  void (*evolve)(State& state, absl::string_view id, const v1::EventEnvelope& envelope);
  // The reply to a decision it made, folded, last event at `position`.
  v1::CommandReply (*reply)(const State& state, const CommandDecision& decision, uint64_t position);
};

// Every aggregate, one line each (compose.cc).
absl::Span<const Aggregate* const> Aggregates();

// The aggregate deciding `kind`; null for KIND_NOT_SET.
const Aggregate* AggregateFor(v1::Command::KindCase kind);

// The aggregate owning `stream_id` and, in `id`, the id in it; null for a
// stream no aggregate owns.
const Aggregate* AggregateOfStream(absl::string_view stream_id, absl::string_view* id);

// An event a command has just decided, as a process step sees it.
struct DecidedEvent {
  const v1::Command& command;   // the cause (its options: assign_to, ...)
  absl::string_view stream_id;  // the stream the event is decided for
  const v1::Event& event;
};

// A cross-aggregate step: when a decision contains an event of kind `on`,
// `react` appends to `caused` what other streams must record in the same
// atomic batch (the caller adds them to the decision after the decided
// streams). Reacts to decided, not yet committed, events against the state
// the command was decided against.
struct ProcessStep {
  absl::string_view name;  // "a won deal opens an order handed to SALES_SUPPORT"
  v1::Event::BodyCase on;
  absl::Status (*react)(const State& state, const DecidedEvent& decided, std::vector<StreamDecision>& caused);
};

// Every process step, in the order they run (compose.cc).
absl::Span<const ProcessStep* const> ProcessSteps();

// The aggregates' entries (<name>_entry.cc) and the process steps
// (process_steps.cc).
extern const Aggregate kLeadAggregate;
extern const Aggregate kTeamAggregate;
extern const Aggregate kOrderAggregate;
extern const Aggregate kTicketAggregate;
extern const Aggregate kMeetingAggregate;
extern const Aggregate kActionItemAggregate;
extern const Aggregate kReviewFeedbackAggregate;
extern const Aggregate kTrainingAggregate;
extern const Aggregate kAccountAggregate;
extern const ProcessStep kIdentifiedLeadOpensAccount;
extern const ProcessStep kWonDealOpensOrder;
extern const ProcessStep kLowSurveyOpensFollowUp;

// Helpers the entries share.

// The business time of a command: options.occurred_at when set, else now;
// never in the future nor before the stream's previous event (`previous`).
absl::StatusOr<absl::Time> BusinessTime(const v1::CommandOptions& options, absl::Time now, absl::Time previous,
                                        absl::string_view stream);

// An open item moved from `from` to `to` (either may be empty: nobody).
void MoveLoad(Workload& workload, const std::string& from, const std::string& to, uint64_t position);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_COMPOSE_H_
