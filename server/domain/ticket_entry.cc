// The after-sales aggregate's entry in the composition (compose.h): support
// tickets and satisfaction surveys. Authorization, the business time, the
// hand-off of a new or reopened ticket to AFTER_SALES, the survey's checks,
// the fold into State and the reply. The ticket's own rules are
// DecideTicket's (ticket.h).
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/compose.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
namespace {

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
      return errors::VersionConflict("lead", survey.lead_id(), lead.version, options.expected_version());
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
    return errors::VersionConflict("ticket", survey.ticket_id(), ticket.version(),
                                   options.expected_version());
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
absl::Status DecideTicketCommand(const State& state, const v1::SupportCommand& command,
                                 const DecideContext& context, CommandDecision& decision) {
  const std::string ticket_id =
      command.has_open() && command.open().ticket_id().empty() ? context.new_lead_id : std::string(TicketIdOf(command));
  const v1::Ticket& ticket = state.Ticket(ticket_id);
  const v1::Stage lead_stage = command.has_open() ? state.Lead(command.open().lead_id()).stage : v1::STAGE_UNSPECIFIED;
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::Event> events, DecideTicket(ticket, command, lead_stage, ticket_id));
  if (command.has_assign()) {
    SALESOPS_RETURN_IF_ERROR(RequireActiveMember(state.team, command.assign().assignee(), v1::ROLE_AFTER_SALES,
                                                 "assignee", MemberCheck::kEligible));
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

absl::Status DecideTicketEntry(const State& state, const v1::Command& command, const DecideContext& context,
                               CommandDecision& decision) {
  const v1::SupportCommand& support = command.support();
  const LeadState& customer = state.Lead(support.has_survey() ? support.survey().lead_id() : "");
  const v1::Ticket& ticket = state.Ticket(TicketIdOf(support));
  const v1::Role awaits = ticket.status() == v1::TICKET_STATUS_OPEN ? v1::ROLE_AFTER_SALES : v1::ROLE_UNSPECIFIED;
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, customer.owner, awaits));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  SALESOPS_ASSIGN_OR_RETURN(
      decision.occurred_at,
      BusinessTime(OptionsOf(support), context.now,
                   ticket.has_last_occurred_at() ? FromProtoTime(ticket.last_occurred_at()) : absl::InfinitePast(),
                   "ticket"));
  return support.has_survey() ? DecideSurvey(state, support.survey(), decision)
                              : DecideTicketCommand(state, support, context, decision);
}

void EvolveTicketEntry(State& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  v1::Ticket& ticket = state.tickets[id];
  const std::string previous = ticket.assignee();
  EvolveTicket(ticket, envelope);
  MoveLoad(state.workload, previous, ticket.assignee(), envelope.position());
}

v1::CommandReply TicketReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
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
  return reply;
}

absl::Status ValidateTicketEntry(const v1::Command& command) { return ValidateSupportCommand(command.support()); }
const v1::CommandOptions& TicketOptions(const v1::Command& command) { return OptionsOf(command.support()); }

}  // namespace

const Aggregate kTicketAggregate{
    "ticket",          v1::Command::kSupport, kTicketStreamPrefix, false, ValidateTicketEntry, TicketOptions,
    DecideTicketEntry, EvolveTicketEntry,    TicketReply,
};

}  // namespace salesops::domain
