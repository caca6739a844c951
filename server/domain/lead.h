// The lead decider: the lifecycle rules of a lead as pure functions.
//
//   DecideLead(state, command, context) -> events | error
//   EvolveLead(state, envelope)         -> state
//
// No I/O, no clock, no randomness: time and new ids arrive in DecideContext.
// The stage table (which action is allowed from which stage) lives in
// LeadRules() so tests and docs are generated from the same data.
#ifndef SALESOPS_SERVER_DOMAIN_LEAD_H_
#define SALESOPS_SERVER_DOMAIN_LEAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "server/common/interned.h"

namespace salesops::domain {

struct LeadDetails;  // lead_details.h

// One lead, held once per fold: what the decider needs to know, folded from
// its events by EvolveLead, plus — in the views' fold only — the rest of what
// Leads.GetLead shows (`details`, folded by the views; null in the
// deciders' own state). Member ids are interned (4 bytes each).
struct LeadState {
  LeadState();
  ~LeadState();
  LeadState(LeadState&&) noexcept;
  LeadState& operator=(LeadState&&) noexcept;
  LeadState(const LeadState& other);  // copies the details too
  LeadState& operator=(const LeadState& other);

  uint64_t version = 0;                     // number of events in the stream
  absl::Time last_occurred_at = absl::InfinitePast();  // business time of the last event
  InternedString owner;                     // the SALES_REP credited with the lead
  InternedString assignee;                  // who must act next ("" = none / unassigned queue)
  v1::Stage stage = v1::STAGE_UNSPECIFIED;
  v1::Stage closed_from = v1::STAGE_UNSPECIFIED;  // set while LOST/DISQUALIFIED
  v1::Role awaiting_role = v1::ROLE_UNSPECIFIED;  // the role that acts next; unset once closed
  uint32_t quote_revisions = 0;
  bool exists = false;
  bool survey_recorded = false;             // the deal's survey (without a ticket) exists
  std::unique_ptr<LeadDetails> details;     // the views' part; null in the deciders' state

  // A copy with details null (the deciders' part only).
  LeadState WithoutDetails() const;
  // Compares every field, the details' contents included.
  bool operator==(const LeadState& other) const;
};

// Inputs of a decision that do not come from the command or the state.
struct DecideContext {
  absl::Time now;            // server clock when the batch is decided
  std::string actor;         // authenticated member id
  std::string new_lead_id;   // used when an IdentifyLead (or OpenTicket) names no id
};

// The outcome of a successful decision.
struct Decision {
  std::string lead_id;
  absl::Time occurred_at;         // business time for every event below
  std::vector<v1::Event> events;  // never empty
};

// One row of the stage table.
struct LeadRule {
  v1::LeadCommand::CommandCase command;
  absl::string_view action;               // RPC name, e.g. "QualifyLead"
  std::vector<v1::Stage> allowed_from;    // empty for IdentifyLead (new lead)
};

// The stage table: every lead command and the stages it is allowed from.
const std::vector<LeadRule>& LeadRules();

// The rule for `command`; every command case has one.
const LeadRule& RuleFor(v1::LeadCommand::CommandCase command);

// The lead id a command addresses (for IdentifyLead, the requested one, which
// may be empty: the caller then supplies DecideContext::new_lead_id).
absl::string_view LeadIdOf(const v1::LeadCommand& command);

// The command's options (request id, expected version, ...); never null.
const v1::CommandOptions& OptionsOf(const v1::LeadCommand& command);

// Checks that `command` is well formed: INVALID_ARGUMENT naming the field and
// the rule otherwise. Depends on nothing but the command.
absl::Status ValidateLeadCommand(const v1::LeadCommand& command);

// Decides `command` against `state` (the lead it addresses; `exists` false
// for an unknown lead). `command` must have passed ValidateLeadCommand: it is
// not validated again here (domain::Decide validates each command once,
// before the state is consulted). Errors, in this order:
//   INVALID_ARGUMENT    options.occurred_at is in the future or before the
//                       lead's previous event;
//   ALREADY_EXISTS      IdentifyLead for a lead that exists;
//   NOT_FOUND           any other command for an unknown lead;
//   ABORTED             options.expected_version != state.version;
//   FAILED_PRECONDITION the lead's stage does not allow the action (the
//                       message names the stage and the allowed ones).
absl::StatusOr<Decision> DecideLead(const LeadState& state, const v1::LeadCommand& command,
                                    const DecideContext& context);

// Folds one committed event of the lead's stream into `state`.
void EvolveLead(LeadState& state, const v1::EventEnvelope& envelope);

// True for the stages in which a lead is still being worked.
bool IsOpenStage(v1::Stage stage);

// The stage's place in the sales funnel: IDENTIFIED 1 .. NEGOTIATING 6, WON 7;
// 0 for LOST, DISQUALIFIED and UNSPECIFIED (they are not steps forward).
int FunnelIndex(v1::Stage stage);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_LEAD_H_
