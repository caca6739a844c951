#include "server/engine/event_hub.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "server/common/log.h"

namespace salesops::engine {

const std::vector<std::string>& HubBatch::wire() const {
  absl::call_once(once_, [this] {
    wire_.reserve(events_->size());
    for (const v1::EventEnvelope& e : *events_) e.SerializeToString(&wire_.emplace_back());
  });
  return wire_;
}

EventHub::EventHub(uint64_t head, EventHubOptions options) : options_(options), head_(head) {
  thread_ = std::thread([this] { Run(); });
}

EventHub::~EventHub() { Stop(); }

void EventHub::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  waiters_.clear();
}

void EventHub::Publish(CommittedEvents events) {
  if (events == nullptr || events->empty()) return;
  absl::MutexLock lock(&mu_);
  const uint64_t first = events->front().position();
  if (first <= head_) {
    LogError("event hub: batch at position %d repeats positions up to the head %d; dropped", first, head_);
    return;
  }
  if (first != head_ + 1) {
    // Events committed without passing through here (a bug, or a writer
    // that bypasses on_commit): they are in the store, so start the buffer
    // afresh at this batch; a subscriber before it reads the store.
    LogWarning("event hub: batch at position %d after the head %d; positions in between are read from the log",
               first, head_);
    batches_.clear();
    buffered_ = 0;
  }
  head_ = events->back().position();
  buffered_ += events->size();
  batches_.push_back(std::make_shared<const HubBatch>(std::move(events)));
  while (buffered_ > options_.max_events && batches_.size() > 1) {
    buffered_ -= batches_.front()->events().size();
    batches_.pop_front();
  }
  if (!waiters_.empty()) changed_ = true;
}

uint64_t EventHub::head() const {
  absl::ReaderMutexLock lock(&mu_);
  return head_;
}

uint64_t EventHub::OldestLocked() const {
  return batches_.empty() ? head_ + 1 : batches_.front()->events().front().position();
}

uint64_t EventHub::oldest() const {
  absl::ReaderMutexLock lock(&mu_);
  return OldestLocked();
}

EventHub::Slice EventHub::Read(uint64_t from, size_t max_batches) const {
  Slice slice;
  absl::ReaderMutexLock lock(&mu_);
  slice.head = head_;
  if (from > head_) return slice;
  if (from < OldestLocked()) {
    slice.behind = true;
    return slice;
  }
  // The first batch whose last position is at or after `from`.
  auto it = std::partition_point(batches_.begin(), batches_.end(), [from](const HubBatchPtr& b) {
    return b->events().back().position() < from;
  });
  for (; it != batches_.end() && slice.batches.size() < max_batches; ++it) slice.batches.push_back(*it);
  return slice;
}

void EventHub::WakeWhen(std::weak_ptr<Listener> listener, uint64_t position, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  waiters_.push_back(Waiter{std::move(listener), position, deadline});
  changed_ = true;
}

void EventHub::Run() {
  std::vector<std::shared_ptr<Listener>> ready;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      for (;;) {
        if (stopping_) return;
        changed_ = false;
        const absl::Time now = absl::Now();
        absl::Time next = absl::InfiniteFuture();
        size_t kept = 0;
        for (size_t i = 0; i < waiters_.size(); ++i) {
          Waiter& w = waiters_[i];
          if (w.listener.expired()) continue;  // its subscription ended
          if (w.position <= head_ || w.deadline <= now) {
            if (std::shared_ptr<Listener> l = w.listener.lock()) ready.push_back(std::move(l));
          } else {
            next = std::min(next, w.deadline);
            if (kept != i) waiters_[kept] = std::move(w);  // a self-move would empty a weak_ptr
            ++kept;
          }
        }
        waiters_.resize(kept);
        if (!ready.empty()) break;
        mu_.AwaitWithDeadline(absl::Condition(
                                  +[](EventHub* hub) ABSL_EXCLUSIVE_LOCKS_REQUIRED(hub->mu_) {
                                    return hub->changed_ || hub->stopping_;
                                  },
                                  this),
                              next);
      }
    }
    // Outside the lock: a listener reads and re-registers from Wake.
    for (const std::shared_ptr<Listener>& l : ready) l->Wake();
    ready.clear();  // may destroy listeners whose owners let go meanwhile
  }
}

}  // namespace salesops::engine
