// The team aggregate's entry in the composition (compose.h): authorization,
// the business time, the fold into State and the reply. The team's own
// rules are DecideTeam's (team.h).
#include "server/common/status_macros.h"
#include "server/domain/compose.h"
#include "server/domain/policy.h"

namespace salesops::domain {
namespace {

absl::Status DecideTeamEntry(const State& state, const v1::Command& command, const DecideContext& context,
                             CommandDecision& decision) {
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, ""));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  SALESOPS_ASSIGN_OR_RETURN(decision.occurred_at, BusinessTime(OptionsOf(command.team()), context.now,
                                                               state.team.last_occurred_at, "team"));
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::Event> events, DecideTeam(state.team, command.team()));
  decision.streams.push_back({std::string(kTeamStreamId), state.team.version, std::move(events)});
  decision.member_id = std::string(MemberIdOf(command.team()));
  return absl::OkStatus();
}

void EvolveTeamEntry(State& state, absl::string_view /*id*/, const v1::EventEnvelope& envelope) {
  EvolveTeam(state.team, envelope);
}

v1::CommandReply TeamReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  v1::TeamCommandReply* r = reply.mutable_team();
  r->set_member_id(decision.member_id);
  r->set_version(state.team.version);
  r->set_position(position);
  return reply;
}

absl::Status ValidateTeamEntry(const v1::Command& command) { return ValidateTeamCommand(command.team()); }
const v1::CommandOptions& TeamOptions(const v1::Command& command) { return OptionsOf(command.team()); }

}  // namespace

const Aggregate kTeamAggregate{
    "team",          v1::Command::kTeam, kTeamStreamId, true, ValidateTeamEntry, TeamOptions,
    DecideTeamEntry, EvolveTeamEntry,   TeamReply,
};

}  // namespace salesops::domain
