#include "server/common/work_pool.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_reason.h"

namespace salesops {

WorkPool::WorkPool(WorkPoolOptions options) : options_(std::move(options)) {
  const size_t n = options_.threads == 0 ? 1 : options_.threads;
  threads_.reserve(n);
  for (size_t i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkPool::~WorkPool() { Stop(); }

absl::Status WorkPool::Submit(const std::string& key, Task task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    return WithPlainReason(absl::UnavailableError(absl::StrCat("the ", options_.name, " pool is stopping; retry")),
                           "SHUTTING_DOWN");
  }
  if (queued_ >= options_.max_queued) {
    return WithPlainReason(absl::ResourceExhaustedError(absl::StrCat("the server is busy: ", queued_, " ",
                                                                     options_.name,
                                                                     " calls are waiting (the limit); retry later")),
                           "SERVER_BUSY");
  }
  KeyQueue& queue = keys_[key];
  if (queue.tasks.size() + queue.running >= options_.max_per_key) {
    return WithPlainReason(
        absl::ResourceExhaustedError(absl::StrCat("member ", key, " has ", options_.max_per_key, " ", options_.name,
                                                  " calls in flight (the per-member limit); retry when one ends")),
        "MEMBER_LIMIT");
  }
  if (queue.tasks.empty()) turns_.push_back(key);
  queue.tasks.push_back(std::move(task));
  ++queued_;
  return absl::OkStatus();
}

void WorkPool::Loop() {
  for (;;) {
    Task task;
    std::string key;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) { return !p->turns_.empty() || p->stopping_; },
          this));
      if (turns_.empty()) return;  // stopping, and nothing left to run
      key = std::move(turns_.front());
      turns_.pop_front();
      KeyQueue& queue = keys_[key];
      task = std::move(queue.tasks.front());
      queue.tasks.pop_front();
      ++queue.running;
      --queued_;
      ++running_;
      if (!queue.tasks.empty()) turns_.push_back(key);  // its next task waits for its next turn
    }
    std::move(task)();
    absl::MutexLock lock(&mu_);
    --running_;
    auto found = keys_.find(key);
    if (--found->second.running == 0 && found->second.tasks.empty()) keys_.erase(found);
  }
}

void WorkPool::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

bool WorkPool::AwaitIdle(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithDeadline(
      absl::Condition(
          +[](WorkPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) { return p->queued_ == 0 && p->running_ == 0; }, this),
      deadline);
}

size_t WorkPool::queued() const {
  absl::MutexLock lock(&mu_);
  return queued_;
}

size_t WorkPool::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

}  // namespace salesops
