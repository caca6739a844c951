// Latency percentiles of a scenario run: p50 / p90 / p99 / max over every
// operation that completed inside the measured window.
//
// Percentiles use the nearest-rank definition: the p-th percentile of n
// sorted samples is the sample at rank ceil(p / 100 * n) (1-based), so it is
// always one of the measured values and p100 is the maximum.
#ifndef SALESOPS_CLIENT_BENCH_LATENCY_STATS_H_
#define SALESOPS_CLIENT_BENCH_LATENCY_STATS_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace salesops::bench {

struct LatencySummary {
  uint64_t count = 0;
  // Nanoseconds; all zero when count is 0.
  int64_t p50_ns = 0;
  int64_t p90_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;
  double mean_ns = 0;
};

// The nearest-rank percentile `p` (0 < p <= 100) of `sorted` (ascending);
// 0 for an empty span.
int64_t Percentile(absl::Span<const int64_t> sorted, double p);

// Sorts `samples` in place and summarizes them.
LatencySummary Summarize(std::vector<int64_t>& samples);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_LATENCY_STATS_H_
