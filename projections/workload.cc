#include "projections/workload.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "server/domain/events.h"
#include "server/domain/handoff.h"
#include "server/domain/order.h"
#include "server/domain/ticket.h"
#include "server/domain/proto_time.h"
#include "server/domain/team.h"

namespace salesops::projections {
namespace {

constexpr v1::Role kWorkRoles[] = {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER, v1::ROLE_SALES_SUPPORT,
                                   v1::ROLE_AFTER_SALES};

// One open piece of work: assigned to a member, or waiting in a role's queue.
struct Item {
  std::string key;  // "lead-…", "order-…", "ticket-…"
  v1::Role role;
  std::string assignee;
  absl::Time since;  // assigned (or queued) at
  absl::Duration sla;
};

struct MemberTally {
  std::map<v1::Stage, uint32_t> stages;
  std::map<v1::OrderStatus, uint32_t> orders;
  std::map<v1::Severity, uint32_t> tickets;
  std::map<v1::Role, uint32_t> by_role;
  uint32_t items = 0;
  uint32_t overdue = 0;
  absl::Time oldest = absl::InfiniteFuture();
  std::string oldest_key;
};

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

  // Every open item, from the same aggregates hand-offs count.
  std::vector<Item> items;
  std::map<std::string, MemberTally> tallies;
  const auto add = [&](Item item) {
    if (!item.assignee.empty()) {
      MemberTally& t = tallies[item.assignee];
      ++t.items;
      ++t.by_role[item.role];
      if (now - item.since > item.sla) ++t.overdue;
      if (item.since < t.oldest || (item.since == t.oldest && item.key < t.oldest_key)) {
        t.oldest = item.since;
        t.oldest_key = item.key;
      }
    }
    items.push_back(std::move(item));
  };
  for (const auto& [id, lead] : state.core.leads) {
    if (!domain::IsOpenStage(lead.stage) || lead.awaiting_role == v1::ROLE_UNSPECIFIED) continue;
    auto view = state.leads.find(id);
    const absl::Time since =
        view == state.leads.end() ? absl::InfinitePast() : FromProtoTime(view->second.assigned_at());
    if (!lead.assignee.empty()) ++tallies[lead.assignee].stages[lead.stage];
    add(Item{absl::StrCat(domain::kLeadStreamPrefix, id), lead.awaiting_role, lead.assignee, since,
             LeadSla(lead.awaiting_role)});
  }
  for (const auto& [id, order] : state.core.orders) {
    if (!domain::IsOpenOrder(order.status())) continue;
    if (!order.assignee().empty()) ++tallies[order.assignee()].orders[order.status()];
    add(Item{absl::StrCat(domain::kOrderStreamPrefix, id), v1::ROLE_SALES_SUPPORT, order.assignee(),
             FromProtoTime(order.assigned_at()), OrderSla(order.status())});
  }
  for (const auto& [id, ticket] : state.core.tickets) {
    if (ticket.status() != v1::TICKET_STATUS_OPEN) continue;
    if (!ticket.assignee().empty()) ++tallies[ticket.assignee()].tickets[ticket.severity()];
    add(Item{absl::StrCat(domain::kTicketStreamPrefix, id), v1::ROLE_AFTER_SALES, ticket.assignee(),
             FromProtoTime(ticket.assigned_at()), TicketSla(ticket.severity())});
  }

  v1::Workload out;
  out.set_sla_table_version(kSlaTableVersion);
  for (const auto& [member_id, member] : state.core.team.members) {
    if (request.role() != v1::ROLE_UNSPECIFIED && !domain::HasRole(member, request.role())) continue;
    const auto tally = tallies.find(member_id);
    // Inactive members are listed only while they still carry work.
    if (!member.active() && tally == tallies.end()) continue;
    v1::MemberWorkload* m = out.add_members();
    m->set_member_id(member_id);
    m->set_display_name(member.display_name());
    *m->mutable_roles() = member.roles();
    m->set_active(member.active());
    m->set_capacity(member.capacity());
    const uint32_t load = domain::LoadOf(state.core.workload, member_id).open_items;
    m->set_load(load);
    m->set_load_ratio(member.capacity() == 0 ? 0.0 : static_cast<double>(load) / member.capacity());
    if (tally == tallies.end()) continue;
    const MemberTally& t = tally->second;
    for (const auto& [stage, n] : t.stages) {
      v1::StageCount* c = m->add_leads_by_stage();
      c->set_stage(stage);
      c->set_count(n);
    }
    for (const auto& [status, n] : t.orders) {
      v1::OrderStatusCount* c = m->add_orders_by_status();
      c->set_status(status);
      c->set_count(n);
    }
    for (const auto& [severity, n] : t.tickets) {
      v1::SeverityCount* c = m->add_tickets_by_severity();
      c->set_severity(severity);
      c->set_count(n);
    }
    *m->mutable_oldest_item_age() = ToProtoDuration(std::max(absl::ZeroDuration(), now - t.oldest));
    m->set_oldest_item(t.oldest_key);
    m->set_sla_overdue(t.overdue);
  }

  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.since != b.since ? a.since < b.since : a.key < b.key;
  });
  for (v1::Role role : kWorkRoles) {
    if (request.role() != v1::ROLE_UNSPECIFIED && request.role() != role) continue;
    v1::RoleWorkload* r = out.add_roles();
    r->set_role(role);
    uint32_t members = 0, total = 0, max = 0;
    for (const auto& [member_id, member] : state.core.team.members) {
      if (!member.active() || !domain::HasRole(member, role)) continue;
      ++members;
      const auto tally = tallies.find(member_id);
      const uint32_t carried = tally == tallies.end() ? 0 : tally->second.by_role[role];
      total += carried;
      max = std::max(max, carried);
    }
    r->set_members(members);
    r->set_total(total);
    r->set_max(max);
    const double mean = members == 0 ? 0.0 : static_cast<double>(total) / members;
    r->set_mean(mean);
    r->set_imbalance(total == 0 ? 0.0 : max / mean);
    for (const Item& item : items) {
      if (item.role != role || !item.assignee.empty()) continue;
      r->set_unassigned(r->unassigned() + 1);
      if (r->unassigned_items_size() < static_cast<int>(kMaxQueueItemsShown)) r->add_unassigned_items(item.key);
    }
  }
  return out;
}

}  // namespace salesops::projections
