#include "server/engine/position_waiters.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/domain/errors.h"

namespace salesops::engine {

PositionWaiters::PositionWaiters(uint64_t position, PositionWaitersOptions options)
    : options_(options), position_(position) {
  thread_ = std::thread([this] { Loop(); });
}

PositionWaiters::~PositionWaiters() { Stop(); }

void PositionWaiters::Apply(absl::Span<const v1::EventEnvelope> events) {
  if (events.empty()) return;
  absl::MutexLock lock(&mu_);
  if (events.back().position() > position_) position_ = events.back().position();
}

uint64_t PositionWaiters::position() const {
  absl::MutexLock lock(&mu_);
  return position_;
}

size_t PositionWaiters::parked() const {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

absl::StatusOr<bool> PositionWaiters::Wait(const void* tag, const std::string& key, uint64_t position,
                                           absl::Time deadline, Done done) {
  absl::MutexLock lock(&mu_);
  if (position <= position_) return false;
  if (stopping_) {
    return errors::WithReason(absl::UnavailableError("the server is shutting down; retry on its successor"),
                              errors::kShuttingDown);
  }
  if (waiters_.size() >= options_.max_waiters) {
    return errors::WithReason(
        absl::ResourceExhaustedError(absl::StrCat("the server is busy: ", waiters_.size(),
                                                  " calls wait for a min_position (the limit); retry later")),
        errors::kServerBusy);
  }
  size_t& mine = per_key_[key];
  if (mine >= options_.max_per_key) {
    return errors::WithReason(
        absl::ResourceExhaustedError(absl::StrCat("member ", key, " has ", mine,
                                                  " calls waiting for a min_position (the per-member limit)")),
        errors::kMemberLimit, {{"member_id", key}});
  }
  ++mine;
  waiters_.emplace(tag, Waiter{key, position, deadline, std::move(done)});
  by_position_.emplace(position, tag);
  by_deadline_.emplace(deadline, tag);
  return true;
}

void PositionWaiters::Cancel(const void* tag) {
  absl::MutexLock lock(&mu_);
  if (waiters_.contains(tag)) cancelled_.push_back(tag);
}

void PositionWaiters::Loop() {
  for (;;) {
    std::vector<std::pair<Done, absl::Status>> ready;
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time next_deadline = by_deadline_.empty() ? absl::InfiniteFuture() : by_deadline_.begin()->first;
      // Also due: a waiter parked meanwhile with an earlier deadline than
      // the one this wait sleeps until (else it would be missed until
      // something else woke the loop).
      const auto due = [this, next_deadline]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !cancelled_.empty() ||
               (!by_position_.empty() && by_position_.begin()->first <= position_) ||
               (!by_deadline_.empty() && by_deadline_.begin()->first < next_deadline);
      };
      mu_.AwaitWithDeadline(absl::Condition(&due), next_deadline);
      // Takes the waiter under `tag` out of every index, completing it with `status`.
      const auto complete = [&](const void* tag, absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        auto found = waiters_.find(tag);
        if (found == waiters_.end()) return;
        Waiter& w = found->second;
        for (auto [it, end] = by_position_.equal_range(w.position); it != end; ++it) {
          if (it->second == tag) {
            by_position_.erase(it);
            break;
          }
        }
        by_deadline_.erase({w.deadline, tag});
        if (auto k = per_key_.find(w.key); k != per_key_.end() && --k->second == 0) per_key_.erase(k);
        ready.emplace_back(std::move(w.done), std::move(status));
        waiters_.erase(found);
      };
      if (stopping_) {
        stop = true;
        while (!waiters_.empty()) {
          complete(waiters_.begin()->first,
                   absl::UnavailableError("the server is shutting down before the position was applied; retry"));
        }
      } else {
        for (const void* tag : cancelled_) complete(tag, absl::CancelledError("the call was cancelled"));
        cancelled_.clear();
        while (!by_position_.empty() && by_position_.begin()->first <= position_) {
          complete(by_position_.begin()->second, absl::OkStatus());
        }
        const absl::Time now = absl::Now();
        while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
          const void* tag = by_deadline_.begin()->second;
          const uint64_t wanted = waiters_.at(tag).position;
          complete(tag, errors::WithReason(
                            absl::DeadlineExceededError(absl::StrCat(
                                "position ", wanted, " was not applied before the deadline (the views are at ",
                                position_, ")")),
                            errors::kPositionNotReached,
                            {{"min_position", absl::StrCat(wanted)}, {"applied_position", absl::StrCat(position_)}}));
        }
      }
    }
    for (auto& [done, status] : ready) std::move(done)(std::move(status));
    if (stop) return;
  }
}

void PositionWaiters::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  thread_.join();
}

}  // namespace salesops::engine
