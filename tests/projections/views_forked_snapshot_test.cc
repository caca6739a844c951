// Views::StartSnapshot: a snapshot encoded by a forked child while writes go
// on is the fold at the position it was started at.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "projections/views_snapshot.h"
#include "tests/projections/views_world.h"

namespace salesops::projections {
namespace {

using ::salesops::testing::IdentifyCommand;
using ::salesops::testing::QualifyCommand;
using ::salesops::testing::ViewsWorld;
using ::salesops::testing::Yuan;

TEST(ViewsSnapshotTest, AForkedSnapshotIsTheFoldAtItsPositionWhileWritesGoOn) {
  ViewsWorld world(absl::FromUnixSeconds(1'780'000'000));
  world.AddTeam("root", {{"r1", {v1::ROLE_SALES_REP}}, {"bd1", {v1::ROLE_BD_MANAGER}}});
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(world.Lead("r1", IdentifyCommand(absl::StrCat("S", i), Yuan(10 + i))).ok());
  const std::vector<std::string> at_start = world.views().Snapshot();
  absl::StatusOr<Views::PendingSnapshot> pending = world.views().StartSnapshot();
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->position, world.views().position());
  // The lock is free again: writes are applied before the encoding is read.
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(world.Lead("bd1", QualifyCommand(absl::StrCat("S", i), 50)).ok());
  EXPECT_GT(world.views().position(), pending->position);
  absl::StatusOr<std::vector<std::string>> chunks = pending->encoding.Collect();
  ASSERT_TRUE(chunks.ok()) << chunks.status();
  // What the fork saw, not what was applied since.
  EXPECT_EQ(*chunks, at_start);
  absl::StatusOr<ViewsState> decoded = DecodeViewsSnapshot(*chunks);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->position, pending->position);
}

}  // namespace
}  // namespace salesops::projections
