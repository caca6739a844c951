// Power loss, simulated by a file system that drops everything not synced
// (tests/store/fault_fs.h): every acknowledged append must survive it.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/event_store.h"
#include "server/store/event_store_internal.h"
#include "tests/common/testing.h"
#include "tests/store/fault_fs.h"

namespace salesops::store {
namespace {

using ::salesops::testing::FaultFs;
using ::salesops::testing::IsOk;
using ::salesops::testing::TempDir;

constexpr int kAppends = 200;

AppendBatch TwoEvents(int i) {
  AppendBatch batch;
  StreamAppend& a = batch.streams.emplace_back();
  a.stream_id = absl::StrCat("lead-", i);
  a.expected_version = 0;
  for (int k = 0; k < 2; ++k) {
    v1::EventEnvelope& e = a.events.emplace_back();
    e.mutable_event()->mutable_lead_disqualified()->set_reason(absl::StrCat("reason ", i, "/", k));
    e.set_event_type(domain::EventTypeName(e.event()));
  }
  return batch;
}

// Appends kAppends batches on a FaultFs with the given durability, cuts the
// power, and reopens on the real file system. Returns the last acknowledged
// position and the reopened store.
struct AfterPowerCut {
  uint64_t last_acknowledged = 0;
  uint64_t bytes_dropped = 0;
  std::unique_ptr<EventStore> store;
};
AfterPowerCut AppendThenCutPower(const std::string& path, bool sync) {
  AfterPowerCut out;
  auto fs = std::make_shared<FaultFs>();
  {
    auto store = EventStoreInternal::OpenWithFileSystem({path, sync}, fs);
    EXPECT_THAT(store, IsOk());
    if (!store.ok()) return out;
    for (int i = 0; i < kAppends; ++i) {
      auto appended = (*store)->Append(TwoEvents(i));
      EXPECT_THAT(appended, IsOk());
      if (!appended.ok()) return out;
      out.last_acknowledged = appended->back().position();
    }
    fs->Deactivate();
  }  // the store is destroyed after the power cut: nothing it writes now lands
  auto dropped = fs->DropUnsynced();
  EXPECT_THAT(dropped, IsOk());
  out.bytes_dropped = dropped.value_or(0);
  auto reopened = EventStore::Open({path, true});
  EXPECT_THAT(reopened, IsOk());
  if (reopened.ok()) out.store = std::move(*reopened);
  return out;
}

TEST(DurabilityTest, EverySyncedAppendSurvivesAPowerCut) {
  TempDir dir;
  const AfterPowerCut after = AppendThenCutPower(dir.path() + "/db", /*sync=*/true);
  ASSERT_NE(after.store, nullptr);
  EXPECT_EQ(after.last_acknowledged, 2u * kAppends);
  EXPECT_EQ(after.store->Head(), after.last_acknowledged);
  for (int i = 0; i < kAppends; ++i) {
    auto events = after.store->ReadStream(absl::StrCat("lead-", i), 1, 10);
    ASSERT_THAT(events, IsOk());
    ASSERT_EQ(events->size(), 2u) << "acknowledged append lead-" << i << " lost";
    EXPECT_EQ(events->back().position(), 2u * i + 2);
  }
  auto check = after.store->VerifyChain(1, after.store->Head());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok) << check->what;
  EXPECT_THAT(after.store->open_check(), IsOk());
  // Positions continue after the last acknowledged one.
  auto next = after.store->Append(TwoEvents(kAppends));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->front().position(), after.last_acknowledged + 1);
}

// The companion that proves the file system really loses unsynced bytes:
// without sync, a power cut loses acknowledged appends (the contract of
// --durability=async).
TEST(DurabilityTest, WithoutSyncAPowerCutLosesAcknowledgedAppends) {
  TempDir dir;
  const AfterPowerCut after = AppendThenCutPower(dir.path() + "/db", /*sync=*/false);
  ASSERT_NE(after.store, nullptr);
  EXPECT_GT(after.bytes_dropped, 0u);
  EXPECT_LT(after.store->Head(), after.last_acknowledged);
  // What survived is still a whole, verifiable prefix.
  if (after.store->Head() > 0) {
    EXPECT_TRUE(after.store->VerifyChain(1, after.store->Head())->ok);
  }
}

}  // namespace
}  // namespace salesops::store
