// Sales and satisfaction analyses over a ViewsState (docs/VIEWS.md, "Sales
// analysis" and "Satisfaction analysis"). Pure. Both are computed from the
// review facts (review_facts.h) dated in the period, so, like a review, a
// closed period's analysis does not change when later events arrive, and
// each costs the facts of the period, not the length of the log.
#ifndef SALESOPS_PROJECTIONS_ANALYSIS_H_
#define SALESOPS_PROJECTIONS_ANALYSIS_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/views.pb.h"

namespace salesops::projections {

// "YYYY-MM" of the UTC month `t` is in.
std::string MonthOf(absl::Time t);
// Every UTC month that [from, to) overlaps, in order ("YYYY-MM").
std::vector<std::string> MonthsOf(absl::Time from, absl::Time to);

// Sums of survey scores; their means (SatisfactionScores).
struct ScoreSums {
  uint64_t n = 0;
  int64_t q = 0, a = 0, s = 0;  // integer sums: a mean does not depend on the order of adding
  void Add(int q_score, int a_score, int s_score) {
    ++n;
    q += q_score;
    a += a_score;
    s += s_score;
  }
  void ToProto(v1::SatisfactionScores& out) const;
};

// Members holding one of these roles read every member's figures in the
// analyses; any other member reads only its own (docs/ROLES.md, "Reads").
inline constexpr std::initializer_list<v1::Role> kAnalysisReadersOfAll = {v1::ROLE_SALES_MANAGER,
                                                                          v1::ROLE_ADMIN, v1::ROLE_AUDITOR};

// The sales analysis of `period` grouped by `group_by`. `only_member` empty:
// every member's facts; else only the facts credited to that member (as the
// owner). INVALID_ARGUMENT naming group_by for a value this server does not
// know.
absl::StatusOr<v1::SalesAnalysis> BuildSalesAnalysis(const ViewsState& state, const v1::ReviewPeriod& period,
                                                     v1::SalesGrouping group_by,
                                                     absl::string_view only_member);

// The satisfaction analysis of `period` grouped by `group_by`. `only_member`
// empty: every survey; else, grouped by after-sales member, the surveys of
// tickets it resolved; by sales owner, the surveys of its customers; by
// month, both. INVALID_ARGUMENT naming group_by for an unknown value.
absl::StatusOr<v1::SatisfactionAnalysis> BuildSatisfactionAnalysis(const ViewsState& state,
                                                                   const v1::ReviewPeriod& period,
                                                                   v1::SatisfactionGrouping group_by,
                                                                   absl::string_view only_member);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_ANALYSIS_H_
