// The training aggregate's entry in the composition (compose.h):
// authorization (a SALES_MANAGER or ADMIN records sessions and attendance),
// the business time, what the decider needs from the rest of the state, the
// fold into State and the reply. Its own rules are training.h's.
#include "server/common/status_macros.h"
#include "server/domain/compose.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
namespace {

absl::Status DecideTrainingEntry(const State& state, const v1::Command& command, const DecideContext& context,
                                 CommandDecision& decision) {
  const v1::TrainingCommand& c = command.training();
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, ""));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  const v1::TrainingSession& session = state.training.Find(TrainingSessionIdOf(c));
  absl::Time previous = session.has_recorded_at() ? FromProtoTime(session.recorded_at()) : absl::InfinitePast();
  for (const v1::TrainingAttendance& a : session.attendance()) {
    previous = std::max(previous, FromProtoTime(a.recorded_at()));
  }
  SALESOPS_ASSIGN_OR_RETURN(decision.occurred_at, BusinessTime(OptionsOf(c), context.now, previous, "training"));
  SALESOPS_ASSIGN_OR_RETURN(TrainingDecision d,
                            DecideTraining(state.training, c, TrainingWorld{&state.team, context.now}));
  decision.session_id = std::string(TrainingSessionIdOf(c));
  if (c.has_record_attendance()) decision.member_id = c.record_attendance().member_id();
  decision.streams.push_back({std::move(d.stream_id), d.expected_version, std::move(d.events)});
  return absl::OkStatus();
}

void EvolveTrainingEntry(State& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  EvolveTraining(state.training, id, envelope);
}

v1::CommandReply TrainingReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  v1::TrainingCommandReply* r = reply.mutable_training();
  const v1::TrainingSession& session = state.training.Find(decision.session_id);
  r->set_session_id(decision.session_id);
  r->set_stream_version(session.stream_version());
  r->set_position(position);
  if (!decision.member_id.empty()) {
    r->set_member_id(decision.member_id);
    for (const v1::TrainingAttendance& a : session.attendance()) {
      if (a.member_id() == decision.member_id) r->set_minutes(a.minutes());
    }
  }
  return reply;
}

absl::Status ValidateTrainingEntry(const v1::Command& command) { return ValidateTrainingCommand(command.training()); }
const v1::CommandOptions& TrainingOptions(const v1::Command& command) { return OptionsOf(command.training()); }

}  // namespace

const Aggregate kTrainingAggregate{
    "training",        v1::Command::kTraining, kTrainingStreamPrefix, false, ValidateTrainingEntry,
    TrainingOptions,   DecideTrainingEntry,    EvolveTrainingEntry,   TrainingReply,
};

}  // namespace salesops::domain
