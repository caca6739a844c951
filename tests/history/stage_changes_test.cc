// ListStageChanges' scan limit, on a real store: a call without lead_id
// examines at most max_scan log positions, and following the page tokens
// yields exactly the rows one unlimited call returns, in log order.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/history/stage_changes.h"
#include "tests/projections/views_world.h"

namespace salesops::history {
namespace {

using ::salesops::testing::IdentifyCommand;
using ::salesops::testing::QualifyCommand;
using ::salesops::testing::ViewsWorld;
using ::salesops::testing::Yuan;

// 30 leads by r1; every third is qualified by bd1.
void Populate(ViewsWorld& world) {
  world.AddTeam("root", {{"r1", {v1::ROLE_SALES_REP}}, {"bd1", {v1::ROLE_BD_MANAGER}}});
  for (int i = 0; i < 30; ++i) {
    world.clock().Advance(absl::Minutes(5));
    ASSERT_TRUE(world.Lead("r1", IdentifyCommand(absl::StrCat("S", i), Yuan(5000 + i))).ok());
    if (i % 3 == 0) {
      ASSERT_TRUE(world.Lead("bd1", QualifyCommand(absl::StrCat("S", i), 60)).ok());
    }
  }
}

std::vector<std::string> Rows(const v1::ListStageChangesResponse& page) {
  std::vector<std::string> rows;
  for (const v1::StageChange& c : page.changes()) rows.push_back(absl::StrCat(c.position(), " ", c.lead_id()));
  return rows;
}

TEST(ListStageChangesTest, AScanLimitSplitsTheLogIntoCallsThatTogetherReturnEveryRowOnce) {
  ViewsWorld world(absl::FromUnixSeconds(1'780'000'000));
  Populate(world);
  const uint64_t head = world.store().Head();
  v1::ListStageChangesRequest request;
  request.set_to_stage(v1::STAGE_QUALIFIED);
  request.set_page_size(kMaxStageChangesPage);

  absl::StatusOr<v1::ListStageChangesResponse> whole = ListStageChanges(world.store(), request, 1'000'000);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->changes_size(), 10);
  EXPECT_TRUE(whole->next_page_token().empty());

  constexpr size_t kScan = 7;
  std::vector<std::string> rows;
  uint64_t calls = 0;
  do {
    absl::StatusOr<v1::ListStageChangesResponse> page = ListStageChanges(world.store(), request, kScan);
    ASSERT_TRUE(page.ok()) << page.status();
    for (std::string& row : Rows(*page)) rows.push_back(std::move(row));
    request.set_page_token(page->next_page_token());
    ASSERT_LT(++calls, 1000u);
  } while (!request.page_token().empty());

  EXPECT_EQ(rows, Rows(*whole));
  // Each call examined at most 7 positions, and each examined 7 but the last.
  EXPECT_EQ(calls, (head + kScan - 1) / kScan);
}

TEST(ListStageChangesTest, AFullPageResumesRightAfterItsLastRow) {
  ViewsWorld world(absl::FromUnixSeconds(1'780'000'000));
  Populate(world);
  v1::ListStageChangesRequest request;
  request.set_to_stage(v1::STAGE_QUALIFIED);
  request.set_page_size(3);
  std::vector<std::string> rows;
  do {
    absl::StatusOr<v1::ListStageChangesResponse> page = ListStageChanges(world.store(), request, 1'000'000);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->changes_size(), 3);
    for (std::string& row : Rows(*page)) rows.push_back(std::move(row));
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  request.clear_page_token();
  request.set_page_size(kMaxStageChangesPage);
  absl::StatusOr<v1::ListStageChangesResponse> whole = ListStageChanges(world.store(), request, 1'000'000);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(rows, Rows(*whole));
}

}  // namespace
}  // namespace salesops::history
