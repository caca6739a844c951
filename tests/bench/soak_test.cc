// The soak without a server: the verdict's arithmetic and the report.
#include "soak.h"

#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "report.h"

namespace salesops::bench {
namespace {

using ::testing::HasSubstr;

SoakSample Sample(double at, uint64_t rss_mib, uint64_t log_events, int64_t p50_ms, int64_t p99_ms) {
  SoakSample s;
  s.at_seconds = at;
  s.counts.seconds = 10;
  s.counts.due = s.counts.sent = s.counts.completed = 1000;
  s.counts.latency.count = 1000;
  s.counts.latency.p50_ns = p50_ms * 1'000'000;
  s.counts.latency.p99_ns = p99_ms * 1'000'000;
  s.counts.latency.max_ns = 2 * p99_ms * 1'000'000;
  s.log_events = log_events;
  s.server_measured = true;
  s.server_rss_bytes = rss_mib << 20;
  return s;
}

// 10 minutes sampled every minute: the warm-up is the first minute.
SoakRun TenMinutes() {
  SoakRun run;
  run.duration = absl::Minutes(10);
  run.sample_every = absl::Minutes(1);
  run.fraction = 0.8;
  run.max_in_flight = 256;
  run.max_rate = 1000;
  run.target_rate = 800;
  for (int i = 1; i <= 10; ++i) {
    // RSS 500 MiB until the warm-up ends at 60 s, then +5 MiB a minute;
    // p99 10 ms in the first quarter, 15 ms in the last.
    run.samples.push_back(Sample(60.0 * i, i == 1 ? 500 : 500 + 5 * (i - 1), 1000 * i, 2,
                                 i <= 2   ? 10
                                 : i >= 9 ? 15
                                          : 12));
  }
  run.samples[3].counts.late = 7;
  run.samples[3].counts.errors["DEADLINE_EXCEEDED"] = 2;
  return run;
}

TEST(SoakVerdictTest, WarmupIsATenthOfTheRunAndAtLeastAMinute) {
  EXPECT_EQ(SoakWarmup(absl::Minutes(10)), absl::Minutes(1));
  EXPECT_EQ(SoakWarmup(absl::Hours(1)), absl::Minutes(6));
  EXPECT_EQ(SoakWarmup(absl::Seconds(20)), absl::Minutes(1));
  SoakRun hour = TenMinutes();
  hour.duration = absl::Minutes(60);
  hour.samples.clear();
  for (int i = 1; i <= 60; ++i) hour.samples.push_back(Sample(60.0 * i, 500, 0, 1, 1));
  EXPECT_EQ(WarmupSample(hour), 5u);  // the sample at 360 s
}

TEST(SoakVerdictTest, GrowthAfterWarmupAndDrift) {
  const SoakVerdict v = EvaluateSoak(TenMinutes());
  ASSERT_TRUE(v.memory_measured) << v.memory_not_measured;
  EXPECT_EQ(v.warmup_sample, 0u);  // the sample at 60 s
  EXPECT_EQ(v.rss_after_warmup, uint64_t{500} << 20);
  EXPECT_EQ(v.rss_last, uint64_t{545} << 20);
  EXPECT_DOUBLE_EQ(v.growth, 0.09);  // 45 / 500
  EXPECT_FALSE(v.memory_met);
  EXPECT_EQ(v.events_since_warmup, 9000u);
  EXPECT_DOUBLE_EQ(*v.bytes_per_event, 45.0 * (1 << 20) / 9000);

  // 10 samples: a quarter is 2; the median (nearest rank) of {10, 10} and {15, 15}.
  ASSERT_TRUE(v.latency_measured);
  EXPECT_EQ(v.p99_first_ns, 10'000'000);
  EXPECT_EQ(v.p99_last_ns, 15'000'000);
  EXPECT_DOUBLE_EQ(v.p99_drift, 1.5);
  EXPECT_DOUBLE_EQ(v.p50_drift, 1.0);

  EXPECT_EQ(v.due, 10'000u);
  EXPECT_EQ(v.late, 7u);
  EXPECT_EQ(v.completed, 10'000u);
  EXPECT_DOUBLE_EQ(v.achieved_per_second(), 100);
  EXPECT_EQ(v.errors.at("DEADLINE_EXCEEDED"), 2u);
}

TEST(SoakVerdictTest, FlatMemoryMeetsTheTarget) {
  SoakRun run = TenMinutes();
  for (SoakSample& s : run.samples) s.server_rss_bytes = uint64_t{500} << 20;
  run.samples.back().server_rss_bytes = (uint64_t{525} << 20);  // exactly +5 %
  const SoakVerdict v = EvaluateSoak(run);
  EXPECT_DOUBLE_EQ(v.growth, 0.05);
  EXPECT_TRUE(v.memory_met);
}

TEST(SoakVerdictTest, NotMeasuredWithoutASampleAfterTheWarmupOrWithoutRss) {
  SoakRun short_run = TenMinutes();
  short_run.duration = absl::Seconds(20);
  short_run.samples = {Sample(10, 100, 10, 1, 5), Sample(20, 120, 20, 1, 6)};
  SoakVerdict v = EvaluateSoak(short_run);
  EXPECT_FALSE(v.memory_measured);
  EXPECT_THAT(v.memory_not_measured, HasSubstr("no sample after the warm-up"));
  EXPECT_TRUE(v.latency_measured);  // one sample per quarter
  EXPECT_DOUBLE_EQ(v.p99_drift, 1.2);

  SoakRun remote = TenMinutes();
  for (SoakSample& s : remote.samples) s.server_measured = false;
  v = EvaluateSoak(remote);
  EXPECT_FALSE(v.memory_measured);
  EXPECT_THAT(v.memory_not_measured, HasSubstr("own server"));

  SoakRun one = TenMinutes();
  one.samples.resize(1);
  EXPECT_FALSE(EvaluateSoak(one).latency_measured);
}

TEST(SoakReportTest, TextPrintsTheSeriesAndTheVerdict) {
  Report r;
  r.soak = TenMinutes();
  r.soak->mix = "IdentifyLead 70%, lifecycle 20%, queries 10%";
  const std::string text = RenderText(r);
  EXPECT_THAT(text, HasSubstr("Soak (growth mix): 10m open loop at 0.80 x the maximum append rate, sampled every 1m"));
  EXPECT_THAT(text, HasSubstr("target: 800 arrivals/s (IdentifyLead 70%"));
  EXPECT_THAT(text, HasSubstr("  T s"));
  EXPECT_THAT(text, HasSubstr("545 MiB"));
  EXPECT_THAT(text, HasSubstr("DEADLINE_EXCEEDED 2"));
  EXPECT_THAT(text, HasSubstr("total: 10,000 due, 10,000 sent, 7 late (0.07%)"));
  EXPECT_THAT(
      text, HasSubstr("verdict (growth mix): memory growth after warm-up +9.0% (RSS 500 MiB at 60 s -> 545 MiB at 600 s) "
                      "[MISSED] target <= 5%; 5,243 B per event written since (9,000 events)"));
  EXPECT_THAT(text, HasSubstr("p99 10.00 -> 15.00 ms (x1.50), p50 2.00 -> 2.00 ms (x1.00)"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Targets (issue #6)")));
}

SoakRun Steady() {
  SoakRun run = TenMinutes();
  run.mix_name = "steady";
  run.population_leads = 20'000;
  run.population_seconds = 5.5;
  run.head_before = LogHead{20'011, "ab12cd34ef56aa"};
  run.head_after = LogHead{20'011, "ab12cd34ef56aa"};
  return run;
}

TEST(SoakVerdictTest, SteadyHeadUnchangedOnlyWhenPositionAndDigestAreEqual) {
  SoakVerdict v = EvaluateSoak(Steady());
  EXPECT_TRUE(v.head_checked);
  EXPECT_TRUE(v.head_unchanged);

  SoakRun moved = Steady();
  moved.head_after->position = 20'012;
  v = EvaluateSoak(moved);
  EXPECT_TRUE(v.head_checked);
  EXPECT_FALSE(v.head_unchanged);

  SoakRun rewritten = Steady();
  rewritten.head_after->digest = "ffff";
  EXPECT_FALSE(EvaluateSoak(rewritten).head_unchanged);

  SoakRun unread = Steady();
  unread.head_after.reset();
  EXPECT_FALSE(EvaluateSoak(unread).head_checked);
  EXPECT_FALSE(EvaluateSoak(TenMinutes()).head_checked);  // growth: no head read
}

TEST(SoakReportTest, SteadyTextNamesTheMixAndTheHead) {
  Report r;
  r.soak = Steady();
  std::string text = RenderText(r);
  EXPECT_THAT(text, HasSubstr("Soak (steady mix): 10m open loop at 0.80 x the maximum steady-mix rate"));
  EXPECT_THAT(text, HasSubstr("population: 20,000 leads created in 5.5 s"));
  EXPECT_THAT(text, HasSubstr("maximum: the steady mix at 64 in flight (closed loop)"));
  EXPECT_THAT(text, HasSubstr("verdict (steady mix): memory growth after warm-up +9.0%"));
  EXPECT_THAT(text, HasSubstr("verdict (steady mix): latency drift"));
  EXPECT_THAT(text, HasSubstr("verdict (steady mix): log head 20,011 (digest ab12cd34ef56) after the population, "
                              "20,011 (digest ab12cd34ef56) after the drain: unchanged [met]"));
  r.soak->head_after->position = 20'100;
  EXPECT_THAT(RenderText(r), HasSubstr("MOVED [MISSED]"));
  r.soak->head_after.reset();
  r.soak->head_not_read = "Audit.GetLogDigest: UNAVAILABLE";
  EXPECT_THAT(RenderText(r), HasSubstr("log head not read: Audit.GetLogDigest: UNAVAILABLE"));
}

TEST(SoakReportTest, SteadyJsonHoldsTheHeads) {
  Report r;
  r.soak = Steady();
  const std::string json = RenderJson(r);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  const auto& soak = parsed.fields().at("soak").struct_value().fields();
  EXPECT_EQ(soak.at("mix_name").string_value(), "steady");
  EXPECT_EQ(soak.at("population_leads").number_value(), 20'000);
  EXPECT_EQ(soak.at("head_before").struct_value().fields().at("position").number_value(), 20'011);
  EXPECT_EQ(soak.at("head_after").struct_value().fields().at("digest").string_value(), "ab12cd34ef56aa");
  const auto& verdict = soak.at("verdict").struct_value().fields();
  EXPECT_TRUE(verdict.at("head_checked").bool_value());
  EXPECT_TRUE(verdict.at("head_unchanged").bool_value());
}

TEST(SoakReportTest, JsonHoldsTheSamplesAndTheVerdict) {
  Report r;
  r.soak = TenMinutes();
  const std::string json = RenderJson(r);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  const auto& soak = parsed.fields().at("soak").struct_value().fields();
  EXPECT_EQ(soak.at("samples").list_value().values_size(), 10);
  EXPECT_EQ(soak.at("target_per_s").number_value(), 800);
  const auto& first = soak.at("samples").list_value().values(0).struct_value().fields();
  EXPECT_EQ(first.at("server_rss_bytes").number_value(), 500 << 20);
  EXPECT_EQ(first.at("latency").struct_value().fields().at("p99_ms").number_value(), 10);
  const auto& verdict = soak.at("verdict").struct_value().fields();
  EXPECT_DOUBLE_EQ(verdict.at("growth").number_value(), 0.09);
  EXPECT_FALSE(verdict.at("memory_met").bool_value());
  EXPECT_EQ(verdict.at("p99_drift").number_value(), 1.5);
  EXPECT_EQ(verdict.at("late").number_value(), 7);
}

}  // namespace
}  // namespace salesops::bench
