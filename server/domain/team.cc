#include "server/domain/team.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/period.h"
#include "server/domain/review_metrics.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"

namespace salesops::domain {
namespace {

using T = v1::TeamCommand;

absl::Status ValidateRoles(const google::protobuf::RepeatedField<int>& roles) {
  if (roles.empty()) return absl::InvalidArgumentError("roles: at least one role is required");
  absl::flat_hash_set<int> seen;
  for (int r : roles) {
    if (r == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(r)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "roles: ", r, " is not a role (SALES_REP, BD_MANAGER, SALES_MANAGER, SALES_SUPPORT, AFTER_SALES, ADMIN, AUDITOR)"));
    }
    if (!seen.insert(r).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("roles: ", RoleName(static_cast<v1::Role>(r)), " is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCapacity(uint32_t capacity) {
  if (capacity > kMaxCapacity) {
    return absl::InvalidArgumentError(absl::StrCat("capacity: must be at most ", kMaxCapacity, " (0 = no limit)"));
  }
  return absl::OkStatus();
}

// True when `member_id` is the only active member holding ADMIN.
bool IsLastActiveAdmin(const TeamState& state, const std::string& member_id) {
  const v1::Member* m = state.Find(member_id);
  if (m == nullptr || !m->active() || !HasRole(*m, v1::ROLE_ADMIN)) return false;
  for (const auto& [id, other] : state.members) {
    if (id != member_id && other.active() && HasRole(other, v1::ROLE_ADMIN)) return false;
  }
  return true;
}

}  // namespace

const v1::Member* TeamState::Find(absl::string_view member_id) const {
  auto it = members.find(std::string(member_id));
  return it == members.end() ? nullptr : &it->second;
}

std::string TargetKey(const v1::TargetSet& t) {
  return absl::StrCat(t.member_id(), absl::string_view("\0", 1), t.period(), absl::string_view("\0", 1),
                      static_cast<int>(t.metric()), absl::string_view("\0", 1), t.won_value().currency());
}

bool HasRole(const v1::Member& member, v1::Role role) {
  return std::find(member.roles().begin(), member.roles().end(), role) != member.roles().end();
}

absl::Status RequireActiveMember(const TeamState& team, absl::string_view member_id, v1::Role role,
                                 absl::string_view field, MemberCheck check, absl::string_view note) {
  const v1::Member* m = team.Find(member_id);
  const bool any_role = role == v1::ROLE_UNSPECIFIED;
  if (m != nullptr && m->active() && (any_role || HasRole(*m, role))) return absl::OkStatus();
  const std::string message = absl::StrCat(field, ": member '", member_id, "' is not an active ",
                                           any_role ? "member" : RoleName(role), note);
  if (check == MemberCheck::kNamed) return absl::InvalidArgumentError(message);
  return errors::WithReason(absl::FailedPreconditionError(message), errors::kAssigneeNotEligible,
                            {{std::string(field), std::string(member_id)}, {"required_role", RoleName(role)}});
}

std::string RoleName(v1::Role role) {
  const std::string& full = v1::Role_Name(role);
  return full.size() > 5 ? full.substr(5) : absl::StrCat(static_cast<int>(role));
}

absl::string_view MemberIdOf(const v1::TeamCommand& command) {
  switch (command.command_case()) {
    case T::kAddMember: return command.add_member().member_id();
    case T::kSetRoles: return command.set_roles().member_id();
    case T::kDeactivate: return command.deactivate().member_id();
    case T::kReactivate: return command.reactivate().member_id();
    case T::kBootstrap: return command.bootstrap().member_id();
    case T::kSetTarget: return command.set_target().member_id();
    case T::kSetScoringPolicy:
    case T::COMMAND_NOT_SET: break;
  }
  return {};
}

const v1::CommandOptions& OptionsOf(const v1::TeamCommand& command) {
  switch (command.command_case()) {
    case T::kAddMember: return command.add_member().options();
    case T::kSetRoles: return command.set_roles().options();
    case T::kDeactivate: return command.deactivate().options();
    case T::kReactivate: return command.reactivate().options();
    case T::kSetTarget: return command.set_target().options();
    case T::kSetScoringPolicy: return command.set_scoring_policy().options();
    case T::kBootstrap:
    case T::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

absl::Status ValidateTeamCommand(const v1::TeamCommand& command) {
  if (command.command_case() == T::COMMAND_NOT_SET) return absl::InvalidArgumentError("command: is required");
  // Every field violation at once (errors::FieldViolations).
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));
  if (command.has_set_scoring_policy()) {
    v.Add(ValidatePolicyRoles(command.set_scoring_policy().roles()));
    v.Add(ValidateText("note", command.set_scoring_policy().note(), 0, kMaxShortTextChars, TextKind::kMultiLine));
    const uint32_t below = command.set_scoring_policy().follow_up_below();
    if (below == 1 || below > 5) v.Add("follow_up_below", "must be 2..5 (a score below it opens a follow-up), or 0 for none");
    return std::move(v).Finish();
  }
  v.Add(ValidateId("member_id", MemberIdOf(command)));
  switch (command.command_case()) {
    case T::kAddMember: {
      const auto& c = command.add_member();
      v.Add(ValidateText("display_name", c.display_name(), 1, kMaxPersonChars));
      v.Add(ValidateRoles(c.roles()));
      v.Add(ValidateCapacity(c.capacity()));
      break;
    }
    case T::kSetRoles:
      v.Add(ValidateRoles(command.set_roles().roles()));
      v.Add(ValidateCapacity(command.set_roles().capacity()));
      break;
    case T::kDeactivate:
      v.Add(ValidateText("reason", command.deactivate().reason(), 0, kMaxShortTextChars, TextKind::kMultiLine));
      break;
    case T::kSetTarget: {
      const auto& c = command.set_target();
      if (!IsValidPeriod(c.period())) v.Add("period", "must be YYYY-MM or YYYY-Qn (n = 1..4)");
      if (c.metric() == v1::TARGET_METRIC_WON_VALUE) {
        v.Add(c.has_won_value() ? ValidateMoney("won_value", c.won_value())
                                : absl::InvalidArgumentError("won_value: is required for WON_VALUE"));
      } else if (c.metric() == v1::TARGET_METRIC_WON_COUNT) {
        if (c.won_count() < 0 || c.won_count() > 1'000'000) v.Add("won_count", "must be between 0 and 1000000");
      } else {
        v.Add("metric", "is required (won_value, won_count)");
      }
      break;
    }
    case T::kReactivate:
    case T::kBootstrap:
    case T::kSetScoringPolicy:
    case T::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

absl::StatusOr<std::vector<v1::Event>> DecideTeam(const TeamState& state, const v1::TeamCommand& command) {
  const v1::CommandOptions& options = OptionsOf(command);
  if (options.has_expected_version() && options.expected_version() != state.version) {
    return errors::VersionConflict("team", "team", state.version, options.expected_version(), "the team");
  }
  if (command.has_set_scoring_policy()) {
    // A policy is about the team, not one member.
    std::vector<v1::Event> events(1);
    auto* e = events[0].mutable_scoring_policy_set();
    e->set_version(static_cast<uint32_t>(state.policies.size() + 1));
    *e->mutable_roles() = command.set_scoring_policy().roles();
    e->set_note(command.set_scoring_policy().note());
    e->set_follow_up_below(command.set_scoring_policy().follow_up_below());
    return events;
  }
  const std::string member_id(MemberIdOf(command));
  const v1::Member* member = state.Find(member_id);
  const bool creates = command.has_add_member() || command.has_bootstrap();
  // SetTarget addresses an existing member (checked below like the others).
  if (creates && member != nullptr) {
    return errors::AlreadyExists("member", member_id, absl::StrCat("member '", member_id, "' already exists"));
  }
  if (!creates && member == nullptr) {
    return errors::NotFound("member", member_id, absl::StrCat("member '", member_id, "' not found"));
  }
  std::vector<v1::Event> events(1);
  v1::Event& event = events[0];
  switch (command.command_case()) {
    case T::kBootstrap: {
      if (!state.members.empty()) {
        return errors::WithReason(
            absl::FailedPreconditionError("the team is not empty; bootstrap adds only the first ADMIN"),
            errors::kTeamNotEmpty);
      }
      auto* e = event.mutable_member_added();
      e->set_member_id(member_id);
      e->set_display_name(member_id);
      e->add_roles(v1::ROLE_ADMIN);
      break;
    }
    case T::kAddMember: {
      const auto& c = command.add_member();
      auto* e = event.mutable_member_added();
      e->set_member_id(member_id);
      e->set_display_name(c.display_name());
      *e->mutable_roles() = c.roles();
      e->set_capacity(c.capacity());
      break;
    }
    case T::kSetRoles: {
      const auto& c = command.set_roles();
      if (IsLastActiveAdmin(state, member_id) &&
          std::find(c.roles().begin(), c.roles().end(), v1::ROLE_ADMIN) == c.roles().end()) {
        return errors::WithReason(
            absl::FailedPreconditionError(
                absl::StrCat("member '", member_id, "' is the last active ADMIN; keep the ADMIN role")),
            errors::kLastAdmin, {{"member_id", member_id}});
      }
      auto* e = event.mutable_member_roles_changed();
      e->set_member_id(member_id);
      *e->mutable_roles() = c.roles();
      *e->mutable_previous_roles() = member->roles();
      e->set_capacity(c.capacity());
      break;
    }
    case T::kDeactivate:
      if (IsLastActiveAdmin(state, member_id)) {
        return errors::WithReason(
            absl::FailedPreconditionError(
                absl::StrCat("member '", member_id, "' is the last active ADMIN; the team would have none")),
            errors::kLastAdmin, {{"member_id", member_id}});
      }
      if (!member->active()) {
        return errors::NotAllowedIn(errors::kMemberStatusNotAllowed, "member", member_id, "MEMBER_STATUS",
                                    "status", "DEACTIVATED", "DeactivateMember",
                                    absl::StrCat("member '", member_id, "' is already deactivated"));
      }
      event.mutable_member_deactivated()->set_member_id(member_id);
      event.mutable_member_deactivated()->set_reason(command.deactivate().reason());
      break;
    case T::kReactivate:
      if (member->active()) {
        return errors::NotAllowedIn(errors::kMemberStatusNotAllowed, "member", member_id, "MEMBER_STATUS",
                                    "status", "ACTIVE", "ReactivateMember",
                                    absl::StrCat("member '", member_id, "' is already active"));
      }
      event.mutable_member_reactivated()->set_member_id(member_id);
      break;
    case T::kSetTarget: {
      const auto& c = command.set_target();
      auto* e = event.mutable_target_set();
      e->set_member_id(member_id);
      e->set_period(c.period());
      e->set_metric(c.metric());
      if (c.metric() == v1::TARGET_METRIC_WON_VALUE) {
        *e->mutable_won_value() = c.won_value();
      } else {
        e->set_won_count(c.won_count());
      }
      auto previous = state.targets.find(TargetKey(*e));
      e->set_revision(previous == state.targets.end() ? 1 : previous->second.revision() + 1);
      break;
    }
    case T::kSetScoringPolicy:
    case T::COMMAND_NOT_SET:
      break;
  }
  return events;
}

void EvolveTeam(TeamState& state, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  state.version = envelope.stream_version();
  state.last_occurred_at = FromProtoTime(envelope.occurred_at());
  switch (event.body_case()) {
    case v1::Event::kMemberAdded: {
      const auto& e = event.member_added();
      v1::Member& m = state.members[e.member_id()];
      m.set_member_id(e.member_id());
      m.set_display_name(e.display_name());
      *m.mutable_roles() = e.roles();
      m.set_capacity(e.capacity());
      m.set_active(true);
      break;
    }
    case v1::Event::kMemberRolesChanged: {
      const auto& e = event.member_roles_changed();
      v1::Member& m = state.members[e.member_id()];
      *m.mutable_roles() = e.roles();
      m.set_capacity(e.capacity());
      break;
    }
    case v1::Event::kMemberDeactivated:
      state.members[event.member_deactivated().member_id()].set_active(false);
      break;
    case v1::Event::kMemberReactivated:
      state.members[event.member_reactivated().member_id()].set_active(true);
      break;
    case v1::Event::kTargetSet: {
      const auto& e = event.target_set();
      v1::Target& t = state.targets[TargetKey(e)];
      t.set_member_id(e.member_id());
      t.set_period(e.period());
      t.set_metric(e.metric());
      *t.mutable_won_value() = e.won_value();
      t.set_won_count(e.won_count());
      t.set_revision(e.revision());
      t.set_set_by(envelope.actor());
      *t.mutable_set_at() = envelope.occurred_at();
      break;
    }
    case v1::Event::kScoringPolicySet: {
      const auto& e = event.scoring_policy_set();
      v1::ScoringPolicy& p = state.policies.emplace_back();
      p.set_version(e.version());
      *p.mutable_roles() = e.roles();
      p.set_note(e.note());
      p.set_follow_up_below(e.follow_up_below());
      p.set_set_by(envelope.actor());
      *p.mutable_set_at() = envelope.occurred_at();
      break;
    }
    default:
      break;
  }
}

}  // namespace salesops::domain
