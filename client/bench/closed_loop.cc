#include "closed_loop.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace salesops::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

// One client's measurements. Written only from that client's completion
// callbacks, which never overlap (each starts the next operation), and read
// by the driver after every client has stopped.
struct ClientStats {
  std::vector<int64_t> latencies_ns;
  uint64_t retries = 0;
  std::map<std::string, uint64_t> errors;
  std::map<std::string, uint64_t> expected_refusals;
  SteadyClock::time_point last_done{};
};

// Shared with every pending completion, so it outlives the last callback
// even when the driver has already returned.
class Loop : public std::enable_shared_from_this<Loop> {
 public:
  Loop(Workload& workload, const RunSpec& spec)
      : workload_(workload),
        spec_(spec),
        clients_(static_cast<size_t>(spec.concurrency)),
        active_(spec.concurrency) {
    const SteadyClock::time_point now = SteadyClock::now();
    measure_from_ = now + absl::ToChronoNanoseconds(spec.warmup);
    until_ = measure_from_ + absl::ToChronoNanoseconds(spec.duration);
  }

  RunResult Run() {
    for (int c = 0; c < spec_.concurrency; ++c) StartOp(c);
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(+[](int* active) { return *active == 0; }, &active_));
    }
    return Collect();
  }

 private:
  void StartOp(int client) {
    const SteadyClock::time_point started = SteadyClock::now();
    workload_.Start(client, [self = shared_from_this(), client, started](OpOutcome outcome) {
      self->Finish(client, started, outcome);
    });
  }

  void Finish(int client, SteadyClock::time_point started, const OpOutcome& outcome) {
    const SteadyClock::time_point done = SteadyClock::now();
    ClientStats& stats = clients_[static_cast<size_t>(client)];
    if (started >= measure_from_ && done <= until_ && !stopped_.load(std::memory_order_relaxed)) {
      stats.latencies_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(done - started).count());
      stats.last_done = done;
    }
    // Outcomes count for every operation started in the window, also those
    // that end after it: a call that times out while the run drains is
    // still an error.
    if (started >= measure_from_) {
      stats.retries += static_cast<uint64_t>(outcome.retries);
      if (!outcome.as_expected) {
        ++stats.errors[StatusCodeName(outcome.code)];
      } else if (outcome.code != grpc::StatusCode::OK) {
        ++stats.expected_refusals[StatusCodeName(outcome.code)];
      }
    }
    if (spec_.stop && spec_.stop()) stopped_.store(true, std::memory_order_relaxed);
    if (done < until_ && !stopped_.load(std::memory_order_relaxed)) {
      StartOp(client);
      return;
    }
    absl::MutexLock lock(&mu_);
    --active_;
  }

  RunResult Collect() {
    RunResult result;
    SteadyClock::time_point end = until_;
    if (stopped_.load()) {
      end = measure_from_;
      for (const ClientStats& c : clients_) end = std::max(end, c.last_done);
    }
    result.seconds = std::chrono::duration<double>(end - measure_from_).count();
    for (ClientStats& c : clients_) {
      result.latencies_ns.insert(result.latencies_ns.end(), c.latencies_ns.begin(), c.latencies_ns.end());
      result.retries += c.retries;
      for (const auto& [code, n] : c.errors) result.errors[code] += n;
      for (const auto& [code, n] : c.expected_refusals) result.expected_refusals[code] += n;
    }
    result.ops = result.latencies_ns.size();
    return result;
  }

  Workload& workload_;
  const RunSpec spec_;
  SteadyClock::time_point measure_from_;
  SteadyClock::time_point until_;
  std::vector<ClientStats> clients_;
  std::atomic<bool> stopped_{false};
  absl::Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

uint64_t RunResult::error_count() const {
  uint64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

RunResult RunClosedLoop(Workload& workload, const RunSpec& spec) {
  workload.Prepare(spec.concurrency);
  auto loop = std::make_shared<Loop>(workload, spec);
  return loop->Run();
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    default: return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

}  // namespace salesops::bench
