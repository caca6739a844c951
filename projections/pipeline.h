// The pipeline and lead-list queries over a ViewsState (docs/VIEWS.md).
// Pure: the caller supplies `now`, the moment ages are measured to.
#ifndef SALESOPS_PROJECTIONS_PIPELINE_H_
#define SALESOPS_PROJECTIONS_PIPELINE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/views.pb.h"

namespace salesops::projections {

// The stage win-probability table, version kProbabilityTableVersion.
inline constexpr uint32_t kProbabilityTableVersion = 1;
// Percent; 0 for stages outside IDENTIFIED..NEGOTIATING.
uint32_t WinProbabilityPercent(v1::Stage stage);

inline constexpr uint32_t kDefaultWinRateDays = 90;
inline constexpr uint32_t kMaxWinRateDays = 3660;
inline constexpr uint32_t kDefaultLeadPage = 50;
inline constexpr uint32_t kMaxLeadPage = 500;

// INVALID_ARGUMENT naming the field for a malformed request; the view's
// `view` field is left for the caller to fill. Reads the views' indexes:
// O(stages + days in the win-rate window) without per-lead filters, else
// the leads of the owner / assignee / identified range (docs/VIEWS.md).
absl::StatusOr<v1::Pipeline> BuildPipeline(const ViewsState& state, const v1::GetPipelineRequest& request,
                                           absl::Time now);

// The same answer as BuildPipeline, counted lead by lead over the whole fold
// instead of read from the indexes (tests compare the two).
absl::StatusOr<v1::Pipeline> BuildPipelineByScan(const ViewsState& state, const v1::GetPipelineRequest& request,
                                                 absl::Time now);

// INVALID_ARGUMENT naming the field (page_token included: a token from
// another query, or forged).
absl::StatusOr<v1::ListLeadsResponse> ListLeads(const ViewsState& state, const v1::ListLeadsRequest& request,
                                                absl::Time now);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_PIPELINE_H_
