#include "projections/view_index.h"

#include <algorithm>
#include <vector>

#include "absl/strings/strip.h"
#include "projections/workload.h"
#include "server/domain/events.h"
#include "server/domain/lead.h"
#include "server/domain/order.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {
namespace {

template <typename Set, typename Key>
void Update(Set& set, Key key, int sign) {
  if (sign > 0) {
    set.insert(std::move(key));
  } else {
    set.erase(key);
  }
}

// by_value: also keep the lead in its stage's by-value set. A lead in a
// stage this build does not know (only an imported event can put it there:
// Admin.ImportEvents checks event types, not enum values) is in no stage's
// index, as one from an unknown source is in no by_source one.
void IndexPipeline(PipelineIndex& index, IdRef id, const LeadIndexKey& lead, int sign, bool by_value) {
  if (!v1::Stage_IsValid(lead.stage)) return;
  StageIndex& stage = index.stages[lead.stage];
  Update(stage.by_entered, TimedKey{lead.entered, id}, sign);
  stage.entered_sum += sign * (lead.entered - absl::UnixEpoch());
  if (lead.has_value) {
    CurrencyTotal& total = stage.values[lead.value_currency];
    total.leads += sign;
    total.total_minor += sign * lead.value_minor;
    if (total.leads == 0) stage.values.erase(lead.value_currency);
    if (by_value) {
      ValuedSet& set = stage.by_value[lead.value_currency];
      Update(set, std::pair(ValueKey(lead.value_minor), id), sign);
      if (set.empty()) stage.by_value.erase(lead.value_currency);
    }
  } else {
    stage.without_value += sign;
  }
  for (int i = 1; i <= domain::FunnelIndex(lead.furthest); ++i) index.reached[i] += sign;
  if (lead.stage == v1::STAGE_WON || lead.stage == v1::STAGE_LOST) {
    const int64_t day = DayOf(lead.entered);
    DayCloses& closes = index.closes_by_day[day];
    if (lead.stage == v1::STAGE_WON) {
      closes.won += sign;
      CurrencyTotal& value = closes.won_value[lead.won_currency];
      value.leads += sign;
      value.total_minor += sign * lead.won_minor;
      if (value.leads == 0) closes.won_value.erase(lead.won_currency);
    } else {
      closes.lost += sign;
    }
    if (closes.won == 0 && closes.lost == 0) index.closes_by_day.erase(day);
  }
}

// The part of the key the stage indexes depend on.
bool SamePipeline(const LeadIndexKey& a, const LeadIndexKey& b) {
  return a.stage == b.stage && a.furthest == b.furthest && a.source == b.source && a.entered == b.entered &&
         a.has_value == b.has_value && a.value_currency == b.value_currency && a.value_minor == b.value_minor &&
         a.won_currency == b.won_currency && a.won_minor == b.won_minor;
}

void IndexMember(absl::flat_hash_map<std::string, absl::flat_hash_set<IdRef>>& index, const std::string& member,
                 IdRef id, int sign) {
  if (member.empty()) return;
  auto& set = index[member];
  Update(set, id, sign);
  if (set.empty()) index.erase(member);
}

}  // namespace

IdRef IdRef::Least() {
  static const std::string* const kEmpty = new std::string();
  return IdRef(*kEmpty);
}

int64_t DayOf(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

absl::Time DayStart(int64_t day) { return absl::FromUnixSeconds(day * 86400); }

LeadIndexKey IndexKeyOf(const domain::LeadState& lead) {
  using D = domain::LeadDetails;
  const D& d = *lead.details;
  LeadIndexKey key;
  key.stage = lead.stage;
  key.furthest = d.furthest_stage;
  key.source = d.source;
  key.entered = d.time(D::kStageEntered);
  key.identified = d.time(D::kIdentifiedTime);
  key.has_value = d.has(D::kEstimatedValue);
  if (key.has_value) {
    key.value_currency = d.currency[D::kEstimated];
    key.value_minor = d.amount_minor[D::kEstimated];
  }
  if (lead.stage == v1::STAGE_WON) {
    key.won_currency = d.currency[D::kWon];
    key.won_minor = d.amount_minor[D::kWon];
  }
  key.owner = lead.owner;
  key.assignee = lead.assignee;
  return key;
}

void ReindexLead(LeadIndex& index, const std::string& id, const LeadIndexKey* before, const LeadIndexKey* after) {
  const IdRef ref(id);
  const auto each = [&](auto&& same, auto&& apply) {
    if (before != nullptr && after != nullptr && same(*before, *after)) return;
    if (before != nullptr) apply(*before, -1);
    if (after != nullptr) apply(*after, +1);
  };
  each(SamePipeline, [&](const LeadIndexKey& key, int sign) {
    IndexPipeline(index.all, ref, key, sign, /*by_value=*/true);
    if (v1::LeadSource_IsValid(key.source)) IndexPipeline(index.by_source[key.source], ref, key, sign, false);
  });
  each([](const LeadIndexKey& a, const LeadIndexKey& b) { return a.identified == b.identified; },
       [&](const LeadIndexKey& key, int sign) { Update(index.by_identified, TimedKey{key.identified, ref}, sign); });
  each([](const LeadIndexKey& a, const LeadIndexKey& b) { return a.owner == b.owner; },
       [&](const LeadIndexKey& key, int sign) { IndexMember(index.by_owner, key.owner, ref, sign); });
  each([](const LeadIndexKey& a, const LeadIndexKey& b) { return a.assignee == b.assignee; },
       [&](const LeadIndexKey& key, int sign) { IndexMember(index.by_assignee, key.assignee, ref, sign); });
}

void IndexLeads(LeadIndex& index, const LeadViews& leads) {
  using D = domain::LeadDetails;
  // Each lead in (stage entered, id) order, so that each insert into a
  // stage's by_entered set lands at its end; the by-value sets are filled
  // afterwards from sorted entries, each at its end too.
  std::vector<std::pair<absl::Time, const LeadViews::value_type*>> by_entered;
  by_entered.reserve(leads.size());
  for (const auto& entry : leads) {
    // A lead without details (only a snapshot can hold one) has no view to index.
    if (entry.second.details != nullptr) by_entered.emplace_back(entry.second.details->time(D::kStageEntered), &entry);
  }
  std::sort(by_entered.begin(), by_entered.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->first < b.second->first;
  });
  struct Valued {
    v1::Stage stage;
    const std::string* currency;
    std::pair<int64_t, IdRef> key;
  };
  std::vector<Valued> valued;
  for (const auto& [entered, entry] : by_entered) {
    const IdRef ref(entry->first);
    const domain::LeadState& lead = entry->second;
    const LeadIndexKey key = IndexKeyOf(lead);
    IndexPipeline(index.all, ref, key, +1, /*by_value=*/false);
    if (key.has_value && v1::Stage_IsValid(lead.stage)) {
      valued.push_back({lead.stage, &lead.details->currency_of(D::kEstimated), std::pair(ValueKey(key.value_minor), ref)});
    }
    if (v1::LeadSource_IsValid(key.source)) IndexPipeline(index.by_source[key.source], ref, key, +1, false);
    index.by_identified.insert(TimedKey{key.identified, ref});
    IndexMember(index.by_owner, key.owner, ref, +1);
    IndexMember(index.by_assignee, key.assignee, ref, +1);
  }
  std::sort(valued.begin(), valued.end(), [](const Valued& a, const Valued& b) {
    if (a.stage != b.stage) return a.stage < b.stage;
    if (*a.currency != *b.currency) return *a.currency < *b.currency;
    return a.key < b.key;
  });
  for (const Valued& v : valued) {
    ValuedSet& set = index.all.stages[v.stage].by_value[*v.currency];
    set.insert(set.end(), v.key);
  }
}

std::optional<WorkItem> WorkItemOf(const domain::State& core, absl::string_view stream_id) {
  absl::string_view id = stream_id;
  if (absl::ConsumePrefix(&id, domain::kLeadStreamPrefix)) {
    auto lead = core.leads.find(id);
    if (lead == core.leads.end() || !domain::IsOpenStage(lead->second.stage) ||
        lead->second.awaiting_role == v1::ROLE_UNSPECIFIED) {
      return std::nullopt;
    }
    const domain::LeadDetails* details = lead->second.details.get();
    return WorkItem{lead->second.awaiting_role, lead->second.assignee,
                    details == nullptr ? absl::InfinitePast() : details->time(domain::LeadDetails::kAssigned),
                    LeadSla(lead->second.awaiting_role), WorkItem::Kind::kLead, lead->second.stage};
  }
  if (absl::ConsumePrefix(&id, domain::kOrderStreamPrefix)) {
    auto order = core.orders.find(id);
    if (order == core.orders.end() || !domain::IsOpenOrder(order->second.status())) return std::nullopt;
    return WorkItem{v1::ROLE_SALES_SUPPORT, order->second.assignee(), FromProtoTime(order->second.assigned_at()),
                    OrderSla(order->second.status()), WorkItem::Kind::kOrder, order->second.status()};
  }
  if (absl::ConsumePrefix(&id, domain::kTicketStreamPrefix)) {
    auto ticket = core.tickets.find(id);
    if (ticket == core.tickets.end() || ticket->second.status() != v1::TICKET_STATUS_OPEN) return std::nullopt;
    return WorkItem{v1::ROLE_AFTER_SALES, ticket->second.assignee(), FromProtoTime(ticket->second.assigned_at()),
                    TicketSla(ticket->second.severity()), WorkItem::Kind::kTicket, ticket->second.severity()};
  }
  return std::nullopt;
}

void IndexWork(WorkIndex& index, absl::string_view stream_id, const std::optional<WorkItem>& item) {
  const auto count = [](auto& map, auto key, int sign) {
    auto& n = map[key];
    n += sign;
    if (n == 0) map.erase(key);
  };
  // `id`: the item's key in index.items.
  const auto place = [&](const std::string& id, const WorkItem& w, int sign) {
    const TimedKey key{w.since, IdRef(id)};
    if (w.assignee.empty()) {
      TimedSet& queue = index.queues[w.role];
      Update(queue, key, sign);
      if (queue.empty()) index.queues.erase(w.role);
      return;
    }
    MemberWork& member = index.members[w.assignee];
    member.items += sign;
    count(member.by_role, w.role, sign);
    count(member.by_code[static_cast<int>(w.kind)], w.code, sign);
    TimedSet& group = member.by_sla[w.sla];
    Update(group, key, sign);
    if (group.empty()) member.by_sla.erase(w.sla);
    if (member.items == 0) index.members.erase(w.assignee);
  };
  auto old = index.items.find(stream_id);
  if (old != index.items.end()) {
    if (item.has_value() && *item == old->second) return;
    place(old->first, old->second, -1);
    if (!item.has_value()) {
      index.items.erase(old);
      return;
    }
    old->second = *item;
    place(old->first, old->second, +1);
    return;
  }
  if (item.has_value()) {
    auto added = index.items.emplace(stream_id, *item).first;
    place(added->first, added->second, +1);
  }
}

}  // namespace salesops::projections
