// salesops-bench --cluster-postgres on a PostgreSQL the test starts: the
// cluster scenario runs (the single-row INSERT ceiling, three nodes, append
// to the leader and to a follower, query on a follower, the followers' lag,
// a leader kill), every call succeeds, and the JSON holds each figure. It
// checks that the scenario works, not how fast anything is.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/bench/run_command.h"
#include "tests/common/postgres_cluster.h"
#include "tests/common/testing.h"

namespace salesops {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::PostgresCluster;
using ::salesops::testing::QueryRows;
using ::salesops::testing::RunCommand;
using ::salesops::testing::TempDir;
using Output = ::salesops::testing::CommandOutput;

TEST(BenchClusterTest, RunsTheClusterScenarioOnAPostgresItIsGiven) {
  SALESOPS_SKIP_WITHOUT_POSTGRES();
  PostgresCluster pg;
  ASSERT_THAT(pg.Start(), IsOk());
  TempDir dir;
  const Output out = RunCommand(absl::StrCat(
      SALESOPS_BENCH_PATH, " --quick --json --scenarios=append --concurrency=16 --salesopsd=", SALESOPSD_PATH,
      " --work-dir=", dir.path(), " --cluster-postgres='host=", pg.dir(), " port=", pg.port(), " user=postgres'"));
  ASSERT_EQ(out.exit_status, 0) << out.stdout_text;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out.stdout_text, &report).ok()) << out.stdout_text;

  std::map<std::string, int> runs;
  for (const auto& value : report.fields().at("scenarios").list_value().values()) {
    const auto& s = value.struct_value().fields();
    const std::string name = s.at("scenario").string_value();
    if (name.rfind("cluster-", 0) != 0) continue;
    ++runs[name];
    EXPECT_GT(s.at("ops_per_s").number_value(), 0) << name;
    EXPECT_TRUE(s.at("errors").struct_value().fields().empty()) << name;
  }
  EXPECT_EQ(runs, (std::map<std::string, int>{{"cluster-append", 2}, {"cluster-ping", 1}, {"cluster-query", 1}}));

  const auto& cluster = report.fields().at("cluster").struct_value().fields();
  EXPECT_EQ(cluster.at("nodes").number_value(), 3);
  const auto& inserts = cluster.at("postgres_inserts").struct_value().fields();
  EXPECT_GT(inserts.at("rows_per_second").number_value(), 0);
  EXPECT_TRUE(inserts.at("errors").struct_value().fields().empty());
  EXPECT_GT(cluster.at("follower_lag").struct_value().fields().at("count").number_value(), 0);
  EXPECT_EQ(cluster.at("follower_lag_failures").number_value(), 0);
  // The default lease is 5 s: a write is acknowledged once a node took it.
  EXPECT_GT(cluster.at("failover_seconds").number_value(), 0);
  EXPECT_LT(cluster.at("failover_seconds").number_value(), 60);
  // The run's database is gone.
  EXPECT_THAT(pg.Query("SELECT count(*) FROM pg_database WHERE datname LIKE 'salesops_bench_%'"),
              QueryRows(::testing::ElementsAre("0")));
}

}  // namespace
}  // namespace salesops
