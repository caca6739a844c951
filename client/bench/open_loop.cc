#include "open_loop.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

namespace salesops::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Shared with every pending completion, so it outlives the last callback
// even when the driver has stopped waiting for it.
class Loop : public std::enable_shared_from_this<Loop> {
 public:
  Loop(Workload& workload, const OpenLoopSpec& spec) : workload_(workload), spec_(spec) {
    free_.reserve(static_cast<size_t>(spec.max_in_flight));
    for (int slot = spec.max_in_flight - 1; slot >= 0; --slot) free_.push_back(slot);
  }

  OpenLoopDrain Run(absl::Duration drain_limit) {
    const SteadyClock::time_point start = SteadyClock::now();
    const SteadyClock::time_point end = start + absl::ToChronoNanoseconds(spec_.duration);
    const std::chrono::nanoseconds every = absl::ToChronoNanoseconds(spec_.sample_every);
    const double ns_per_arrival = 1e9 / spec_.rate;
    uint64_t next = 0;  // the next arrival's index
    const auto due_at = [&](uint64_t i) {
      return start + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(i) * ns_per_arrival));
    };
    SteadyClock::time_point interval_start = start;
    SteadyClock::time_point boundary = std::min(start + every, end);
    while (true) {
      const SteadyClock::time_point now = SteadyClock::now();
      for (SteadyClock::time_point at = due_at(next); at <= now && at < end; at = due_at(++next)) {
        const std::optional<int> slot = TakeSlot();
        stats_.Due(slot.has_value());
        if (slot.has_value()) StartOp(*slot, at);
      }
      if (now >= boundary) {
        spec_.on_interval(stats_.Take(std::chrono::duration<double>(boundary - interval_start).count()));
        if (boundary >= end) break;
        interval_start = boundary;
        boundary = std::min(boundary + every, end);
      }
      std::this_thread::sleep_until(std::min(due_at(next), boundary));
    }
    // Drain: every completion from here on belongs to no interval.
    const SteadyClock::time_point drain_start = SteadyClock::now();
    const absl::Time give_up = absl::Now() + drain_limit;
    int in_flight = 0;
    {
      absl::MutexLock lock(&slots_mu_);
      slots_mu_.AwaitWithDeadline(absl::Condition(this, &Loop::AllFree), give_up);
      in_flight = spec_.max_in_flight - static_cast<int>(free_.size());
    }
    const double waited = std::chrono::duration<double>(SteadyClock::now() - drain_start).count();
    IntervalCounts tail = stats_.Take(waited);
    OpenLoopDrain drain;
    drain.completed = tail.completed;
    drain.errors = std::move(tail.errors);
    drain.seconds = waited;
    drain.abandoned = static_cast<uint64_t>(in_flight);
    return drain;
  }

 private:
  bool AllFree() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(slots_mu_) {
    return free_.size() == static_cast<size_t>(spec_.max_in_flight);
  }

  std::optional<int> TakeSlot() {
    absl::MutexLock lock(&slots_mu_);
    if (free_.empty()) return std::nullopt;
    const int slot = free_.back();
    free_.pop_back();
    return slot;
  }

  void StartOp(int slot, SteadyClock::time_point due) {
    workload_.Start(slot, [self = shared_from_this(), slot, due](OpOutcome outcome) {
      const int64_t ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - due).count();
      self->stats_.Completed(ns, outcome);
      absl::MutexLock lock(&self->slots_mu_);
      self->free_.push_back(slot);
    });
  }

  Workload& workload_;
  const OpenLoopSpec spec_;
  IntervalStats stats_;
  absl::Mutex slots_mu_;
  std::vector<int> free_ ABSL_GUARDED_BY(slots_mu_);  // slots with no operation in flight
};

}  // namespace

void IntervalStats::Due(bool sent) {
  absl::MutexLock lock(&mu_);
  ++counts_.due;
  ++(sent ? counts_.sent : counts_.late);
}

void IntervalStats::Completed(int64_t latency_ns, const OpOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  ++counts_.completed;
  latencies_ns_.push_back(latency_ns);
  counts_.retries += static_cast<uint64_t>(outcome.retries);
  if (!outcome.as_expected) {
    ++counts_.errors[StatusCodeName(outcome.code)];
  } else if (outcome.code != grpc::StatusCode::OK) {
    ++counts_.expected_refusals[StatusCodeName(outcome.code)];
  }
}

IntervalCounts IntervalStats::Take(double seconds) {
  IntervalCounts out;
  std::vector<int64_t> latencies;
  {
    absl::MutexLock lock(&mu_);
    std::swap(out, counts_);
    std::swap(latencies, latencies_ns_);
  }
  out.seconds = seconds;
  out.latency = Summarize(latencies);  // outside the lock: completions go on meanwhile
  return out;
}

OpenLoopDrain RunOpenLoop(Workload& workload, const OpenLoopSpec& spec, absl::Duration drain_limit) {
  workload.Prepare(spec.max_in_flight);
  auto loop = std::make_shared<Loop>(workload, spec);
  return loop->Run(drain_limit);
}

}  // namespace salesops::bench
