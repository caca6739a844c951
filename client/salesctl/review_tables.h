// Tables for the performance reviews: Views.GetPerformanceReview,
// ListPerformanceReviews and CompareReviews (docs/VIEWS.md defines every
// metric; docs/CLI.md shows the output). Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_REVIEW_TABLES_H_
#define SALESOPS_CLIENT_SALESCTL_REVIEW_TABLES_H_

#include <string>

#include "salesops/v1/team.pb.h"
#include "salesops/v1/views.pb.h"

namespace salesctl {

// Who and which period; the log position, the scoring policy, the input
// events and their digest (so a regenerated review can be compared); then
// per role a "ROLE · score S" line and
//   METRIC  VALUE  UNIT  SAMPLES  WEIGHT  CONTRIBUTION
// (counts as integers, other values with two decimals; "—" for a metric
// with nothing to measure), followed by the role's details: won value,
// average deal size, time in stage, targets (SALES_REP) and resolution
// time per severity (AFTER_SALES).
std::string RenderReview(const salesops::v1::PerformanceReview& review);

// One line saying role, period, policy and position, then
//   RANK  MEMBER  NAME  SCORE  <each metric the policy weighs>  INPUTS  DIGEST
// with the metric columns holding the values the score was computed from
// and DIGEST the first 12 hex digits of the input digest. Under no policy
// nothing is scored or ranked: RANK and SCORE are "—".
std::string RenderReviewRanking(const salesops::v1::ListPerformanceReviewsResponse& response);

// What to do when a review was computed under no scoring policy (policy
// version 0: none was set before the period end): the policies that exist
// (Team.ListScoringPolicies), which one to name with --policy, or, with
// none, who sets one and how. Ends with a newline.
std::string NoPolicyHint(const salesops::v1::ListScoringPoliciesResponse& policies);

// One line saying role, period, the two policies and position, then
//   MEMBER  NAME  SCORE vA  RANK vA  SCORE vB  RANK vB  CHANGE
// in the reply's order, CHANGE "↑2" (better under B), "↓1" or "=".
std::string RenderReviewComparison(const salesops::v1::CompareReviewsResponse& response);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_REVIEW_TABLES_H_
