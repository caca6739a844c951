// WorkPool: a bounded, fair pool of threads for long work that must not run
// on a gRPC handler thread (DESIGN.md §3, "Nothing blocks a handler
// thread"): as_of replays, rebuilds, backups, log scans and verification,
// subscription catch-up reads.
//
// Fairness: every task belongs to a key (the calling member). Each key has
// its own FIFO queue and the threads take the keys' queues in turn
// (round-robin), so one member's many heavy calls take at most one turn in
// N, and cannot hold the pool from another member's calls. Bounds: at most
// `max_queued` tasks wait in all, and at most `max_per_key` of one key are
// queued or running; Submit refuses beyond them with RESOURCE_EXHAUSTED
// (naming the limit), and the task is then not run.
//
// Thread safety: every method may be called from any thread. A task runs on
// a pool thread; it must not wait for another task of the same pool.
#ifndef SALESOPS_SERVER_COMMON_WORK_POOL_H_
#define SALESOPS_SERVER_COMMON_WORK_POOL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace salesops {

struct WorkPoolOptions {
  std::string name = "work";  // for errors and logs
  size_t threads = 2;
  size_t max_queued = 1024;  // tasks waiting for a thread, over all keys
  size_t max_per_key = 8;    // tasks of one key queued or running
};

class WorkPool {
 public:
  // Starts the threads.
  explicit WorkPool(WorkPoolOptions options);
  // Stop().
  ~WorkPool();

  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  using Task = absl::AnyInvocable<void() &&>;

  // Queues `task` under `key`. RESOURCE_EXHAUSTED when the pool or the key
  // is at its bound, UNAVAILABLE after Stop; the task is then dropped
  // without running (the caller answers for it).
  absl::Status Submit(const std::string& key, Task task);

  // Waits until no task is queued or running, or `deadline` passes; true
  // when idle.
  bool AwaitIdle(absl::Time deadline);

  // Runs every task already queued, then joins the threads. Later Submits
  // are refused. Idempotent.
  void Stop();

  // For tests and metrics.
  size_t queued() const;
  size_t running() const;

 private:
  void Loop();

  const WorkPoolOptions options_;
  mutable absl::Mutex mu_;
  struct KeyQueue {
    std::deque<Task> tasks;
    size_t running = 0;
  };
  absl::flat_hash_map<std::string, KeyQueue> keys_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> turns_ ABSL_GUARDED_BY(mu_);  // keys with queued tasks, in turn order
  size_t queued_ ABSL_GUARDED_BY(mu_) = 0;
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_WORK_POOL_H_
