// Meetings.GetMeeting and Meetings.ListMeetings, answered from the views
// fold (the deciders' meetings and action items, which it holds).
#ifndef SALESOPS_PROJECTIONS_MEETINGS_VIEW_H_
#define SALESOPS_PROJECTIONS_MEETINGS_VIEW_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/meetings.pb.h"

namespace salesops::projections {

inline constexpr uint32_t kDefaultMeetingPage = 50;
inline constexpr uint32_t kMaxMeetingPage = 500;

// The page tokens of lists ordered by (start time, id), Meetings.ListMeetings
// and Coaching.ListTrainingSessions: bound to `filter_key` (the request's
// filters as deterministic bytes). ParseStartPageToken: the last row of the
// previous page; INVALID_ARGUMENT for a token this server did not issue or
// one of other filters.
absl::StatusOr<std::pair<absl::Time, std::string>> ParseStartPageToken(absl::string_view token,
                                                                       absl::string_view filter_key);
std::string StartPageToken(absl::string_view filter_key, absl::Time last_start, absl::string_view last_id);

// The meeting with its action items in the order they were added. NOT_FOUND
// for an unknown meeting.
absl::StatusOr<v1::Meeting> GetMeeting(const ViewsState& state, absl::string_view meeting_id);

// Meetings newest start first (then by id), filtered and paged, each with
// its action items. INVALID_ARGUMENT naming a malformed filter or token.
absl::StatusOr<v1::ListMeetingsResponse> ListMeetings(const ViewsState& state, const v1::ListMeetingsRequest& request);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_MEETINGS_VIEW_H_
