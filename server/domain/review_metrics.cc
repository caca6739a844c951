#include "server/domain/review_metrics.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/team.h"

namespace salesops::domain {

const std::vector<v1::Role>& ReviewedRoles() {
  static const std::vector<v1::Role>* const roles = new std::vector<v1::Role>{
      v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER, v1::ROLE_SALES_SUPPORT, v1::ROLE_AFTER_SALES};
  return *roles;
}

const std::vector<MetricDef>& MetricsOf(v1::Role role) {
  static const std::vector<MetricDef>* const rep = new std::vector<MetricDef>{
      {"leads_identified", "count"},     {"quotes_sent", "count"},
      {"deals_won", "count"},            {"deals_lost", "count"},
      {"win_rate", "ratio"},             {"avg_sales_cycle_days", "days"},
      {"target_attainment_pct", "percent"}, {"csat", "score 1-5"},
      {"handoff_delay_hours", "hours"},  {"training_hours", "hours"}};
  static const std::vector<MetricDef>* const bd = new std::vector<MetricDef>{
      {"leads_qualified", "count"},     {"leads_disqualified", "count"},
      {"qualification_turnaround_hours", "hours"}, {"needs_analyses", "count"},
      {"qualified_win_rate", "ratio"},  {"handoff_delay_hours", "hours"},
      {"training_hours", "hours"}};
  static const std::vector<MetricDef>* const support = new std::vector<MetricDef>{
      {"orders_confirmed", "count"}, {"orders_shipped", "count"}, {"orders_delivered", "count"},
      {"win_to_delivery_days", "days"}, {"handoff_delay_hours", "hours"}, {"training_hours", "hours"}};
  static const std::vector<MetricDef>* const after_sales = new std::vector<MetricDef>{
      {"tickets_resolved", "count"},          {"avg_resolution_hours", "hours"},
      {"reopen_rate", "ratio"},               {"csat_product_quality", "score 1-5"},
      {"csat_service_attitude", "score 1-5"}, {"csat_response_speed", "score 1-5"},
      {"handoff_delay_hours", "hours"},       {"training_hours", "hours"}};
  static const std::vector<MetricDef>* const none = new std::vector<MetricDef>{};
  switch (role) {
    case v1::ROLE_SALES_REP: return *rep;
    case v1::ROLE_BD_MANAGER: return *bd;
    case v1::ROLE_SALES_SUPPORT: return *support;
    case v1::ROLE_AFTER_SALES: return *after_sales;
    default: return *none;
  }
}

absl::Status ValidatePolicyRoles(const google::protobuf::RepeatedPtrField<v1::RoleWeights>& roles) {
  if (roles.empty()) return absl::InvalidArgumentError("roles: at least one role's weights are required");
  std::set<int> seen_roles;
  for (int i = 0; i < roles.size(); ++i) {
    const v1::RoleWeights& r = roles[i];
    const std::string field = absl::StrCat("roles[", i, "]");
    const std::vector<MetricDef>& metrics = MetricsOf(r.role());
    if (metrics.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".role: must be a reviewed role (SALES_REP, BD_MANAGER, SALES_SUPPORT, AFTER_SALES)"));
    }
    if (!seen_roles.insert(r.role()).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".role: ", RoleName(r.role()), " appears twice"));
    }
    if (r.weights().empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".weights: at least one is required"));
    std::set<std::string> seen_metrics;
    for (int j = 0; j < r.weights().size(); ++j) {
      const v1::MetricWeight& w = r.weights(j);
      const std::string wfield = absl::StrCat(field, ".weights[", j, "]");
      const bool known = std::any_of(metrics.begin(), metrics.end(),
                                     [&](const MetricDef& m) { return m.name == w.metric(); });
      if (!known) {
        return absl::InvalidArgumentError(absl::StrCat(
            wfield, ".metric: '", w.metric(), "' is not a ", RoleName(r.role()), " metric (",
            absl::StrJoin(metrics, ", ", [](std::string* out, const MetricDef& m) { absl::StrAppend(out, m.name); }),
            ")"));
      }
      if (!seen_metrics.insert(w.metric()).second) {
        return absl::InvalidArgumentError(absl::StrCat(wfield, ".metric: '", w.metric(), "' appears twice"));
      }
      if (!std::isfinite(w.weight()) || std::abs(w.weight()) > 1'000'000) {
        return absl::InvalidArgumentError(absl::StrCat(wfield, ".weight: must be finite, within -1000000..1000000"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace salesops::domain
