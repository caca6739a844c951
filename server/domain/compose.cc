// The composition point: the aggregates and the process steps (compose.h
// says how to add one), and the decide path that dispatches through them.
#include "server/domain/compose.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {

absl::Span<const Aggregate* const> Aggregates() {
  // One line per aggregate; the order is the v1::Command oneof's.
  static const Aggregate* const kAll[] = {
      &kLeadAggregate,
      &kTeamAggregate,
      &kOrderAggregate,
      &kTicketAggregate,
      &kMeetingAggregate,
      &kActionItemAggregate,
      &kReviewFeedbackAggregate,
      &kTrainingAggregate,
      &kAccountAggregate,  // no commands: only a process step writes to it
  };
  return kAll;
}

absl::Span<const ProcessStep* const> ProcessSteps() {
  // One line per cross-aggregate step, run in this order after the command's
  // own aggregate has decided.
  static const ProcessStep* const kAll[] = {
      &kIdentifiedLeadOpensAccount,
      &kWonDealOpensOrder,
      &kLowSurveyOpensFollowUp,
  };
  return kAll;
}

const Aggregate* AggregateFor(v1::Command::KindCase kind) {
  if (kind == v1::Command::KIND_NOT_SET) return nullptr;  // not the accounts' "no command"
  for (const Aggregate* aggregate : Aggregates()) {
    if (aggregate->command == kind) return aggregate;
  }
  return nullptr;
}

const Aggregate* AggregateOfStream(absl::string_view stream_id, absl::string_view* id) {
  for (const Aggregate* aggregate : Aggregates()) {
    if (aggregate->single_stream ? stream_id == aggregate->stream_prefix
                                 : absl::StartsWith(stream_id, aggregate->stream_prefix)) {
      *id = stream_id.substr(aggregate->single_stream ? stream_id.size() : aggregate->stream_prefix.size());
      return aggregate;
    }
  }
  return nullptr;
}

absl::StatusOr<absl::Time> BusinessTime(const v1::CommandOptions& options, absl::Time now, absl::Time previous,
                                        absl::string_view stream) {
  const absl::Time t = options.has_occurred_at() ? FromProtoTime(options.occurred_at()) : now;
  if (t > now || t < previous) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.occurred_at: must not be in the future nor before the ", stream, "'s previous event"));
  }
  return t;
}

void MoveLoad(Workload& workload, const std::string& from, const std::string& to, uint64_t position) {
  if (from == to) return;
  if (!from.empty()) --workload[from].open_items;
  if (!to.empty()) {
    MemberLoad& load = workload[to];
    ++load.open_items;
    load.last_assigned_position = position;
  }
}

absl::Status ValidateCommand(const v1::Command& command) {
  const Aggregate* aggregate = AggregateFor(command.kind_case());
  if (aggregate == nullptr) return absl::InvalidArgumentError("command: is required");
  return aggregate->validate(command);
}

absl::StatusOr<ValidatedCommand> Validate(const v1::Command& command) {
  SALESOPS_RETURN_IF_ERROR(ValidateCommand(command));
  return ValidatedCommand(command);
}

const v1::CommandOptions& OptionsOf(const v1::Command& command) {
  const Aggregate* aggregate = AggregateFor(command.kind_case());
  return aggregate == nullptr ? v1::CommandOptions::default_instance() : aggregate->options(command);
}

absl::StatusOr<CommandDecision> Decide(const State& state, const v1::Command& command,
                                       const DecideContext& context) {
  SALESOPS_ASSIGN_OR_RETURN(const ValidatedCommand valid, Validate(command));
  return Decide(state, valid, context);
}

absl::StatusOr<CommandDecision> Decide(const State& state, const ValidatedCommand& valid,
                                       const DecideContext& context) {
  const v1::Command& command = valid.command();
  // Not null: validation refuses a command without a kind.
  const Aggregate& aggregate = *AggregateFor(command.kind_case());
  CommandDecision decision;
  decision.kind = command.kind_case();
  SALESOPS_RETURN_IF_ERROR(aggregate.decide(state, command, context, decision));
  // The process steps react to the events just decided (not to those they
  // add themselves), in the same atomic decision.
  std::vector<StreamDecision> caused;
  for (const StreamDecision& stream : decision.streams) {
    for (const v1::Event& event : stream.events) {
      for (const ProcessStep* step : ProcessSteps()) {
        if (step->on != event.body_case()) continue;
        SALESOPS_RETURN_IF_ERROR(step->react(state, DecidedEvent{command, stream.stream_id, event}, caused));
      }
    }
  }
  for (StreamDecision& stream : caused) decision.streams.push_back(std::move(stream));
  return decision;
}

void Evolve(State& state, const v1::EventEnvelope& envelope) {
  absl::string_view id;
  if (const Aggregate* aggregate = AggregateOfStream(envelope.stream_id(), &id)) {
    aggregate->evolve(state, id, envelope);
  }
}

v1::CommandReply MakeReply(const State& state, const CommandDecision& decision, uint64_t position) {
  return AggregateFor(decision.kind)->reply(state, decision, position);
}

}  // namespace salesops::domain
