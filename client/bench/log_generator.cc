#include "log_generator.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "lifecycle_plan.h"
#include "server/common/clock.h"
#include "server/common/ids.h"
#include "server/engine/sequencer.h"
#include "server/store/event_store.h"
#include "workloads.h"

namespace salesops::bench {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The journeys in progress: which client may send its next command. The
// sequencer completes commands on its writing thread; the generating thread
// plans and submits.
class Journeys {
 public:
  explicit Journeys(int clients) : cursors_(static_cast<size_t>(clients)) {
    for (int c = 0; c < clients; ++c) ready_.push_back(c);
  }

  // Blocks until some client may send again (its command completed), or
  // nothing is in flight; returns those clients (none: nothing in flight
  // and nobody waiting).
  std::vector<int> TakeReady() {
    absl::MutexLock lock(&mu_, absl::Condition(
                                   +[](Journeys* j) ABSL_EXCLUSIVE_LOCKS_REQUIRED(j->mu_) {
                                     return !j->ready_.empty() || j->in_flight_ == 0;
                                   },
                                   this));
    return std::exchange(ready_, {});
  }

  // The next command `client` sends, skipping the plan's deliberate
  // refusals (they append nothing).
  PlannedCommand Plan(int client, std::atomic<uint64_t>& next_lead) {
    absl::MutexLock lock(&mu_);
    JourneyCursor& cursor = cursors_[static_cast<size_t>(client)];
    for (;;) {
      const PlannedCommand planned =
          cursor.Next([&next_lead] { return next_lead.fetch_add(1, std::memory_order_relaxed); });
      if (!planned.refusal) {
        ++in_flight_;
        return planned;
      }
      cursor.Completed(false);
    }
  }

  void Completed(int client, const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    cursors_[static_cast<size_t>(client)].Completed(status.ok());
    if (!status.ok() && first_error_.ok()) first_error_ = status;
    if (status.ok()) ++commands_;
    --in_flight_;
    ready_.push_back(client);
  }

  uint64_t commands() const {
    absl::MutexLock lock(&mu_);
    return commands_;
  }
  absl::Status first_error() const {
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<JourneyCursor> cursors_ ABSL_GUARDED_BY(mu_);
  std::vector<int> ready_ ABSL_GUARDED_BY(mu_);
  uint64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t commands_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<GeneratedLog> GenerateLog(const GenerateOptions& options, const BenchTeam& team) {
  if (options.clients < 1) return absl::InvalidArgumentError("log generator: clients must be at least 1");
  const auto start = std::chrono::steady_clock::now();
  store::StoreOptions store_options;
  store_options.path = options.db_path;
  store_options.sync = false;
  absl::StatusOr<std::unique_ptr<store::EventStore>> store = store::EventStore::Open(store_options);
  if (!store.ok()) return store.status();
  GeneratedLog generated;
  generated.head_before = (*store)->Head();
  generated.next_lead = options.first_lead;
  if (generated.head_before >= options.until_events) {
    generated.head = generated.head_before;
    generated.seconds = SecondsSince(start);
    return generated;
  }

  // The clock only stamps recorded_at (and "now" for the deciders); the
  // ids are never drawn: every command names its lead and ticket.
  RandomIdGenerator ids;
  absl::StatusOr<std::unique_ptr<engine::Sequencer>> sequencer =
      engine::Sequencer::Start(store->get(), /*projections=*/{}, Clock::Real(), &ids);
  if (!sequencer.ok()) return sequencer.status();
  generated.replay_seconds = SecondsSince(start);

  std::atomic<uint64_t> next_lead{options.first_lead};
  Journeys journeys(options.clients);
  uint64_t sent = 0;
  bool draining = false;
  for (;;) {
    const std::vector<int> ready = journeys.TakeReady();
    if (!draining && ((*store)->Head() >= options.until_events || !journeys.first_error().ok())) draining = true;
    if (draining) {
      // The clients come back as their commands complete; none is left
      // out once TakeReady returns none.
      if (ready.empty()) break;
      continue;
    }
    for (int client : ready) {
      const PlannedCommand planned = journeys.Plan(client, next_lead);
      const BenchMember& sender = LifecycleSender(team, planned, static_cast<size_t>(client));
      // Request ids unique across calls too (a second call starts at a
      // later first_lead): a reused one would be refused.
      v1::Command command =
          LifecycleCommand(options.tag, planned, absl::StrCat(options.tag, "-g", options.first_lead, "-", sent++));
      (*sequencer)->Submit(sender.member_id, std::move(command),
                           [&journeys, client](engine::CommandResult result) {
                             journeys.Completed(client, result.status());
                           });
    }
  }
  (*sequencer)->Stop();
  generated.head = (*store)->Head();
  generated.commands = journeys.commands();
  generated.next_lead = next_lead.load();
  sequencer->reset();
  store->reset();  // flushes the write-ahead log
  generated.seconds = SecondsSince(start);
  if (absl::Status error = journeys.first_error(); !error.ok()) {
    return absl::InternalError(absl::StrCat("log generator: a journey's command failed: ", error.ToString()));
  }
  return generated;
}

}  // namespace salesops::bench
