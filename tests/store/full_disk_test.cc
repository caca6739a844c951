// A full disk, for real: the store on a small tmpfs this test mounts (root
// is needed; without it the tests are skipped, saying so). Writes are
// refused before RocksDB runs out of space, reads go on, writes resume
// when space returns, and a store opened on a nearly full disk opens
// read-only (docs/STORAGE.md, "A full disk").


#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/event_store.h"
#include "server/store/free_space.h"
#include "tests/common/small_disk.h"
#include "tests/common/testing.h"

namespace salesops::store {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::salesops::testing::SmallDisk;
using ::salesops::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kReserve = 8 * kMiB;

AppendBatch Batch(int i, size_t bytes) {
  AppendBatch batch;
  StreamAppend& a = batch.streams.emplace_back();
  a.stream_id = absl::StrCat("lead-", i);
  v1::EventEnvelope& e = a.events.emplace_back();
  e.mutable_event()->mutable_lead_disqualified()->set_reason(std::string(bytes, 'x'));
  e.set_event_type(domain::EventTypeName(e.event()));
  return batch;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.ok()) GTEST_SKIP() << disk_.error();
    mnt_ = disk_.path();
    path_ = mnt_ + "/db";
  }
  void TearDown() override { store_.reset(); }

  StoreOptions Options() const {
    StoreOptions options{path_, true};
    options.min_free_bytes = kReserve;
    options.free_space_recheck = absl::ZeroDuration();  // the test fills the disk at once
    return options;
  }
  uint64_t Free() const { return disk_.Free(); }
  // Leaves about `left` bytes free, growing a file that Unfill removes.
  void FillTo(uint64_t left) { ASSERT_TRUE(disk_.FillTo(left)) << "free: " << Free(); }
  void Unfill() { disk_.Unfill(); }

  TempDir dir_;
  SmallDisk disk_{dir_.path(), 64};
  std::string mnt_;
  std::string path_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(FullDiskTest, WritesAreRefusedBeforeTheDiskIsFullAndResumeWhenSpaceReturns) {
  const uint64_t empty = Free();
  auto opened = EventStore::Open(Options());
  ASSERT_THAT(opened, IsOk());
  store_ = std::move(*opened);
  ASSERT_THAT(store_->Append(Batch(0, 1000)), IsOk());
  // What an open log takes on disk: RocksDB preallocates the manifest
  // (manifest_preallocation_size, 4 MiB); the write-ahead log's
  // preallocation (write_buffer_size × 1.1 = 70 MiB) does not fit here.
  EXPECT_LT(empty - Free(), 5 * kMiB);
  // Given a disk with 4 MiB above the reserve:
  FillTo(kReserve + 4 * kMiB);
  // When appends go on, they are refused before the reserve is touched,
  absl::Status refused;
  int appended = 1;
  for (; appended < 200; ++appended) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> r = store_->Append(Batch(appended, 64 << 10));
    if (!r.ok()) {
      refused = r.status();
      break;
    }
  }
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted,
                                AllOf(HasSubstr(" bytes free, below the reserve of 8388608 bytes"),
                                      HasSubstr("resume by themselves"))));
  EXPECT_GE(Free(), kReserve);
  EXPECT_EQ(store_->Head(), static_cast<uint64_t>(appended));
  // (smaller ones are still taken while they fit above the reserve).
  ASSERT_THAT(store_->Append(Batch(500, 100)), IsOk());
  const uint64_t head = store_->Head();

  // When something else takes the disk below the reserve:
  FillTo(kReserve - kMiB);
  // Then every append is refused, the write state says so and that it
  // will pass,
  EXPECT_THAT(store_->Append(Batch(501, 10)), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("reserve")));
  const WriteState state = store_->write_state();
  EXPECT_THAT(state.status, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("below the reserve")));
  EXPECT_TRUE(state.transient);
  EXPECT_EQ(store_->Head(), head);
  // reads work,
  uint64_t read = 0;
  EXPECT_THAT(store_->Scan(1, [&](v1::EventEnvelope&) {
    ++read;
    return absl::OkStatus();
  }),
              IsOk());
  EXPECT_EQ(read, head);
  EXPECT_TRUE(store_->VerifyChain(1, head)->ok);
  // and once space returns, writes resume by themselves at the next position.
  Unfill();
  EXPECT_THAT(store_->write_state().status, IsOk());
  auto resumed = store_->Append(Batch(1000, 100));
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(resumed->front().position(), head + 1);
}

// A batch its writer admitted (it asked write_state() before deciding it) is
// written unless the disk fell below half the reserve meanwhile: the
// sequencer's batch decided just before the reserve was crossed is not
// failed (which would stop the server).
TEST_F(FullDiskTest, AnAdmittedBatchIsWrittenUntilHalfTheReserve) {
  auto opened = EventStore::Open(Options());
  ASSERT_THAT(opened, IsOk());
  store_ = std::move(*opened);
  ASSERT_THAT(store_->Append(Batch(0, 100)), IsOk());
  FillTo(kReserve - 2 * kMiB);  // below the reserve, above half of it
  EXPECT_THAT(store_->write_state().status, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("below the reserve")));
  EXPECT_THAT(store_->Append(Batch(1, 100)), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("below the reserve")));
  AppendBatch admitted = Batch(1, 100);
  admitted.admitted = true;
  ASSERT_THAT(store_->Append(std::move(admitted)), IsOk());
  EXPECT_FALSE(store_->failed());
  FillTo(kReserve / 2 - kMiB);  // below half the reserve
  AppendBatch late = Batch(2, 100);
  late.admitted = true;
  EXPECT_THAT(store_->Append(std::move(late)), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("below the reserve")));
  EXPECT_FALSE(store_->failed());
  EXPECT_EQ(store_->Head(), 2u);
}

TEST_F(FullDiskTest, ALogOnANearlyFullDiskOpensReadOnly) {
  {
    auto opened = EventStore::Open(Options());
    ASSERT_THAT(opened, IsOk());
    for (int i = 0; i < 5; ++i) ASSERT_THAT((*opened)->Append(Batch(i, 100)), IsOk());
  }
  // Given a disk below the reserve:
  FillTo(kReserve / 2);
  // When the log opens, it opens read-only rather than failing (or
  // aborting in RocksDB's recovery):
  auto opened = EventStore::Open(Options());
  ASSERT_THAT(opened, IsOk());
  store_ = std::move(*opened);
  EXPECT_EQ(store_->Head(), 5u);
  auto events = store_->ReadStream("lead-3", 1, 10);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->size(), 1u);
  EXPECT_TRUE(store_->VerifyChain(1, 5)->ok);
  const WriteState state = store_->write_state();
  EXPECT_THAT(state.status, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("opened read-only")));
  EXPECT_FALSE(state.transient);
  EXPECT_THAT(store_->Append(Batch(9, 10)), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("restart")));
  // A new log cannot be created there at all.
  StoreOptions fresh = Options();
  fresh.path = mnt_ + "/other";
  EXPECT_THAT(EventStore::Open(fresh), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("below the reserve")));
}

}  // namespace
}  // namespace salesops::store
