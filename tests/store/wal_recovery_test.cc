// Recovery from a damaged write-ahead log (docs/STORAGE.md, "Recovery"):
// a torn tail of the newest log is dropped, anything else refuses to open
// with DATA_LOSS and leaves the log as it was found.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/event_store.h"
#include "tests/common/testing.h"

namespace salesops::store {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::salesops::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int kBatches = 40;
constexpr int kEventsPerBatch = 3;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The write-ahead log with the highest number in `dir`.
std::filesystem::path NewestWal(const std::string& dir) {
  std::filesystem::path newest;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log" && (newest.empty() || entry.path().filename() > newest.filename())) {
      newest = entry.path();
    }
  }
  return newest;
}

class WalRecoveryTest : public ::testing::Test {
 protected:
  // Given a closed log of kBatches acknowledged (synced) batches that are
  // still only in the write-ahead log (RocksDB's Close does not flush the
  // memtables while the WAL is on).
  void SetUp() override {
    auto store = EventStore::Open({path_, /*sync=*/true});
    ASSERT_THAT(store, IsOk());
    for (int i = 0; i < kBatches; ++i) {
      AppendBatch batch;
      StreamAppend& append = batch.streams.emplace_back();
      append.stream_id = absl::StrCat("lead-", i);
      append.expected_version = 0;
      for (int k = 0; k < kEventsPerBatch; ++k) {
        v1::EventEnvelope& e = append.events.emplace_back();
        e.mutable_event()->mutable_lead_disqualified()->set_reason(absl::StrCat("reason ", i, "/", k));
        e.set_event_type(domain::EventTypeName(e.event()));
      }
      ASSERT_THAT((*store)->Append(std::move(batch)), IsOk());
    }
    store->reset();
    wal_ = NewestWal(path_);
    ASSERT_FALSE(wal_.empty());
    wal_bytes_ = ReadFile(wal_);
    // Every batch is in this log: at least its reasons' bytes.
    ASSERT_GT(wal_bytes_.size(), static_cast<size_t>(kBatches * kEventsPerBatch * 10));
    ASSERT_NE(wal_bytes_.find("reason 0/0"), std::string::npos);
    ASSERT_NE(wal_bytes_.find(absl::StrCat("reason ", kBatches - 1, "/2")), std::string::npos);
  }

  TempDir dir_;
  const std::string path_ = dir_.path() + "/db";
  std::filesystem::path wal_;
  std::string wal_bytes_;
};

TEST_F(WalRecoveryTest, ACorruptedRecordInTheMiddleRefusesToOpenAndKeepsTheLog) {
  // When one byte in the middle of the newest log changes (a bad disk):
  std::string damaged = wal_bytes_;
  const size_t offset = damaged.size() / 2;
  damaged[offset] = static_cast<char>(~damaged[offset]);
  WriteFile(wal_, damaged);

  // Then the store does not open: point-in-time recovery would silently
  // drop every acknowledged batch from the damaged record on and reuse
  // their positions.
  EXPECT_THAT(EventStore::Open({path_, true}),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(wal_.string() + ": dropping"), HasSubstr("restore the latest backup"))));
  // And the evidence stays as it was found, byte for byte.
  ASSERT_TRUE(std::filesystem::exists(wal_));
  EXPECT_TRUE(ReadFile(wal_) == damaged);
  // Trying again gives the same answer (nothing was "repaired" meanwhile).
  EXPECT_THAT(EventStore::Open({path_, true}), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("restore")));
  EXPECT_TRUE(ReadFile(wal_) == damaged);
}

TEST_F(WalRecoveryTest, ATornTailIsDroppedAndEveryWholeBatchRecovered) {
  // When the last record was only partly written (power lost mid-write of
  // a batch that was therefore never acknowledged):
  WriteFile(wal_, wal_bytes_.substr(0, wal_bytes_.size() - 7));

  // Then the store opens with every batch before it.
  auto store = EventStore::Open({path_, true});
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ((*store)->Head(), static_cast<uint64_t>((kBatches - 1) * kEventsPerBatch));
  for (int i = 0; i < kBatches - 1; ++i) {
    EXPECT_EQ((*store)->StreamVersion(absl::StrCat("lead-", i)).value_or(0), static_cast<uint64_t>(kEventsPerBatch))
        << i;
  }
  EXPECT_EQ((*store)->StreamVersion(absl::StrCat("lead-", kBatches - 1)).value_or(99), 0u);
  auto check = (*store)->VerifyChain(1, (*store)->Head());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok);
  EXPECT_THAT((*store)->open_check(), IsOk());
}

}  // namespace
}  // namespace salesops::store
