// The soak (--soak=DURATION): what it measured and the arithmetic of its
// verdict. runner.cc fills a SoakRun; everything here is computed from it,
// so it is tested on hand-made runs.
//
// The run: the maximum rate of the mix, then the open loop (open_loop.h)
// at `fraction` of it for `duration`, sampled every `sample_every`. The
// mix (--soak-mix):
//   growth  the maximum is append's (64 in flight, a warm-up and a measured
//           window, with request ids); the load creates leads all along
//   steady  first a fixed population of leads, then only calls that add
//           no state (steady_plan.h); the maximum is the same mix's,
//           closed loop at 64 in flight. The log's head (position and chain
//           digest, Audit.GetLogDigest) is read after the population and
//           after the drain: it must not have moved.
//
// The verdict:
//   memory growth after warm-up = (RSS at the last sample - RSS after the
//     warm-up) / RSS after the warm-up, against <= 5 %. The warm-up is the
//     first 10 % of the run and at least its first minute; the RSS after it
//     is the first sample taken at or after its end.
//   latency drift = the median of the interval p99s of the last quarter of
//     the samples over that of the first quarter (a quarter is at least one
//     sample; samples without completions are left out); the same for p50.
//   steady only: the log's head unchanged from before the maximum-rate run
//     to after the drain.
#ifndef SALESOPS_CLIENT_BENCH_SOAK_H_
#define SALESOPS_CLIENT_BENCH_SOAK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "open_loop.h"

namespace salesops::bench {

inline constexpr double kSoakMaxGrowth = 0.05;
inline constexpr int kSoakProbeConcurrency = 64;

// One sampling interval of the soak.
struct SoakSample {
  double at_seconds = 0;  // the interval's end, from the open loop's start
  IntervalCounts counts;
  // The log's size: growth, as far as the bench knows (its only writer);
  // steady, the server's head (Audit.GetLogDigest) at the interval's end.
  uint64_t log_events = 0;
  bool server_measured = false;   // own server only
  uint64_t server_rss_bytes = 0;  // VmRSS at the interval's end
  double server_cpu_seconds = 0;  // over the interval
  double client_cpu_seconds = 0;  // the bench over the interval
};

// The log's head as the server reports it (Audit.GetLogDigest).
struct LogHead {
  uint64_t position = 0;
  std::string digest;  // the chain digest at `position`, hex
};

struct SoakRun {
  std::string mix_name = "growth";  // --soak-mix
  absl::Duration duration;
  absl::Duration sample_every;
  double fraction = 0;
  int max_in_flight = 0;
  // The probe, closed loop at 64 in flight: append (growth) or the steady
  // mix itself (steady).
  double max_rate = 0;  // its ops/s
  LatencySummary max_rate_latency;
  double max_rate_seconds = 0;
  double target_rate = 0;  // fraction x max_rate arrivals/s
  std::string mix;
  uint64_t start_log_events = 0;
  uint64_t start_rss_bytes = 0;  // right before the open loop (own server)
  std::vector<SoakSample> samples;
  OpenLoopDrain drain;
  // Steady only: the population and the log's head around everything after it.
  uint64_t population_leads = 0;
  double population_seconds = 0;
  std::optional<LogHead> head_before;  // after the population, before the maximum-rate run
  std::optional<LogHead> head_after;   // after the drain
  std::string head_not_read;           // why a head is missing, when one is
};

// 10 % of `run`, at least a minute.
absl::Duration SoakWarmup(absl::Duration run);

struct SoakVerdict {
  // Totals over every interval (the drain's completions not included).
  uint64_t due = 0;
  uint64_t sent = 0;
  uint64_t late = 0;
  uint64_t completed = 0;
  double seconds = 0;
  std::map<std::string, uint64_t> errors;  // the drain's included
  std::map<std::string, uint64_t> expected_refusals;
  double achieved_per_second() const { return seconds > 0 ? static_cast<double>(completed) / seconds : 0; }

  bool memory_measured = false;
  std::string memory_not_measured;  // why, when not measured
  size_t warmup_sample = 0;         // index of the sample after the warm-up
  uint64_t rss_after_warmup = 0;
  uint64_t rss_last = 0;
  double growth = 0;        // (last - after warm-up) / after warm-up
  bool memory_met = false;  // growth <= kSoakMaxGrowth
  uint64_t events_since_warmup = 0;
  std::optional<double> bytes_per_event;  // RSS growth per event written since the warm-up

  bool latency_measured = false;
  int64_t p50_first_ns = 0, p50_last_ns = 0;
  int64_t p99_first_ns = 0, p99_last_ns = 0;
  double p50_drift = 0;  // last over first
  double p99_drift = 0;

  // Steady only: both heads read, and equal (position and digest).
  bool head_checked = false;
  bool head_unchanged = false;
};

SoakVerdict EvaluateSoak(const SoakRun& soak);

// The index of the first sample at or after the warm-up; nullopt when none.
std::optional<size_t> WarmupSample(const SoakRun& soak);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_SOAK_H_
