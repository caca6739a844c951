#include "projections/meeting_brief.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "projections/review.h"
#include "server/domain/lead_details.h"
#include "server/domain/meeting.h"
#include "server/domain/period.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {
namespace {

using D = domain::LeadDetails;

constexpr v1::Role kWorkRoles[] = {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER, v1::ROLE_SALES_SUPPORT,
                                   v1::ROLE_AFTER_SALES};
constexpr size_t kOverdueShown = 5;
constexpr size_t kStuckShown = 3;
constexpr size_t kWinsShownPerCurrency = 3;
constexpr size_t kFastestShown = 3;
constexpr int32_t kLowScore = 2;

// The activity a fact counts as (empty: none), in BriefActivities' order.
absl::string_view ActivityOf(FactKind kind) {
  switch (kind) {
    case FactKind::kIdentified: return "leads_identified";
    case FactKind::kStageTime: return "stage_changes";
    case FactKind::kQuoteSent: return "quotes_sent";
    case FactKind::kWon: return "deals_won";
    case FactKind::kLost: return "deals_lost";
    case FactKind::kQualified: return "leads_qualified";
    case FactKind::kDisqualified: return "leads_disqualified";
    case FactKind::kNeedsRecorded: return "needs_recorded";
    case FactKind::kConfirmed: return "orders_confirmed";
    case FactKind::kShipped: return "orders_shipped";
    case FactKind::kDelivered: return "orders_delivered";
    case FactKind::kResolved: return "tickets_resolved";
    default: return {};
  }
}

bool InPeriod(absl::Time t, const BriefScope& scope) { return t >= scope.period_from && t < scope.period_to; }

// A closed lead of the period, before it becomes a BriefLead.
struct Close {
  absl::Time at;
  uint64_t position = 0;
  const std::string* lead_id = nullptr;
  const domain::LeadState* lead = nullptr;
  bool won = false;
};

v1::BriefLead LeadOf(const std::string& lead_id, const domain::LeadState& lead) {
  v1::BriefLead out;
  out.set_lead_id(std::string(domain::ShownLeadId(lead_id, lead)));
  out.set_stage(lead.stage);
  if (const D* d = lead.details.get(); d != nullptr) {
    out.set_company(std::string(d->text.Get(domain::TextFields::kCompany)));
    const D::Money which = d->has(D::kWonAmount)      ? D::kWon
                           : d->has(D::kQuotedAmount) ? D::kQuoted
                                                      : D::kEstimated;
    if (which != D::kEstimated || d->has(D::kEstimatedValue)) {
      out.mutable_value()->set_currency(d->currency_of(which));
      out.mutable_value()->set_amount_minor(d->amount_minor[which]);
    }
  }
  return out;
}

v1::BriefLead CloseOf(const Close& c) {
  v1::BriefLead out = LeadOf(*c.lead_id, *c.lead);
  *out.mutable_at() = ToProtoTime(c.at);
  if (const D* d = c.lead->details.get(); d != nullptr) {
    if (c.won && d->has(D::kIdentifiedAt)) *out.mutable_duration() = ToProtoDuration(c.at - d->time(D::kIdentifiedTime));
    if (!c.won) {
      out.set_loss_reason(d->loss_reason);
      out.set_reason(std::string(d->text.Get(domain::TextFields::kCloseReason)));
    }
  }
  return out;
}

// The month and the quarter holding `t`: "2026-11", "2026-Q4".
std::vector<std::string> PeriodLabels(absl::Time t) {
  const absl::CivilMonth m = absl::ToCivilMonth(t, absl::UTCTimeZone());
  const int year = static_cast<int>(m.year());
  return {domain::PeriodLabel({.year = year, .month = m.month()}),
          domain::PeriodLabel({.year = year, .quarter = (m.month() - 1) / 3 + 1})};
}

bool ItemBefore(const v1::ActionItem* a, const v1::ActionItem* b) {
  return std::tie(a->due_date(), a->action_item_id()) < std::tie(b->due_date(), b->action_item_id());
}

}  // namespace

const std::vector<std::string>& BriefActivities() {
  static const std::vector<std::string>* const names = new std::vector<std::string>{
      "leads_identified", "stage_changes",   "quotes_sent",      "deals_won",        "deals_lost",
      "leads_qualified",  "leads_disqualified", "needs_recorded", "orders_confirmed", "orders_shipped",
      "orders_delivered", "tickets_resolved"};
  return *names;
}

BriefScope ScopeOfMeeting(const v1::Meeting& meeting, absl::Time now) {
  BriefScope scope;
  scope.meeting_id = meeting.meeting_id();
  scope.title = meeting.title();
  scope.member_id = meeting.member_id();
  scope.period_from = FromProtoTime(meeting.period_from());
  scope.period_to = FromProtoTime(meeting.period_to());
  scope.meeting_start = FromProtoTime(meeting.starts_at());
  scope.provisional = scope.meeting_start > now;
  scope.moment = scope.provisional ? now : scope.meeting_start;
  return scope;
}

absl::StatusOr<v1::MeetingBrief> BuildMeetingBrief(const ViewsState& state, const BriefScope& scope,
                                                   absl::string_view only_member) {
  const domain::TeamState& team = state.core.team;
  const absl::Time now = scope.moment;

  // The members the brief covers, by id (the team map is ordered).
  std::vector<const v1::Member*> members;
  if (!scope.member_id.empty()) {
    const v1::Member* m = team.Find(scope.member_id);
    if (m == nullptr) return absl::NotFoundError(absl::StrCat("member '", scope.member_id, "' not found"));
    members.push_back(m);
  } else {
    for (const auto& entry : team.members) {
      const v1::Member& m = entry.second;
      if (!m.active()) continue;
      if (std::any_of(std::begin(kWorkRoles), std::end(kWorkRoles),
                      [&](v1::Role r) { return domain::HasRole(m, r); })) {
        members.push_back(&m);
      }
    }
  }
  if (!only_member.empty()) {
    std::erase_if(members, [&](const v1::Member* m) { return m->member_id() != only_member; });
  }

  // One pass over the closes and the open leads, grouped by owner.
  std::map<std::string, std::vector<Close>, std::less<>> closes;
  for (const auto& [lead_id, records] : state.facts.lead_closes) {
    const domain::LeadState& lead = state.core.Lead(lead_id);
    for (const CloseRecord& r : records) {
      if (InPeriod(r.at, scope)) closes[lead.owner.str()].push_back({r.at, r.position, &lead_id, &lead, r.won});
    }
  }
  // (entered stage, lead id) per owner: the open leads longest in their stage.
  std::map<std::string, std::vector<std::pair<absl::Time, const std::string*>>, std::less<>> open;
  for (const auto& [lead_id, lead] : state.core.leads) {
    if (!domain::IsOpenStage(lead.stage) || lead.details == nullptr) continue;
    open[lead.owner.str()].push_back({lead.details->time(D::kStageEntered), &lead_id});
  }

  v1::MeetingBrief out;
  out.set_meeting_id(scope.meeting_id);
  out.set_title(scope.title);
  out.set_member_id(scope.member_id);
  *out.mutable_period_from() = ToProtoTime(scope.period_from);
  *out.mutable_period_to() = ToProtoTime(scope.period_to);
  out.set_provisional(scope.provisional);

  for (const v1::Member* member : members) {
    const std::string& id = member->member_id();
    v1::MemberBrief* b = out.add_members();
    b->set_member_id(id);
    b->set_display_name(member->display_name());
    *b->mutable_roles() = member->roles();

    // Progress: what the member's facts of the period count.
    std::map<absl::string_view, uint64_t> counts;
    if (auto it = state.facts.by_member.find(id); it != state.facts.by_member.end()) {
      for (const Fact& f : it->second) {
        if (!InPeriod(f.at, scope)) continue;
        if (absl::string_view a = ActivityOf(f.kind); !a.empty()) ++counts[a];
        const bool survey = f.kind == FactKind::kOwnerSurvey || f.kind == FactKind::kResolverSurvey;
        if (survey && std::min({f.q, f.a, f.s}) <= kLowScore) {
          v1::BriefSurvey* s = b->add_low_surveys();
          s->set_position(f.position);
          *s->mutable_at() = ToProtoTime(f.at);
          s->set_product_quality(f.q);
          s->set_service_attitude(f.a);
          s->set_response_speed(f.s);
          s->set_as_owner(f.kind == FactKind::kOwnerSurvey);
        }
      }
    }
    for (const std::string& a : BriefActivities()) {
      if (auto it = counts.find(a); it != counts.end()) {
        v1::ActivityCount* c = b->add_activity();
        c->set_activity(a);
        c->set_count(it->second);
      }
    }

    // Wins and losses of the member's leads, by time.
    std::vector<Close> own;  // each member's closes are read once: take them
    if (auto it = closes.find(id); it != closes.end()) own = std::move(it->second);
    std::sort(own.begin(), own.end(),
              [](const Close& x, const Close& y) { return std::tie(x.at, x.position) < std::tie(y.at, y.position); });
    std::vector<v1::BriefLead> wins;
    std::map<std::string, int64_t> won_value;
    for (const Close& c : own) {
      v1::BriefLead lead = CloseOf(c);
      if (c.won) {
        if (lead.has_value()) won_value[lead.value().currency()] += lead.value().amount_minor();
        *b->add_wins() = lead;
        wins.push_back(std::move(lead));
      } else {
        *b->add_losses() = std::move(lead);
      }
    }
    for (const auto& [currency, amount] : won_value) {
      v1::Money* m = b->add_won_value();
      m->set_currency(currency);
      m->set_amount_minor(amount);
    }

    // Successes: the largest wins per currency, the fastest cycles.
    std::vector<const v1::BriefLead*> by_value;
    for (const v1::BriefLead& w : wins) {
      if (w.has_value()) by_value.push_back(&w);
    }
    std::stable_sort(by_value.begin(), by_value.end(), [](const v1::BriefLead* x, const v1::BriefLead* y) {
      if (x->value().currency() != y->value().currency()) return x->value().currency() < y->value().currency();
      return x->value().amount_minor() > y->value().amount_minor();
    });
    std::map<std::string, size_t> shown;
    for (const v1::BriefLead* w : by_value) {
      if (shown[w->value().currency()]++ < kWinsShownPerCurrency) *b->add_largest_wins() = *w;
    }
    std::vector<const v1::BriefLead*> by_cycle;
    for (const v1::BriefLead& w : wins) {
      if (w.has_duration()) by_cycle.push_back(&w);
    }
    std::stable_sort(by_cycle.begin(), by_cycle.end(), [](const v1::BriefLead* x, const v1::BriefLead* y) {
      return FromProtoDuration(x->duration()) < FromProtoDuration(y->duration());
    });
    for (size_t i = 0; i < by_cycle.size() && i < kFastestShown; ++i) *b->add_fastest_cycles() = *by_cycle[i];

    // Problems: work past its SLA (as the workload view counts it) ...
    if (auto it = state.index.work.members.find(id); it != state.index.work.members.end()) {
      std::vector<std::tuple<absl::Duration, absl::Time, const std::string*>> overdue;  // (-over, since, stream)
      for (const auto& [sla, group] : it->second.by_sla) {
        for (auto g = group.begin(); g != group.end() && now - g->first > sla; ++g) {
          overdue.emplace_back(-(now - g->first - sla), g->first, &*g->second);
        }
      }
      b->set_sla_overdue(static_cast<uint32_t>(overdue.size()));
      std::sort(overdue.begin(), overdue.end(), [](const auto& x, const auto& y) {
        return std::tie(std::get<0>(x), std::get<1>(x), *std::get<2>(x)) <
               std::tie(std::get<0>(y), std::get<1>(y), *std::get<2>(y));
      });
      for (size_t i = 0; i < overdue.size() && i < kOverdueShown; ++i) {
        v1::BriefOverdueItem* o = b->add_overdue();
        o->set_stream_id(*std::get<2>(overdue[i]));
        *o->mutable_since() = ToProtoTime(std::get<1>(overdue[i]));
        *o->mutable_overdue_by() = ToProtoDuration(-std::get<0>(overdue[i]));
      }
    }
    // ... the own open leads longest in their stage ...
    if (auto it = open.find(id); it != open.end()) {
      auto& leads = it->second;
      const size_t n = std::min(kStuckShown, leads.size());
      std::partial_sort(leads.begin(), leads.begin() + static_cast<std::ptrdiff_t>(n), leads.end(),
                        [](const auto& x, const auto& y) { return std::tie(x.first, *x.second) < std::tie(y.first, *y.second); });
      for (size_t i = 0; i < n; ++i) {
        const std::string& lead_id = *leads[i].second;
        v1::BriefLead* s = b->add_stuck();
        *s = LeadOf(lead_id, state.core.Lead(lead_id));
        *s->mutable_at() = ToProtoTime(leads[i].first);
        *s->mutable_duration() = ToProtoDuration(std::max(absl::ZeroDuration(), now - leads[i].first));
      }
    }
    // ... hand-offs not yet taken up ...
    absl::Time oldest = absl::InfiniteFuture();
    uint32_t waiting = 0;
    for (const auto& [stream, pending] : state.facts.pending) {
      if (pending.assignee != id) continue;
      ++waiting;
      oldest = std::min(oldest, pending.at);
    }
    b->set_handoffs_waiting(waiting);
    if (waiting > 0) *b->mutable_oldest_handoff_wait() = ToProtoDuration(std::max(absl::ZeroDuration(), now - oldest));
    // ... and action items past their due date.
    std::vector<const v1::ActionItem*> late;
    for (const auto& [item_id, item] : state.core.meetings.items) {
      if (item.owner() == id && domain::IsOverdue(item, now)) late.push_back(&item);
    }
    std::sort(late.begin(), late.end(), ItemBefore);
    for (const v1::ActionItem* item : late) *b->add_overdue_action_items() = *item;

    // Targets of the month and the quarter holding the moment, achieved so far.
    for (const std::string& label : PeriodLabels(now)) {
      absl::StatusOr<v1::ReviewPeriod> period = ResolvePeriod(label, nullptr, nullptr);
      if (!period.ok()) continue;
      absl::StatusOr<v1::PerformanceReview> review = BuildReview(state, id, *period, 0);
      if (!review.ok()) continue;
      for (const v1::RoleReview& role : review->roles()) {
        for (const v1::TargetAttainment& t : role.targets()) {
          v1::PeriodAttainment* p = b->add_targets();
          p->set_period(label);
          *p->mutable_attainment() = t;
        }
      }
    }
  }

  // Action items still open from earlier meetings of the same scope.
  std::vector<const v1::ActionItem*> carried;
  for (const auto& [item_id, item] : state.core.meetings.items) {
    if (item.status() != v1::ACTION_ITEM_STATUS_OPEN || item.meeting_id() == scope.meeting_id) continue;
    if (!only_member.empty() && item.owner() != only_member) continue;
    const v1::Meeting& from = state.core.meetings.Meeting(item.meeting_id());
    if (from.member_id() != scope.member_id || FromProtoTime(from.starts_at()) >= scope.meeting_start) continue;
    carried.push_back(&item);
  }
  std::sort(carried.begin(), carried.end(), ItemBefore);
  for (const v1::ActionItem* item : carried) *out.add_carried_forward() = *item;
  return out;
}

}  // namespace salesops::projections
