// WorkPool: bounds per key and in all, round-robin turns between keys, and
// Stop running what is queued.
#include "server/common/work_pool.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops {
namespace {

using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One pool thread held by a task until Release(), so that what is submitted
// meanwhile queues.
class HeldPool {
 public:
  explicit HeldPool(WorkPoolOptions options) : pool_(options) {
    EXPECT_TRUE(pool_.Submit("holder", [this] {
                       held_.Notify();
                       release_.WaitForNotification();
                     }).ok());
    held_.WaitForNotification();
  }
  ~HeldPool() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  void Release() { release_.Notify(); }
  WorkPool& pool() { return pool_; }

 private:
  absl::Notification held_, release_;
  WorkPool pool_;  // last: stopped (and joined) before the notifications go
};

TEST(WorkPoolTest, KeysTakeTurnsSoOneKeysBacklogDoesNotHoldAnother) {
  HeldPool held({.name = "test", .threads = 1, .max_queued = 100, .max_per_key = 100});
  absl::Mutex mu;
  std::vector<std::string> order;
  const auto record = [&](std::string what) {
    return [&, what] {
      absl::MutexLock lock(&mu);
      order.push_back(what);
    };
  };
  for (const char* t : {"a1", "a2", "a3", "a4"}) ASSERT_TRUE(held.pool().Submit("alice", record(t)).ok());
  ASSERT_TRUE(held.pool().Submit("bob", record("b1")).ok());
  held.Release();
  held.pool().Stop();
  // alice's first task, then bob's turn, then the rest of alice's: bob's one
  // call does not wait behind alice's four.
  EXPECT_THAT(order, ElementsAre("a1", "b1", "a2", "a3", "a4"));
}

TEST(WorkPoolTest, RefusesBeyondTheKeysBoundCountingRunningTasks) {
  HeldPool held({.name = "long-read", .threads = 1, .max_queued = 100, .max_per_key = 2});
  // "holder" runs one task: one more may queue, the third is refused.
  EXPECT_TRUE(held.pool().Submit("holder", [] {}).ok());
  EXPECT_THAT(held.pool().Submit("holder", [] {}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("member holder has 2 long-read calls")));
  // Another member is not affected.
  EXPECT_TRUE(held.pool().Submit("carol", [] {}).ok());
  EXPECT_EQ(held.pool().queued(), 2u);
  EXPECT_EQ(held.pool().running(), 1u);
}

TEST(WorkPoolTest, RefusesBeyondTheTotalBound) {
  HeldPool held({.name = "long-read", .threads = 1, .max_queued = 2, .max_per_key = 10});
  EXPECT_TRUE(held.pool().Submit("a", [] {}).ok());
  EXPECT_TRUE(held.pool().Submit("b", [] {}).ok());
  EXPECT_THAT(held.pool().Submit("c", [] {}),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("2 long-read calls are waiting")));
}

TEST(WorkPoolTest, StopRunsWhatIsQueuedThenRefuses) {
  int ran = 0;
  {
    HeldPool held({.name = "test", .threads = 1, .max_queued = 10, .max_per_key = 10});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(held.pool().Submit("a", [&ran] { ++ran; }).ok());
    held.Release();
    held.pool().Stop();
    EXPECT_THAT(held.pool().Submit("a", [] {}), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("stopping")));
  }
  EXPECT_EQ(ran, 3);
}

}  // namespace
}  // namespace salesops
