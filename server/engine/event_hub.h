// The live end of the log, shared by every subscription (Audit.Subscribe).
//
// The sequencer hands each committed batch to Publish (SequencerOptions::
// on_commit) as a pointer to an immutable vector: the hub keeps the most
// recent batches — at most `max_events` events in all, however many
// subscribers there are — and wakes the subscribers waiting for them. A
// subscriber reads batches by position (Read); one whose next position has
// already left the buffer is told so (`behind`) and reads the store instead,
// so a slow subscriber costs the hub no memory and never loses an event.
//
// Events reach the hub only after their batch was written with fsync: what a
// subscriber gets from it is durable.
//
// Threads: Publish is called by one writer (the sequencer); it takes the
// hub's mutex for O(1) work (plus dropping old batches) and never calls a
// subscriber. Wake-ups run on the hub's own thread. Every method is
// thread-safe.
#ifndef SALESOPS_SERVER_ENGINE_EVENT_HUB_H_
#define SALESOPS_SERVER_ENGINE_EVENT_HUB_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"

namespace salesops::engine {

// One committed batch: non-empty, contiguous positions, in order.
using CommittedEvents = std::shared_ptr<const std::vector<v1::EventEnvelope>>;

// A batch as the hub keeps it: the events, and their wire form (each
// envelope serialized), made on first use and shared by every subscriber —
// fifty subscribers cost one serialization, not fifty copies.
class HubBatch {
 public:
  explicit HubBatch(CommittedEvents events) : events_(std::move(events)) {}
  const std::vector<v1::EventEnvelope>& events() const { return *events_; }
  // wire()[i] is events()[i] serialized (EventEnvelope). Thread-safe.
  const std::vector<std::string>& wire() const;

 private:
  const CommittedEvents events_;
  mutable absl::once_flag once_;
  mutable std::vector<std::string> wire_;
};
using HubBatchPtr = std::shared_ptr<const HubBatch>;

struct EventHubOptions {
  // Events kept in memory for subscribers (in whole batches; the latest
  // batch is always kept, whatever its size).
  size_t max_events = 16384;
};

class EventHub {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Runs on the hub's thread. Must not block on other subscribers or on
    // the network; may call Read and WakeWhen.
    virtual void Wake() = 0;
  };

  // What Read found from a position.
  struct Slice {
    // The position is older than the buffer: read it from the store.
    bool behind = false;
    // The batches holding the position and the ones after it, in order; the
    // first may start before the position. Empty when the position is past
    // the head (or `behind`).
    std::vector<HubBatchPtr> batches;
    uint64_t head = 0;  // the last published position
  };

  // `head` is the log's head before the first Publish. Starts the hub's
  // thread.
  explicit EventHub(uint64_t head, EventHubOptions options = {});
  // Stop().
  ~EventHub();

  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Adds the next committed batch, normally at head() + 1. A batch further
  // on (events committed without passing through here) empties the buffer
  // first, so positions before it come from the store; one at or before the
  // head is dropped and logged. Never waits for a subscriber.
  void Publish(CommittedEvents events);

  // The last published position.
  uint64_t head() const;
  // The oldest position still in the buffer (head() + 1 when it is empty).
  uint64_t oldest() const;

  // The batches from position `from` on, at most `max_batches` of them.
  Slice Read(uint64_t from, size_t max_batches) const;

  // Calls listener->Wake() once, on the hub's thread, as soon as head() ≥
  // `position` or `deadline` has passed — at once when either already
  // holds. Each call asks for one wake. A listener destroyed by then is
  // skipped. After Stop nothing is woken.
  void WakeWhen(std::weak_ptr<Listener> listener, uint64_t position, absl::Time deadline);

  // Stops and joins the hub's thread; pending wakes are dropped.
  // Idempotent.
  void Stop();

 private:
  struct Waiter {
    std::weak_ptr<Listener> listener;
    uint64_t position;
    absl::Time deadline;
  };

  void Run();
  uint64_t OldestLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const EventHubOptions options_;
  mutable absl::Mutex mu_;
  std::deque<HubBatchPtr> batches_ ABSL_GUARDED_BY(mu_);
  size_t buffered_ ABSL_GUARDED_BY(mu_) = 0;  // events in batches_
  uint64_t head_ ABSL_GUARDED_BY(mu_);
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  bool changed_ ABSL_GUARDED_BY(mu_) = false;  // the waiters or the head changed since Run looked
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace salesops::engine

#endif  // SALESOPS_SERVER_ENGINE_EVENT_HUB_H_
