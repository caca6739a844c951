// Admin.RebuildProjections' core: the live views rebuilt from the log while
// a writer keeps appending end up equal to a fresh replay of the whole log.
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "projections/views_snapshot.h"
#include "server/history/views_replay.h"
#include "tests/projections/views_world.h"

namespace salesops::history {
namespace {

using ::salesops::projections::EncodeViewsSnapshot;
using ::salesops::projections::ViewsState;
using ::salesops::testing::IdentifyCommand;
using ::salesops::testing::QualifyCommand;
using ::salesops::testing::ViewsWorld;
using ::salesops::testing::Yuan;

TEST(ViewsRebuildTest, RebuildDuringWritesLosesAndDuplicatesNothing) {
  ViewsWorld world(absl::FromUnixSeconds(1'780'000'000));
  world.AddTeam("root", {{"r1", {v1::ROLE_SALES_REP}}, {"bd1", {v1::ROLE_BD_MANAGER}}});
  constexpr int kLeads = 150;
  std::thread writer([&] {
    for (int i = 0; i < kLeads; ++i) {
      world.clock().Advance(absl::Minutes(7));
      EXPECT_TRUE(world.Lead("r1", IdentifyCommand(absl::StrCat("R", i), Yuan(1000 + i))).ok());
      if (i % 2 == 0) {
        EXPECT_TRUE(world.Lead("bd1", QualifyCommand(absl::StrCat("R", i), 40)).ok());
      }
    }
  });
  int rebuilds = 0;
  // Rebuild again and again while the writer runs (and at least once).
  while (rebuilds == 0 || world.views().position() < world.store().Head() ||
         world.views().Read([](const ViewsState& s) { return s.core.leads.size(); }) < kLeads) {
    absl::StatusOr<uint64_t> reached = RebuildViews(world.store(), world.views());
    ASSERT_TRUE(reached.ok()) << reached.status();
    ++rebuilds;
    if (rebuilds > 10'000) break;
  }
  writer.join();
  absl::StatusOr<uint64_t> last = RebuildViews(world.store(), world.views());
  ASSERT_TRUE(last.ok());
  const uint64_t head = world.store().Head();
  EXPECT_EQ(*last, head);
  absl::StatusOr<ViewsState> replayed = ReplayViews(world.store(), head);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(world.views().Snapshot(), EncodeViewsSnapshot(*replayed));
  EXPECT_EQ(world.views().position(), head);
}

}  // namespace
}  // namespace salesops::history
