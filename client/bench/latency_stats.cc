#include "latency_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salesops::bench {

int64_t Percentile(absl::Span<const int64_t> sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const size_t index = rank < 1 ? 0 : std::min(sorted.size(), static_cast<size_t>(rank)) - 1;
  return sorted[index];
}

LatencySummary Summarize(std::vector<int64_t>& samples) {
  LatencySummary summary;
  if (samples.empty()) return summary;
  std::sort(samples.begin(), samples.end());
  summary.count = samples.size();
  summary.p50_ns = Percentile(samples, 50);
  summary.p90_ns = Percentile(samples, 90);
  summary.p99_ns = Percentile(samples, 99);
  summary.max_ns = samples.back();
  summary.mean_ns = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
  return summary;
}

}  // namespace salesops::bench
