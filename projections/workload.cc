#include "projections/workload.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "server/domain/events.h"
#include "server/domain/handoff.h"
#include "server/domain/meeting.h"
#include "server/domain/order.h"
#include "server/domain/ticket.h"
#include "server/domain/proto_time.h"
#include "server/domain/team.h"

namespace salesops::projections {
namespace {

constexpr v1::Role kWorkRoles[] = {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER, v1::ROLE_SALES_SUPPORT,
                                   v1::ROLE_AFTER_SALES};

const MemberWork* WorkOf(const WorkIndex& index, const std::string& member_id) {
  auto it = index.members.find(member_id);
  return it == index.members.end() ? nullptr : &it->second;
}

}  // namespace

absl::Duration LeadSla(v1::Role awaiting_role) {
  return awaiting_role == v1::ROLE_BD_MANAGER ? absl::Hours(48) : absl::Hours(24 * 14);
}

absl::Duration OrderSla(v1::OrderStatus status) {
  return status == v1::ORDER_STATUS_SHIPPED ? absl::Hours(24 * 7) : absl::Hours(24 * 3);
}

absl::Duration TicketSla(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_P1: return absl::Hours(4);
    case v1::SEVERITY_P2: return absl::Hours(24);
    case v1::SEVERITY_P3: return absl::Hours(24 * 3);
    default: return absl::Hours(24 * 7);
  }
}

absl::StatusOr<v1::Workload> BuildWorkload(const ViewsState& state, const v1::GetWorkloadRequest& request,
                                           absl::Time now) {
  if (!v1::Role_IsValid(request.role())) return absl::InvalidArgumentError("role: not a known role");
  const WorkIndex& work = state.index.work;

  v1::Workload out;
  out.set_sla_table_version(kSlaTableVersion);
  // Action items per owner: (open, overdue). Meetings are few; one pass.
  absl::flat_hash_map<absl::string_view, std::pair<uint32_t, uint32_t>> actions;
  for (const auto& [id, item] : state.core.meetings.items) {
    if (item.status() != v1::ACTION_ITEM_STATUS_OPEN) continue;
    auto& [open, overdue] = actions[item.owner()];
    ++open;
    if (domain::IsOverdue(item, now)) ++overdue;
  }
  for (const auto& [member_id, member] : state.core.team.members) {
    if (request.role() != v1::ROLE_UNSPECIFIED && !domain::HasRole(member, request.role())) continue;
    const MemberWork* items = WorkOf(work, member_id);
    // Inactive members are listed only while they still carry work.
    if (!member.active() && items == nullptr) continue;
    v1::MemberWorkload* m = out.add_members();
    m->set_member_id(member_id);
    m->set_display_name(member.display_name());
    *m->mutable_roles() = member.roles();
    m->set_active(member.active());
    m->set_capacity(member.capacity());
    const uint32_t load = domain::LoadOf(state.core.workload, member_id).open_items;
    m->set_load(load);
    m->set_load_ratio(member.capacity() == 0 ? 0.0 : static_cast<double>(load) / member.capacity());
    if (auto it = actions.find(member_id); it != actions.end()) {
      m->set_open_action_items(it->second.first);
      m->set_overdue_action_items(it->second.second);
    }
    if (items == nullptr) continue;
    for (const auto& [stage, n] : items->by_code[static_cast<int>(WorkItem::Kind::kLead)]) {
      v1::StageCount* c = m->add_leads_by_stage();
      c->set_stage(static_cast<v1::Stage>(stage));
      c->set_count(n);
    }
    for (const auto& [status, n] : items->by_code[static_cast<int>(WorkItem::Kind::kOrder)]) {
      v1::OrderStatusCount* c = m->add_orders_by_status();
      c->set_status(static_cast<v1::OrderStatus>(status));
      c->set_count(n);
    }
    for (const auto& [severity, n] : items->by_code[static_cast<int>(WorkItem::Kind::kTicket)]) {
      v1::SeverityCount* c = m->add_tickets_by_severity();
      c->set_severity(static_cast<v1::Severity>(severity));
      c->set_count(n);
    }
    // The oldest item is the first of some SLA group; the overdue ones are a
    // prefix of each (assigned before now − SLA).
    const TimedKey* oldest = nullptr;
    uint32_t overdue = 0;
    for (const auto& [sla, group] : items->by_sla) {
      if (oldest == nullptr || *group.begin() < *oldest) oldest = &*group.begin();
      for (auto it = group.begin(); it != group.end() && now - it->first > sla; ++it) ++overdue;
    }
    *m->mutable_oldest_item_age() = ToProtoDuration(std::max(absl::ZeroDuration(), now - oldest->first));
    m->set_oldest_item(*oldest->second);
    m->set_sla_overdue(overdue);
  }

  for (v1::Role role : kWorkRoles) {
    if (request.role() != v1::ROLE_UNSPECIFIED && request.role() != role) continue;
    v1::RoleWorkload* r = out.add_roles();
    r->set_role(role);
    uint32_t members = 0, total = 0, max = 0;
    for (const auto& [member_id, member] : state.core.team.members) {
      if (!member.active() || !domain::HasRole(member, role)) continue;
      ++members;
      uint32_t carried = 0;
      if (const MemberWork* items = WorkOf(work, member_id); items != nullptr) {
        if (auto n = items->by_role.find(role); n != items->by_role.end()) carried = n->second;
      }
      total += carried;
      max = std::max(max, carried);
    }
    r->set_members(members);
    r->set_total(total);
    r->set_max(max);
    const double mean = members == 0 ? 0.0 : static_cast<double>(total) / members;
    r->set_mean(mean);
    r->set_imbalance(total == 0 ? 0.0 : max / mean);
    if (auto queue = work.queues.find(role); queue != work.queues.end()) {
      r->set_unassigned(queue->second.size());
      for (const auto& [since, key] : queue->second) {
        if (r->unassigned_items_size() >= static_cast<int>(kMaxQueueItemsShown)) break;
        r->add_unassigned_items(*key);
      }
    }
  }
  return out;
}

}  // namespace salesops::projections
