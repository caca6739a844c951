// The responsibility policy: which role may issue which command
// (docs/ROLES.md). One table, versioned; the authorization matrix test and
// the docs are generated from it, and every writer goes through Authorize.
#ifndef SALESOPS_SERVER_DOMAIN_POLICY_H_
#define SALESOPS_SERVER_DOMAIN_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/team.h"

namespace salesops::domain {

inline constexpr int kResponsibilityPolicyVersion = 1;

struct Responsibility {
  absl::string_view action;      // the RPC name, e.g. "SendQuote"
  std::vector<v1::Role> roles;   // any of these may act
  // When true, a SALES_REP may act only on leads it owns (another rep needs
  // a manager's reassignment).
  bool rep_must_own = false;
  // When true, a SALES_MANAGER outside `roles` may act with an explicit,
  // recorded options.override_reason.
  bool manager_may_override = false;
  // Only the server itself (kSystemActor) may issue it.
  bool system_only = false;
  // A member holding the role the lead awaits may take the lead for itself
  // (AssignLead to oneself, e.g. from the unassigned queue).
  bool awaited_role_may_self_assign = false;
  // The member the command's subject belongs to (an action item's owner,
  // passed as `lead_owner`) may act for itself, whatever its roles.
  bool owner_may_act = false;
};

// Every command kind with its responsibility, in API order.
const std::vector<Responsibility>& ResponsibilityTable();

// The row for `command`'s kind.
const Responsibility& ResponsibilityFor(const v1::Command& command);

// How a permitted command is recorded.
struct Authorization {
  v1::Role acted_as = v1::ROLE_UNSPECIFIED;
  std::string override_reason;  // non-empty for a manager's override
};

// Decides whether `actor` may issue `command` given the team now.
// `lead_owner` is the owner of the lead the command addresses (for a survey:
// of the customer lead; empty for a new lead and for other commands),
// `lead_awaits` the role the lead or ticket awaits (a member of it may assign
// the work to itself). Errors:
//   PERMISSION_DENIED  the actor is not an active member, lacks the role the
//                      row needs (the message names it), is not the lead's
//                      owning rep, or sets options.occurred_at without ADMIN;
//   INVALID_ARGUMENT   options.override_reason given where no override is needed.
absl::StatusOr<Authorization> Authorize(const TeamState& team, absl::string_view actor,
                                        const v1::Command& command, absl::string_view lead_owner,
                                        v1::Role lead_awaits = v1::ROLE_UNSPECIFIED);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_POLICY_H_
