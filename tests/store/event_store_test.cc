#include "server/store/event_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/keys.h"
#include "tests/common/testing.h"
#include "tests/store/tamper.h"

namespace salesops::store {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::salesops::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

v1::EventEnvelope Event(absl::string_view reason) {
  v1::EventEnvelope e;
  e.mutable_event()->mutable_lead_disqualified()->set_reason(std::string(reason));
  e.set_event_type(domain::EventTypeName(e.event()));
  e.set_actor("alice");
  return e;
}

StreamAppend Stream(std::string id, std::optional<uint64_t> expected, std::vector<std::string> reasons) {
  StreamAppend a{std::move(id), expected, {}};
  for (const std::string& r : reasons) a.events.push_back(Event(r));
  return a;
}

AppendBatch Batch(std::vector<StreamAppend> streams) {
  AppendBatch b;
  b.streams = std::move(streams);
  return b;
}

std::vector<uint64_t> Positions(const std::vector<v1::EventEnvelope>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

class EventStoreTest : public ::testing::Test {
 protected:
  void Reopen() {
    store_.reset();
    auto opened = EventStore::Open({dir_.path() + "/db", true});
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(*opened);
  }
  void SetUp() override { Reopen(); }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreTest, SnapshotsAreReplacedWholeAndSurviveReopen) {
  ASSERT_THAT(store_->PutSnapshot("views", {"header", "a", "b", "c"}), IsOk());
  ASSERT_THAT(store_->PutSnapshot("views2", {"other"}), IsOk());
  // A smaller replacement leaves no chunk of the old one behind.
  ASSERT_THAT(store_->PutSnapshot("views", {"header2", "z"}), IsOk());
  Reopen();
  const auto chunks = [&](const char* name) {
    absl::StatusOr<std::vector<std::string>> got = store_->GetSnapshot(name);
    EXPECT_THAT(got, IsOk());
    return got.ok() ? *got : std::vector<std::string>{"unreadable"};
  };
  EXPECT_THAT(chunks("views"), ElementsAre("header2", "z"));
  EXPECT_THAT(chunks("views2"), ElementsAre("other"));
  ASSERT_THAT(store_->DeleteSnapshot("views"), IsOk());
  EXPECT_THAT(chunks("views"), ::testing::IsEmpty());
  EXPECT_EQ(store_->Head(), 0u);  // snapshots are not events
}

// Replacing or deleting a snapshot frees its disk space at once (without
// the compaction, three 4 MiB snapshots kept 12 MiB of table files).
TEST_F(EventStoreTest, AReplacedSnapshotLeavesTheDisk) {
  const auto snapshot = [](char fill) { return std::vector<std::string>(4, std::string(1 << 20, fill)); };
  constexpr uint64_t kOne = 4 << 20;
  for (const char fill : {'a', 'b', 'c'}) {
    ASSERT_THAT(store_->PutSnapshot("views", snapshot(fill)), IsOk());
    EXPECT_GE(store_->SnapshotBytesOnDisk(), kOne);
    EXPECT_LT(store_->SnapshotBytesOnDisk(), kOne + kOne / 4) << "after snapshot " << fill;
  }
  absl::StatusOr<std::vector<std::string>> got = store_->GetSnapshot("views");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(*got, snapshot('c'));
  ASSERT_THAT(store_->DeleteSnapshot("views"), IsOk());
  EXPECT_LT(store_->SnapshotBytesOnDisk(), 64u << 10);
}

TEST_F(EventStoreTest, TheHashChainLinksEveryStoredEvent) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"一", "二"})})), IsOk());
  ASSERT_THAT(store_->Append(Batch({Stream("lead-b", 0, {"三"})})), IsOk());
  EXPECT_EQ(store_->ChainDigest(0).value_or(""), std::string(32, '\0'));
  // chain(p) = SHA-256(chain(p - 1) || the stored bytes of event p).
  std::string expected = GenesisDigest();
  for (uint64_t p = 1; p <= 3; ++p) {
    auto page = store_->ReadLog(p, 1, LogFilter{}, 1);
    ASSERT_THAT(page, IsOk());
    expected = ChainNext(expected, page->events[0].SerializeAsString());
    auto digest = store_->ChainDigest(p);
    ASSERT_THAT(digest, IsOk());
    EXPECT_EQ(*digest, expected) << p;
  }
  EXPECT_THAT(store_->ChainDigest(4), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("beyond the head")));
  auto check = store_->VerifyChain(1, 3);
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->digest, expected);
  // Continues across a reopen.
  Reopen();
  EXPECT_THAT(store_->open_check(), IsOk());
  ASSERT_THAT(store_->Append(Batch({Stream("lead-c", 0, {"四"})})), IsOk());
  auto page = store_->ReadLog(4, 1, LogFilter{}, 1);
  EXPECT_EQ(*store_->ChainDigest(4), ChainNext(expected, page->events[0].SerializeAsString()));
}

TEST_F(EventStoreTest, AChangedEventBreaksTheChainThere) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(store_->Append(Batch({Stream("lead-a", std::nullopt, {"事件"})})), IsOk());
  store_.reset();
  ASSERT_THAT(salesops::testing::FlipEventByte(dir_.path() + "/db", 3, 5), IsOk());
  Reopen();
  EXPECT_THAT(store_->open_check(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("breaks at position 3")));
  auto check = store_->VerifyChain(1, 5);
  ASSERT_THAT(check, IsOk());
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_broken, 3u);
  // Before the change, everything verifies.
  EXPECT_TRUE(store_->VerifyChain(1, 2)->ok);
}

TEST_F(EventStoreTest, AFormatOneLogGetsItsChainComputedAtOpenOnce) {
  // Given a format-1 log: no chain, format_version 1.
  for (int i = 0; i < 4; ++i) ASSERT_THAT(store_->Append(Batch({Stream("lead-a", std::nullopt, {"旧"})})), IsOk());
  const std::string digest = *store_->ChainDigest(4);
  store_.reset();
  const std::string db = dir_.path() + "/db";
  ASSERT_THAT(salesops::testing::ClearFamily(db, "chain"), IsOk());
  ASSERT_THAT(salesops::testing::PutKey(db, "meta", keys::kMetaFormatVersion, keys::EncodeU64(1)), IsOk());
  // When it is opened, its chain is computed and the upgrade recorded.
  Reopen();
  EXPECT_THAT(store_->open_check(), IsOk());
  EXPECT_EQ(store_->ChainDigest(4).value_or(""), digest);
  EXPECT_TRUE(store_->VerifyChain(1, 4)->ok);
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", std::nullopt, {"新"})})), IsOk());
  // Then a chain removed afterwards is damage, not a second upgrade.
  store_.reset();
  ASSERT_THAT(salesops::testing::ClearFamily(db, "chain"), IsOk());
  Reopen();
  EXPECT_THAT(store_->open_check(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("breaks at position 1")));
}

// The tamper hole: a format-2 log whose head has no chain hash was once
// "recomputed as format 1", which re-signed any change made with it.
TEST_F(EventStoreTest, AMissingHeadHashIsDamageNotAnUpgrade) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(store_->Append(Batch({Stream("lead-a", std::nullopt, {"事件"})})), IsOk());
  store_.reset();
  // Given an event changed and the head's chain hash deleted:
  const std::string db = dir_.path() + "/db";
  ASSERT_THAT(salesops::testing::FlipEventByte(db, 2, 5), IsOk());
  ASSERT_THAT(salesops::testing::DeleteKey(db, "chain", keys::PositionKey(5)), IsOk());
  // When the log is opened, then writes are refused and the change is found.
  Reopen();
  EXPECT_THAT(store_->open_check(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("breaks at position 2")));
  auto check = store_->VerifyChain(1, 5);
  ASSERT_THAT(check, IsOk());
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_broken, 2u);
  EXPECT_THAT(store_->Append(Batch({Stream("lead-b", 0, {"x"})})),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("breaks at position 2")));
}

TEST_F(EventStoreTest, AMissingFormatVersionIsDamage) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"1"})})), IsOk());
  store_.reset();
  const std::string db = dir_.path() + "/db";
  ASSERT_THAT(salesops::testing::DeleteKey(db, "meta", keys::kMetaFormatVersion), IsOk());
  Reopen();
  EXPECT_THAT(store_->open_check(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("format version is missing")));
  // Without the format version, a removed chain is not taken for a format-1 log either.
  store_.reset();
  ASSERT_THAT(salesops::testing::ClearFamily(db, "chain"), IsOk());
  Reopen();
  EXPECT_THAT(store_->open_check(),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("breaks at position 1")));
}

TEST_F(EventStoreTest, AppendAssignsGapFreePositionsAndStreamVersions) {
  EXPECT_EQ(store_->Head(), 0u);
  auto first = store_->Append(Batch({Stream("lead-a", 0, {"1", "2"}), Stream("lead-b", 0, {"3"})}));
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(Positions(*first), ElementsAre(1, 2, 3));
  EXPECT_EQ((*first)[1].stream_version(), 2u);
  EXPECT_EQ((*first)[2].stream_version(), 1u);
  EXPECT_EQ((*first)[0].envelope_version(), 1u);
  auto second = store_->Append(Batch({Stream("lead-a", 2, {"4"})}));
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ((*second)[0].position(), 4u);
  EXPECT_EQ((*second)[0].stream_version(), 3u);
  EXPECT_EQ(store_->Head(), 4u);
  EXPECT_EQ(*store_->StreamVersion("lead-a"), 3u);
  EXPECT_EQ(*store_->StreamVersion("lead-unknown"), 0u);
}

TEST_F(EventStoreTest, ExpectedVersionMismatchAppendsNothingFromTheBatch) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"1"})})), IsOk());
  // The second stream's conflict refuses the whole batch, including lead-b.
  EXPECT_THAT(store_->Append(Batch({Stream("lead-b", 0, {"2"}), Stream("lead-a", 0, {"3"})})),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-a is at version 1, expected 0")));
  EXPECT_EQ(store_->Head(), 1u);
  EXPECT_EQ(*store_->StreamVersion("lead-b"), 0u);
  // "any version" appends.
  EXPECT_THAT(store_->Append(Batch({Stream("lead-a", std::nullopt, {"4"})})), IsOk());
}

// The expected-version check, against streams in the memtable and, after a
// reopen, in table files: only the stream's actual version passes, and a
// refusal names it. "lead-a" and "lead-ab" share a byte prefix.
TEST_F(EventStoreTest, ExpectedVersionPassesOnlyAtTheStreamsActualVersion) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"1", "2", "3"}), Stream("lead-ab", 0, {"4", "5", "6", "7", "8"})})),
              IsOk());
  uint64_t head = 8;
  for (const bool reopened : {false, true}) {
    if (reopened) Reopen();  // recovery writes the memtables to table files
    const uint64_t at = reopened ? 4 : 3;  // lead-a's version (each pass appends one event)
    for (const uint64_t expected : {uint64_t{0}, uint64_t{1}, at - 1, at + 1, at + 2, UINT64_MAX}) {
      SCOPED_TRACE(absl::StrCat("lead-a expecting ", expected, reopened ? " after reopen" : ""));
      EXPECT_THAT(store_->Append(Batch({Stream("lead-a", expected, {"x"})})),
                  StatusIs(absl::StatusCode::kAborted,
                           HasSubstr(absl::StrCat("lead-a is at version ", at, ", expected ", expected))));
    }
    EXPECT_THAT(store_->Append(Batch({Stream("lead-ab", 3, {"x"})})),
                StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-ab is at version 5, expected 3")));
    EXPECT_THAT(store_->Append(Batch({Stream("lead-b", 1, {"x"})})),
                StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-b is at version 0, expected 1")));
    EXPECT_EQ(store_->Head(), head);
    auto next = store_->Append(Batch({Stream("lead-a", at, {"y"})}));
    ASSERT_THAT(next, IsOk());
    EXPECT_EQ((*next)[0].stream_version(), at + 1);
    EXPECT_EQ(store_->Head(), ++head);
  }
  EXPECT_EQ(*store_->StreamVersion("lead-a"), 5u);
  EXPECT_EQ(*store_->StreamVersion("lead-ab"), 5u);
}

// A stream named twice in one batch continues from its first part.
TEST_F(EventStoreTest, AStreamTwiceInOneBatchContinuesItself) {
  auto both = store_->Append(Batch({Stream("lead-c", 0, {"1"}), Stream("lead-c", 1, {"2", "3"})}));
  ASSERT_THAT(both, IsOk());
  EXPECT_EQ((*both)[2].stream_version(), 3u);
  EXPECT_THAT(store_->Append(Batch({Stream("lead-d", 0, {"4"}), Stream("lead-d", 0, {"5"})})),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-d is at version 1, expected 0")));
  EXPECT_EQ(store_->Head(), 3u);
  EXPECT_EQ(*store_->StreamVersion("lead-d"), 0u);
}

TEST_F(EventStoreTest, ExpectedHeadGuardsPositions) {
  AppendBatch b = Batch({Stream("lead-a", std::nullopt, {"1"})});
  b.expected_head = 5;
  EXPECT_THAT(store_->Append(std::move(b)), StatusIs(absl::StatusCode::kAborted, HasSubstr("head is 0")));
}

TEST_F(EventStoreTest, RefusesMalformedAppends) {
  EXPECT_THAT(store_->Append(Batch({Stream("", 0, {"1"})})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stream_id")));
  EXPECT_THAT(store_->Append(Batch({Stream("lead-a", 0, {})})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no events")));
  StreamAppend untyped = Stream("lead-a", 0, {"1"});
  untyped.events[0].clear_event_type();
  EXPECT_THAT(store_->Append(Batch({untyped})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event_type")));
  EXPECT_EQ(store_->Head(), 0u);
}

TEST_F(EventStoreTest, ReadStreamFromAVersionWithLimitKeepsUtf8Intact) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"价格太高", "二", "三"}), Stream("lead-ab", 0, {"x"})})),
              IsOk());
  auto all = store_->ReadStream("lead-a", 0, 100);
  ASSERT_THAT(all, IsOk());
  ASSERT_THAT(*all, SizeIs(3));  // lead-ab is not part of lead-a
  EXPECT_EQ((*all)[0].event().lead_disqualified().reason(), "价格太高");
  auto tail = store_->ReadStream("lead-a", 2, 1);
  ASSERT_THAT(tail, IsOk());
  ASSERT_THAT(*tail, SizeIs(1));
  EXPECT_EQ((*tail)[0].stream_version(), 2u);
  EXPECT_THAT(*store_->ReadStream("lead-none", 0, 10), SizeIs(0));
}

TEST_F(EventStoreTest, ReadLogFiltersAndPages) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"1"}), Stream("order-1", 0, {"2"}),
                                    Stream("lead-b", 0, {"3"})})),
              IsOk());
  auto page = store_->ReadLog(0, 1, {{}, "lead-"}, 1000);
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Positions(page->events), ElementsAre(1));
  EXPECT_EQ(page->next_position, 2u);
  EXPECT_FALSE(page->reached_head);
  page = store_->ReadLog(page->next_position, 10, {{}, "lead-"}, 1000);
  EXPECT_THAT(Positions(page->events), ElementsAre(3));
  EXPECT_TRUE(page->reached_head);
  page = store_->ReadLog(1, 10, {{"LeadIdentified"}, ""}, 1000);
  EXPECT_THAT(page->events, SizeIs(0));
  page = store_->ReadLog(1, 10, {{"LeadDisqualified"}, ""}, 2);  // scan bound
  EXPECT_THAT(Positions(page->events), ElementsAre(1, 2));
  EXPECT_EQ(page->next_position, 3u);
}

TEST_F(EventStoreTest, IdempotencyRecordsAreWrittenWithTheBatch) {
  AppendBatch b = Batch({Stream("lead-a", 0, {"1"})});
  v1::IdempotencyRecord record;
  record.set_command("cmd");
  record.mutable_reply()->set_position(1);
  b.idempotency.push_back({"alice", "r-1", record});
  ASSERT_THAT(store_->Append(std::move(b)), IsOk());
  auto got = store_->GetIdempotency("alice", "r-1");
  ASSERT_THAT(got, IsOk());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->command(), "cmd");
  EXPECT_FALSE(store_->GetIdempotency("bob", "r-1")->has_value());

  // A refused batch writes no idempotency record either.
  AppendBatch refused = Batch({Stream("lead-a", 0, {"2"})});
  refused.idempotency.push_back({"alice", "r-2", record});
  EXPECT_THAT(store_->Append(std::move(refused)), StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-a is at version 1, expected 0")));
  EXPECT_FALSE(store_->GetIdempotency("alice", "r-2")->has_value());
}

TEST_F(EventStoreTest, ReopenRecoversHeadStreamsAndNeverReusesPositions) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"1", "2"})})), IsOk());
  Reopen();
  EXPECT_EQ(store_->Head(), 2u);
  EXPECT_EQ(*store_->StreamVersion("lead-a"), 2u);
  auto next = store_->Append(Batch({Stream("lead-a", 2, {"3"})}));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ((*next)[0].position(), 3u);
  std::vector<uint64_t> scanned;
  ASSERT_THAT(store_->Scan(1, [&](const v1::EventEnvelope& e) {
    scanned.push_back(e.position());
    return absl::OkStatus();
  }),
              IsOk());
  EXPECT_THAT(scanned, ElementsAre(1, 2, 3));
}

TEST_F(EventStoreTest, ScanStopsAtTheVisitorsError) {
  ASSERT_THAT(store_->Append(Batch({Stream("lead-a", 0, {"1", "2", "3"})})), IsOk());
  int seen = 0;
  EXPECT_THAT(store_->Scan(2, [&](const v1::EventEnvelope&) {
    return ++seen == 1 ? absl::OkStatus() : absl::CancelledError("enough");
  }),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("enough")));
  EXPECT_EQ(seen, 2);
}

TEST(EventStoreOpenTest, UnopenableDirectoryIsUnavailable) {
  EXPECT_THAT(EventStore::Open({"/proc/salesops-cannot-exist/db", true}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot open the event log")));
}

}  // namespace
}  // namespace salesops::store
