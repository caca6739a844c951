// PositionWaiters: a parked call is completed by the apply that reaches its
// position, by its deadline, by cancellation or by Stop — each exactly once,
// on the waiters' thread — and never holds the caller's thread.
#include "server/engine/position_waiters.h"

#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::engine {
namespace {

using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

std::vector<v1::EventEnvelope> EventsUpTo(uint64_t position) {
  std::vector<v1::EventEnvelope> events(1);
  events[0].set_position(position);
  return events;
}

// What one waiter was completed with, and on which thread.
struct Outcome {
  absl::Notification done;
  absl::Status status;
  std::thread::id thread;
  int calls = 0;
  PositionWaiters::Done Callback() {
    return [this](absl::Status s) {
      status = std::move(s);
      thread = std::this_thread::get_id();
      ++calls;
      done.Notify();
    };
  }
};

MATCHER_P(Holds, value, "is OK and holds the value") {
  if (!arg.ok()) {
    *result_listener << "status " << arg.status();
    return false;
  }
  return *arg == value;
}

const absl::Time kFar = absl::InfiniteFuture();

TEST(PositionWaitersTest, AReachedPositionDoesNotPark) {
  PositionWaiters waiters(5);
  Outcome o;
  EXPECT_THAT(waiters.Wait(&o, "rep1", 5, kFar, o.Callback()), Holds(false));
  EXPECT_EQ(waiters.parked(), 0u);
  EXPECT_EQ(o.calls, 0);
}

TEST(PositionWaitersTest, TheApplyThatReachesThePositionCompletesTheWaiterOnTheWaitersThread) {
  PositionWaiters waiters(0);
  Outcome o;
  ASSERT_THAT(waiters.Wait(&o, "rep1", 3, kFar, o.Callback()), Holds(true));
  waiters.Apply(EventsUpTo(2));
  EXPECT_FALSE(o.done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));  // not reached: still parked
  waiters.Apply(EventsUpTo(3));
  ASSERT_TRUE(o.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(o.status.ok()) << o.status;
  EXPECT_NE(o.thread, std::this_thread::get_id());  // never the applying (sequencer's) thread
  EXPECT_EQ(waiters.parked(), 0u);
}

TEST(PositionWaitersTest, TheDeadlineCompletesTheWaiterNamingThePositions) {
  PositionWaiters waiters(7);
  Outcome o;
  ASSERT_THAT(waiters.Wait(&o, "rep1", 9, absl::Now() + absl::Milliseconds(20), o.Callback()),
              Holds(true));
  ASSERT_TRUE(o.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kDeadlineExceeded,
                                 HasSubstr("position 9 was not applied before the deadline (the views are at 7)")));
  waiters.Apply(EventsUpTo(9));  // too late: nothing more happens
  EXPECT_EQ(o.calls, 1);
}

// The loop sleeps with no deadline while nothing is parked; a waiter parked
// then must still end at its own deadline (this hung 1 run in 200 when the
// loop was already asleep).
TEST(PositionWaitersTest, AWaiterParkedWhileTheLoopSleepsEndsAtItsDeadline) {
  PositionWaiters waiters(7);
  absl::SleepFor(absl::Milliseconds(50));  // the loop is asleep, with nothing to wait for
  Outcome o;
  ASSERT_THAT(waiters.Wait(&o, "rep1", 9, absl::Now() + absl::Milliseconds(20), o.Callback()), Holds(true));
  ASSERT_TRUE(o.done.WaitForNotificationWithTimeout(absl::Seconds(2)));
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("position 9 was not applied")));
}

TEST(PositionWaitersTest, CancelCompletesTheWaiterAtOnceAndOnlyOnce) {
  PositionWaiters waiters(0);
  Outcome o;
  ASSERT_THAT(waiters.Wait(&o, "rep1", 100, kFar, o.Callback()), Holds(true));
  waiters.Cancel(&o);
  ASSERT_TRUE(o.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  waiters.Cancel(&o);  // no longer parked: nothing
  waiters.Apply(EventsUpTo(100));
  waiters.Stop();
  EXPECT_EQ(o.calls, 1);
}

TEST(PositionWaitersTest, BoundsPerMemberAndInAll) {
  PositionWaiters waiters(0, {.max_waiters = 3, .max_per_key = 2});
  Outcome a, b, c, d, e;
  ASSERT_THAT(waiters.Wait(&a, "rep1", 10, kFar, a.Callback()), Holds(true));
  ASSERT_THAT(waiters.Wait(&b, "rep1", 10, kFar, b.Callback()), Holds(true));
  EXPECT_THAT(waiters.Wait(&c, "rep1", 10, kFar, c.Callback()),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("member rep1 has 2 calls waiting")));
  ASSERT_THAT(waiters.Wait(&d, "rep2", 10, kFar, d.Callback()), Holds(true));
  EXPECT_THAT(waiters.Wait(&e, "rep3", 10, kFar, e.Callback()),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("3 calls wait for a min_position")));
  waiters.Apply(EventsUpTo(10));
  for (Outcome* o : {&a, &b, &d}) ASSERT_TRUE(o->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // Completed waiters free their member's places.
  Outcome f;
  EXPECT_THAT(waiters.Wait(&f, "rep1", 11, kFar, f.Callback()), Holds(true));
  EXPECT_EQ(c.calls + e.calls, 0);
  waiters.Stop();  // completes f while it is still in scope
  EXPECT_EQ(f.calls, 1);
}

TEST(PositionWaitersTest, StopCompletesEveryParkedWaiterWithUnavailable) {
  PositionWaiters waiters(0);
  Outcome o;
  ASSERT_THAT(waiters.Wait(&o, "rep1", 100, kFar, o.Callback()), Holds(true));
  waiters.Stop();
  EXPECT_TRUE(o.done.HasBeenNotified());
  EXPECT_THAT(o.status, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
  Outcome late;
  EXPECT_THAT(waiters.Wait(&late, "rep1", 100, kFar, late.Callback()),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
}

}  // namespace
}  // namespace salesops::engine
