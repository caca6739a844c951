#include "soak.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace salesops::bench {
namespace {

// The median (nearest rank) of `values`; 0 when empty.
int64_t Median(std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  return Percentile(values, 50);
}

}  // namespace

absl::Duration SoakWarmup(absl::Duration run) { return std::max(run / 10, absl::Minutes(1)); }

std::optional<size_t> WarmupSample(const SoakRun& soak) {
  const double warmup = absl::ToDoubleSeconds(SoakWarmup(soak.duration));
  for (size_t i = 0; i < soak.samples.size(); ++i) {
    // Boundaries are computed in nanoseconds: allow for the rounding.
    if (soak.samples[i].at_seconds >= warmup - 1e-6) return i;
  }
  return std::nullopt;
}

SoakVerdict EvaluateSoak(const SoakRun& soak) {
  SoakVerdict v;
  for (const SoakSample& s : soak.samples) {
    v.due += s.counts.due;
    v.sent += s.counts.sent;
    v.late += s.counts.late;
    v.completed += s.counts.completed;
    v.seconds += s.counts.seconds;
    for (const auto& [code, n] : s.counts.errors) v.errors[code] += n;
    for (const auto& [code, n] : s.counts.expected_refusals) v.expected_refusals[code] += n;
  }
  for (const auto& [code, n] : soak.drain.errors) v.errors[code] += n;

  const std::optional<size_t> w = WarmupSample(soak);
  if (soak.samples.empty() || !soak.samples.back().server_measured) {
    v.memory_not_measured = "no server RSS (the bench's own server only)";
  } else if (!w.has_value() || *w + 1 >= soak.samples.size()) {
    v.memory_not_measured = absl::StrCat("no sample after the warm-up (",
                                         absl::FormatDuration(SoakWarmup(soak.duration)), ") but the last");
  } else if (soak.samples[*w].server_rss_bytes == 0) {
    v.memory_not_measured = "no RSS after the warm-up";
  } else {
    const SoakSample& after = soak.samples[*w];
    const SoakSample& last = soak.samples.back();
    v.memory_measured = true;
    v.warmup_sample = *w;
    v.rss_after_warmup = after.server_rss_bytes;
    v.rss_last = last.server_rss_bytes;
    v.growth = (static_cast<double>(v.rss_last) - static_cast<double>(v.rss_after_warmup)) /
               static_cast<double>(v.rss_after_warmup);
    v.memory_met = v.growth <= kSoakMaxGrowth;
    v.events_since_warmup = last.log_events > after.log_events ? last.log_events - after.log_events : 0;
    if (v.events_since_warmup > 0) {
      v.bytes_per_event = (static_cast<double>(v.rss_last) - static_cast<double>(v.rss_after_warmup)) /
                          static_cast<double>(v.events_since_warmup);
    }
  }

  std::vector<const SoakSample*> with_latency;
  for (const SoakSample& s : soak.samples) {
    if (s.counts.completed > 0) with_latency.push_back(&s);
  }
  if (with_latency.size() >= 2) {
    const size_t quarter = std::max<size_t>(1, with_latency.size() / 4);
    std::vector<int64_t> p50_first, p50_last, p99_first, p99_last;
    for (size_t i = 0; i < quarter; ++i) {
      p50_first.push_back(with_latency[i]->counts.latency.p50_ns);
      p99_first.push_back(with_latency[i]->counts.latency.p99_ns);
      const SoakSample* late = with_latency[with_latency.size() - 1 - i];
      p50_last.push_back(late->counts.latency.p50_ns);
      p99_last.push_back(late->counts.latency.p99_ns);
    }
    v.latency_measured = true;
    v.p50_first_ns = Median(p50_first);
    v.p50_last_ns = Median(p50_last);
    v.p99_first_ns = Median(p99_first);
    v.p99_last_ns = Median(p99_last);
    v.p50_drift =
        v.p50_first_ns > 0 ? static_cast<double>(v.p50_last_ns) / static_cast<double>(v.p50_first_ns) : 0;
    v.p99_drift =
        v.p99_first_ns > 0 ? static_cast<double>(v.p99_last_ns) / static_cast<double>(v.p99_first_ns) : 0;
  }
  if (soak.head_before.has_value() && soak.head_after.has_value()) {
    v.head_checked = true;
    v.head_unchanged = soak.head_before->position == soak.head_after->position &&
                       soak.head_before->digest == soak.head_after->digest;
  }
  return v;
}

}  // namespace salesops::bench
