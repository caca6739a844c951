// The team decider: members, their roles, capacity and whether they are
// active (stream "team"). Pure, like every decider.
#ifndef SALESOPS_SERVER_DOMAIN_TEAM_H_
#define SALESOPS_SERVER_DOMAIN_TEAM_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "salesops/v1/team.pb.h"

namespace salesops::domain {

inline constexpr absl::string_view kTeamStreamId = "team";
// The actor of events the server appends on its own (bootstrap). Not a
// valid member id, so no token can act as it.
inline constexpr absl::string_view kSystemActor = "@salesopsd";
inline constexpr uint32_t kMaxCapacity = 10'000;

struct TeamState {
  std::map<std::string, v1::Member> members;  // by member id, ordered
  // Targets in force, by TargetKey (member, period, metric, currency), ordered.
  std::map<std::string, v1::Target> targets;
  // Scoring policies in version order (version i + 1 at index i).
  std::vector<v1::ScoringPolicy> policies;
  uint64_t version = 0;
  absl::Time last_occurred_at = absl::InfinitePast();

  // The member, or null.
  const v1::Member* Find(absl::string_view member_id) const;
};

bool HasRole(const v1::Member& member, v1::Role role);

// What it means when a member named in a command cannot take the part.
enum class MemberCheck {
  // The command names a member who may not hold the field (an owner):
  // INVALID_ARGUMENT "<field>: member '<id>' is not an active <ROLE>".
  kNamed,
  // The work cannot go to that member until the team changes (an assignee):
  // FAILED_PRECONDITION with the same message, reason
  // errors::kAssigneeNotEligible and metadata {<field>: id, required_role}.
  kEligible,
};

// OK when `member_id` is an active member of `team` holding `role` (any
// role for ROLE_UNSPECIFIED: "is not an active member"); else the
// error `check` describes, its message followed by `note` when not empty
// (e.g. " (the lead awaits BD_MANAGER)"). The one active-member check of the
// deciders: an owner, an assignee of a lead, an order or a ticket.
absl::Status RequireActiveMember(const TeamState& team, absl::string_view member_id, v1::Role role,
                                 absl::string_view field, MemberCheck check, absl::string_view note = "");

// "member\0period\0metric\0currency": one target in force per key.
std::string TargetKey(const v1::TargetSet& target);

std::string RoleName(v1::Role role);  // "SALES_REP"

// Checks that `command` is well formed (INVALID_ARGUMENT naming the field).
absl::Status ValidateTeamCommand(const v1::TeamCommand& command);

// Decides a team command; the caller has authorized it and `command` has
// passed ValidateTeamCommand (domain::Decide validates once; not again
// here). Errors: NOT_FOUND (unknown member), ALREADY_EXISTS (AddMember of a
// known id), FAILED_PRECONDITION (deactivating an inactive member,
// reactivating an active one, bootstrapping a non-empty team, leaving the
// team without an active ADMIN), ABORTED
// (options.expected_version != the team stream's version).
absl::StatusOr<std::vector<v1::Event>> DecideTeam(const TeamState& state, const v1::TeamCommand& command);

// Folds one committed team event.
void EvolveTeam(TeamState& state, const v1::EventEnvelope& envelope);

// The member id a team command addresses.
absl::string_view MemberIdOf(const v1::TeamCommand& command);
const v1::CommandOptions& OptionsOf(const v1::TeamCommand& command);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_TEAM_H_
