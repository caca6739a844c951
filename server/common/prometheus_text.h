// The Prometheus text exposition format (version 0.0.4), written by hand:
// prometheus-cpp is not packaged in Debian 12, and what salesopsd exposes
// needs only this much. `promtool check metrics` checks the real output in
// the tests.
//
//   PrometheusText out;
//   out.Family("salesops_rpc_requests_total", "counter", "RPCs handled, by method and status code.");
//   out.Sample("salesops_rpc_requests_total", {{"method", "Leads/IdentifyLead"}, {"code", "OK"}}, 12);
//   std::string body = std::move(out).Take();
//
// Histogram buckets are cumulative; Histogram() writes _bucket (with the
// +Inf bucket), _sum and _count for one label set.
#ifndef SALESOPS_SERVER_COMMON_PROMETHEUS_TEXT_H_
#define SALESOPS_SERVER_COMMON_PROMETHEUS_TEXT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace salesops {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  // "# HELP" and "# TYPE" lines; `type` is counter, gauge, histogram or untyped.
  void Family(absl::string_view name, absl::string_view type, absl::string_view help);
  void Sample(absl::string_view name, const MetricLabels& labels, double value);
  // `upper_bounds` ascending (without +Inf); `counts[i]` observations in
  // bucket i (not cumulative), counts.size() == upper_bounds.size() + 1
  // (the last: above every bound).
  void Histogram(absl::string_view name, const MetricLabels& labels, const std::vector<double>& upper_bounds,
                 const std::vector<uint64_t>& counts, double sum);

  std::string Take() && { return std::move(text_); }

  // A label value with \, " and newline escaped.
  static std::string EscapeLabelValue(absl::string_view value);
  // A number as Prometheus reads it: integers without exponent, +Inf, NaN.
  static std::string FormatValue(double value);

 private:
  std::string text_;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_PROMETHEUS_TEXT_H_
