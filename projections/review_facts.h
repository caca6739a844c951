// ReviewFacts: what performance reviews are computed from — per member, the
// dated facts of its work (deals won, leads qualified, tickets resolved, ...),
// each with the log position of the event it comes from, plus the few
// histories a review consults (lead closes, ticket reopens). Folded from the
// log by RecordFacts, before the event changes the deciders' state (facts
// need the state the event found: the stage left, the owner credited).
#ifndef SALESOPS_PROJECTIONS_REVIEW_FACTS_H_
#define SALESOPS_PROJECTIONS_REVIEW_FACTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/leads.pb.h"
#include "projections/lead_views.h"
#include "server/common/interned.h"
#include "server/common/packed_string.h"
#include "server/domain/state.h"

namespace salesops::projections {

enum class FactKind : uint8_t {
  // Lead facts (kIdentified, kWon, kLost, kStageTime) also carry the lead's
  // source and proposed products when they happened (Fact::source,
  // Fact::products), for the sales analysis.
  kIdentified = 1,     // SALES_REP (owner): a lead identified
  kQuoteSent = 2,      // owner: a quote sent
  kWon = 3,            // owner: amount, currency; duration = identified → won
  kLost = 4,           // owner: code = the LossReason; ref = the note, byte for byte
  kStageTime = 5,      // owner: code = the stage left; duration = time spent in it
  kOwnerSurvey = 6,    // owner: a survey of the customer (q, a, s); ref = the lead id
  kQualified = 7,      // BD_MANAGER (actor): duration = hand-off → decision; ref = lead id
  kDisqualified = 8,   // actor: duration = hand-off → decision
  kNeedsRecorded = 9,  // actor
  kConfirmed = 10,     // SALES_SUPPORT (actor)
  kShipped = 11,       // actor
  kDelivered = 12,     // actor: duration = won (order opened) → delivered
  kResolved = 13,      // AFTER_SALES (actor): code = severity; duration = opened → resolved; ref = ticket id
  kResolverSurvey = 14,  // the ticket's last resolver: a survey of that ticket (q, a, s)
  kHandOffDelay = 15,  // the member handed the work: role; duration = hand-off → its first own action
  // The member's training attendance changed: dated at the session's start;
  // duration = the change in minutes attended (negative for a correction
  // down), code = the change in sessions attended (+1, 0, -1).
  kTrained = 16,
};

enum FactFlags : uint8_t {
  // kWon: the account had won a deal before (earlier in the log): repeat
  // business.
  kRepeatWin = 1 << 0,
  // kIdentified, kWon: the lead was referred by an existing account.
  kReferral = 1 << 1,
};

// Kept per member for every event that credits one (most events): fields
// ordered so that the struct has little padding, the currency interned
// (112 bytes).
struct Fact {
  absl::Time at;  // business time (occurred_at) of the event
  absl::Duration duration = absl::InfiniteDuration();  // infinite: not measured
  uint64_t position = 0;
  int64_t amount_minor = 0;
  PackedString ref;  // lost: the note; qualified and surveys: the lead id; resolved: the ticket id
  InternedString currency;
  int32_t code = 0;  // stage or severity
  v1::Role role = v1::ROLE_UNSPECIFIED;
  // Lead and survey facts: the lead's customer account (its
  // domain::AccountState::ordinal; 0 for none).
  uint32_t account = 0;
  uint8_t q = 0, a = 0, s = 0;  // survey: product quality, service attitude, response speed (1..5)
  FactKind kind;
  uint8_t source = 0;  // lead facts: the v1::LeadSource
  uint8_t flags = 0;   // FactFlags
  // Lead facts: the products of the lead's latest proposal, packed
  // (domain::PackProducts; in what was padding). Interned: a team proposes
  // few distinct lists.
  InternedString products;
};
static_assert(sizeof(Fact) == 88, "a Fact is kept per event: keep it compact");

// The order a member's facts are kept in: business time, then log position.
inline bool FactBefore(const Fact& a, const Fact& b) {
  return a.at != b.at ? a.at < b.at : a.position < b.position;
}

struct CloseRecord {
  absl::Time at;
  uint64_t position = 0;
  bool won = false;
};

struct DatedPosition {
  absl::Time at;
  uint64_t position = 0;
};

struct PendingHandOff {
  absl::Time at;
  InternedString assignee;
  v1::Role role = v1::ROLE_UNSPECIFIED;
};

struct ReviewFacts {
  absl::flat_hash_map<std::string, std::vector<Fact>> by_member;  // each in FactBefore order
  absl::flat_hash_map<std::string, std::vector<CloseRecord>> lead_closes;       // by lead id
  absl::flat_hash_map<std::string, std::vector<DatedPosition>> ticket_reopens;  // by ticket id
  absl::flat_hash_map<std::string, std::string> ticket_resolver;                // by ticket id: the last resolver
  absl::flat_hash_map<std::string, PendingHandOff> pending;                     // by stream id
};

struct ReviewDays;  // review_totals.h

struct AccountIndex;  // view_index.h

// Records the facts of `envelope`, and adds them to `days`. `core` (the
// views' fold, leads with their details) and `accounts` (its index) are the
// state before the event.
void RecordFacts(ReviewFacts& facts, ReviewDays& days, const domain::State& core, const AccountIndex& accounts,
                 const v1::EventEnvelope& envelope);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_REVIEW_FACTS_H_
