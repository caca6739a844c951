// ReviewTotals: what a performance review adds up over a run of facts —
// counts, exact duration and survey sums, won value per currency, and an
// order-independent digest of the events counted. Totals of adjacent time
// ranges merge into the totals of their union, so a member's facts are kept
// summed per UTC day (MemberDays) and a review of a month merges about 30
// days instead of reading every fact (docs/VIEWS.md, "What a query costs").
#ifndef SALESOPS_PROJECTIONS_REVIEW_TOTALS_H_
#define SALESOPS_PROJECTIONS_REVIEW_TOTALS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "projections/review_facts.h"
#include "projections/view_index.h"  // DayOf, DayStart

namespace salesops::projections {

// A sum of durations and how many were added: an exact mean.
struct DurationSum {
  absl::Duration sum = absl::ZeroDuration();
  uint64_t n = 0;
  void Add(absl::Duration d) {
    sum += d;
    ++n;
  }
  void Merge(const DurationSum& o) {
    sum += o.sum;
    n += o.n;
  }
};

// An order-independent digest of a set of log positions: the sum modulo
// 2^256 of SHA-256(8-byte big-endian position) over the set, so the digests
// of disjoint sets add up to the digest of their union. Adding a position
// twice counts it twice: callers add each position once.
class PositionDigest {
 public:
  void Add(uint64_t position);
  void Merge(const PositionDigest& o);
  uint64_t count() const { return count_; }
  // "sha256-sum:" and 64 hex digits, big-endian.
  std::string ToString() const;
  bool operator==(const PositionDigest&) const = default;

 private:
  std::array<uint64_t, 4> limbs_{};  // little-endian limbs of the 256-bit sum
  uint64_t count_ = 0;
};

struct ReviewTotals {
  std::array<uint64_t, 17> count{};  // by FactKind
  DurationSum cycle, turnaround, delivery, resolution;
  std::array<DurationSum, 8> handoff;  // by v1::Role
  absl::btree_map<std::string, std::pair<int64_t, uint64_t>> won;  // currency -> (amount_minor, deals)
  absl::btree_map<int32_t, DurationSum> stage_time;               // by the stage left
  absl::btree_map<int32_t, DurationSum> severity_time;            // by the ticket's severity
  int64_t owner_survey_sum = 0;  // Σ (q + a + s) of kOwnerSurvey
  uint64_t owner_surveys = 0;
  int64_t q_sum = 0, a_sum = 0, s_sum = 0;  // kResolverSurvey
  uint64_t resolver_surveys = 0;
  absl::Duration training = absl::ZeroDuration();  // Σ kTrained durations
  int64_t training_sessions = 0;                   // Σ kTrained codes
  PositionDigest inputs;  // the positions of the facts added, each once

  // Adds one fact. Facts of one event must be added one after another (they
  // share a position, which enters `inputs` once).
  void Add(const Fact& f);
  void Merge(const ReviewTotals& o);

 private:
  uint64_t last_position_ = 0;
};

// The facts of a review that look at what happened later (a qualified
// lead's close, a resolved ticket's reopening): their lookups depend on the
// period's end, so they are kept apart rather than summed.
struct OutcomeFact {
  absl::Time at;
  uint64_t position = 0;
  FactKind kind = FactKind::kQualified;
  PackedString ref;  // the lead or ticket id
};

struct MemberDays {
  absl::btree_map<int64_t, ReviewTotals> days;  // by UTC day (days since 1970-01-01)
  std::vector<OutcomeFact> outcomes;             // kQualified and kResolved, in FactBefore order
};

struct ReviewDays {
  absl::flat_hash_map<std::string, MemberDays> by_member;
};

// Adds `facts` (the facts one event gave `member`, sharing a position) to
// the member's days.
void AddToDays(ReviewDays& days, const std::string& member, const Fact* facts, size_t n);

// Rebuilds every member's days from `facts.by_member` (a fold loaded from a
// snapshot).
ReviewDays SumDays(const ReviewFacts& facts);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_REVIEW_TOTALS_H_
