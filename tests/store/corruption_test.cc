// Damage below the hash chain: table blocks whose checksum fails (a bad
// disk), and a stream index that disagrees with the events. Every report
// names a position (docs/STORAGE.md, "Faults").
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/event_store.h"
#include "server/store/keys.h"
#include "tests/common/testing.h"
#include "tests/store/tamper.h"

namespace salesops::store {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::salesops::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int kStreams = 300;

std::string StreamName(int i) { return absl::StrFormat("lead-%04d", i); }
// ~100 bytes, so the events span several 4 KiB table blocks.
std::string Reason(int i) { return absl::StrFormat("reason-%04d %s", i, std::string(80, 'x')); }

class CorruptionTest : public ::testing::Test {
 protected:
  // Given a log of kStreams one-event streams (position i + 1 is stream i).
  void SetUp() override {
    Open();
    for (int i = 0; i < kStreams; ++i) {
      AppendBatch batch;
      StreamAppend& a = batch.streams.emplace_back();
      a.stream_id = StreamName(i);
      a.expected_version = 0;
      v1::EventEnvelope& e = a.events.emplace_back();
      e.mutable_event()->mutable_lead_disqualified()->set_reason(Reason(i));
      e.set_event_type(domain::EventTypeName(e.event()));
      ASSERT_THAT(store_->Append(std::move(batch)), IsOk());
    }
    store_.reset();
  }
  void Open(bool rebuild_stream_index = false) {
    store_.reset();
    StoreOptions options{path_, true};
    options.rebuild_stream_index = rebuild_stream_index;
    auto opened = EventStore::Open(options);
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(*opened);
  }

  TempDir dir_;
  const std::string path_ = dir_.path() + "/db";
  std::unique_ptr<EventStore> store_;
};

TEST_F(CorruptionTest, ADamagedEventsBlockIsABreakAtTheFirstUnreadablePosition) {
  // When a block of the events' table file goes bad (around position 151):
  ASSERT_THAT(salesops::testing::FlipTableByte(path_, keys::kEventsFamily, "reason-0150"), IsOk());
  Open();

  // Then the chain check reports the first position it could not verify,
  // rather than failing without one,
  auto check = store_->VerifyChain(1, kStreams);
  ASSERT_THAT(check, IsOk());
  ASSERT_FALSE(check->ok);
  const uint64_t broken = check->first_broken;
  EXPECT_GT(broken, 1u);
  EXPECT_LE(broken, 151u);
  EXPECT_THAT(check->what, HasSubstr("unreadable"));
  EXPECT_TRUE(store_->VerifyChain(1, broken - 1)->ok);
  // and open refused writes, naming it.
  EXPECT_THAT(store_->open_check(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                             HasSubstr(absl::StrCat("breaks at position ", broken))));
  // Reads that reach it fail with DATA_LOSS naming the same position.
  const std::string where = absl::StrCat("unreadable from position ", broken);
  EXPECT_THAT(store_->Scan(1, [](v1::EventEnvelope&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr(where)));
  EXPECT_THAT(store_->ReadLog(1, kStreams, LogFilter{}, kStreams),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr(where)));
  // The stream index check cannot vouch for the events from there either.
  auto index = store_->VerifyStreamIndex();
  ASSERT_THAT(index, IsOk());
  EXPECT_FALSE(index->ok);
  EXPECT_EQ(index->position, broken);
}

TEST_F(CorruptionTest, ADamagedStreamIndexIsFoundAndRebuiltFromTheEvents) {
  Open();
  auto index = store_->VerifyStreamIndex();
  ASSERT_THAT(index, IsOk());
  EXPECT_TRUE(index->ok) << index->problem;
  EXPECT_EQ(index->events_checked, static_cast<uint64_t>(kStreams));
  EXPECT_EQ(index->entries_checked, static_cast<uint64_t>(kStreams));
  store_.reset();

  // When a block of the stream index goes bad:
  ASSERT_THAT(salesops::testing::FlipTableByte(path_, keys::kStreamsFamily, StreamName(0)), IsOk());
  Open();
  index = store_->VerifyStreamIndex();
  ASSERT_THAT(index, IsOk());
  EXPECT_FALSE(index->ok);
  EXPECT_THAT(index->problem, HasSubstr("damaged block"));

  // Then opening with rebuild_stream_index rebuilds it from the events.
  Open(/*rebuild_stream_index=*/true);
  index = store_->VerifyStreamIndex();
  ASSERT_THAT(index, IsOk());
  EXPECT_TRUE(index->ok) << index->problem;
  EXPECT_EQ(index->entries_checked, static_cast<uint64_t>(kStreams));
  auto events = store_->ReadStream(StreamName(0), 1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().position(), 1u);
  AppendBatch next;
  next.streams.push_back({StreamName(0), 1, {}});
  v1::EventEnvelope& e = next.streams[0].events.emplace_back();
  e.mutable_event()->mutable_lead_disqualified()->set_reason("after");
  e.set_event_type(domain::EventTypeName(e.event()));
  auto appended = store_->Append(std::move(next));
  ASSERT_THAT(appended, IsOk());
  EXPECT_EQ(appended->front().stream_version(), 2u);
}

TEST_F(CorruptionTest, TheStreamIndexCheckNamesTheFirstInconsistency) {
  const auto check = [&] {
    Open();
    auto index = store_->VerifyStreamIndex();
    store_.reset();
    EXPECT_THAT(index, IsOk());
    return index.value_or(StreamIndexCheck{});
  };
  // An event without its entry.
  ASSERT_THAT(salesops::testing::DeleteKey(path_, keys::kStreamsFamily, keys::StreamKey(StreamName(5), 1)), IsOk());
  StreamIndexCheck got = check();
  EXPECT_FALSE(got.ok);
  EXPECT_EQ(got.position, 6u);
  EXPECT_THAT(got.problem, HasSubstr("lead-0005 version 1) is not in the stream index"));
  // An entry pointing at another event.
  ASSERT_THAT(salesops::testing::PutKey(path_, keys::kStreamsFamily, keys::StreamKey(StreamName(5), 1),
                                        keys::EncodeU64(8)),
              IsOk());
  got = check();
  EXPECT_EQ(got.position, 6u);
  EXPECT_THAT(got.problem, HasSubstr("has lead-0005 version 1 at position 8, the log at 6"));
  // An entry for an event that does not exist.
  ASSERT_THAT(salesops::testing::PutKey(path_, keys::kStreamsFamily, keys::StreamKey(StreamName(5), 1),
                                        keys::EncodeU64(6)),
              IsOk());
  ASSERT_THAT(salesops::testing::PutKey(path_, keys::kStreamsFamily, keys::StreamKey(StreamName(5), 2),
                                        keys::EncodeU64(999)),
              IsOk());
  got = check();
  EXPECT_EQ(got.position, 999u);
  EXPECT_THAT(got.problem, HasSubstr("has lead-0005 version 2 at position 999, which is not in the log"));
  // An entry whose event belongs to another stream.
  ASSERT_THAT(salesops::testing::PutKey(path_, keys::kStreamsFamily, keys::StreamKey(StreamName(5), 2),
                                        keys::EncodeU64(9)),
              IsOk());
  got = check();
  EXPECT_EQ(got.position, 9u);
  EXPECT_THAT(got.problem, AllOf(HasSubstr("lead-0005 version 2 at position 9"), HasSubstr("holds lead-0008 version 1")));
}

TEST_F(CorruptionTest, AnInterruptedRebuildIsFinishedAtTheNextOpen) {
  // Given a rebuild that crashed after emptying the index:
  ASSERT_THAT(salesops::testing::PutKey(path_, keys::kMetaFamily, keys::kMetaStreamIndexRebuild, "1"), IsOk());
  ASSERT_THAT(salesops::testing::ClearFamily(path_, keys::kStreamsFamily), IsOk());
  // When the store opens without being asked to rebuild, it finishes it.
  Open();
  auto index = store_->VerifyStreamIndex();
  ASSERT_THAT(index, IsOk());
  EXPECT_TRUE(index->ok) << index->problem;
  EXPECT_EQ(store_->StreamVersion(StreamName(kStreams - 1)).value_or(0), 1u);
}

}  // namespace
}  // namespace salesops::store
