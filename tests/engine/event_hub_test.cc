// The live buffer of committed events, without gRPC: what a reader gets for
// each position, how the buffer stays bounded, and when listeners wake.
#include "server/engine/event_hub.h"

#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace salesops::engine {
namespace {

// A batch of events at positions first..last.
CommittedEvents Batch(uint64_t first, uint64_t last) {
  auto events = std::make_shared<std::vector<v1::EventEnvelope>>();
  for (uint64_t p = first; p <= last; ++p) events->emplace_back().set_position(p);
  return events;
}

std::vector<uint64_t> Positions(const EventHub::Slice& slice, uint64_t from) {
  std::vector<uint64_t> out;
  for (const HubBatchPtr& b : slice.batches) {
    for (const v1::EventEnvelope& e : b->events()) {
      if (e.position() >= from) out.push_back(e.position());
    }
  }
  return out;
}

class Notified final : public EventHub::Listener {
 public:
  void Wake() override {
    if (!woken_.HasBeenNotified()) woken_.Notify();
  }
  bool WaitFor(absl::Duration d) { return woken_.WaitForNotificationWithTimeout(d); }
  bool woken() const { return woken_.HasBeenNotified(); }

 private:
  absl::Notification woken_;
};

TEST(HubBatchTest, WireIsEachEventSerializedOnceForEveryReader) {
  EventHub hub(0);
  hub.Publish(Batch(1, 3));
  const EventHub::Slice a = hub.Read(1, 10), b = hub.Read(2, 10);
  ASSERT_EQ(a.batches.size(), 1u);
  ASSERT_EQ(b.batches.size(), 1u);
  EXPECT_EQ(a.batches[0], b.batches[0]) << "readers share one batch";
  const std::vector<std::string>& wire = a.batches[0]->wire();
  ASSERT_EQ(wire.size(), 3u);
  for (size_t i = 0; i < wire.size(); ++i) {
    v1::EventEnvelope parsed;
    ASSERT_TRUE(parsed.ParseFromString(wire[i]));
    EXPECT_EQ(parsed.position(), i + 1);
  }
}

TEST(HubBatchTest, ConcurrentReadersShareOneWireForm) {
  auto batch = std::make_shared<const HubBatch>(Batch(1, 500));
  const std::vector<std::string>* seen[2] = {nullptr, nullptr};
  std::thread a([&] { seen[0] = &batch->wire(); });
  std::thread b([&] { seen[1] = &batch->wire(); });
  a.join();
  b.join();
  EXPECT_EQ(seen[0], seen[1]);
  ASSERT_EQ(seen[0]->size(), 500u);
  EXPECT_EQ((*seen[0])[499], batch->events()[499].SerializeAsString());
}

TEST(EventHubTest, ReadsFromAPositionInsideTheBuffer) {
  // Given a hub started at head 10 with two batches published
  EventHub hub(10);
  hub.Publish(Batch(11, 13));
  hub.Publish(Batch(14, 15));
  // When reading from 12, then from past the head
  const EventHub::Slice from12 = hub.Read(12, 10);
  const EventHub::Slice past = hub.Read(16, 10);
  // Then the batches from 12 on come back, and nothing past the head
  EXPECT_FALSE(from12.behind);
  EXPECT_EQ(Positions(from12, 12), (std::vector<uint64_t>{12, 13, 14, 15}));
  EXPECT_EQ(from12.head, 15u);
  EXPECT_FALSE(past.behind);
  EXPECT_TRUE(past.batches.empty());
  EXPECT_EQ(hub.Read(14, 1).batches.size(), 1u);
}

TEST(EventHubTest, PositionsBeforeTheBufferAreBehind) {
  EventHub hub(10);
  EXPECT_TRUE(hub.Read(10, 10).behind);  // committed before the hub started
  EXPECT_FALSE(hub.Read(11, 10).behind);
  EXPECT_EQ(hub.oldest(), 11u);
}

TEST(EventHubTest, KeepsAtMostMaxEventsInWholeBatches) {
  // Given a buffer of 4 events
  EventHub hub(0, EventHubOptions{.max_events = 4});
  // When 3 batches of 2 are published
  hub.Publish(Batch(1, 2));
  hub.Publish(Batch(3, 4));
  hub.Publish(Batch(5, 6));
  // Then the oldest batch left, and a reader at 1 or 2 must use the store
  EXPECT_EQ(hub.oldest(), 3u);
  EXPECT_TRUE(hub.Read(2, 10).behind);
  EXPECT_EQ(Positions(hub.Read(3, 10), 3), (std::vector<uint64_t>{3, 4, 5, 6}));
  // A batch larger than the buffer is still kept whole.
  hub.Publish(Batch(7, 16));
  EXPECT_EQ(hub.oldest(), 7u);
  EXPECT_EQ(hub.head(), 16u);
}

TEST(EventHubTest, ABatchAfterAGapRestartsTheBuffer) {
  // Given a hub holding 6..7
  EventHub hub(5);
  hub.Publish(Batch(6, 7));
  // When positions 8..9 were committed without passing through the hub
  hub.Publish(Batch(10, 11));
  // Then the buffer starts at 10, and 6..9 are read from the store
  EXPECT_EQ(hub.head(), 11u);
  EXPECT_EQ(hub.oldest(), 10u);
  EXPECT_TRUE(hub.Read(8, 10).behind);
  EXPECT_TRUE(hub.Read(6, 10).behind);
}

TEST(EventHubTest, ABatchRepeatingPositionsIsDropped) {
  EventHub hub(5);
  hub.Publish(Batch(6, 7));
  hub.Publish(Batch(7, 8));
  EXPECT_EQ(hub.head(), 7u);
  EXPECT_EQ(Positions(hub.Read(6, 10), 6), (std::vector<uint64_t>{6, 7}));
}

TEST(EventHubTest, WakesAListenerWhenItsPositionIsPublished) {
  EventHub hub(0);
  auto listener = std::make_shared<Notified>();
  hub.WakeWhen(listener, 2, absl::InfiniteFuture());
  hub.Publish(Batch(1, 1));  // not yet position 2
  hub.Publish(Batch(2, 3));
  EXPECT_TRUE(listener->WaitFor(absl::Seconds(10)));
}

TEST(EventHubTest, WakesAtOnceWhenThePositionIsAlreadyThere) {
  EventHub hub(0);
  hub.Publish(Batch(1, 1));
  auto listener = std::make_shared<Notified>();
  hub.WakeWhen(listener, 1, absl::InfiniteFuture());
  EXPECT_TRUE(listener->WaitFor(absl::Seconds(10)));
}

TEST(EventHubTest, WakesAtTheDeadlineWithoutEvents) {
  EventHub hub(0);
  auto listener = std::make_shared<Notified>();
  const absl::Time start = absl::Now();
  hub.WakeWhen(listener, 1, start + absl::Milliseconds(100));
  ASSERT_TRUE(listener->WaitFor(absl::Seconds(10)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
}

TEST(EventHubTest, AListenerGoneBeforeItsWakeIsSkipped) {
  EventHub hub(0);
  auto gone = std::make_shared<Notified>();
  hub.WakeWhen(gone, 1, absl::InfiniteFuture());
  gone.reset();
  auto later = std::make_shared<Notified>();
  hub.WakeWhen(later, 1, absl::InfiniteFuture());
  hub.Publish(Batch(1, 1));
  // The hub thread survived the expired listener and woke the next one.
  EXPECT_TRUE(later->WaitFor(absl::Seconds(10)));
}

TEST(EventHubTest, StopDropsPendingWakes) {
  auto listener = std::make_shared<Notified>();
  {
    EventHub hub(0);
    hub.WakeWhen(listener, 1, absl::InfiniteFuture());
    hub.Stop();
    hub.Publish(Batch(1, 1));
    hub.WakeWhen(listener, 0, absl::InfinitePast());
  }
  EXPECT_FALSE(listener->woken());
}

}  // namespace
}  // namespace salesops::engine
