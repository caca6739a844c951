#include "projections/accounts_view.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "projections/analysis.h"
#include "server/domain/lead.h"
#include "server/domain/lead_details.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"

namespace salesops::projections {
namespace {

using D = domain::LeadDetails;

bool IsLost(v1::Stage stage) { return stage == v1::STAGE_LOST || stage == v1::STAGE_DISQUALIFIED; }

void SetMoney(v1::Money& out, const D& details, D::Money which) {
  out.set_currency(details.currency_of(which));
  out.set_amount_minor(details.amount_minor[which]);
}

void FillLead(v1::AccountLead& out, const std::string& id, const domain::LeadState& lead) {
  const D& d = *lead.details;
  out.set_lead_id(std::string(domain::ShownLeadId(id, lead)));
  out.set_company(std::string(d.text.Get(domain::TextFields::kCompany)));
  out.set_stage(lead.stage);
  out.set_owner(lead.owner.str());
  out.set_source(d.source);
  if (d.has(D::kIdentifiedAt)) *out.mutable_identified_at() = d.times[D::kIdentifiedTime].ToProto();
  if (d.has(D::kEstimatedValue)) SetMoney(*out.mutable_estimated_value(), d, D::kEstimated);
  if (lead.stage == v1::STAGE_WON && d.has(D::kWonAmount)) SetMoney(*out.mutable_won_amount(), d, D::kWon);
  if ((lead.stage == v1::STAGE_WON || IsLost(lead.stage)) && d.has(D::kStageEnteredAt)) {
    *out.mutable_closed_at() = d.times[D::kStageEntered].ToProto();
  }
  for (absl::string_view name : domain::UnpackProducts(d.text.Get(domain::TextFields::kProducts))) {
    out.add_products(std::string(name));
  }
}

// The summary of the account `ordinal` over its leads but `except` (all of
// them for null), listing the latest `max_leads` of them.
v1::AccountSummary Summarize(const ViewsState& state, uint32_t ordinal, const AccountEntry& entry,
                             const std::string* except, uint32_t max_leads) {
  const absl::string_view account_id = state.core.accounts.IdOf(ordinal);
  v1::AccountSummary out;
  out.set_account_id(std::string(account_id));
  if (const domain::AccountDetails* d = state.core.accounts.DetailsOf(ordinal)) out.set_company(std::string(d->company));
  // The account's running counts, less the excepted lead's part.
  const domain::LeadState* lead = nullptr;
  if (except != nullptr) lead = &state.core.leads.find(*except)->second;
  const auto less = [&](bool counts) -> uint64_t { return counts ? 1 : 0; };
  const v1::Stage stage = lead == nullptr ? v1::STAGE_UNSPECIFIED : lead->stage;
  const bool won = stage == v1::STAGE_WON;
  out.set_leads(entry.leads.size() - less(lead != nullptr));
  out.set_open_leads(entry.open - less(lead != nullptr && domain::IsOpenStage(stage)));
  out.set_won(entry.won - less(won));
  out.set_lost(entry.lost - less(IsLost(stage)));
  const AccountActivity& a = entry.activity();
  for (const auto& [currency, total] : a.won_value) {
    CurrencyTotal sum = total;
    if (won && lead->details->has(D::kWonAmount) && lead->details->currency_of(D::kWon) == currency) {
      --sum.leads;
      sum.total_minor -= lead->details->amount_minor[D::kWon];
    }
    if (sum.leads == 0) continue;
    v1::Money* m = out.add_won_value();
    m->set_currency(currency);
    m->set_amount_minor(sum.total_minor);
  }
  std::optional<TimedKey> last = a.last_win;
  if (last.has_value() && except != nullptr && *last->second == *except) last = a.previous_win;
  if (last.has_value()) *out.mutable_last_purchase_at() = ToProtoTime(last->first);
  // Orders: at most one per lead, with the lead's id.
  out.set_orders(a.orders);
  out.set_open_orders(a.open_orders);
  if (except != nullptr) {
    if (auto order = state.core.orders.find(*except);
        order != state.core.orders.end() && order->second.lead_id() == *except) {
      out.set_orders(out.orders() - 1);
      const v1::OrderStatus status = order->second.status();
      if (status != v1::ORDER_STATUS_DELIVERED && status != v1::ORDER_STATUS_CANCELLED) {
        out.set_open_orders(out.open_orders() - 1);
      }
    }
  }
  // Tickets and surveys: the account's, less the excepted deal's range.
  out.set_tickets(a.tickets.size());
  out.set_open_tickets(a.open_tickets);
  ScoreSums scores;
  scores.n = a.survey_count;
  scores.q = a.survey_q;
  scores.a = a.survey_a;
  scores.s = a.survey_s;
  if (except != nullptr) {
    const IdRef self(*except);
    for (auto it = std::lower_bound(a.tickets.begin(), a.tickets.end(), AccountTicket{self, IdRef::Least()});
         it != a.tickets.end() && it->lead == self; ++it) {
      out.set_tickets(out.tickets() - 1);
      const v1::TicketStatus status = state.core.Ticket(*it->ticket).status();
      if (status != v1::TICKET_STATUS_RESOLVED && status != v1::TICKET_STATUS_CLOSED) {
        out.set_open_tickets(out.open_tickets() - 1);
      }
    }
    const auto first_survey = [&] {
      return std::partition_point(a.surveys.begin(), a.surveys.end(),
                                  [&](const AccountSurvey& x) { return x.lead < self; });
    };
    for (auto it = first_survey(); it != a.surveys.end() && it->lead == self; ++it) {
      --scores.n;
      scores.q -= it->q;
      scores.a -= it->a;
      scores.s -= it->s;
    }
  }
  scores.ToProto(*out.mutable_satisfaction());
  out.set_referred_leads(a.referred);
  out.set_referral_wins(a.referral_wins);
  for (auto it = entry.leads.end(); it != entry.leads.begin() && out.latest_leads_size() < static_cast<int>(max_leads);) {
    --it;
    if (except != nullptr && *it->second == *except) continue;
    auto found = state.core.leads.find(*it->second);
    if (found == state.core.leads.end() || found->second.details == nullptr) continue;
    FillLead(*out.add_latest_leads(), found->first, found->second);
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Account> BuildAccount(const ViewsState& state, const v1::GetAccountRequest& request,
                                         absl::Time now) {
  if (absl::Status s = domain::ValidateId("account_id", request.account_id()); !s.ok()) return s;
  if (request.max_leads() > kMaxAccountLeads) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_leads: must be at most ", kMaxAccountLeads, " (got ", request.max_leads(), ")"));
  }
  const domain::AccountState* account = state.core.accounts.Find(request.account_id());
  if (account == nullptr) {
    return absl::NotFoundError(absl::StrCat("account '", request.account_id(), "' not found"));
  }
  static const AccountEntry& kEmpty = *new AccountEntry;  // never destroyed (account_index.cc)
  const AccountEntry* found = state.index.accounts.Find(account->ordinal);
  const AccountEntry& entry = found == nullptr ? kEmpty : *found;
  v1::Account out;
  *out.mutable_summary() = Summarize(state, account->ordinal, entry, nullptr,
                                     request.max_leads() == 0 ? kDefaultAccountLeads : request.max_leads());
  if (const domain::AccountDetails* d = state.core.accounts.DetailsOf(account->ordinal)) {
    *out.mutable_opened_at() = ToProtoTime(d->opened_at);
    out.set_opened_by_lead_id(std::string(d->opened_by_lead_id));
  }
  if (out.summary().has_last_purchase_at()) {
    const absl::Duration since = now - FromProtoTime(out.summary().last_purchase_at());
    *out.mutable_since_last_purchase() = ToProtoDuration(std::max(since, absl::ZeroDuration()));
  }
  if (const std::vector<AccountSurvey>& surveys = entry.activity().surveys; !surveys.empty()) {
    std::map<std::string, ScoreSums> by_month;
    absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
    for (const AccountSurvey& s : surveys) {
      by_month[MonthOf(s.at)].Add(s.q, s.a, s.s);
      first = std::min(first, s.at);
      last = std::max(last, s.at);
    }
    static const ScoreSums kNone;
    for (const std::string& month : MonthsOf(first, last + absl::Nanoseconds(1))) {
      v1::SatisfactionMonth* m = out.add_satisfaction_trend();
      m->set_month(month);
      auto it = by_month.find(month);
      (it == by_month.end() ? kNone : it->second).ToProto(*m->mutable_scores());
    }
  }
  return out;
}

std::optional<v1::AccountSummary> CustomerHistory(const ViewsState& state, absl::string_view lead_id) {
  auto lead = state.core.leads.find(lead_id);
  if (lead == state.core.leads.end() || lead->second.details == nullptr) return std::nullopt;
  const uint32_t ordinal = AccountOfLead(state.core, lead->second);
  const AccountEntry* entry = state.index.accounts.Find(ordinal);
  const TimedKey self{lead->second.details->time(D::kIdentifiedTime), IdRef(lead->first)};
  // A customer with no other lead is a new one.
  if (entry == nullptr || entry->leads.size() < 2 ||
      !std::binary_search(entry->leads.begin(), entry->leads.end(), self)) {
    return std::nullopt;
  }
  return Summarize(state, ordinal, *entry, &lead->first, kHistoryLeads);
}

}  // namespace salesops::projections
