// The soak's open loop without a server: interval counts, the schedule,
// late arrivals; and the parts it drives: the mix and the bounded id pool.
#include "open_loop.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "workloads.h"

namespace salesops::bench {
namespace {

TEST(IntervalStatsTest, TakeSummarizesTheIntervalAndStartsTheNext) {
  IntervalStats stats;
  for (int i = 1; i <= 100; ++i) stats.Completed(int64_t{i} * 1'000'000, OpOutcome{});
  stats.Completed(500'000'000, OpOutcome{grpc::StatusCode::UNAVAILABLE, false, 0});
  stats.Completed(1'000'000, OpOutcome{grpc::StatusCode::FAILED_PRECONDITION, true, 2});
  for (int i = 0; i < 10; ++i) stats.Due(/*sent=*/i < 7);

  const IntervalCounts c = stats.Take(2.0);
  EXPECT_EQ(c.seconds, 2.0);
  EXPECT_EQ(c.completed, 102u);
  EXPECT_DOUBLE_EQ(c.completed_per_second(), 51);
  EXPECT_EQ(c.due, 10u);
  EXPECT_EQ(c.sent, 7u);
  EXPECT_EQ(c.late, 3u);
  EXPECT_EQ(c.retries, 2u);
  // 102 samples: 1 ms twice, 2..100 ms, 500 ms. Nearest rank: p50 is the
  // 51st (50 ms), p99 the 101st (100 ms).
  EXPECT_EQ(c.latency.count, 102u);
  EXPECT_EQ(c.latency.p50_ns, 50'000'000);
  EXPECT_EQ(c.latency.p99_ns, 100'000'000);
  EXPECT_EQ(c.latency.max_ns, 500'000'000);
  EXPECT_EQ(c.errors, (std::map<std::string, uint64_t>{{"UNAVAILABLE", 1}}));
  EXPECT_EQ(c.expected_refusals, (std::map<std::string, uint64_t>{{"FAILED_PRECONDITION", 1}}));

  const IntervalCounts next = stats.Take(1.0);
  EXPECT_EQ(next.completed, 0u);
  EXPECT_EQ(next.due, 0u);
  EXPECT_EQ(next.latency.count, 0u);
  EXPECT_TRUE(next.errors.empty());
}

// Completes at once, or holds every operation until Release.
class FakeWorkload final : public Workload {
 public:
  explicit FakeWorkload(bool hold) : hold_(hold) {}
  void Start(int client, OpDone done) override {
    (void)client;
    if (!hold_) {
      std::move(done)(OpOutcome{});
      return;
    }
    absl::MutexLock lock(&mu_);
    held_.push_back(std::move(done));
  }
  void Release() {
    std::vector<OpDone> held;
    {
      absl::MutexLock lock(&mu_);
      held.swap(held_);
    }
    for (OpDone& d : held) std::move(d)(OpOutcome{});
  }

 private:
  const bool hold_;
  absl::Mutex mu_;
  std::vector<OpDone> held_ ABSL_GUARDED_BY(mu_);
};

TEST(OpenLoopTest, ArrivalsFollowTheScheduleAndIntervalsCoverTheRun) {
  FakeWorkload instant(/*hold=*/false);
  std::vector<IntervalCounts> intervals;
  const OpenLoopDrain drain =
      RunOpenLoop(instant, {1000, 4, absl::Milliseconds(300), absl::Milliseconds(100),
                            [&](IntervalCounts c) { intervals.push_back(std::move(c)); }});
  ASSERT_EQ(intervals.size(), 3u);
  uint64_t due = 0, sent = 0, completed = 0;
  for (const IntervalCounts& c : intervals) {
    EXPECT_NEAR(c.seconds, 0.1, 1e-9);
    due += c.due;
    sent += c.sent;
    completed += c.completed;
  }
  EXPECT_EQ(due, 300u);  // arrivals at 0, 1, ... 299 ms
  EXPECT_EQ(sent, 300u);
  EXPECT_EQ(completed, 300u);
  EXPECT_EQ(drain.abandoned, 0u);
}

TEST(OpenLoopTest, ArrivalsThatFindEverySlotBusyAreLateNotQueued) {
  FakeWorkload stuck(/*hold=*/true);
  uint64_t due = 0, sent = 0, late = 0, completed = 0;
  const OpenLoopDrain drain = RunOpenLoop(
      stuck,
      {1000, 5, absl::Milliseconds(200), absl::Milliseconds(200),
       [&](IntervalCounts c) { due += c.due, sent += c.sent, late += c.late, completed += c.completed; }},
      /*drain_limit=*/absl::Milliseconds(50));
  EXPECT_EQ(due, 200u);
  EXPECT_EQ(sent, 5u);
  EXPECT_EQ(late, 195u);
  EXPECT_EQ(completed, 0u);
  EXPECT_EQ(drain.abandoned, 5u);
  stuck.Release();  // completions after the run are safe
}

class CountingWorkload final : public Workload {
 public:
  void Start(int, OpDone done) override {
    ++started;
    std::move(done)(OpOutcome{});
  }
  int started = 0;
};

TEST(MixWorkloadTest, EachPartGetsItsWeightInOrder) {
  CountingWorkload a, b, c;
  MixWorkload mix({{"a", 7, &a}, {"b", 2, &b}, {"c", 1, &c}});
  for (int i = 0; i < 100; ++i) mix.Start(0, [](OpOutcome) {});
  EXPECT_EQ(a.started, 70);
  EXPECT_EQ(b.started, 20);
  EXPECT_EQ(c.started, 10);
  EXPECT_EQ(mix.Description(), "a 70%, b 20%, c 10%");
}

TEST(IdPoolTest, BoundKeepsTheNewestIds) {
  IdPool pool;
  pool.Bound(3);
  for (int i = 0; i < 5; ++i) pool.Add(absl::StrCat("id", i));
  EXPECT_EQ(pool.size(), 3u);
  std::vector<std::string> kept;
  for (uint64_t r = 0; r < 3; ++r) kept.push_back(pool.Pick(r));
  EXPECT_THAT(kept, ::testing::UnorderedElementsAre("id2", "id3", "id4"));
}

}  // namespace
}  // namespace salesops::bench
