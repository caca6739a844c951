#include "server/domain/state.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {

const LeadState& State::Lead(absl::string_view lead_id) const {
  static const LeadState* const kNone = new LeadState();
  auto it = leads.find(lead_id);
  return it == leads.end() ? *kNone : it->second;
}

const v1::Order& State::Order(absl::string_view order_id) const {
  auto it = orders.find(order_id);
  return it == orders.end() ? v1::Order::default_instance() : it->second;
}

const v1::Ticket& State::Ticket(absl::string_view ticket_id) const {
  auto it = tickets.find(ticket_id);
  return it == tickets.end() ? v1::Ticket::default_instance() : it->second;
}

bool NeedsNewTicketId(const v1::Command& command) {
  return command.has_support() && command.support().has_open() && command.support().open().ticket_id().empty();
}

absl::Status ValidateCommand(const v1::Command& command) {
  if (command.has_lead()) return ValidateLeadCommand(command.lead());
  if (command.has_team()) return ValidateTeamCommand(command.team());
  if (command.has_order()) return ValidateOrderCommand(command.order());
  if (command.has_support()) return ValidateSupportCommand(command.support());
  return absl::InvalidArgumentError("command: is required");
}

const v1::CommandOptions& OptionsOf(const v1::Command& command) {
  if (command.has_lead()) return OptionsOf(command.lead());
  if (command.has_team()) return OptionsOf(command.team());
  if (command.has_order()) return OptionsOf(command.order());
  if (command.has_support()) return OptionsOf(command.support());
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
    const std::string& assignee = command.assign().assignee();
    const v1::Member* m = state.team.Find(assignee);
    if (m == nullptr || !m->active() || !HasRole(*m, lead.awaiting_role)) {
      return errors::WithReason(
          absl::FailedPreconditionError(absl::StrCat("assignee: member '", assignee, "' is not an active ",
                                                     RoleName(lead.awaiting_role), " (the lead awaits ",
                                                     RoleName(lead.awaiting_role), ")")),
          errors::kAssigneeNotEligible, {{"assignee", assignee}, {"required_role", RoleName(lead.awaiting_role)}});
    }
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

// The order a won deal opens, handed to the least-loaded SALES_SUPPORT (or
// the member named with options.assign_to).
StreamDecision OpenOrder(const State& state, const v1::WinDealRequest& win, absl::string_view owner,
                         absl::string_view named) {
  StreamDecision order{OrderStreamId(win.lead_id()), state.Order(win.lead_id()).version(), {}};
  order.events.push_back(OrderOpenedFor(win.lead_id(), win.final_amount(), owner));
  Choice choice = Choose(state.team, state.workload, v1::ROLE_SALES_SUPPORT, named, "", "");
  v1::OrderAssigned* assigned = order.events.emplace_back().mutable_order_assigned();
  assigned->set_assignee(std::move(choice.assignee));
  assigned->set_role(v1::ROLE_SALES_SUPPORT);
  *assigned->mutable_explanation() = std::move(choice.explanation);
  return order;
}

// The business time of a command: options.occurred_at when set, else now;
// never in the future nor before the stream's previous event (`previous`).
absl::StatusOr<absl::Time> BusinessTime(const v1::CommandOptions& options, absl::Time now, absl::Time previous,
                                        absl::string_view stream) {
  const absl::Time t = options.has_occurred_at() ? FromProtoTime(options.occurred_at()) : now;
  if (t > now || t < previous) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.occurred_at: must not be in the future nor before the ", stream, "'s previous event"));
  }
  return t;
}

// RecordSurvey: on the ticket's stream when it names a ticket, else on the
// lead's; at most one per ticket and one per deal without a ticket.
absl::Status DecideSurvey(const State& state, const v1::RecordSurveyRequest& survey, CommandDecision& decision) {
  const LeadState& lead = state.Lead(survey.lead_id());
  if (!lead.exists) {
    return errors::NotFound("lead", survey.lead_id(), absl::StrCat("lead '", survey.lead_id(), "' not found"));
  }
  if (lead.stage != v1::STAGE_WON) {
    return errors::NotAllowedIn(errors::kStageNotAllowed, "lead", survey.lead_id(), "STAGE", "stage",
                                StageName(lead.stage), "RecordSurvey",
                                absl::StrCat("lead '", survey.lead_id(), "' is in stage ", StageName(lead.stage),
                                             "; surveys are for WON deals"));
  }
  v1::Event event;
  v1::SurveyRecorded* e = event.mutable_survey_recorded();
  e->set_lead_id(survey.lead_id());
  e->set_ticket_id(survey.ticket_id());
  e->set_product_quality(survey.product_quality());
  e->set_service_attitude(survey.service_attitude());
  e->set_response_speed(survey.response_speed());
  e->set_comment(survey.comment());
  decision.ticket_reply = true;
  decision.ticket_id = survey.ticket_id();
  const v1::CommandOptions& options = survey.options();
  if (survey.ticket_id().empty()) {
    if (options.has_expected_version() && options.expected_version() != lead.version) {
      return errors::VersionConflict("lead", survey.lead_id(), lead.version, options.expected_version(),
                                     absl::StrCat("lead '", survey.lead_id(), "' is at version ", lead.version,
                                                  ", expected_version was ", options.expected_version(),
                                                  "; re-read and retry"));
    }
    if (decision.occurred_at < lead.last_occurred_at) {
      return absl::InvalidArgumentError("options.occurred_at: must not be before the lead's previous event");
    }
    if (lead.survey_recorded) {
      return errors::WithReason(
          absl::FailedPreconditionError(
              absl::StrCat("a survey for deal '", survey.lead_id(), "' without a ticket is already recorded")),
          errors::kSurveyRecorded, {{"lead_id", survey.lead_id()}});
    }
    decision.lead_id = survey.lead_id();
    decision.streams.push_back({LeadStreamId(survey.lead_id()), lead.version, {std::move(event)}});
    return absl::OkStatus();
  }
  const v1::Ticket& ticket = state.Ticket(survey.ticket_id());
  if (ticket.ticket_id().empty()) {
    return errors::NotFound("ticket", survey.ticket_id(),
                            absl::StrCat("ticket '", survey.ticket_id(), "' not found"));
  }
  if (ticket.lead_id() != survey.lead_id()) {
    return absl::InvalidArgumentError(absl::StrCat("ticket_id: ticket '", survey.ticket_id(),
                                                   "' belongs to lead '", ticket.lead_id(), "'"));
  }
  if (ticket.status() != v1::TICKET_STATUS_RESOLVED && ticket.status() != v1::TICKET_STATUS_CLOSED) {
    return errors::NotAllowedIn(errors::kTicketStatusNotAllowed, "ticket", survey.ticket_id(), "TICKET_STATUS",
                                "status", TicketStatusName(ticket.status()), "RecordSurvey",
                                absl::StrCat("ticket '", survey.ticket_id(), "' is ",
                                             TicketStatusName(ticket.status()), "; a survey follows its resolution"));
  }
  if (options.has_expected_version() && options.expected_version() != ticket.version()) {
    return errors::VersionConflict("ticket", survey.ticket_id(), ticket.version(), options.expected_version(),
                                   absl::StrCat("ticket '", survey.ticket_id(), "' is at version ",
                                                ticket.version(), ", expected_version was ",
                                                options.expected_version(), "; re-read and retry"));
  }
  if (ticket.survey_recorded()) {
    return errors::WithReason(
        absl::FailedPreconditionError(
            absl::StrCat("ticket '", survey.ticket_id(), "' already has its survey (one per ticket)")),
        errors::kSurveyRecorded, {{"lead_id", survey.lead_id()}, {"ticket_id", survey.ticket_id()}});
  }
  decision.streams.push_back({TicketStreamId(survey.ticket_id()), ticket.version(), {std::move(event)}});
  return absl::OkStatus();
}

// The ticket commands: decide, then hand a new or reopened ticket to
// AFTER_SALES, or check and explain a manual assignment.
absl::Status DecideSupport(const State& state, const v1::SupportCommand& command, const DecideContext& context,
                           CommandDecision& decision) {
  const std::string ticket_id =
      command.has_open() && command.open().ticket_id().empty() ? context.new_lead_id : std::string(TicketIdOf(command));
  const v1::Ticket& ticket = state.Ticket(ticket_id);
  const v1::Stage lead_stage = command.has_open() ? state.Lead(command.open().lead_id()).stage : v1::STAGE_UNSPECIFIED;
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::Event> events, DecideTicket(ticket, command, lead_stage, ticket_id));
  if (command.has_assign()) {
    const v1::Member* m = state.team.Find(command.assign().assignee());
    if (m == nullptr || !m->active() || !HasRole(*m, v1::ROLE_AFTER_SALES)) {
      return errors::WithReason(
          absl::FailedPreconditionError(
              absl::StrCat("assignee: member '", command.assign().assignee(), "' is not an active AFTER_SALES")),
          errors::kAssigneeNotEligible,
          {{"assignee", command.assign().assignee()}, {"required_role", "AFTER_SALES"}});
    }
    *events.back().mutable_ticket_assigned()->mutable_explanation() =
        ExplainManual(state.team, state.workload, v1::ROLE_AFTER_SALES, context.actor);
  } else if (command.has_open() || command.has_reopen()) {
    Choice choice = Choose(state.team, state.workload, v1::ROLE_AFTER_SALES, OptionsOf(command).assign_to(), "", "");
    v1::TicketAssigned* assigned = events.emplace_back().mutable_ticket_assigned();
    assigned->set_assignee(std::move(choice.assignee));
    assigned->set_role(v1::ROLE_AFTER_SALES);
    *assigned->mutable_explanation() = std::move(choice.explanation);
  }
  decision.ticket_reply = true;
  decision.ticket_id = ticket_id;
  decision.streams.push_back({TicketStreamId(ticket_id), ticket.version(), std::move(events)});
  return absl::OkStatus();
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
    SALESOPS_ASSIGN_OR_RETURN(Authorization auth,
                              Authorize(state.team, context.actor, command, lead.owner, lead.awaiting_role));
    // Only IdentifyLead needs a changed copy (the resolved owner); every other
    // command is decided as sent, without copying it.
    v1::LeadCommand with_owner;
    if (lead_command.has_identify()) {
      SALESOPS_ASSIGN_OR_RETURN(std::string owner,
                                OwnerOfNewLead(state.team, lead_command.identify(), context.actor));
      with_owner = lead_command;
      with_owner.mutable_identify()->set_owner(owner);
    }
    const v1::LeadCommand& effective = lead_command.has_identify() ? with_owner : lead_command;
    if (lead_command.has_change_owner()) {
      const v1::Member* owner = state.team.Find(lead_command.change_owner().owner());
      if (owner == nullptr || !owner->active() || !HasRole(*owner, v1::ROLE_SALES_REP)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "owner: member '", lead_command.change_owner().owner(), "' is not an active SALES_REP"));
      }
    }
    SALESOPS_ASSIGN_OR_RETURN(Decision d, DecideLead(lead, effective, context));
    SALESOPS_RETURN_IF_ERROR(AddHandOff(state, lead, lead_command, context.actor, d));
    decision.streams.push_back({LeadStreamId(d.lead_id), lead.version, std::move(d.events)});
    if (lead_command.has_win_deal()) {
      // The won deal's order, handed to sales support in the same batch.
      decision.streams.push_back(OpenOrder(state, lead_command.win_deal(), lead.owner,
                                           OptionsOf(lead_command).assign_to()));
    }
    decision.occurred_at = d.occurred_at;
    decision.acted_as = auth.acted_as;
    decision.override_reason = std::move(auth.override_reason);
    decision.lead_id = std::move(d.lead_id);
    return decision;
  }
  if (command.has_support()) {
    const v1::SupportCommand& support = command.support();
    const LeadState& customer = state.Lead(support.has_survey() ? support.survey().lead_id() : "");
    const v1::Ticket& ticket = state.Ticket(TicketIdOf(support));
    const v1::Role awaits = ticket.status() == v1::TICKET_STATUS_OPEN ? v1::ROLE_AFTER_SALES : v1::ROLE_UNSPECIFIED;
    SALESOPS_ASSIGN_OR_RETURN(Authorization auth,
                              Authorize(state.team, context.actor, command, customer.owner, awaits));
    decision.acted_as = auth.acted_as;
    decision.override_reason = std::move(auth.override_reason);
    const v1::CommandOptions& options = OptionsOf(command);
    SALESOPS_ASSIGN_OR_RETURN(
        decision.occurred_at,
        BusinessTime(options, context.now,
                     ticket.has_last_occurred_at() ? FromProtoTime(ticket.last_occurred_at()) : absl::InfinitePast(),
                     "ticket"));
    SALESOPS_RETURN_IF_ERROR(support.has_survey() ? DecideSurvey(state, support.survey(), decision)
                                                  : DecideSupport(state, support, context, decision));
    return decision;
  }
  const v1::Role order_awaits = command.has_order() && IsOpenOrder(state.Order(OrderIdOf(command.order())).status())
                                   ? v1::ROLE_SALES_SUPPORT
                                   : v1::ROLE_UNSPECIFIED;
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, "", order_awaits));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  const v1::CommandOptions& options = OptionsOf(command);
  if (command.has_order()) {
    const std::string order_id(OrderIdOf(command.order()));
    const v1::Order& order = state.Order(order_id);
    SALESOPS_ASSIGN_OR_RETURN(
        decision.occurred_at,
        BusinessTime(options, context.now,
                     order.has_last_occurred_at() ? FromProtoTime(order.last_occurred_at()) : absl::InfinitePast(),
                     "order"));
    SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::Event> events, DecideOrder(order, command.order()));
    if (command.order().has_assign()) {
      const v1::Member* m = state.team.Find(command.order().assign().assignee());
      if (m == nullptr || !m->active() || !HasRole(*m, v1::ROLE_SALES_SUPPORT)) {
        return errors::WithReason(
            absl::FailedPreconditionError(absl::StrCat(
                "assignee: member '", command.order().assign().assignee(), "' is not an active SALES_SUPPORT")),
            errors::kAssigneeNotEligible,
            {{"assignee", command.order().assign().assignee()}, {"required_role", "SALES_SUPPORT"}});
      }
      *events.back().mutable_order_assigned()->mutable_explanation() =
          ExplainManual(state.team, state.workload, v1::ROLE_SALES_SUPPORT, context.actor);
    }
    decision.streams.push_back({OrderStreamId(order_id), order.version(), std::move(events)});
    decision.order_id = order_id;
    return decision;
  }
  SALESOPS_ASSIGN_OR_RETURN(decision.occurred_at,
                            BusinessTime(options, context.now, state.team.last_occurred_at, "team"));
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::Event> events, DecideTeam(state.team, command.team()));
  decision.streams.push_back({std::string(kTeamStreamId), state.team.version, std::move(events)});
  decision.member_id = std::string(MemberIdOf(command.team()));
  return decision;
}

namespace {

// An open item moved from `from` to `to` (either may be empty: nobody).
void MoveLoad(Workload& workload, const std::string& from, const std::string& to, uint64_t position) {
  if (from == to) return;
  if (!from.empty()) --workload[from].open_items;
  if (!to.empty()) {
    MemberLoad& load = workload[to];
    ++load.open_items;
    load.last_assigned_position = position;
  }
}

}  // namespace

void Evolve(State& state, const v1::EventEnvelope& envelope) {
  const std::string& stream = envelope.stream_id();
  if (absl::StartsWith(stream, kLeadStreamPrefix)) {
    LeadState& lead = state.leads[absl::string_view(stream).substr(kLeadStreamPrefix.size())];
    const std::string previous = lead.assignee;
    EvolveLead(lead, envelope);
    MoveLoad(state.workload, previous, lead.assignee, envelope.position());
  } else if (absl::StartsWith(stream, kOrderStreamPrefix)) {
    v1::Order& order = state.orders[absl::string_view(stream).substr(kOrderStreamPrefix.size())];
    const std::string previous = order.assignee();
    EvolveOrder(order, envelope);
    MoveLoad(state.workload, previous, order.assignee(), envelope.position());
  } else if (absl::StartsWith(stream, kTicketStreamPrefix)) {
    v1::Ticket& ticket = state.tickets[absl::string_view(stream).substr(kTicketStreamPrefix.size())];
    const std::string previous = ticket.assignee();
    EvolveTicket(ticket, envelope);
    MoveLoad(state.workload, previous, ticket.assignee(), envelope.position());
  } else if (stream == kTeamStreamId) {
    EvolveTeam(state.team, envelope);
  }
}

v1::CommandReply MakeReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  if (decision.ticket_reply) {
    v1::TicketCommandReply* r = reply.mutable_ticket();
    r->set_ticket_id(decision.ticket_id);
    r->set_position(position);
    if (decision.ticket_id.empty()) {
      r->set_version(state.Lead(decision.lead_id).version);
    } else {
      const v1::Ticket& ticket = state.Ticket(decision.ticket_id);
      r->set_version(ticket.version());
      r->set_status(ticket.status());
    }
  } else if (!decision.order_id.empty()) {
    const v1::Order& order = state.Order(decision.order_id);
    v1::OrderCommandReply* r = reply.mutable_order();
    r->set_order_id(decision.order_id);
    r->set_version(order.version());
    r->set_position(position);
    r->set_status(order.status());
  } else if (!decision.lead_id.empty()) {
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
