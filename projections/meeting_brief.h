// The meeting brief (Views.GetMeetingBrief): the agenda a sales manager
// would otherwise assemble by hand, computed from a views fold taken at the
// meeting's start. Pure and deterministic: the same fold gives the same
// bytes (every list is sorted; nothing depends on hash-map order or the
// clock), which is what lets a brief regenerated a year later equal the
// original. docs/VIEWS.md defines every number.
#ifndef SALESOPS_PROJECTIONS_MEETING_BRIEF_H_
#define SALESOPS_PROJECTIONS_MEETING_BRIEF_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/views.pb.h"

namespace salesops::projections {

// What a brief covers.
struct BriefScope {
  std::string meeting_id;  // empty for a brief without a meeting
  std::string title;
  std::string member_id;   // empty: the team
  absl::Time period_from;  // the period reviewed: [period_from, period_to)
  absl::Time period_to;
  absl::Time moment;       // the brief's moment: the meeting's start (or now, while it is ahead)
  bool provisional = false;
  // Earlier meetings are those of the same scope starting before this.
  absl::Time meeting_start;
};

// The scope of a scheduled meeting, its moment at most `now`.
BriefScope ScopeOfMeeting(const v1::Meeting& meeting, absl::Time now);

// Builds the brief from `state` (the fold as of scope.moment). A team brief
// covers every active member holding a work role (SALES_REP, BD_MANAGER,
// SALES_SUPPORT, AFTER_SALES); a one-to-one, its member. When `only_member`
// is set, the brief keeps that member's row and action items only (a reader
// who is not a manager). Errors: NOT_FOUND for a scope member unknown at the
// moment. view and input_digest are left for the caller.
absl::StatusOr<v1::MeetingBrief> BuildMeetingBrief(const ViewsState& state, const BriefScope& scope,
                                                   absl::string_view only_member = "");

// The activity names of a brief, in their documented order.
const std::vector<std::string>& BriefActivities();

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_MEETING_BRIEF_H_
