// Hand-built lead events and envelopes for decider and projection tests.
//
// The builders set exactly the fields a test names and a stage transition, so
// tests that fold them (EvolveLead, LeadDirectory) do not depend on DecideLead.
// Header-only; include from tests only.
#ifndef SALESOPS_TESTS_DOMAIN_LEAD_TEST_EVENTS_H_
#define SALESOPS_TESTS_DOMAIN_LEAD_TEST_EVENTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"

namespace salesops::test_events {

// 2026-01-05 09:00:00 UTC: when hand-built histories start.
inline absl::Time HistoryStart() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 5, 9, 0, 0), absl::UTCTimeZone());
}

inline v1::Money Money(int64_t amount_minor, absl::string_view currency = "CNY") {
  v1::Money m;
  m.set_amount_minor(amount_minor);
  m.set_currency(std::string(currency));
  return m;
}

inline v1::StageTransition Transition(v1::Stage from, v1::Stage to) {
  v1::StageTransition t;
  t.set_from_stage(from);
  t.set_to_stage(to);
  return t;
}

inline v1::Event LeadIdentified(absl::string_view lead_id, absl::string_view company = "ACME 北京",
                                absl::string_view owner = "alice") {
  v1::Event event;
  auto* e = event.mutable_lead_identified();
  e->set_lead_id(std::string(lead_id));
  e->set_company(std::string(company));
  e->mutable_contact()->set_name("张伟");
  e->set_source(v1::LEAD_SOURCE_REFERRAL);
  *e->mutable_estimated_value() = Money(1'000'000);
  e->set_owner(std::string(owner));
  *e->mutable_transition() = Transition(v1::STAGE_UNSPECIFIED, v1::STAGE_IDENTIFIED);
  return event;
}

inline v1::Event LeadQualified(v1::Stage from = v1::STAGE_IDENTIFIED, int32_t score = 70) {
  v1::Event event;
  auto* e = event.mutable_lead_qualified();
  e->set_score(score);
  *e->mutable_transition() = Transition(from, v1::STAGE_QUALIFIED);
  return event;
}

inline v1::Event LeadDisqualified(v1::Stage from, absl::string_view reason = "no budget") {
  v1::Event event;
  auto* e = event.mutable_lead_disqualified();
  e->set_reason(std::string(reason));
  *e->mutable_transition() = Transition(from, v1::STAGE_DISQUALIFIED);
  return event;
}

inline v1::Event NeedsRecorded(v1::Stage from = v1::STAGE_QUALIFIED) {
  v1::Event event;
  auto* e = event.mutable_needs_recorded();
  e->set_requirements("200 seats, SSO");
  *e->mutable_transition() = Transition(from, v1::STAGE_NEEDS_ANALYZED);
  return event;
}

inline v1::Event SolutionProposed(v1::Stage from = v1::STAGE_NEEDS_ANALYZED,
                                  int64_t value_minor = 900'000) {
  v1::Event event;
  auto* e = event.mutable_solution_proposed();
  e->set_summary("CRM Pro");
  *e->mutable_value() = Money(value_minor);
  *e->mutable_transition() = Transition(from, v1::STAGE_SOLUTION_PROPOSED);
  return event;
}

inline v1::Event QuoteSent(v1::Stage from, uint32_t revision, int64_t amount_minor = 850'000,
                           absl::string_view quote_id = "Q-7") {
  v1::Event event;
  auto* e = event.mutable_quote_sent();
  e->set_quote_id(std::string(quote_id));
  *e->mutable_amount() = Money(amount_minor);
  e->set_valid_until("2026-03-31");
  e->set_revision(revision);
  *e->mutable_transition() = Transition(from, v1::STAGE_QUOTED);
  return event;
}

inline v1::Event NegotiationStarted(v1::Stage from = v1::STAGE_QUOTED) {
  v1::Event event;
  auto* e = event.mutable_negotiation_started();
  e->set_note("asks for 10 %");
  *e->mutable_transition() = Transition(from, v1::STAGE_NEGOTIATING);
  return event;
}

inline v1::Event DealWon(v1::Stage from, int64_t amount_minor = 800'000) {
  v1::Event event;
  auto* e = event.mutable_deal_won();
  *e->mutable_final_amount() = Money(amount_minor);
  e->set_signed_date("2026-04-15");
  *e->mutable_transition() = Transition(from, v1::STAGE_WON);
  return event;
}

inline v1::Event DealLost(v1::Stage from, v1::LossReason reason = v1::LOSS_REASON_COMPETITOR,
                          absl::string_view competitor = "Globex",
                          absl::string_view note = "cheaper") {
  v1::Event event;
  auto* e = event.mutable_deal_lost();
  e->set_reason(reason);
  e->set_competitor(std::string(competitor));
  e->set_note(std::string(note));
  *e->mutable_transition() = Transition(from, v1::STAGE_LOST);
  return event;
}

// Reopens a lead closed (LOST or DISQUALIFIED, `closed`) from `back_to`.
inline v1::Event LeadReopened(v1::Stage closed, v1::Stage back_to) {
  v1::Event event;
  auto* e = event.mutable_lead_reopened();
  e->set_reason("budget approved");
  *e->mutable_transition() = Transition(closed, back_to);
  return event;
}

// Committed envelopes of one lead's stream: stream_version 1..n, positions
// first_position.., occurred_at (and recorded_at) start, start+step, ...
inline std::vector<v1::EventEnvelope> Envelopes(absl::string_view lead_id,
                                                const std::vector<v1::Event>& events,
                                                uint64_t first_position = 1,
                                                absl::Time start = HistoryStart(),
                                                absl::Duration step = absl::Hours(1)) {
  std::vector<v1::EventEnvelope> out;
  for (size_t i = 0; i < events.size(); ++i) {
    v1::EventEnvelope env;
    env.set_envelope_version(1);
    env.set_position(first_position + i);
    env.set_stream_id(domain::LeadStreamId(lead_id));
    env.set_stream_version(i + 1);
    env.set_event_type(domain::EventTypeName(events[i]));
    const absl::Time at = start + step * static_cast<int64_t>(i);
    *env.mutable_recorded_at() = ToProtoTime(at);
    *env.mutable_occurred_at() = ToProtoTime(at);
    env.set_actor("alice");
    *env.mutable_event() = events[i];
    out.push_back(std::move(env));
  }
  return out;
}

}  // namespace salesops::test_events

#endif  // SALESOPS_TESTS_DOMAIN_LEAD_TEST_EVENTS_H_
