#include "team_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "tests/common/testing.h"

namespace salesops::bench {
namespace {

using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(TeamPlanTest, EveryLifecycleRoleHasMembers) {
  const BenchTeam team = DefaultTeam();
  EXPECT_EQ(team.Count(v1::ROLE_SALES_REP), 4u);
  EXPECT_EQ(team.Count(v1::ROLE_BD_MANAGER), 2u);
  EXPECT_EQ(team.Count(v1::ROLE_SALES_SUPPORT), 2u);
  EXPECT_EQ(team.Count(v1::ROLE_AFTER_SALES), 2u);
  EXPECT_EQ(team.Count(v1::ROLE_SALES_MANAGER), 1u);
  EXPECT_EQ(team.Pick(v1::ROLE_BD_MANAGER, 0).member_id, "bench-bd-1");
  EXPECT_EQ(team.Pick(v1::ROLE_BD_MANAGER, 3).member_id, "bench-bd-2");
  EXPECT_EQ(team.Pick(v1::ROLE_SALES_REP, 4).member_id, "bench-rep-1");
}

TEST(TeamPlanTest, TokensFileRoundTrips) {
  BenchTeam team = DefaultTeam();
  AssignRandomTokens(team);
  EXPECT_NE(team.admin_token, team.members[0].token);
  const std::string text = TokensFileText(team);
  EXPECT_THAT(text, HasSubstr(absl::StrCat(team.admin_token, " bench-admin\n")));

  BenchTeam read = DefaultTeam();
  ASSERT_TRUE(AssignTokensFromText(text, read).ok());
  for (size_t i = 0; i < team.members.size(); ++i) EXPECT_EQ(read.members[i].token, team.members[i].token);
}

TEST(TeamPlanTest, MissingMembersAreNamed) {
  BenchTeam team = DefaultTeam();
  EXPECT_THAT(AssignTokensFromText("# only one\ntok-1 bench-rep-1\n", team),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(HasSubstr("bench-rep-2"), HasSubstr("bench-mgr-1"),
                                        Not(HasSubstr("bench-rep-1,")))));
}

TEST(RecoveryLineTest, ParsesTheServerStartLine) {
  const std::string log =
      "2026-01-01T00:00:00.000000Z I recovered 312345 events (head 312345, 150000 leads) in 1.5s\n"
      "2026-01-01T00:00:01.500000Z I salesopsd listening on 127.0.0.1:0 (port 40001), data dir x\n";
  const std::optional<RecoveryLine> line = ParseRecoveryLine(log);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->events, 312345u);
  EXPECT_EQ(line->leads, 150000u);
  EXPECT_EQ(line->took, absl::Milliseconds(1500));
  EXPECT_EQ(ParseRecoveryLine("I recovered 5 events (head 5, 2 leads) in 850.5ms\n")->took,
            absl::Microseconds(850500));
  EXPECT_FALSE(ParseRecoveryLine("nothing here").has_value());
}

}  // namespace
}  // namespace salesops::bench
