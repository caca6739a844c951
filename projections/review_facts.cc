#include "projections/review_facts.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "projections/review_totals.h"
#include "projections/view_index.h"
#include "server/domain/events.h"
#include "server/domain/lead_details.h"
#include "server/domain/order.h"
#include "server/domain/proto_time.h"
#include "server/domain/ticket.h"
#include "server/domain/training.h"

namespace salesops::projections {
namespace {

bool IsAssignment(const v1::Event& event) {
  return event.has_lead_assigned() || event.has_order_assigned() || event.has_ticket_assigned();
}

// Moves the facts just appended for one event (`facts` from `first_new` on)
// to their place in (at, position) order. Events mostly arrive in
// business-time order, so this is usually nothing; a backfilled event moves
// its facts back.
void KeepInTimeOrder(std::vector<Fact>& facts, size_t first_new) {
  if (first_new == 0 || first_new == facts.size()) return;
  const auto first = facts.begin() + static_cast<std::ptrdiff_t>(first_new);
  const auto place = std::upper_bound(facts.begin(), first, *first, FactBefore);
  std::rotate(place, first, facts.end());
}

}  // namespace

void RecordFacts(ReviewFacts& facts, ReviewDays& days, const domain::State& core, const AccountIndex& accounts,
                 const v1::EventEnvelope& envelope) {
  using D = domain::LeadDetails;
  const v1::Event& event = envelope.event();
  const absl::Time at = FromProtoTime(envelope.occurred_at());
  const std::string& actor = envelope.actor();
  const absl::string_view stream = envelope.stream_id();
  std::vector<std::string> touched;  // members given facts by this event
  const auto add = [&](const std::string& member, FactKind kind) -> Fact& {
    if (std::find(touched.begin(), touched.end(), member) == touched.end()) touched.push_back(member);
    Fact& f = facts.by_member[member].emplace_back();
    f.kind = kind;
    f.at = at;
    f.position = envelope.position();
    return f;
  };

  // The hand-off delay ends at the assignee's first own action on the stream.
  if (auto it = facts.pending.find(stream); it != facts.pending.end() && actor == it->second.assignee &&
                                            !IsAssignment(event)) {
    Fact& f = add(actor, FactKind::kHandOffDelay);
    f.role = it->second.role;
    f.duration = at - it->second.at;
    facts.pending.erase(it);
  }

  if (absl::StartsWith(stream, domain::kLeadStreamPrefix)) {
    const std::string lead_id(stream.substr(domain::kLeadStreamPrefix.size()));
    const domain::LeadState& lead = core.Lead(lead_id);
    const D* view = lead.details.get();  // null for a new lead
    // Time from the hand-off to the acting member until its decision.
    const auto turnaround = [&]() {
      return view != nullptr && lead.assignee == actor && view->has(D::kAssignedAt)
                 ? at - view->time(D::kAssigned)
                 : absl::InfiniteDuration();
    };
    // The lead's source when the event happened (a LeadIdentified names it).
    const uint8_t source = static_cast<uint8_t>(event.has_lead_identified() ? event.lead_identified().source()
                                                : view != nullptr ? view->source
                                                                  : v1::LEAD_SOURCE_UNSPECIFIED);
    // ... the products of its latest proposal (none before one), interned
    // only for an event that records a lead fact (Intern locks) ...
    // ... and its customer account (an identification opening one is
    // followed by the AccountOpened, which gives the account to its fact).
    const v1::LeadIdentified* identified = event.has_lead_identified() ? &event.lead_identified() : nullptr;
    const auto add_lead_fact = [&](const std::string& member, FactKind kind) -> Fact& {
      Fact& f = add(member, kind);
      f.source = source;
      if (view != nullptr) f.products = InternedString(view->text.Get(domain::TextFields::kProducts));
      f.account = identified != nullptr ? core.accounts.OrdinalOf(identified->account_id()) : AccountOfLead(core, lead);
      const bool referred = identified != nullptr ? !identified->referred_by_account_id().empty()
                            : view != nullptr     ? !view->text.Get(domain::TextFields::kReferredBy).empty()
                                                  : false;
      if (referred && (kind == FactKind::kIdentified || kind == FactKind::kWon)) f.flags |= kReferral;
      return f;
    };
    if (const std::optional<v1::StageTransition> t = domain::TransitionOf(event);
        t.has_value() && view != nullptr && t->from_stage() != t->to_stage() && domain::IsOpenStage(t->from_stage())) {
      Fact& f = add_lead_fact(lead.owner, FactKind::kStageTime);
      f.code = t->from_stage();
      f.duration = at - view->time(D::kStageEntered);
    }
    switch (event.body_case()) {
      case v1::Event::kLeadIdentified:
        add_lead_fact(event.lead_identified().owner(), FactKind::kIdentified);
        break;
      case v1::Event::kQuoteSent:
        add(lead.owner, FactKind::kQuoteSent);
        break;
      case v1::Event::kDealWon: {
        Fact& f = add_lead_fact(lead.owner, FactKind::kWon);
        if (const AccountEntry* entry = accounts.Find(f.account); entry != nullptr && entry->won > 0) {
          f.flags |= kRepeatWin;
        }
        f.amount_minor = event.deal_won().final_amount().amount_minor();
        f.currency = event.deal_won().final_amount().currency();
        if (view != nullptr) f.duration = at - view->time(D::kIdentifiedTime);
        facts.lead_closes[lead_id].push_back({at, envelope.position(), true});
        break;
      }
      case v1::Event::kDealLost: {
        Fact& f = add_lead_fact(lead.owner, FactKind::kLost);
        f.code = event.deal_lost().reason();
        f.ref = event.deal_lost().note();
        facts.lead_closes[lead_id].push_back({at, envelope.position(), false});
        break;
      }
      case v1::Event::kLeadQualified: {
        const absl::Duration d = turnaround();
        Fact& f = add(actor, FactKind::kQualified);
        f.duration = d;
        f.ref = lead_id;
        break;
      }
      case v1::Event::kLeadDisqualified: {
        const absl::Duration d = turnaround();
        add(actor, FactKind::kDisqualified).duration = d;
        break;
      }
      case v1::Event::kNeedsRecorded:
        add(actor, FactKind::kNeedsRecorded);
        break;
      case v1::Event::kLeadAssigned:
        if (!event.lead_assigned().assignee().empty()) {
          facts.pending[stream] = {at, event.lead_assigned().assignee(), event.lead_assigned().role()};
        } else {
          facts.pending.erase(stream);
        }
        break;
      default:
        break;
    }
  } else if (absl::StartsWith(stream, domain::kOrderStreamPrefix)) {
    const v1::Order& order = core.Order(stream.substr(domain::kOrderStreamPrefix.size()));
    switch (event.body_case()) {
      case v1::Event::kOrderConfirmed:
        add(actor, FactKind::kConfirmed);
        break;
      case v1::Event::kOrderShipped:
        add(actor, FactKind::kShipped);
        break;
      case v1::Event::kOrderDelivered:
        add(actor, FactKind::kDelivered).duration = at - FromProtoTime(order.opened_at());
        break;
      case v1::Event::kOrderAssigned:
        if (!event.order_assigned().assignee().empty()) {
          facts.pending[stream] = {at, event.order_assigned().assignee(), v1::ROLE_SALES_SUPPORT};
        } else {
          facts.pending.erase(stream);
        }
        break;
      default:
        break;
    }
  } else if (absl::StartsWith(stream, domain::kTicketStreamPrefix)) {
    const std::string ticket_id(stream.substr(domain::kTicketStreamPrefix.size()));
    const v1::Ticket& ticket = core.Ticket(ticket_id);
    switch (event.body_case()) {
      case v1::Event::kTicketResolved: {
        Fact& f = add(actor, FactKind::kResolved);
        f.code = ticket.severity();
        f.duration = at - FromProtoTime(ticket.opened_at());
        f.ref = ticket_id;
        facts.ticket_resolver[ticket_id] = actor;
        break;
      }
      case v1::Event::kTicketReopened:
        facts.ticket_reopens[ticket_id].push_back({at, envelope.position()});
        break;
      case v1::Event::kTicketAssigned:
        if (!event.ticket_assigned().assignee().empty()) {
          facts.pending[stream] = {at, event.ticket_assigned().assignee(), v1::ROLE_AFTER_SALES};
        } else {
          facts.pending.erase(stream);
        }
        break;
      default:
        break;
    }
  }
  // Training counts for the period the session starts in; a correction
  // adds the change.
  if (event.has_training_attendance_recorded()) {
    const v1::TrainingAttendanceRecorded& e = event.training_attendance_recorded();
    const v1::TrainingSession& session = core.training.Find(e.session_id());
    const uint32_t before = domain::AttendedMinutes(session, e.member_id());
    Fact& f = add(e.member_id(), FactKind::kTrained);
    f.at = FromProtoTime(session.starts_at());
    f.duration = absl::Minutes(static_cast<int64_t>(e.minutes()) - static_cast<int64_t>(before));
    f.code = (e.minutes() > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
  }
  // A survey is recorded on the lead's stream (no ticket) or the ticket's.
  if (event.has_survey_recorded()) {
    const v1::SurveyRecorded& e = event.survey_recorded();
    const auto fill = [&](Fact& f) -> Fact& {
      f.q = static_cast<uint8_t>(e.product_quality());
      f.a = static_cast<uint8_t>(e.service_attitude());
      f.s = static_cast<uint8_t>(e.response_speed());
      return f;
    };
    const domain::LeadState& lead = core.Lead(e.lead_id());
    const uint32_t account = AccountOfLead(core, lead);
    if (!lead.owner.empty()) {
      Fact& f = fill(add(lead.owner, FactKind::kOwnerSurvey));
      f.account = account;
      f.ref = e.lead_id();  // the account index finds the surveyed deal by it
    }
    if (!e.ticket_id().empty()) {
      if (auto r = facts.ticket_resolver.find(e.ticket_id()); r != facts.ticket_resolver.end()) {
        fill(add(r->second, FactKind::kResolverSurvey)).account = account;
      }
    }
  }
  // An identification that opened an account recorded its fact before the
  // account existed (the AccountOpened follows it in the same batch): give
  // that fact its account now.
  if (event.has_account_opened() && absl::StartsWith(stream, domain::kAccountStreamPrefix)) {
    const uint32_t account = static_cast<uint32_t>(core.accounts.size()) + 1;  // the ordinal it is given
    auto lead = core.leads.find(event.account_opened().lead_id());
    if (core.accounts.Find(stream.substr(domain::kAccountStreamPrefix.size())) == nullptr && lead != core.leads.end() &&
        lead->second.details != nullptr &&
        lead->second.details->text.Get(domain::TextFields::kAccountId) ==
            stream.substr(domain::kAccountStreamPrefix.size())) {
      const absl::Time identified = lead->second.details->time(domain::LeadDetails::kIdentifiedTime);
      auto found = facts.by_member.find(lead->second.owner.str());
      if (found != facts.by_member.end()) {
        std::vector<Fact>& mine = found->second;
        Fact* latest = nullptr;  // the lead's: the latest such fact before this event
        for (auto it = std::lower_bound(mine.begin(), mine.end(), identified,
                                        [](const Fact& f, absl::Time t) { return f.at < t; });
             it != mine.end() && it->at == identified; ++it) {
          if (it->kind == FactKind::kIdentified && it->account == 0 && it->position < envelope.position()) {
            latest = &*it;
          }
        }
        if (latest != nullptr) latest->account = account;
      }
    }
  }
  // Closed work ends any pending hand-off.
  if (const std::optional<v1::StageTransition> t = domain::TransitionOf(event);
      t.has_value() && !domain::IsOpenStage(t->to_stage())) {
    facts.pending.erase(stream);
  }
  for (const std::string& member : touched) {
    std::vector<Fact>& mine = facts.by_member[member];
    size_t first_new = mine.size();
    while (first_new > 0 && mine[first_new - 1].position == envelope.position()) --first_new;
    AddToDays(days, member, mine.data() + first_new, mine.size() - first_new);
    KeepInTimeOrder(mine, first_new);
  }
}

}  // namespace salesops::projections
