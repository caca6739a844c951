// The after-sales decider: support tickets (stream "ticket-<ticket_id>") and
// the checks on satisfaction surveys. Pure. The state is the Ticket view.
#ifndef SALESOPS_SERVER_DOMAIN_TICKET_H_
#define SALESOPS_SERVER_DOMAIN_TICKET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "salesops/v1/support.pb.h"

namespace salesops::domain {

inline constexpr absl::string_view kTicketStreamPrefix = "ticket-";
std::string TicketStreamId(absl::string_view ticket_id);
std::string TicketStatusName(v1::TicketStatus status);

// One row of the ticket status table.
struct TicketRule {
  v1::SupportCommand::CommandCase command;
  absl::string_view action;                  // RPC name, e.g. "ResolveTicket"
  std::vector<v1::TicketStatus> allowed_from;  // empty for OpenTicket (a new ticket)
  v1::TicketStatus to;                       // UNSPECIFIED: no status change (AssignTicket)
};

// The status table of the ticket commands. RecordSurvey is not in it: it
// adds no status and its checks (lead WON, ticket RESOLVED or CLOSED, one
// survey) are the after-sales entry's (ticket_entry.cc).
const std::vector<TicketRule>& TicketRules();

// The rule for `command` (a "(none)" row allowed from nothing otherwise).
const TicketRule& TicketRuleFor(v1::SupportCommand::CommandCase command);

// The ticket a support command addresses (a survey's may be empty; an
// OpenTicket's is empty when the server is to generate it).
absl::string_view TicketIdOf(const v1::SupportCommand& command);

// The TicketOpened of a follow-up the server opens for a low survey
// (severity P2, channel OTHER): (none) -> OPEN, with `reason`.
v1::Event FollowUpOpened(absl::string_view ticket_id, absl::string_view lead_id, std::string subject,
                         std::string description, std::string reason);
const v1::CommandOptions& OptionsOf(const v1::SupportCommand& command);

// INVALID_ARGUMENT naming the field.
absl::Status ValidateSupportCommand(const v1::SupportCommand& command);

// Decides OpenTicket / ResolveTicket / CloseTicket / ReopenTicket /
// AssignTicket (the assignment's explanation is added by the caller) against
// `ticket` (ticket_id empty: none). For OpenTicket, `lead_stage` is the
// customer lead's stage (must be WON) and `ticket_id` the id to use.
// `command` must have passed ValidateSupportCommand (domain::Decide validates
// once; not again here). Errors: INVALID_ARGUMENT (a survey: not a ticket
// command), NOT_FOUND, ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION
// (naming the status and the allowed ones).
absl::StatusOr<std::vector<v1::Event>> DecideTicket(const v1::Ticket& ticket, const v1::SupportCommand& command,
                                                    v1::Stage lead_stage, absl::string_view ticket_id);

void EvolveTicket(v1::Ticket& ticket, const v1::EventEnvelope& envelope);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_TICKET_H_
