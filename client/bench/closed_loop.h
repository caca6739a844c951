// The closed-loop driver: `concurrency` clients, each with exactly one
// operation in flight, starting its next one as soon as the previous one
// completes, for a warm-up and then a measured window.
//
// Operations are asynchronous (gRPC's callback API): the driver starts them
// from its own thread and then from the completion callbacks, so 256 clients
// need no 256 threads. An operation may be several RPCs (e.g. a retried
// optimistic update); its latency runs from its start to its `done`.
#ifndef SALESOPS_CLIENT_BENCH_CLOSED_LOOP_H_
#define SALESOPS_CLIENT_BENCH_CLOSED_LOOP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace salesops::bench {

// How one operation ended.
struct OpOutcome {
  grpc::StatusCode code = grpc::StatusCode::OK;
  // True when `code` is what the workload meant to get: OK for an ordinary
  // command, the refusal for a deliberately refused one. False outcomes are
  // reported as errors.
  bool as_expected = true;
  int retries = 0;  // RPCs repeated inside the operation (e.g. after ABORTED)
};

// Must be called exactly once per operation, from any thread, without
// blocking.
using OpDone = absl::AnyInvocable<void(OpOutcome) &&>;

// What the clients do.
class Workload {
 public:
  virtual ~Workload() = default;
  // Called once before each run with its number of clients, so per-client
  // state can be sized.
  virtual void Prepare(int clients) { (void)clients; }
  // Starts client `client`'s next operation; must not block. One client's
  // operations never overlap (the next starts from the previous one's
  // `done`), so per-client state needs no lock.
  virtual void Start(int client, OpDone done) = 0;
};

struct RunSpec {
  int concurrency = 1;
  absl::Duration warmup;    // operations completing before it are not measured
  absl::Duration duration;  // the measured window after the warm-up
  // When set, checked after every operation: true ends the run at once
  // (used to preload the log up to a size).
  std::function<bool()> stop;
};

struct RunResult {
  double seconds = 0;  // the measured window (shorter when `stop` ended it)
  uint64_t ops = 0;    // operations started and completed inside it
  std::vector<int64_t> latencies_ns;  // one per measured operation
  // Of every operation started inside the window, also those completing
  // after it (while the run drains):
  uint64_t retries = 0;
  std::map<std::string, uint64_t> errors;             // outcomes not as expected, by code name
  std::map<std::string, uint64_t> expected_refusals;  // deliberate refusals, by code name

  double ops_per_second() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  uint64_t error_count() const;
};

// Runs `workload` and returns when every client has stopped: at the end of
// the window, after its last operation completed (an RPC's deadline bounds
// that wait). Blocks the calling thread, which must not be a gRPC callback
// thread.
RunResult RunClosedLoop(Workload& workload, const RunSpec& spec);

// "OK", "ABORTED", ... as in grpc::StatusCode.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_CLOSED_LOOP_H_
