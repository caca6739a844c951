// The lead aggregate's entry in the composition (compose.h): authorization,
// the new lead's owner, the hand-off after a stage change, the fold into
// State and the reply. The lead's own rules are DecideLead's (lead.h).
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/compose.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
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
  SALESOPS_RETURN_IF_ERROR(
      RequireActiveMember(team, request.owner(), v1::ROLE_SALES_REP, "owner", MemberCheck::kNamed));
  return request.owner();
}

// Completes a lead decision with its hand-off: for AssignLead, checks the
// named member and explains; otherwise, when the lead's next role or member
// changes, appends the LeadAssigned the hand-off rule chooses.
absl::Status AddHandOff(const State& state, const LeadState& lead, const v1::LeadCommand& command,
                        absl::string_view actor, Decision& d) {
  if (command.has_assign()) {
    if (lead.awaiting_role == v1::ROLE_SALES_REP) {
      return errors::NotAllowedIn(errors::kStageNotAllowed, "lead", command.assign().lead_id(), "AWAITING_ROLE",
                                  "awaiting_role", "SALES_REP", "AssignLead",
                                  "the lead awaits its owning SALES_REP; to hand it to another rep, use ChangeOwner");
    }
    SALESOPS_RETURN_IF_ERROR(RequireActiveMember(state.team, command.assign().assignee(), lead.awaiting_role,
                                                 "assignee", MemberCheck::kEligible,
                                                 absl::StrCat(" (the lead awaits ", RoleName(lead.awaiting_role), ")")));
    *d.events.back().mutable_lead_assigned()->mutable_explanation() =
        ExplainManual(state.team, state.workload, lead.awaiting_role, actor);
    return absl::OkStatus();
  }
  // The hand-off rule runs when the lead enters a stage (or changes owner);
  // other commands leave the assignment alone.
  const bool enters_stage = !d.events.empty() && TransitionOf(d.events.front()).has_value();
  if (!enters_stage && !command.has_change_owner()) {
    if (!OptionsOf(command).assign_to().empty()) {
      return absl::InvalidArgumentError(
          "options.assign_to: only for a command that moves the lead into a stage (use AssignLead)");
    }
    return absl::OkStatus();
  }
  // The lead as it will be after the decided events.
  LeadState after = lead;
  uint64_t version = lead.version;
  for (const v1::Event& event : d.events) {
    v1::EventEnvelope e;
    e.set_stream_version(++version);
    *e.mutable_occurred_at() = ToProtoTime(d.occurred_at);
    *e.mutable_event() = event;
    EvolveLead(after, e);
  }
  if (!IsOpenStage(after.stage)) return absl::OkStatus();
  v1::LeadAssigned assigned = ChooseAssignee(state.team, state.workload, after, OptionsOf(command).assign_to());
  if (assigned.assignee() != after.assignee || assigned.role() != after.awaiting_role) {
    *d.events.emplace_back().mutable_lead_assigned() = std::move(assigned);
  }
  return absl::OkStatus();
}

absl::Status DecideLeadEntry(const State& state, const v1::Command& command, const DecideContext& context,
                             CommandDecision& decision) {
  const v1::LeadCommand& lead_command = command.lead();
  const std::string lead_id = NeedsNewLeadId(command) ? context.new_lead_id : std::string(LeadIdOf(lead_command));
  const LeadState& lead = state.Lead(lead_id);
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth,
                            Authorize(state.team, context.actor, command, lead.owner, lead.awaiting_role));
  // Only IdentifyLead needs a changed copy (the resolved owner and
  // account); every other command is decided as sent, without copying it.
  v1::LeadCommand with_owner;
  if (lead_command.has_identify()) {
    SALESOPS_ASSIGN_OR_RETURN(std::string owner, OwnerOfNewLead(state.team, lead_command.identify(), context.actor));
    with_owner = lead_command;
    with_owner.mutable_identify()->set_owner(owner);
    if (!lead.exists) {  // identifying an existing lead is refused by DecideLead
      SALESOPS_ASSIGN_OR_RETURN(ResolvedAccount account,
                                ResolveAccount(state.accounts, lead_command.identify(), lead_id));
      with_owner.mutable_identify()->set_account_id(std::move(account.account_id));
    }
  }
  const v1::LeadCommand& effective = lead_command.has_identify() ? with_owner : lead_command;
  if (lead_command.has_change_owner()) {
    SALESOPS_RETURN_IF_ERROR(RequireActiveMember(state.team, lead_command.change_owner().owner(), v1::ROLE_SALES_REP,
                                                 "owner", MemberCheck::kNamed));
  }
  SALESOPS_ASSIGN_OR_RETURN(Decision d, DecideLead(lead, effective, context));
  SALESOPS_RETURN_IF_ERROR(AddHandOff(state, lead, lead_command, context.actor, d));
  decision.streams.push_back({LeadStreamId(d.lead_id), lead.version, std::move(d.events)});
  decision.occurred_at = d.occurred_at;
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  decision.lead_id = std::move(d.lead_id);
  return absl::OkStatus();
}

void EvolveLeadEntry(State& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  LeadState& lead = state.leads[id];
  const std::string previous = lead.assignee;
  EvolveLead(lead, envelope);
  MoveLoad(state.workload, previous, lead.assignee, envelope.position());
}

v1::CommandReply LeadReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  const LeadState& lead = state.Lead(decision.lead_id);
  v1::LeadCommandReply* r = reply.mutable_lead();
  r->set_lead_id(decision.lead_id);
  r->set_version(lead.version);
  r->set_position(position);
  r->set_stage(lead.stage);
  return reply;
}

absl::Status ValidateLeadEntry(const v1::Command& command) { return ValidateLeadCommand(command.lead()); }
const v1::CommandOptions& LeadOptions(const v1::Command& command) { return OptionsOf(command.lead()); }

}  // namespace

const Aggregate kLeadAggregate{
    "lead",           v1::Command::kLead, kLeadStreamPrefix, false, ValidateLeadEntry, LeadOptions,
    DecideLeadEntry, EvolveLeadEntry,    LeadReply,
};

}  // namespace salesops::domain
