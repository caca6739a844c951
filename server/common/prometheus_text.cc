#include "server/common/prometheus_text.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace salesops {
namespace {

std::string LabelText(const MetricLabels& labels, absl::string_view extra_name = "", absl::string_view extra_value = "") {
  if (labels.empty() && extra_name.empty()) return "";
  std::string text = "{";
  for (const auto& [name, value] : labels) {
    if (text.size() > 1) text += ",";
    absl::StrAppend(&text, name, "=\"", PrometheusText::EscapeLabelValue(value), "\"");
  }
  if (!extra_name.empty()) {
    if (text.size() > 1) text += ",";
    absl::StrAppend(&text, extra_name, "=\"", extra_value, "\"");
  }
  return text + "}";
}

}  // namespace

std::string PrometheusText::EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return absl::StrFormat("%.0f", value);
  return absl::StrFormat("%.15g", value);
}

void PrometheusText::Family(absl::string_view name, absl::string_view type, absl::string_view help) {
  std::string escaped;
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  absl::StrAppend(&text_, "# HELP ", name, " ", escaped, "\n# TYPE ", name, " ", type, "\n");
}

void PrometheusText::Sample(absl::string_view name, const MetricLabels& labels, double value) {
  absl::StrAppend(&text_, name, LabelText(labels), " ", FormatValue(value), "\n");
}

void PrometheusText::Histogram(absl::string_view name, const MetricLabels& labels,
                               const std::vector<double>& upper_bounds, const std::vector<uint64_t>& counts,
                               double sum) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    cumulative += counts[i];
    absl::StrAppend(&text_, name, "_bucket", LabelText(labels, "le", FormatValue(upper_bounds[i])), " ", cumulative,
                    "\n");
  }
  cumulative += counts.back();
  absl::StrAppend(&text_, name, "_bucket", LabelText(labels, "le", "+Inf"), " ", cumulative, "\n");
  absl::StrAppend(&text_, name, "_sum", LabelText(labels), " ", FormatValue(sum), "\n");
  absl::StrAppend(&text_, name, "_count", LabelText(labels), " ", cumulative, "\n");
}

}  // namespace salesops
