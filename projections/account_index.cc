// The customer accounts' index (view_index.h, AccountIndex): what the
// account views read, kept by EvolveViews and re-derived from a fold loaded
// from a snapshot.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/strip.h"
#include "projections/review_facts.h"
#include "projections/view_index.h"
#include "server/domain/account.h"
#include "server/domain/events.h"
#include "server/domain/lead_details.h"
#include "server/domain/order.h"
#include "server/domain/proto_time.h"
#include "server/domain/ticket.h"

namespace salesops::projections {
namespace {

using D = domain::LeadDetails;

// Inserts `key` at its place in the sorted `list`, unless it is there.
template <typename List, typename T>
void InsertSorted(List& list, T key) {
  auto it = std::lower_bound(list.begin(), list.end(), key);
  if (it == list.end() || !(*it == key)) list.insert(it, std::move(key));
}

// Erases `key` from the sorted `list`; false when it was not there.
template <typename List, typename T>
bool EraseSorted(List& list, const T& key) {
  auto it = std::lower_bound(list.begin(), list.end(), key);
  if (it == list.end() || !(*it == key)) return false;
  list.erase(it);
  return true;
}

template <typename List>
void SortUnique(List& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

TimedKey KeyOf(const std::string& id, const domain::LeadState& lead) {
  return {lead.details->time(D::kIdentifiedTime), IdRef(id)};
}

uint32_t ReferrerOfLead(const domain::State& core, const domain::LeadState& lead) {
  if (lead.details == nullptr) return 0;
  const absl::string_view referrer = lead.details->text.Get(domain::TextFields::kReferredBy);
  return referrer.empty() ? 0 : core.accounts.OrdinalOf(referrer);
}

// The lead `lead_id` (null for an unknown one) and its account (0 for none).
std::pair<const std::string*, uint32_t> LeadAndAccount(const domain::State& core, absl::string_view lead_id) {
  auto it = core.leads.find(lead_id);
  if (it == core.leads.end()) return {nullptr, 0};
  return {&it->first, AccountOfLead(core, it->second)};
}

bool IsLostStage(v1::Stage stage) { return stage == v1::STAGE_LOST || stage == v1::STAGE_DISQUALIFIED; }

// The counter of `entry` a lead in `stage` counts in (null for none).
uint32_t* StageCounter(AccountEntry& entry, v1::Stage stage) {
  if (stage == v1::STAGE_WON) return &entry.won;
  if (IsLostStage(stage)) return &entry.lost;
  if (domain::IsOpenStage(stage)) return &entry.open;
  return nullptr;
}

bool IsOpenOrder(v1::OrderStatus status) {
  return status != v1::ORDER_STATUS_UNSPECIFIED && status != v1::ORDER_STATUS_DELIVERED &&
         status != v1::ORDER_STATUS_CANCELLED;
}

bool IsOpenTicket(v1::TicketStatus status) {
  return status != v1::TICKET_STATUS_UNSPECIFIED && status != v1::TICKET_STATUS_RESOLVED &&
         status != v1::TICKET_STATUS_CLOSED;
}

// Adds a WON lead's amount and win to the account's sums.
void AddWin(AccountEntry& entry, const std::string& id, const domain::LeadState& lead) {
  const D& d = *lead.details;
  AccountActivity& a = entry.mutable_activity();
  if (d.has(D::kWonAmount)) {
    CurrencyTotal& total = a.won_value[d.currency_of(D::kWon)];
    ++total.leads;
    total.total_minor += d.amount_minor[D::kWon];
  }
  const TimedKey win{d.time(D::kStageEntered), IdRef(id)};
  if (!a.last_win.has_value() || a.last_win < win) {
    a.previous_win = a.last_win;
    a.last_win = win;
  } else if (!a.previous_win.has_value() || a.previous_win < win) {
    a.previous_win = win;
  }
}

// What a lead adds to its account's won value and wins.
std::tuple<bool, std::string, int64_t, absl::Time> WinOf(const domain::LeadState& lead) {
  const D& d = *lead.details;
  if (lead.stage != v1::STAGE_WON) return {};
  return {d.has(D::kWonAmount), d.currency_of(D::kWon), d.amount_minor[D::kWon], d.time(D::kStageEntered)};
}

// The sums of one account from its leads (the other lists unchanged).
void SumLeads(AccountEntry& entry, const domain::State& core) {
  entry.open = entry.won = entry.lost = 0;
  if (entry.has_activity()) {
    AccountActivity& a = entry.mutable_activity();
    a.won_value.clear();
    a.last_win.reset();
    a.previous_win.reset();
  }
  for (const TimedKey& key : entry.leads) {
    const domain::LeadState& lead = core.leads.find(*key.second)->second;
    if (uint32_t* counter = StageCounter(entry, lead.stage)) ++*counter;
    if (lead.stage == v1::STAGE_WON) AddWin(entry, *key.second, lead);
  }
}

void AddTicket(AccountEntry& entry, AccountTicket ticket, v1::TicketStatus status) {
  AccountActivity& a = entry.mutable_activity();
  InsertSorted(a.tickets, ticket);
  if (IsOpenTicket(status)) ++a.open_tickets;
}

void AddSurvey(AccountEntry& entry, AccountSurvey survey) {
  AccountActivity& a = entry.mutable_activity();
  ++a.survey_count;
  a.survey_q += survey.q;
  a.survey_a += survey.a;
  a.survey_s += survey.s;
  InsertSorted(a.surveys, std::move(survey));
}

// A lead identified again (an imported history): out of the entries
// `before` names, into those it names now, with its order and tickets (its
// surveys stay where their facts counted them).
void MoveLead(AccountIndex& index, const domain::State& core, const std::string& id, const domain::LeadState& lead,
              const StreamBefore& before) {
  const uint32_t account = AccountOfLead(core, lead), referrer = ReferrerOfLead(core, lead);
  auto order = core.orders.find(id);
  const bool has_order = order != core.orders.end() && order->second.lead_id() == id;
  std::vector<AccountTicket> tickets;
  if (before.account != 0) {
    AccountEntry& entry = index.At(before.account);
    EraseSorted(entry.leads, TimedKey{before.identified, IdRef(id)});
    // Its order and tickets counted in an activity made when they came.
    if (entry.has_activity()) {
      AccountActivity& a = entry.mutable_activity();
      if (has_order) {
        --a.orders;
        if (IsOpenOrder(order->second.status())) --a.open_orders;
      }
      const AccountTicket first{IdRef(id), IdRef::Least()};
      auto it = std::lower_bound(a.tickets.begin(), a.tickets.end(), first);
      auto end = it;
      while (end != a.tickets.end() && *end->lead == id) {
        if (IsOpenTicket(core.Ticket(*end->ticket).status())) --a.open_tickets;
        tickets.push_back(*end++);
      }
      a.tickets.erase(it, end);
    }
    SumLeads(entry, core);
  }
  if (before.referrer != 0) {
    AccountActivity& a = index.At(before.referrer).mutable_activity();
    --a.referred;
    if (before.stage == v1::STAGE_WON) --a.referral_wins;
  }
  if (account != 0) {
    AccountEntry& entry = index.At(account);
    InsertSorted(entry.leads, KeyOf(id, lead));
    if (has_order) {
      AccountActivity& a = entry.mutable_activity();
      ++a.orders;
      if (IsOpenOrder(order->second.status())) ++a.open_orders;
    }
    for (const AccountTicket& t : tickets) AddTicket(entry, t, core.Ticket(*t.ticket).status());
    SumLeads(entry, core);
  }
  if (referrer != 0) {
    AccountActivity& a = index.At(referrer).mutable_activity();
    ++a.referred;
    if (lead.stage == v1::STAGE_WON) ++a.referral_wins;
  }
}

// The part of IndexAccountEvent for an event of the lead `lead`.
void IndexLeadEvent(AccountIndex& index, const domain::State& core, const v1::Event& event,
                    const std::pair<const std::string, domain::LeadState>* lead, const StreamBefore& before) {
  const domain::LeadState& l = lead->second;
  const bool identified = event.has_lead_identified();
  if (identified && before.lead_known) {
    if (before.account != AccountOfLead(core, l) || before.referrer != ReferrerOfLead(core, l) ||
        before.identified != l.details->time(D::kIdentifiedTime)) {
      MoveLead(index, core, lead->first, l, before);
      return;
    }
  }
  const bool won_before = before.stage == v1::STAGE_WON, won_now = l.stage == v1::STAGE_WON;
  // Nothing an account counts changed: most events of a lead that stays
  // in its stage.
  if (!identified && before.stage == l.stage && !(won_now && event.has_deal_won())) return;
  const uint32_t account = AccountOfLead(core, l);
  const uint32_t referrer = ReferrerOfLead(core, l);
  if (identified && !before.lead_known && referrer != 0) ++index.At(referrer).mutable_activity().referred;
  if (referrer != 0 && won_before != won_now) {
    uint32_t& wins = index.At(referrer).mutable_activity().referral_wins;
    wins = won_now ? wins + 1 : wins - 1;
  }
  if (account == 0) return;
  AccountEntry& entry = index.At(account);
  if (identified && !before.lead_known) {
    InsertSorted(entry.leads, KeyOf(lead->first, l));
    if (uint32_t* counter = StageCounter(entry, l.stage)) ++*counter;
    if (won_now) AddWin(entry, lead->first, l);
  } else if (won_before && (!won_now || before.win != WinOf(l))) {
    SumLeads(entry, core);  // WON is final: only an imported history leaves it or wins again
  } else if (before.stage != l.stage) {
    if (uint32_t* counter = StageCounter(entry, before.stage)) --*counter;
    if (uint32_t* counter = StageCounter(entry, l.stage)) ++*counter;
    if (won_now) AddWin(entry, lead->first, l);
  }
}

}  // namespace

const AccountActivity& AccountEntry::activity() const {
  // Never destroyed: a read may still run while the process exits.
  static const AccountActivity& kNone = *new AccountActivity;
  return activity_ != nullptr ? *activity_ : kNone;
}

AccountActivity& AccountEntry::mutable_activity() {
  if (activity_ == nullptr) activity_ = std::make_unique<AccountActivity>();
  return *activity_;
}

bool AccountEntry::operator==(const AccountEntry& other) const {
  return leads == other.leads && open == other.open && won == other.won && lost == other.lost &&
         activity() == other.activity();
}

const AccountEntry* AccountIndex::Find(uint32_t ordinal) const {
  return ordinal == 0 || ordinal > entries.size() ? nullptr : &entries[ordinal - 1];
}

AccountEntry& AccountIndex::At(uint32_t ordinal) {
  if (ordinal > entries.size()) entries.resize(ordinal);
  return entries[ordinal - 1];
}

uint32_t AccountOfLead(const domain::State& core, const domain::LeadState& lead) {
  if (lead.details == nullptr) return 0;
  const absl::string_view account = lead.details->text.Get(domain::TextFields::kAccountId);
  return account.empty() ? 0 : core.accounts.OrdinalOf(account);
}

StreamBefore StreamBeforeOf(const domain::State& core, const v1::EventEnvelope& envelope) {
  StreamBefore before;
  const v1::Event& event = envelope.event();
  absl::string_view id = envelope.stream_id();
  if (absl::ConsumePrefix(&id, domain::kLeadStreamPrefix)) {
    auto it = core.leads.find(id);
    if (it == core.leads.end()) return before;
    before.stage = it->second.stage;
    if (it->second.details == nullptr) return before;
    if (event.has_lead_identified()) {
      before.lead_known = true;
      before.account = AccountOfLead(core, it->second);
      before.referrer = ReferrerOfLead(core, it->second);
      before.identified = it->second.details->time(D::kIdentifiedTime);
    }
    if (event.has_deal_won() && before.stage == v1::STAGE_WON) before.win = WinOf(it->second);
  } else if (absl::ConsumePrefix(&id, domain::kOrderStreamPrefix)) {
    if (auto it = core.orders.find(id); it != core.orders.end()) {
      before.order = it->second.status();
      before.order_account = LeadAndAccount(core, it->second.lead_id()).second;
    }
  } else if (absl::ConsumePrefix(&id, domain::kTicketStreamPrefix)) {
    if (auto it = core.tickets.find(id); it != core.tickets.end()) {
      before.ticket = it->second.status();
      before.ticket_account = LeadAndAccount(core, it->second.lead_id()).second;
      before.ticket_lead = it->second.lead_id();
    }
  }
  return before;
}

void IndexAccountEvent(AccountIndex& index, const domain::State& core, const v1::EventEnvelope& envelope,
                       const StreamBefore& before) {
  const v1::Event& event = envelope.event();
  absl::string_view id = envelope.stream_id();
  if (absl::ConsumePrefix(&id, domain::kLeadStreamPrefix)) {
    auto lead = core.leads.find(id);
    if (lead != core.leads.end() && lead->second.details != nullptr) IndexLeadEvent(index, core, event, &*lead, before);
  } else if (absl::ConsumePrefix(&id, domain::kAccountStreamPrefix)) {
    // An entry for every account the fold has, as IndexAccounts makes.
    if (index.entries.size() < core.accounts.size()) index.entries.resize(core.accounts.size());
    // The lead that opened it was identified just before, when the account
    // did not exist yet.
    const uint32_t account = core.accounts.OrdinalOf(id);
    auto lead = event.has_account_opened() ? core.leads.find(event.account_opened().lead_id()) : core.leads.end();
    if (account != 0 && lead != core.leads.end() && AccountOfLead(core, lead->second) == account) {
      AccountEntry& entry = index.At(account);
      InsertSorted(entry.leads, KeyOf(lead->first, lead->second));
      SumLeads(entry, core);
    }
  } else if (absl::ConsumePrefix(&id, domain::kOrderStreamPrefix)) {
    // Out of the account it counted in before (none for a new order; another
    // one only when an imported OrderOpened names another lead), into its
    // lead's account now.
    auto order = core.orders.find(id);
    const uint32_t account =
        order == core.orders.end() ? 0 : LeadAndAccount(core, order->second.lead_id()).second;
    if (before.order_account != 0) {
      AccountActivity& a = index.At(before.order_account).mutable_activity();
      --a.orders;
      if (IsOpenOrder(before.order)) --a.open_orders;
    }
    if (account != 0) {
      AccountActivity& a = index.At(account).mutable_activity();
      ++a.orders;
      if (IsOpenOrder(order->second.status())) ++a.open_orders;
    }
  } else if (absl::ConsumePrefix(&id, domain::kTicketStreamPrefix)) {
    // The same for a ticket.
    auto ticket = core.tickets.find(id);
    if (ticket != core.tickets.end() && before.ticket_account != 0) {
      AccountActivity& a = index.At(before.ticket_account).mutable_activity();
      if (EraseSorted(a.tickets, AccountTicket{IdRef(before.ticket_lead), IdRef(ticket->first)}) &&
          IsOpenTicket(before.ticket)) {
        --a.open_tickets;
      }
    }
    const auto [lead, account] =
        ticket == core.tickets.end() ? std::pair<const std::string*, uint32_t>{nullptr, 0}
                                     : LeadAndAccount(core, ticket->second.lead_id());
    if (account != 0) AddTicket(index.At(account), {IdRef(*lead), IdRef(ticket->first)}, ticket->second.status());
  }
  // A survey is on the lead's stream or its ticket's; like its owner fact
  // (review_facts.cc), only for a lead with an owner.
  if (event.has_survey_recorded()) {
    const v1::SurveyRecorded& e = event.survey_recorded();
    auto lead = core.leads.find(e.lead_id());
    const uint32_t account =
        lead == core.leads.end() || lead->second.owner.empty() ? 0 : AccountOfLead(core, lead->second);
    if (account != 0) {
      AddSurvey(index.At(account),
                AccountSurvey{FromProtoTime(envelope.occurred_at()), envelope.position(), IdRef(lead->first),
                              static_cast<uint8_t>(e.product_quality()), static_cast<uint8_t>(e.service_attitude()),
                              static_cast<uint8_t>(e.response_speed())});
    }
  }
}

void IndexAccounts(AccountIndex& index, const domain::State& core, const ReviewFacts& facts) {
  index = AccountIndex();
  index.entries.resize(core.accounts.size());
  for (const auto& [id, lead] : core.leads) {
    if (lead.details == nullptr) continue;
    if (const uint32_t account = AccountOfLead(core, lead); account != 0) {
      index.At(account).leads.push_back(KeyOf(id, lead));
    }
    if (const uint32_t referrer = ReferrerOfLead(core, lead); referrer != 0) {
      AccountActivity& a = index.At(referrer).mutable_activity();
      ++a.referred;
      if (lead.stage == v1::STAGE_WON) ++a.referral_wins;
    }
  }
  for (const auto& [id, order] : core.orders) {
    if (const uint32_t account = LeadAndAccount(core, order.lead_id()).second; account != 0) {
      AccountActivity& a = index.At(account).mutable_activity();
      ++a.orders;
      if (IsOpenOrder(order.status())) ++a.open_orders;
    }
  }
  for (const auto& [id, ticket] : core.tickets) {
    if (const auto [lead, account] = LeadAndAccount(core, ticket.lead_id()); account != 0) {
      AccountActivity& a = index.At(account).mutable_activity();
      a.tickets.push_back({IdRef(*lead), IdRef(id)});
      if (IsOpenTicket(ticket.status())) ++a.open_tickets;
    }
  }
  for (const auto& [member, list] : facts.by_member) {
    for (const Fact& f : list) {
      if (f.kind != FactKind::kOwnerSurvey || f.account == 0 || f.account > core.accounts.size()) continue;
      auto lead = core.leads.find(f.ref.view());
      if (lead == core.leads.end()) continue;
      AccountActivity& a = index.At(f.account).mutable_activity();
      a.surveys.push_back(AccountSurvey{f.at, f.position, IdRef(lead->first), f.q, f.a, f.s});
      ++a.survey_count;
      a.survey_q += f.q;
      a.survey_a += f.a;
      a.survey_s += f.s;
    }
  }
  for (AccountEntry& entry : index.entries) {
    SortUnique(entry.leads);
    if (entry.has_activity()) {
      AccountActivity& a = entry.mutable_activity();
      SortUnique(a.tickets);
      SortUnique(a.surveys);
    }
    SumLeads(entry, core);
  }
}

}  // namespace salesops::projections
