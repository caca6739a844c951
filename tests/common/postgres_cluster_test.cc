// The private PostgreSQL the cluster-mode tests run on (postgres_cluster.h).
#include "tests/common/postgres_cluster.h"

#include <signal.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;


TEST(PostgresClusterTest, StartsQueriesAndStopsByPid) {
  SALESOPS_SKIP_WITHOUT_POSTGRES();
  std::string dir;
  pid_t pid = -1;
  {
    PostgresCluster pg;
    ASSERT_THAT(pg.Start(), IsOk());
    dir = pg.dir();
    pid = pg.pid();
    EXPECT_GT(pid, 0);
    EXPECT_GT(pg.port(), 0);
    EXPECT_THAT(pg.Query("SELECT 1 + 1"), QueryRows(ElementsAre("2")));
    // Its own databases; the unix socket and TCP both answer.
    ASSERT_THAT(pg.CreateDatabase("t1"), IsOk());
    ASSERT_THAT(pg.Query("CREATE TABLE x (v text); INSERT INTO x VALUES ('中文'); SELECT v FROM x", "t1"),
                QueryRows(ElementsAre("中文")));
    EXPECT_THAT(pg.Query("SELECT current_user"), QueryRows(ElementsAre("postgres")));
    EXPECT_THAT(pg.Uri("t1"), HasSubstr(absl::StrCat("127.0.0.1:", pg.port(), "/t1")));
    EXPECT_THAT(pg.Query("SELEC nothing"), StatusIs(absl::StatusCode::kInternal, HasSubstr("syntax error")));
  }
  // Stopped by its PID, and its directory removed.
  EXPECT_NE(::kill(pid, 0), 0);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(PostgresClusterTest, SurvivesAKillAndRestartsOnTheSameData) {
  SALESOPS_SKIP_WITHOUT_POSTGRES();
  PostgresCluster pg;
  ASSERT_THAT(pg.Start(), IsOk());
  ASSERT_THAT(pg.Query("CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)"), IsOk());
  const int port = pg.port();
  pg.Kill();
  EXPECT_THAT(pg.Query("SELECT 1"), StatusIs(absl::StatusCode::kInternal, HasSubstr("cannot connect")));
  ASSERT_THAT(pg.Restart(), IsOk());
  EXPECT_EQ(pg.port(), port);
  EXPECT_THAT(pg.Query("SELECT v FROM kept"), QueryRows(ElementsAre("7")));
}

TEST(PostgresClusterTest, SettingsReachTheServer) {
  SALESOPS_SKIP_WITHOUT_POSTGRES();
  PostgresCluster pg;
  ASSERT_THAT(pg.Start({"synchronous_commit=off"}), IsOk());
  EXPECT_THAT(pg.Query("SHOW synchronous_commit"), QueryRows(ElementsAre("off")));
}

}  // namespace
}  // namespace salesops::testing
