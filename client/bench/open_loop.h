// The open-loop driver of the soak: operations arrive at a fixed rate
// whatever the server does, unlike the closed loop (closed_loop.h), where a
// slow server slows its own load down.
//
// Arrival i is due at start + i / rate. The driver thread starts each due
// arrival on a free slot (a slot is one operation in flight; a workload sees
// it as a client, so one slot's operations never overlap). An arrival that
// finds every slot busy is counted late and never sent: an overloaded
// server cannot make the client's backlog grow without bound, and the load
// it could not take shows instead of being hidden. Latency runs from the
// arrival's scheduled time, so a driver that falls behind shows in it too.
//
// Every `sample_every` (and at the end) the driver hands the interval's
// counts to `on_interval`, on its own thread.
#ifndef SALESOPS_CLIENT_BENCH_OPEN_LOOP_H_
#define SALESOPS_CLIENT_BENCH_OPEN_LOOP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "closed_loop.h"
#include "latency_stats.h"

namespace salesops::bench {

// One sampling interval of an open-loop run.
struct IntervalCounts {
  double seconds = 0;                                 // the interval's length
  uint64_t due = 0;                                   // arrivals scheduled in it
  uint64_t sent = 0;                                  // of those, started
  uint64_t late = 0;                                  // of those, not sent: every slot was busy
  uint64_t completed = 0;                             // operations that completed in it (whenever due)
  LatencySummary latency;                             // of those, from their scheduled time
  std::map<std::string, uint64_t> errors;             // unexpected outcomes by code
  std::map<std::string, uint64_t> expected_refusals;  // deliberate refusals by code
  uint64_t retries = 0;

  double completed_per_second() const { return seconds > 0 ? static_cast<double>(completed) / seconds : 0; }
};

// Accumulates one interval's counts; Take returns them and starts the next
// interval. Thread-safe: completions arrive on gRPC threads.
class IntervalStats {
 public:
  void Due(bool sent);
  void Completed(int64_t latency_ns, const OpOutcome& outcome);
  // The counts since the previous Take (or construction), as an interval of
  // `seconds`; latency percentiles are nearest-rank (latency_stats.h).
  IntervalCounts Take(double seconds);

 private:
  absl::Mutex mu_;
  IntervalCounts counts_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> latencies_ns_ ABSL_GUARDED_BY(mu_);
};

struct OpenLoopSpec {
  double rate = 0;        // arrivals per second, > 0
  int max_in_flight = 1;  // slots, >= 1
  absl::Duration duration;
  absl::Duration sample_every;  // > 0; the last interval ends at `duration`
  // Called on the driver thread at the end of every interval.
  std::function<void(IntervalCounts)> on_interval;
};

// What completed after the last interval, while the run drained.
struct OpenLoopDrain {
  uint64_t completed = 0;
  std::map<std::string, uint64_t> errors;
  double seconds = 0;      // the wait
  uint64_t abandoned = 0;  // still in flight when the wait gave up
};

// Runs `workload` open-loop. Returns after the last interval, once every
// operation in flight has completed or `drain_limit` has passed (gRPC's
// call deadline bounds the operations themselves). Blocks the calling
// thread, which must not be a gRPC callback thread.
OpenLoopDrain RunOpenLoop(Workload& workload, const OpenLoopSpec& spec,
                          absl::Duration drain_limit = absl::Seconds(40));

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_OPEN_LOOP_H_
