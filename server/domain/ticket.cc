#include "server/domain/ticket.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/validation.h"

namespace salesops::domain {
namespace {

using S = v1::SupportCommand;

v1::TicketTransition Transition(v1::TicketStatus from, v1::TicketStatus to) {
  v1::TicketTransition t;
  t.set_from_status(from);
  t.set_to_status(to);
  return t;
}

absl::Status Rating(absl::string_view field, int32_t value) {
  if (value < 1 || value > 5) return absl::InvalidArgumentError(absl::StrCat(field, ": must be between 1 and 5"));
  return absl::OkStatus();
}

}  // namespace

const std::vector<TicketRule>& TicketRules() {
  static const std::vector<TicketRule>* const rules = new std::vector<TicketRule>{
      {S::kOpen, "OpenTicket", {}, v1::TICKET_STATUS_OPEN},
      {S::kAssign, "AssignTicket", {v1::TICKET_STATUS_OPEN}, v1::TICKET_STATUS_UNSPECIFIED},
      {S::kResolve, "ResolveTicket", {v1::TICKET_STATUS_OPEN}, v1::TICKET_STATUS_RESOLVED},
      {S::kClose, "CloseTicket", {v1::TICKET_STATUS_RESOLVED}, v1::TICKET_STATUS_CLOSED},
      {S::kReopen, "ReopenTicket", {v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_CLOSED}, v1::TICKET_STATUS_OPEN},
  };
  return *rules;
}

const TicketRule& TicketRuleFor(v1::SupportCommand::CommandCase command) {
  for (const TicketRule& rule : TicketRules()) {
    if (rule.command == command) return rule;
  }
  static const TicketRule* const none =
      new TicketRule{S::COMMAND_NOT_SET, "(none)", {}, v1::TICKET_STATUS_UNSPECIFIED};
  return *none;
}

std::string TicketStreamId(absl::string_view ticket_id) { return absl::StrCat(kTicketStreamPrefix, ticket_id); }

std::string TicketStatusName(v1::TicketStatus status) {
  const std::string& full = v1::TicketStatus_Name(status);
  return full.size() > 14 ? full.substr(14) : absl::StrCat(static_cast<int>(status));
}

absl::string_view TicketIdOf(const v1::SupportCommand& command) {
  switch (command.command_case()) {
    case S::kOpen: return command.open().ticket_id();
    case S::kAssign: return command.assign().ticket_id();
    case S::kResolve: return command.resolve().ticket_id();
    case S::kClose: return command.close().ticket_id();
    case S::kReopen: return command.reopen().ticket_id();
    case S::kSurvey: return command.survey().ticket_id();
    case S::COMMAND_NOT_SET: break;
  }
  return {};
}

const v1::CommandOptions& OptionsOf(const v1::SupportCommand& command) {
  switch (command.command_case()) {
    case S::kOpen: return command.open().options();
    case S::kAssign: return command.assign().options();
    case S::kResolve: return command.resolve().options();
    case S::kClose: return command.close().options();
    case S::kReopen: return command.reopen().options();
    case S::kSurvey: return command.survey().options();
    case S::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

v1::Event FollowUpOpened(absl::string_view ticket_id, absl::string_view lead_id, std::string subject,
                         std::string description, std::string reason) {
  v1::Event event;
  v1::TicketOpened* e = event.mutable_ticket_opened();
  e->set_ticket_id(std::string(ticket_id));
  e->set_lead_id(std::string(lead_id));
  e->set_subject(std::move(subject));
  e->set_description(std::move(description));
  e->set_severity(v1::SEVERITY_P2);
  e->set_channel(v1::CHANNEL_OTHER);
  *e->mutable_ticket_transition() = Transition(v1::TICKET_STATUS_UNSPECIFIED, v1::TICKET_STATUS_OPEN);
  e->set_follow_up_reason(std::move(reason));
  return event;
}

absl::Status ValidateSupportCommand(const v1::SupportCommand& command) {
  if (command.command_case() == S::COMMAND_NOT_SET) return absl::InvalidArgumentError("command: is required");
  // Every field violation at once (errors::FieldViolations).
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));
  const TextKind multi = TextKind::kMultiLine;
  switch (command.command_case()) {
    case S::kOpen: {
      const auto& c = command.open();
      if (!c.ticket_id().empty()) v.Add(ValidateId("ticket_id", c.ticket_id()));
      v.Add(ValidateId("lead_id", c.lead_id()));
      v.Add(ValidateText("subject", c.subject(), 1, kMaxNameChars));
      v.Add(ValidateText("description", c.description(), 0, kMaxTextChars, multi));
      if (c.severity() == v1::SEVERITY_UNSPECIFIED || !v1::Severity_IsValid(c.severity())) {
        v.Add(absl::InvalidArgumentError("severity: is required (P1, P2, P3, P4)"));
      }
      if (c.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(c.channel())) {
        v.Add(absl::InvalidArgumentError("channel: is required (phone, email, chat, onsite, other)"));
      }
      break;
    }
    case S::kAssign:
      v.Add(ValidateId("ticket_id", command.assign().ticket_id()));
      v.Add(ValidateId("assignee", command.assign().assignee()));
      v.Add(ValidateText("reason", command.assign().reason(), 1, kMaxShortTextChars, multi));
      break;
    case S::kResolve:
      v.Add(ValidateId("ticket_id", command.resolve().ticket_id()));
      v.Add(ValidateText("resolution", command.resolve().resolution(), 1, kMaxTextChars, multi));
      break;
    case S::kClose:
      v.Add(ValidateId("ticket_id", command.close().ticket_id()));
      break;
    case S::kReopen:
      v.Add(ValidateId("ticket_id", command.reopen().ticket_id()));
      v.Add(ValidateText("reason", command.reopen().reason(), 1, kMaxShortTextChars, multi));
      break;
    case S::kSurvey: {
      const auto& c = command.survey();
      v.Add(ValidateId("lead_id", c.lead_id()));
      if (!c.ticket_id().empty()) v.Add(ValidateId("ticket_id", c.ticket_id()));
      v.Add(Rating("product_quality", c.product_quality()));
      v.Add(Rating("service_attitude", c.service_attitude()));
      v.Add(Rating("response_speed", c.response_speed()));
      v.Add(ValidateText("comment", c.comment(), 0, kMaxTextChars, multi));
      break;
    }
    case S::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

absl::StatusOr<std::vector<v1::Event>> DecideTicket(const v1::Ticket& ticket, const v1::SupportCommand& command,
                                                    v1::Stage lead_stage, absl::string_view ticket_id) {
  std::vector<v1::Event> events(1);
  if (command.has_open()) {
    if (!ticket.ticket_id().empty()) {
      return errors::AlreadyExists("ticket", ticket_id, absl::StrCat("ticket '", ticket_id, "' already exists"));
    }
    if (lead_stage != v1::STAGE_WON) {
      return errors::NotAllowedIn(
          errors::kStageNotAllowed, "lead", command.open().lead_id(), "STAGE", "stage",
          lead_stage == v1::STAGE_UNSPECIFIED ? "UNKNOWN" : StageName(lead_stage), "OpenTicket",
          absl::StrCat("lead '", command.open().lead_id(), "' is ",
                       lead_stage == v1::STAGE_UNSPECIFIED ? "unknown" : "in stage ",
                       lead_stage == v1::STAGE_UNSPECIFIED ? "" : StageName(lead_stage),
                       "; tickets are opened for WON customers only"));
    }
    const auto& c = command.open();
    auto* e = events[0].mutable_ticket_opened();
    e->set_ticket_id(std::string(ticket_id));
    e->set_lead_id(c.lead_id());
    e->set_subject(c.subject());
    e->set_description(c.description());
    e->set_severity(c.severity());
    e->set_channel(c.channel());
    *e->mutable_ticket_transition() = Transition(v1::TICKET_STATUS_UNSPECIFIED, v1::TICKET_STATUS_OPEN);
    return events;
  }
  if (ticket.ticket_id().empty()) {
    return errors::NotFound("ticket", TicketIdOf(command),
                            absl::StrCat("ticket '", TicketIdOf(command), "' not found"));
  }
  const v1::CommandOptions& options = OptionsOf(command);
  if (options.has_expected_version() && options.expected_version() != ticket.version()) {
    return errors::VersionConflict("ticket", ticket.ticket_id(), ticket.version(),
                                   options.expected_version());
  }
  const v1::TicketStatus status = ticket.status();
  const TicketRule& rule = TicketRuleFor(command.command_case());
  if (rule.command == S::COMMAND_NOT_SET || rule.command == S::kOpen) {
    return absl::InvalidArgumentError("command: not a ticket command");
  }
  if (std::find(rule.allowed_from.begin(), rule.allowed_from.end(), status) == rule.allowed_from.end()) {
    return errors::NotAllowedIn(errors::kTicketStatusNotAllowed, "ticket", ticket.ticket_id(), "TICKET_STATUS",
                                "status", TicketStatusName(status), rule.action,
                                absl::StrCat("ticket '", ticket.ticket_id(), "' is ", TicketStatusName(status), "; ",
                                             rule.action, " is allowed only when ",
                                             absl::StrJoin(rule.allowed_from, " or ",
                                                           [](std::string* out, v1::TicketStatus s) {
                                                             absl::StrAppend(out, TicketStatusName(s));
                                                           })));
  }
  switch (command.command_case()) {
    case S::kAssign: {
      auto* e = events[0].mutable_ticket_assigned();
      e->set_assignee(command.assign().assignee());
      e->set_role(v1::ROLE_AFTER_SALES);
      e->set_previous_assignee(ticket.assignee());
      e->set_reason(command.assign().reason());
      e->set_manual(true);
      return events;
    }
    case S::kResolve:
      events[0].mutable_ticket_resolved()->set_resolution(command.resolve().resolution());
      *events[0].mutable_ticket_resolved()->mutable_ticket_transition() = Transition(status, rule.to);
      return events;
    case S::kClose:
      *events[0].mutable_ticket_closed()->mutable_ticket_transition() = Transition(status, rule.to);
      return events;
    case S::kReopen:
      events[0].mutable_ticket_reopened()->set_reason(command.reopen().reason());
      *events[0].mutable_ticket_reopened()->mutable_ticket_transition() = Transition(status, rule.to);
      return events;
    default:
      break;
  }
  return absl::InvalidArgumentError("command: not a ticket command");
}

void EvolveTicket(v1::Ticket& ticket, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  ticket.set_version(envelope.stream_version());
  *ticket.mutable_last_occurred_at() = envelope.occurred_at();
  const v1::TicketTransition* t = nullptr;
  switch (event.body_case()) {
    case v1::Event::kTicketOpened: {
      const auto& e = event.ticket_opened();
      ticket.set_ticket_id(e.ticket_id());
      ticket.set_lead_id(e.lead_id());
      ticket.set_subject(e.subject());
      ticket.set_description(e.description());
      ticket.set_severity(e.severity());
      ticket.set_channel(e.channel());
      ticket.set_follow_up_reason(e.follow_up_reason());
      *ticket.mutable_opened_at() = envelope.occurred_at();
      t = &e.ticket_transition();
      break;
    }
    case v1::Event::kTicketAssigned:
      ticket.set_assignee(event.ticket_assigned().assignee());
      *ticket.mutable_assigned_at() = envelope.occurred_at();
      break;
    case v1::Event::kTicketResolved:
      ticket.set_resolution(event.ticket_resolved().resolution());
      t = &event.ticket_resolved().ticket_transition();
      break;
    case v1::Event::kTicketClosed:
      t = &event.ticket_closed().ticket_transition();
      break;
    case v1::Event::kTicketReopened:
      ticket.set_reopen_count(ticket.reopen_count() + 1);
      t = &event.ticket_reopened().ticket_transition();
      break;
    case v1::Event::kSurveyRecorded:
      ticket.set_survey_recorded(true);
      break;
    default:
      break;
  }
  if (t != nullptr) {
    ticket.set_status(t->to_status());
    *ticket.mutable_status_changed_at() = envelope.occurred_at();
    if (t->to_status() != v1::TICKET_STATUS_OPEN) ticket.clear_assignee();
  }
}

}  // namespace salesops::domain
