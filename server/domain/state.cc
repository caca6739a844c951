#include "server/domain/state.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/events.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {

const LeadState& State::Lead(absl::string_view lead_id) const {
  static const LeadState* const kNone = new LeadState();
  auto it = leads.find(lead_id);
  return it == leads.end() ? *kNone : it->second;
}

absl::Status ValidateCommand(const v1::Command& command) {
  if (command.has_lead()) return ValidateLeadCommand(command.lead());
  if (command.has_team()) return ValidateTeamCommand(command.team());
  return absl::InvalidArgumentError("command: is required");
}

const v1::CommandOptions& OptionsOf(const v1::Command& command) {
  if (command.has_lead()) return OptionsOf(command.lead());
  if (command.has_team()) return OptionsOf(command.team());
  return v1::CommandOptions::default_instance();
}

v1::CommandOptions* MutableOptionsOf(v1::Command& command) {
  // Command -> the aggregate's command (LeadCommand, TeamCommand) -> the
  // request in its oneof -> its "options" field.
  google::protobuf::Message* message = &command;
  for (int depth = 0; depth < 2; ++depth) {
    const google::protobuf::Reflection* r = message->GetReflection();
    const google::protobuf::OneofDescriptor* oneof = message->GetDescriptor()->oneof_decl(0);
    const google::protobuf::FieldDescriptor* set = r->GetOneofFieldDescriptor(*message, oneof);
    if (set == nullptr) return nullptr;
    message = r->MutableMessage(message, set);
  }
  const google::protobuf::FieldDescriptor* options = message->GetDescriptor()->FindFieldByName("options");
  if (options == nullptr) return nullptr;
  return static_cast<v1::CommandOptions*>(message->GetReflection()->MutableMessage(message, options));
}

bool NeedsNewLeadId(const v1::Command& command) {
  return command.has_lead() && command.lead().has_identify() && command.lead().identify().lead_id().empty();
}

namespace {

// The owner a new lead gets: the named one (an active SALES_REP), else the
// caller when it is a SALES_REP.
absl::StatusOr<std::string> OwnerOfNewLead(const TeamState& team, const v1::IdentifyLeadRequest& request,
                                           absl::string_view actor) {
  if (request.owner().empty()) {
    const v1::Member* self = team.Find(actor);
    if (self != nullptr && HasRole(*self, v1::ROLE_SALES_REP)) return std::string(actor);
    return absl::InvalidArgumentError("owner: required when the caller is not a SALES_REP");
  }
  const v1::Member* owner = team.Find(request.owner());
  if (owner == nullptr || !owner->active() || !HasRole(*owner, v1::ROLE_SALES_REP)) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner: member '", request.owner(), "' is not an active SALES_REP"));
  }
  return request.owner();
}

}  // namespace

absl::StatusOr<CommandDecision> Decide(const State& state, const v1::Command& command,
                                       const DecideContext& context) {
  SALESOPS_RETURN_IF_ERROR(ValidateCommand(command));
  CommandDecision decision;
  if (command.has_lead()) {
    const v1::LeadCommand& lead_command = command.lead();
    const std::string lead_id =
        NeedsNewLeadId(command) ? context.new_lead_id : std::string(LeadIdOf(lead_command));
    const LeadState& lead = state.Lead(lead_id);
    SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, lead.owner));
    v1::LeadCommand effective = lead_command;
    if (lead_command.has_identify()) {
      SALESOPS_ASSIGN_OR_RETURN(std::string owner,
                                OwnerOfNewLead(state.team, lead_command.identify(), context.actor));
      effective.mutable_identify()->set_owner(owner);
    }
    SALESOPS_ASSIGN_OR_RETURN(Decision d, DecideLead(lead, effective, context));
    decision.stream_id = LeadStreamId(d.lead_id);
    decision.expected_version = lead.version;
    decision.occurred_at = d.occurred_at;
    decision.events = std::move(d.events);
    decision.acted_as = auth.acted_as;
    decision.override_reason = std::move(auth.override_reason);
    decision.lead_id = std::move(d.lead_id);
    return decision;
  }
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, ""));
  const v1::CommandOptions& options = OptionsOf(command);
  decision.occurred_at = options.has_occurred_at() ? FromProtoTime(options.occurred_at()) : context.now;
  if (decision.occurred_at > context.now || decision.occurred_at < state.team.last_occurred_at) {
    return absl::InvalidArgumentError(
        "options.occurred_at: must not be in the future nor before the team's previous event");
  }
  SALESOPS_ASSIGN_OR_RETURN(decision.events, DecideTeam(state.team, command.team()));
  decision.stream_id = std::string(kTeamStreamId);
  decision.expected_version = state.team.version;
  decision.acted_as = auth.acted_as;
  decision.member_id = std::string(MemberIdOf(command.team()));
  return decision;
}

void Evolve(State& state, const v1::EventEnvelope& envelope) {
  const std::string& stream = envelope.stream_id();
  if (absl::StartsWith(stream, kLeadStreamPrefix)) {
    EvolveLead(state.leads[absl::string_view(stream).substr(kLeadStreamPrefix.size())], envelope);
  } else if (stream == kTeamStreamId) {
    EvolveTeam(state.team, envelope);
  }
}

v1::CommandReply MakeReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  if (!decision.lead_id.empty()) {
    const LeadState& lead = state.Lead(decision.lead_id);
    v1::LeadCommandReply* r = reply.mutable_lead();
    r->set_lead_id(decision.lead_id);
    r->set_version(lead.version);
    r->set_position(position);
    r->set_stage(lead.stage);
  } else {
    v1::TeamCommandReply* r = reply.mutable_team();
    r->set_member_id(decision.member_id);
    r->set_version(state.team.version);
    r->set_position(position);
  }
  return reply;
}

}  // namespace salesops::domain
