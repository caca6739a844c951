// Coaching.GetTrainingSession and Coaching.ListTrainingSessions, answered
// from the views fold (the deciders' training sessions, which it holds).
#ifndef SALESOPS_PROJECTIONS_TRAINING_VIEW_H_
#define SALESOPS_PROJECTIONS_TRAINING_VIEW_H_

#include "absl/status/statusor.h"
#include "projections/views_state.h"
#include "salesops/v1/coaching.pb.h"

namespace salesops::projections {

inline constexpr uint32_t kDefaultTrainingPage = 50;
inline constexpr uint32_t kMaxTrainingPage = 500;

// The session with its attendance by member id. NOT_FOUND for an unknown
// session.
absl::StatusOr<v1::TrainingSession> GetTrainingSession(const ViewsState& state, absl::string_view session_id);

// Sessions newest start first (then by id), filtered and paged, with each
// member's attended hours over every matching session. INVALID_ARGUMENT
// naming a malformed filter or token.
absl::StatusOr<v1::ListTrainingSessionsResponse> ListTrainingSessions(const ViewsState& state,
                                                                      const v1::ListTrainingSessionsRequest& request);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_TRAINING_VIEW_H_
