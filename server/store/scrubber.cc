#include "server/store/scrubber.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/log.h"

namespace salesops::store {

Scrubber::Scrubber(const EventStore& store, ScrubberOptions options)
    : store_(store), options_(std::move(options)) {}

Scrubber::~Scrubber() { Stop(); }

void Scrubber::Start() { thread_ = std::thread([this] { Run(); }); }

void Scrubber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

ScrubStatus Scrubber::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

bool Scrubber::WaitForRounds(uint64_t rounds, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const auto done = [this, rounds]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return status_.rounds >= rounds; };
  return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
}

void Scrubber::Run() {
  for (;;) {
    if (!Round()) return;
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
    if (stopping_) return;
  }
}

bool Scrubber::Pace(uint64_t items) {
  round_items_ += items;
  const uint64_t rate = std::max<uint64_t>(options_.items_per_second, 1);
  const absl::Time due = round_start_ + absl::Seconds(static_cast<double>(round_items_) / static_cast<double>(rate));
  absl::MutexLock lock(&mu_);
  const absl::Duration wait = due - absl::Now();
  if (wait > absl::ZeroDuration()) mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
  return !stopping_;
}

bool Scrubber::Round() {
  round_start_ = absl::Now();
  round_items_ = 0;
  const uint64_t head = store_.Head();
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    status_.round_head = head;
    status_.chain_verified_to = 0;
    status_.index_items_checked = 0;
  }
  const auto failed = [this](const absl::Status& error) {
    LogError("scrubber: the round could not finish: %s", error.ToString());
    absl::MutexLock lock(&mu_);
    status_.error = error;
  };

  // 1. The hash chain, chunk by chunk (each chunk starts from the stored
  // hash before it, so every stored hash is compared once).
  const uint64_t chunk = std::max<uint64_t>(options_.chunk, 1);
  for (uint64_t from = 1; from <= head; from += chunk) {
    const uint64_t to = std::min(head, from + chunk - 1);
    absl::StatusOr<ChainCheck> check = store_.VerifyChain(from, to);
    if (!check.ok()) {
      failed(check.status());
      return true;
    }
    if (!check->ok) {
      Finish(false, check->first_broken, absl::StrCat("hash chain: ", check->what));
      return true;
    }
    {
      absl::MutexLock lock(&mu_);
      status_.chain_verified_to = to;
    }
    if (!Pace(to - from + 1)) return false;
  }

  // 2. The stream index against the events.
  bool stopped = false;
  absl::StatusOr<StreamIndexCheck> index = store_.VerifyStreamIndex([&](uint64_t items) {
    {
      absl::MutexLock lock(&mu_);
      status_.index_items_checked += items;
    }
    stopped = !Pace(items);
    return !stopped;
  });
  if (stopped) return false;
  if (!index.ok()) {
    failed(index.status());
    return true;
  }
  if (!index->ok) {
    Finish(false, index->position, absl::StrCat("stream index: ", index->problem));
    return true;
  }
  Finish(true, 0, "");
  return true;
}

void Scrubber::Finish(bool ok, uint64_t first_broken, std::string what) {
  absl::MutexLock lock(&mu_);
  status_.ok = ok;
  status_.first_broken = first_broken;
  status_.what = what;
  status_.error = absl::OkStatus();
  status_.last_round_end = absl::Now();
  ++status_.rounds;
  const std::string finding = ok ? "" : absl::StrCat(first_broken, ": ", what);
  if (finding != logged_) {
    if (ok) {
      LogInfo("scrubber: the log verifies again up to position %d", status_.round_head);
    } else {
      LogError("scrubber: the log is damaged at position %d: %s (docs/STORAGE.md, \"Faults\")", first_broken,
               what);
    }
    logged_ = finding;
  }
}

}  // namespace salesops::store
