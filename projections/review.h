// Performance reviews over a ViewsState (docs/VIEWS.md, "Performance
// reviews"). Pure. A review of a period counts only facts dated inside it and
// consults histories only up to its end, so regenerating it after later
// periods' events gives the same numbers and the same input digest.
#ifndef SALESOPS_PROJECTIONS_REVIEW_H_
#define SALESOPS_PROJECTIONS_REVIEW_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/views.pb.h"

namespace salesops::projections {

inline constexpr int kMaxPeriodDays = 3660;

// A label "YYYY-MM" / "YYYY-Qn" (UTC) or an explicit [from, to).
// INVALID_ARGUMENT naming the field.
absl::StatusOr<v1::ReviewPeriod> ResolvePeriod(absl::string_view label, const google::protobuf::Timestamp* from,
                                               const google::protobuf::Timestamp* to);

// Where a review's numbers are summed from. kDailyTotals: whole UTC days
// from the member's daily totals (ViewsState::days), the partial days at
// either end of the period fact by fact. kFacts: every fact of the period,
// one by one — the definition the daily totals must agree with, for tests.
enum class ReviewSource { kDailyTotals, kFacts };

// The review of `member_id` for `period` under `policy_version` (0: the
// latest policy set at or before the period end, if any). NOT_FOUND for an
// unknown member or policy version.
absl::StatusOr<v1::PerformanceReview> BuildReview(const ViewsState& state, absl::string_view member_id,
                                                  const v1::ReviewPeriod& period, uint32_t policy_version,
                                                  ReviewSource source = ReviewSource::kDailyTotals);

// The reviews of every active member holding `role`, ranked by that role's
// score (ties share a rank; then member id).
absl::StatusOr<v1::ListPerformanceReviewsResponse> RankReviews(const ViewsState& state, v1::Role role,
                                                               const v1::ReviewPeriod& period,
                                                               uint32_t policy_version);

absl::StatusOr<v1::CompareReviewsResponse> CompareReviews(const ViewsState& state, v1::Role role,
                                                          const v1::ReviewPeriod& period, uint32_t policy_a,
                                                          uint32_t policy_b);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_REVIEW_H_
