#include "server/domain/handoff.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"

namespace salesops::domain {
namespace {

bool AtCapacity(const v1::Member& m, const MemberLoad& load) {
  return m.capacity() > 0 && load.open_items >= m.capacity();
}

bool Eligible(const TeamState& team, const Workload& workload, absl::string_view id, v1::Role role) {
  const v1::Member* m = team.Find(id);
  return m != nullptr && m->active() && HasRole(*m, role) && !AtCapacity(*m, LoadOf(workload, id));
}

// The role's eligible candidates (members ordered by id) and the skipped ones.
v1::HandOff Candidates(const TeamState& team, const Workload& workload, v1::Role role) {
  v1::HandOff h;
  h.set_role(role);
  h.set_policy_version(kAssignmentPolicyVersion);
  for (const auto& [id, m] : team.members) {
    if (!HasRole(m, role)) continue;
    const MemberLoad load = LoadOf(workload, id);
    if (!m.active()) {
      h.add_skipped(absl::StrCat(id, ": inactive"));
    } else if (AtCapacity(m, load)) {
      h.add_skipped(absl::StrCat(id, ": at capacity ", m.capacity()));
    } else {
      v1::HandOffCandidate* c = h.add_candidates();
      c->set_member_id(id);
      c->set_open_items(load.open_items);
      c->set_capacity(m.capacity());
      c->set_last_assigned_position(load.last_assigned_position);
    }
  }
  return h;
}

}  // namespace

MemberLoad LoadOf(const Workload& workload, absl::string_view member_id) {
  auto it = workload.find(member_id);
  return it == workload.end() ? MemberLoad{} : it->second;
}

v1::Role RoleAwaitedIn(v1::Stage stage) {
  switch (stage) {
    case v1::STAGE_IDENTIFIED:
    case v1::STAGE_QUALIFIED:
      return v1::ROLE_BD_MANAGER;
    case v1::STAGE_NEEDS_ANALYZED:
    case v1::STAGE_SOLUTION_PROPOSED:
    case v1::STAGE_QUOTED:
    case v1::STAGE_NEGOTIATING:
      return v1::ROLE_SALES_REP;
    default:
      return v1::ROLE_UNSPECIFIED;
  }
}

Choice Choose(const TeamState& team, const Workload& workload, v1::Role role, absl::string_view named,
              absl::string_view owner, absl::string_view current) {
  Choice choice;
  choice.explanation = Candidates(team, workload, role);
  v1::HandOff& h = choice.explanation;
  const auto pick = [&](absl::string_view id, absl::string_view rule) {
    choice.assignee = std::string(id);
    h.set_rule(std::string(rule));
    return choice;
  };
  const auto active_with_role = [&](absl::string_view id) {
    const v1::Member* m = team.Find(id);
    return m != nullptr && m->active() && HasRole(*m, role);
  };
  if (!named.empty()) {
    if (Eligible(team, workload, named, role)) return pick(named, "named in the command");
    h.add_skipped(absl::StrCat(named, ": named, but not an active ", RoleName(role), " below capacity"));
  }
  if (!owner.empty() && active_with_role(owner)) return pick(owner, "owner");
  if (!current.empty() && active_with_role(current)) return pick(current, "kept: the current assignee holds the role");
  const auto& candidates = h.candidates();
  const auto best = std::min_element(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.open_items(), a.last_assigned_position(), a.member_id()) <
           std::make_tuple(b.open_items(), b.last_assigned_position(), b.member_id());
  });
  if (best != candidates.end()) {
    return pick(best->member_id(), "least loaded (ties: assigned least recently, then member id)");
  }
  return pick("", absl::StrCat("no eligible ", RoleName(role), ": unassigned queue"));
}

v1::LeadAssigned ChooseAssignee(const TeamState& team, const Workload& workload, const LeadState& lead,
                                absl::string_view named) {
  const v1::Role role = RoleAwaitedIn(lead.stage);
  Choice choice = Choose(team, workload, role, named, role == v1::ROLE_SALES_REP ? lead.owner : "", lead.assignee);
  v1::LeadAssigned assigned;
  assigned.set_assignee(std::move(choice.assignee));
  assigned.set_role(role);
  assigned.set_previous_assignee(lead.assignee);
  *assigned.mutable_explanation() = std::move(choice.explanation);
  return assigned;
}

v1::HandOff ExplainManual(const TeamState& team, const Workload& workload, v1::Role role, absl::string_view actor) {
  v1::HandOff h = Candidates(team, workload, role);
  h.set_rule(absl::StrCat("named by ", actor));
  return h;
}

}  // namespace salesops::domain
