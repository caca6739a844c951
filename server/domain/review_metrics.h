// The performance-review metrics of each role: the names scoring policies
// weigh and reviews report (docs/VIEWS.md defines each). Pure data.
#ifndef SALESOPS_SERVER_DOMAIN_REVIEW_METRICS_H_
#define SALESOPS_SERVER_DOMAIN_REVIEW_METRICS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/common.pb.h"

namespace salesops::domain {

struct MetricDef {
  absl::string_view name;  // e.g. "deals_won"
  absl::string_view unit;  // "count", "ratio", "days", "hours", "percent", "score 1-5"
};

// The roles reviewed: SALES_REP, BD_MANAGER, SALES_SUPPORT, AFTER_SALES.
const std::vector<v1::Role>& ReviewedRoles();
// The role's metrics in report order; empty for a role not reviewed.
const std::vector<MetricDef>& MetricsOf(v1::Role role);

// Checks a SetScoringPolicy's roles (INVALID_ARGUMENT naming the field).
absl::Status ValidatePolicyRoles(const google::protobuf::RepeatedPtrField<v1::RoleWeights>& roles);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_REVIEW_METRICS_H_
