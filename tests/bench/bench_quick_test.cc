// salesops-bench --quick --json against its own server: it runs every
// scenario and its ceilings, exits 0 (no operation failed unexpectedly) and
// prints JSON naming every scenario. It checks that the tool works, not how
// fast anything is.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/bench/run_command.h"
#include "tests/common/testing.h"

namespace salesops {
namespace {

using ::salesops::testing::TempDir;

using ::salesops::testing::RunCommand;
using Output = ::salesops::testing::CommandOutput;

TEST(BenchQuickTest, RunsEveryScenarioAgainstItsOwnServer) {
  TempDir dir;
  const Output out = RunCommand(absl::StrCat(SALESOPS_BENCH_PATH, " --quick --json --salesopsd=", SALESOPSD_PATH,
                                             " --work-dir=", dir.path()));
  ASSERT_EQ(out.exit_status, 0) << out.stdout_text;

  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out.stdout_text, &report).ok()) << out.stdout_text;
  std::set<std::string> available;
  std::set<std::string> unavailable;
  for (const auto& value : report.fields().at("scenarios").list_value().values()) {
    const auto& s = value.struct_value().fields();
    const std::string name = s.at("scenario").string_value();
    if (!s.at("available").bool_value()) {
      unavailable.insert(name);
      continue;
    }
    available.insert(name);
    if (name == "subscribe") {
      const auto& catch_up = s.at("catch_up").struct_value().fields();
      EXPECT_GE(catch_up.at("events").number_value(), 6000);  // --quick: a log of at least 6000 events
      EXPECT_EQ(catch_up.at("events").number_value(), catch_up.at("caught_up_position").number_value());
      EXPECT_GT(catch_up.at("ratio").number_value(), 0);
      EXPECT_TRUE(catch_up.at("errors").list_value().values().empty());
      const auto& fan_out = s.at("fan_out").struct_value().fields();
      EXPECT_EQ(fan_out.at("complete_subscribers").number_value(), 50);
      EXPECT_GT(fan_out.at("expected_events").number_value(), 0);
      EXPECT_EQ(fan_out.at("received_min").number_value(), fan_out.at("expected_events").number_value());
      EXPECT_EQ(fan_out.at("received_max").number_value(), fan_out.at("expected_events").number_value());
      EXPECT_EQ(fan_out.at("delivery_latency").struct_value().fields().at("count").number_value(),
                50 * fan_out.at("expected_events").number_value());
      EXPECT_GT(fan_out.at("ratio").number_value(), 0);
      EXPECT_TRUE(fan_out.at("errors").list_value().values().empty());
      continue;
    }
    if (name == "restart") {
      // The log generator grew the log to at least --restart-log-events
      // (30,000 with --quick); the kill -9 restart replayed exactly what
      // was written after the last periodic snapshot, the clean-stop
      // restart nothing, and both served the full replay's pipeline at the
      // head.
      EXPECT_GE(s.at("log_events").number_value(), 30'000);
      EXPECT_GT(s.at("generated_commands").number_value(), 0);
      EXPECT_GT(s.at("tail_events").number_value(), 0);
      EXPECT_EQ(s.at("after_kill").struct_value().fields().at("events").number_value(),
                s.at("tail_events").number_value());
      EXPECT_EQ(s.at("after_clean_stop").struct_value().fields().at("events").number_value(), 0);
      EXPECT_GT(s.at("after_clean_stop").struct_value().fields().at("first_view_s").number_value(), 0);
      EXPECT_EQ(s.at("full_replay").struct_value().fields().at("events").number_value(),
                s.at("log_events").number_value());
      EXPECT_TRUE(s.at("views_equal").bool_value()) << s.at("check").string_value();
      continue;
    }
    if (name == "rebuild") {
      EXPECT_GT(s.at("full").struct_value().fields().at("events").number_value(), 0);
      EXPECT_GT(s.at("ratio").number_value(), 0);
      EXPECT_GT(s.at("from_snapshot").struct_value().fields().at("first_rpc_s").number_value(), 0);
      continue;
    }
    EXPECT_GT(s.at("ops").number_value(), 0) << name;
    EXPECT_TRUE(s.at("errors").struct_value().fields().empty()) << name;
    if (name != "ping") {
      EXPECT_GT(s.at("ratio").number_value(), 0) << name;
    }
    if (name == "lifecycle") {
      EXPECT_GT(s.at("expected_refusals").struct_value().fields().at("FAILED_PRECONDITION").number_value(), 0);
    }
  }
  EXPECT_EQ(available, (std::set<std::string>{"ping", "append", "retry", "lifecycle", "contended", "query", "rebuild",
                                              "subscribe", "restart"}));
  EXPECT_TRUE(unavailable.empty());

  const auto& ceilings = report.fields().at("ceilings").struct_value().fields();
  EXPECT_GT(ceilings.at("fdatasync").struct_value().fields().at("p50_ms").number_value(), 0);
  EXPECT_GT(ceilings.at("raw_scan").struct_value().fields().at("events_per_s").number_value(), 0);
  EXPECT_EQ(ceilings.at("raw_append").list_value().values_size(), 2);  // one per --quick concurrency
  EXPECT_GE(report.fields().at("targets").list_value().values_size(), 8);
}

// A 20-second soak at small sizes: every interval sampled, the load sent,
// no unexpected error. About 25 s.
TEST(BenchQuickTest, SoakSamplesTheServer) {
  TempDir dir;
  const Output out = RunCommand(absl::StrCat(SALESOPS_BENCH_PATH, " --quick --soak=20s --soak-sample=5s --json",
                                             " --salesopsd=", SALESOPSD_PATH, " --work-dir=", dir.path()));
  ASSERT_EQ(out.exit_status, 0) << out.stdout_text;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out.stdout_text, &report).ok()) << out.stdout_text;
  EXPECT_EQ(report.fields().count("scenarios"), 0u);  // a soak runs nothing else
  const auto& soak = report.fields().at("soak").struct_value().fields();
  EXPECT_GT(soak.at("max_rate").struct_value().fields().at("ops_per_s").number_value(), 0);
  EXPECT_NEAR(soak.at("target_per_s").number_value(),
              0.8 * soak.at("max_rate").struct_value().fields().at("ops_per_s").number_value(), 1e-6);
  const auto& samples = soak.at("samples").list_value().values();
  ASSERT_EQ(samples.size(), 4);
  uint64_t previous_log = 0;
  for (const auto& value : samples) {
    const auto& s = value.struct_value().fields();
    EXPECT_GT(s.at("completed").number_value(), 0);
    EXPECT_GT(s.at("server_rss_bytes").number_value(), 0);
    EXPECT_TRUE(s.at("errors").struct_value().fields().empty());
    EXPECT_EQ(s.at("due").number_value(), s.at("sent").number_value() + s.at("late").number_value());
    EXPECT_GT(s.at("log_events").number_value(), previous_log);
    previous_log = static_cast<uint64_t>(s.at("log_events").number_value());
  }
  const auto& verdict = soak.at("verdict").struct_value().fields();
  EXPECT_TRUE(verdict.at("latency_measured").bool_value());
  EXPECT_FALSE(verdict.at("memory_measured").bool_value());  // 20 s: no sample after the 1-minute warm-up
  EXPECT_TRUE(verdict.at("errors").struct_value().fields().empty());
}

// The steady mix, briefly: 2,000 leads, then 15 s of calls that add no
// state; the log's head must not move. About 20 s.
TEST(BenchQuickTest, SteadySoakAppendsNothing) {
  TempDir dir;
  const Output out =
      RunCommand(absl::StrCat(SALESOPS_BENCH_PATH, " --quick --soak=15s --soak-sample=5s --soak-mix=steady --json",
                              " --salesopsd=", SALESOPSD_PATH, " --work-dir=", dir.path()));
  ASSERT_EQ(out.exit_status, 0) << out.stdout_text;
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out.stdout_text, &report).ok()) << out.stdout_text;
  const auto& soak = report.fields().at("soak").struct_value().fields();
  EXPECT_EQ(soak.at("mix_name").string_value(), "steady");
  EXPECT_EQ(soak.at("population_leads").number_value(), 2000);
  const double head = soak.at("head_before").struct_value().fields().at("position").number_value();
  EXPECT_GE(head, 2000);
  EXPECT_EQ(soak.at("head_after").struct_value().fields().at("position").number_value(), head);
  const auto& samples = soak.at("samples").list_value().values();
  ASSERT_EQ(samples.size(), 3);
  for (const auto& value : samples) {
    const auto& s = value.struct_value().fields();
    EXPECT_GT(s.at("completed").number_value(), 0);
    EXPECT_EQ(s.at("log_events").number_value(), head);  // the server's head, every interval
    EXPECT_TRUE(s.at("errors").struct_value().fields().empty());
    EXPECT_GT(s.at("expected_refusals").struct_value().fields().at("FAILED_PRECONDITION").number_value(), 0);
  }
  const auto& verdict = soak.at("verdict").struct_value().fields();
  EXPECT_TRUE(verdict.at("head_checked").bool_value());
  EXPECT_TRUE(verdict.at("head_unchanged").bool_value());
  EXPECT_TRUE(verdict.at("errors").struct_value().fields().empty());
}

TEST(BenchQuickTest, UsageErrorsExit2) {
  EXPECT_EQ(RunCommand(absl::StrCat(SALESOPS_BENCH_PATH, " --concurrency=0 2>/dev/null")).exit_status, 2);
  const Output help = RunCommand(absl::StrCat(SALESOPS_BENCH_PATH, " --help"));
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_THAT(help.stdout_text, ::testing::HasSubstr("--quick"));
}

}  // namespace
}  // namespace salesops
