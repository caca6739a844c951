// Hand-offs: which role acts next on a lead, and which member of it gets the
// lead, with the explanation recorded in the LeadAssigned event
// (docs/ROLES.md). Pure and deterministic: replaying the log reproduces every
// choice. The load used here is the one every workload view must use.
#ifndef SALESOPS_SERVER_DOMAIN_HANDOFF_H_
#define SALESOPS_SERVER_DOMAIN_HANDOFF_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/events.pb.h"
#include "server/domain/lead.h"
#include "server/domain/team.h"

namespace salesops::domain {

inline constexpr uint32_t kAssignmentPolicyVersion = 1;

// A member's open work: items assigned to it and not closed.
struct MemberLoad {
  uint32_t open_items = 0;
  uint64_t last_assigned_position = 0;  // 0 = never assigned anything
};
using Workload = absl::flat_hash_map<std::string, MemberLoad>;

// The one definition of load.
MemberLoad LoadOf(const Workload& workload, absl::string_view member_id);

// The role that acts next in `stage`: BD_MANAGER for IDENTIFIED and
// QUALIFIED, SALES_REP for NEEDS_ANALYZED..NEGOTIATING, none otherwise.
v1::Role RoleAwaitedIn(v1::Stage stage);

// The member chosen for a piece of work and why.
struct Choice {
  std::string assignee;  // empty: the role's unassigned queue
  v1::HandOff explanation;
};

// Chooses a member of `role`, in order: `named` when eligible (active,
// holding the role, below capacity); `owner` when active and holding the
// role; `current` when active and holding the role ("kept"); the least-loaded
// eligible member (ties: assigned least recently, then id); nobody.
Choice Choose(const TeamState& team, const Workload& workload, v1::Role role, absl::string_view named,
              absl::string_view owner, absl::string_view current);

// Chooses who takes `lead` (already folded into its new stage), in order:
//   1. `named` (options.assign_to) when active, holding the role, below capacity;
//   2. for SALES_REP stages, the lead's owner when an active SALES_REP;
//   3. the current assignee when it is active and holds the role ("kept");
//   4. the least-loaded eligible member (active, holding the role, below
//      capacity); ties: assigned least recently, then member id;
//   5. nobody: the role's unassigned queue (empty assignee).
// The event's previous_assignee is the lead's current assignee.
v1::LeadAssigned ChooseAssignee(const TeamState& team, const Workload& workload, const LeadState& lead,
                                absl::string_view named);

// The explanation for a manual AssignLead to `assignee`: the eligible
// candidates of `role` and the rule "named by <actor>".
v1::HandOff ExplainManual(const TeamState& team, const Workload& workload, v1::Role role,
                          absl::string_view actor);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_HANDOFF_H_
