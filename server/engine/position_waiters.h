// PositionWaiters: calls parked until the views reach a log position
// (`min_position`, read-your-writes), completed by notification instead of
// a waiting thread (DESIGN.md §3, "Nothing blocks a handler thread").
//
// It is itself a projection, listed after the views: the sequencer applies
// each committed batch to the views, then to this, which wakes the waiters
// whose position the batch reached. It also keeps every waiter's deadline
// and its cancellation. Every completion runs on the waiters' own thread
// (never the sequencer's): OK when the position was applied,
// DEADLINE_EXCEEDED at the deadline, CANCELLED after Cancel, UNAVAILABLE at
// Stop. A completion may do short work (a live view query); long work goes
// to a WorkPool.
//
// Bounds: at most `max_waiters` parked in all and `max_per_key` per key (the
// calling member); Wait refuses beyond them with RESOURCE_EXHAUSTED.
//
// Thread safety: every method may be called from any thread; Apply by one
// writer at a time (Projection's contract).
#ifndef SALESOPS_SERVER_ENGINE_POSITION_WAITERS_H_
#define SALESOPS_SERVER_ENGINE_POSITION_WAITERS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "projections/projection.h"

namespace salesops::engine {

struct PositionWaitersOptions {
  size_t max_waiters = 10'000;
  size_t max_per_key = 100;
};

class PositionWaiters final : public projections::Projection {
 public:
  // `position`: what the views already reflect (a restored snapshot's
  // position; recovery's replay then advances it through Apply).
  explicit PositionWaiters(uint64_t position, PositionWaitersOptions options = {});
  // Stop().
  ~PositionWaiters() override;

  absl::string_view name() const override { return "position_waiters"; }
  void Apply(absl::Span<const v1::EventEnvelope> events) override;
  uint64_t position() const override;

  using Done = absl::AnyInvocable<void(absl::Status) &&>;
  // Parks `done` under `tag` (unique among parked waiters; the caller's
  // address) until `position` is applied or `deadline` passes. When the
  // position is already applied, returns false without parking and without
  // calling `done`: the caller goes on at once. Returns true when parked:
  // `done` then runs exactly once, on the waiters' thread, and the caller
  // must not touch what `done` may free. Errors (nothing parked, `done` not
  // called): RESOURCE_EXHAUSTED at a bound, UNAVAILABLE after Stop.
  absl::StatusOr<bool> Wait(const void* tag, const std::string& key, uint64_t position, absl::Time deadline,
                            Done done);
  // Completes the waiter parked under `tag` with CANCELLED, if it is still
  // parked; nothing otherwise.
  void Cancel(const void* tag);

  // Completes every parked waiter with UNAVAILABLE, refuses new ones and
  // joins the thread. Idempotent.
  void Stop();

  size_t parked() const;

 private:
  struct Waiter {
    std::string key;
    uint64_t position;
    absl::Time deadline;
    Done done;
  };
  void Loop();

  const PositionWaitersOptions options_;
  mutable absl::Mutex mu_;
  uint64_t position_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const void*, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  std::multimap<uint64_t, const void*> by_position_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<absl::Time, const void*>> by_deadline_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> per_key_ ABSL_GUARDED_BY(mu_);
  std::vector<const void*> cancelled_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace salesops::engine

#endif  // SALESOPS_SERVER_ENGINE_POSITION_WAITERS_H_
