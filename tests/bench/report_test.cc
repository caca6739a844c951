#include "report.h"

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace salesops::bench {
namespace {

using ::testing::HasSubstr;

Run MakeRun(const std::string& scenario, int c, uint64_t ops, int64_t p50_ns, uint64_t log_events = 0) {
  Run run;
  run.scenario = scenario;
  run.concurrency = c;
  run.seconds = 1;
  run.ops = ops;
  run.latency.count = ops;
  run.latency.p50_ns = p50_ns;
  run.log_events = log_events;
  return run;
}

// A report shaped like a real run: Ping 10k/s at 64, append 8k/s, and so on.
Report SampleReport() {
  Report r;
  r.options.concurrency = {1, 64};
  r.runs.push_back(MakeRun("ping", 1, 2'000, 400'000));
  r.runs.push_back(MakeRun("append", 1, 400, 2'000'000));
  r.runs.push_back(MakeRun("ping", 64, 10'000, 5'000'000));
  r.runs.push_back(MakeRun("append", 64, 8'000, 7'000'000));
  r.runs.push_back(MakeRun("query", 64, 6'000, 1'000'000, 1'000));
  r.runs.push_back(MakeRun("query", 64, 4'000, 1'000'000, 10'000));
  r.runs.back().errors["UNAVAILABLE"] = 2;
  r.fdatasync = LatencySummary{10, 1'000'000, 1'200'000, 1'500'000, 2'000'000, 1'100'000};
  ScanResult scan;
  scan.events = 100'000;
  scan.seconds = 0.5;  // 200k events/s
  r.scan = scan;
  RebuildRun rebuild;
  rebuild.log_events = 100'000;
  rebuild.full.events = 100'000;
  rebuild.full.leads = 10'000;
  rebuild.full.first_rpc_seconds = 1.0;  // 100k events/s: 0.5 of the scan
  rebuild.full.rss_bytes = 30'000'000;
  rebuild.snapshot.first_rpc_seconds = 0.2;
  r.rebuild = rebuild;
  r.empty_server_rss_bytes = 10'000'000;  // 2000 B per lead
  r.unavailable.push_back({"subscribe", "Audit.Subscribe not implemented"});
  return r;
}

const TargetCheck& Find(const std::vector<TargetCheck>& checks, absl::string_view prefix) {
  for (const TargetCheck& c : checks) {
    if (absl::StartsWith(c.target, prefix)) return c;
  }
  static const TargetCheck none;
  ADD_FAILURE() << "no target " << prefix;
  return none;
}

TEST(ReportTest, RatiosAreToPingAtTheSameConcurrency) {
  const Report r = SampleReport();
  EXPECT_DOUBLE_EQ(*RatioToPing(r, r.runs[1]), 0.2);  // 400 / 2000
  EXPECT_DOUBLE_EQ(*RatioToPing(r, r.runs[3]), 0.8);  // 8000 / 10000
  EXPECT_FALSE(RatioToPing(r, r.runs[0]).has_value());
  EXPECT_EQ(FindRun(r, "query", 64)->log_events, 10'000u);  // the largest log
  EXPECT_EQ(FindRun(r, "query", 64, 1'000)->ops, 6'000u);
  EXPECT_EQ(TargetConcurrency(r.options), 64);
}

TEST(ReportTest, TargetsMetAndMissed) {
  const std::vector<TargetCheck> checks = EvaluateTargets(SampleReport());
  const TargetCheck& append = Find(checks, "append at 64");
  EXPECT_TRUE(append.measured);
  EXPECT_TRUE(append.met);
  EXPECT_DOUBLE_EQ(append.value, 0.8);

  // 2 ms vs 0.4 + 2 x 1 = 2.4 ms.
  const TargetCheck& p50 = Find(checks, "append p50 at 1");
  EXPECT_TRUE(p50.met);
  EXPECT_NEAR(p50.value, 2.0 / 2.4, 1e-9);

  const TargetCheck& query = Find(checks, "query at 64");
  EXPECT_DOUBLE_EQ(query.value, 0.4);  // the worse log size
  EXPECT_FALSE(query.met);
  const TargetCheck& flat = Find(checks, "query flat");
  EXPECT_NEAR(flat.value, 4.0 / 6.0, 1e-9);
  EXPECT_FALSE(flat.met);

  const TargetCheck& rebuild = Find(checks, "full rebuild");
  EXPECT_DOUBLE_EQ(rebuild.value, 0.5);
  EXPECT_TRUE(rebuild.met);

  EXPECT_FALSE(Find(checks, "subscribe").measured);

  const TargetCheck& memory = Find(checks, "memory");
  EXPECT_DOUBLE_EQ(memory.value, 2000);
  EXPECT_FALSE(memory.met);
}

TEST(ReportTest, TargetsNotRunAreNotMeasured) {
  Report r;
  r.options.concurrency = {1, 16};
  r.runs.push_back(MakeRun("ping", 16, 100, 1));
  const std::vector<TargetCheck> checks = EvaluateTargets(r);
  EXPECT_EQ(TargetConcurrency(r.options), 16);
  for (const TargetCheck& c : checks) EXPECT_FALSE(c.measured) << c.target;
}

TEST(ReportTest, JsonParsesAndListsEveryScenario) {
  const std::string json = RenderJson(SampleReport());
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  const auto& scenarios = parsed.fields().at("scenarios").list_value().values();
  std::vector<std::string> names;
  for (const auto& s : scenarios) names.push_back(s.struct_value().fields().at("scenario").string_value());
  EXPECT_THAT(names, ::testing::IsSupersetOf({"ping", "append", "query", "rebuild", "subscribe"}));
  const auto& append64 = scenarios[3].struct_value().fields();
  EXPECT_EQ(append64.at("ratio").number_value(), 0.8);
  EXPECT_EQ(append64.at("ceiling").string_value(), "Admin.Ping");
  EXPECT_EQ(scenarios[5].struct_value().fields().at("errors").struct_value().fields().at("UNAVAILABLE").number_value(),
            2);
  EXPECT_FALSE(parsed.fields().at("targets").list_value().values().empty());
}

TEST(ReportTest, TextShowsRatiosAndVerdicts) {
  const std::string text = RenderText(SampleReport());
  EXPECT_THAT(text, HasSubstr("RATIO"));
  EXPECT_THAT(text, HasSubstr("0.80"));
  EXPECT_THAT(text, HasSubstr("[MISSED] query at 64"));
  EXPECT_THAT(text, HasSubstr("[met]   append at 64"));
  EXPECT_THAT(text, HasSubstr("[n/a]   subscribe"));
  EXPECT_THAT(text, HasSubstr("subscribe: not available: Audit.Subscribe not implemented"));
  EXPECT_THAT(text, HasSubstr("UNAVAILABLE 2"));
}

}  // namespace
}  // namespace salesops::bench
