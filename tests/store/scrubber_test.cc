#include "server/store/scrubber.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/keys.h"
#include "tests/common/testing.h"
#include "tests/store/tamper.h"

namespace salesops::store {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;

constexpr int kEvents = 50;

class ScrubberTest : public ::testing::Test {
 protected:
  // Given a log of kEvents one-event streams (position i + 1 is lead-i).
  void SetUp() override {
    Open();
    for (int i = 0; i < kEvents; ++i) {
      AppendBatch batch;
      StreamAppend& a = batch.streams.emplace_back();
      a.stream_id = absl::StrCat("lead-", i);
      v1::EventEnvelope& e = a.events.emplace_back();
      e.mutable_event()->mutable_lead_disqualified()->set_reason(absl::StrCat("reason ", i));
      e.set_event_type(domain::EventTypeName(e.event()));
      ASSERT_THAT(store_->Append(std::move(batch)), IsOk());
    }
  }
  void Open() {
    store_.reset();
    auto opened = EventStore::Open({path_, true});
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(*opened);
  }
  // Reopens the store, runs a scrubber over it for one round and returns
  // what it found.
  ScrubStatus ScrubOnce() {
    Open();
    Scrubber scrubber(*store_, Fast());
    scrubber.Start();
    EXPECT_TRUE(scrubber.WaitForRounds(1, absl::Seconds(20)));
    return scrubber.status();
  }
  static ScrubberOptions Fast() {
    ScrubberOptions options;
    options.items_per_second = 1'000'000;
    options.interval = absl::Milliseconds(1);
    options.chunk = 7;  // several chunks, the last one short
    return options;
  }

  TempDir dir_;
  const std::string path_ = dir_.path() + "/db";
  std::unique_ptr<EventStore> store_;
};

TEST_F(ScrubberTest, ACleanLogVerifiesRoundAfterRound) {
  Scrubber scrubber(*store_, Fast());
  scrubber.Start();
  ASSERT_TRUE(scrubber.WaitForRounds(2, absl::Seconds(20)));
  const ScrubStatus status = scrubber.status();
  EXPECT_TRUE(status.ok) << status.what;
  EXPECT_THAT(status.error, IsOk());
  EXPECT_EQ(status.round_head, static_cast<uint64_t>(kEvents));
  EXPECT_GE(status.rounds, 2u);
}

TEST_F(ScrubberTest, FindsAChangedEventDeepInTheLog) {
  // Given an event changed behind the store's back:
  store_.reset();
  ASSERT_THAT(salesops::testing::FlipEventByte(path_, 9, 4), IsOk());
  // When the scrubber runs, then it reports the position and what broke.
  const ScrubStatus status = ScrubOnce();
  EXPECT_FALSE(status.ok);
  EXPECT_EQ(status.first_broken, 9u);
  EXPECT_THAT(status.what, HasSubstr("hash chain: the event or the chain hash at position 9 was changed"));
}

TEST_F(ScrubberTest, FindsAStreamIndexOutOfStep) {
  store_.reset();
  ASSERT_THAT(salesops::testing::DeleteKey(path_, keys::kStreamsFamily, keys::StreamKey("lead-20", 1)), IsOk());
  const ScrubStatus status = ScrubOnce();
  EXPECT_FALSE(status.ok);
  EXPECT_EQ(status.first_broken, 21u);
  EXPECT_THAT(status.what, HasSubstr("stream index: the event at position 21 (lead-20 version 1)"));
}

TEST_F(ScrubberTest, IsRateLimitedAndStopsMidRound) {
  // At 10 items a second, a round of this log takes ~15 s: Stop must not
  // wait for it, and no round completes meanwhile.
  ScrubberOptions slow = Fast();
  slow.items_per_second = 10;
  slow.chunk = 5;
  Scrubber scrubber(*store_, slow);
  scrubber.Start();
  EXPECT_FALSE(scrubber.WaitForRounds(1, absl::Milliseconds(300)));
  const absl::Time before = absl::Now();
  scrubber.Stop();
  EXPECT_LT(absl::Now() - before, absl::Seconds(2));
  const ScrubStatus status = scrubber.status();
  EXPECT_EQ(status.rounds, 0u);
  EXPECT_LE(status.chain_verified_to, 10u);  // ~3 items in 0.3 s, rounded up to chunks
}

}  // namespace
}  // namespace salesops::store
