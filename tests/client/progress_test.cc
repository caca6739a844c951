#include "progress.h"

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(ParseProgressModeTest, TheFourModesInAnyCase) {
  EXPECT_EQ(*ParseProgressMode("auto"), ProgressMode::kAuto);
  EXPECT_EQ(*ParseProgressMode("BAR"), ProgressMode::kBar);
  EXPECT_EQ(*ParseProgressMode("Lines"), ProgressMode::kLines);
  EXPECT_EQ(*ParseProgressMode("none"), ProgressMode::kNone);
  const absl::StatusOr<ProgressMode> bad = ParseProgressMode("fancy");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("auto, bar, lines or none"));
}

TEST(ResolveProgressStyleTest, Table) {
  const struct {
    ProgressMode mode;
    bool stderr_is_terminal;
    bool output_to_terminal;
    ProgressStyle style;
  } cases[] = {
      {ProgressMode::kAuto, true, false, ProgressStyle::kBar},
      {ProgressMode::kAuto, false, false, ProgressStyle::kLines},
      {ProgressMode::kAuto, true, true, ProgressStyle::kNone},  // the output itself is on the terminal
      {ProgressMode::kAuto, false, true, ProgressStyle::kLines},
      {ProgressMode::kBar, false, false, ProgressStyle::kBar},
      {ProgressMode::kLines, true, true, ProgressStyle::kLines},
      {ProgressMode::kNone, true, false, ProgressStyle::kNone},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ResolveProgressStyle(c.mode, c.stderr_is_terminal, c.output_to_terminal), c.style)
        << static_cast<int>(c.mode) << " " << c.stderr_is_terminal << " " << c.output_to_terminal;
  }
}

// Given samples (seconds after the start, units done), then the rate.
TEST(RateEstimatorTest, Table) {
  const struct {
    const char* name;
    std::vector<std::pair<double, uint64_t>> samples;
    std::optional<double> per_second;
  } cases[] = {
      {"no sample: no rate", {}, std::nullopt},
      {"one sample: no rate", {{0, 0}}, std::nullopt},
      {"two at the same moment: no rate", {{0, 0}, {0, 50}}, std::nullopt},
      {"since the start while the history is shorter than the window", {{0, 0}, {2, 400}, {4, 1000}}, 250},
      {"over the last 10 s once there is more", {{0, 0}, {5, 500}, {10, 1000}, {15, 1100}}, 60},
      {"a pause shows as a falling rate", {{0, 0}, {10, 1000}, {20, 1000}}, 0},
      {"samples closer than 100 ms replace each other",
       {{0, 0}, {1, 100}, {1.05, 160}, {1.08, 190}},
       190 / 1.08},
  };
  for (const auto& c : cases) {
    RateEstimator rate(absl::Seconds(10));
    for (const auto& [seconds, done] : c.samples) rate.Add(kStart + absl::Seconds(seconds), done);
    if (c.per_second.has_value()) {
      ASSERT_TRUE(rate.PerSecond().has_value()) << c.name;
      EXPECT_NEAR(*rate.PerSecond(), *c.per_second, 1e-6) << c.name;
    } else {
      EXPECT_EQ(rate.PerSecond(), std::nullopt) << c.name;
    }
  }
}

TEST(RateEstimatorTest, ManySamplesKeepTheRightRate) {
  RateEstimator rate(absl::Seconds(10));
  for (uint64_t ms = 0; ms <= 60'000; ++ms) rate.Add(kStart + absl::Milliseconds(ms), ms * 3);
  ASSERT_TRUE(rate.PerSecond().has_value());
  EXPECT_NEAR(*rate.PerSecond(), 3000, 1);
}

TEST(ProgressFormatTest, RatesAndTimeLeft) {
  EXPECT_EQ(FormatRate(2.54), "2.5/s");
  EXPECT_EQ(FormatRate(3400.7), "3,400/s");
  EXPECT_EQ(FormatRate(1234567), "1,234,567/s");
  EXPECT_EQ(TimeLeft({100, 1000, absl::Seconds(1), 100.0}), absl::Seconds(9));
  EXPECT_EQ(TimeLeft({100, 1000, absl::Seconds(1), 7.0}), absl::Seconds(129));  // 128.6 rounded up
  EXPECT_EQ(TimeLeft({100, std::nullopt, absl::Seconds(1), 100.0}), std::nullopt);
  EXPECT_EQ(TimeLeft({100, 1000, absl::Seconds(1), std::nullopt}), std::nullopt);
  EXPECT_EQ(TimeLeft({100, 1000, absl::Seconds(1), 0.0}), std::nullopt);
  EXPECT_EQ(TimeLeft({1000, 1000, absl::Seconds(1), 10.0}), std::nullopt);
}

TEST(ProgressFormatTest, BarLineAndDoneLine) {
  const ProgressSnapshot snapshot{1200, 3000, absl::Seconds(4), 3400.0};
  EXPECT_EQ(FormatBar("export", "events", snapshot),
            "export  [████████░░░░░░░░░░░░]   40%  1,200/3,000 events  3,400/s  1s left");
  EXPECT_EQ(FormatBar("export", "events", {1200, std::nullopt, absl::Seconds(4), std::nullopt}),
            "export  1,200 events");
  EXPECT_EQ(FormatBar("export", "events", {5, 0, absl::Seconds(1), std::nullopt}, 4),
            "export  [████]  100%  5/0 events");
  EXPECT_EQ(FormatProgressLine("export", "events", snapshot),
            "salesctl export: 1,200 of 3,000 events (40%), 3,400/s, about 1s left");
  EXPECT_EQ(FormatProgressLine("import", "events", {7, std::nullopt, absl::Seconds(4), 2.0}),
            "salesctl import: 7 events, 2.0/s");
  EXPECT_EQ(FormatDoneLine("export", "events", {3000, 3000, absl::Milliseconds(2100), 100.0}),
            "salesctl export: 3,000 events in 2.1s (1,428/s)");
  EXPECT_EQ(FormatDoneLine("export", "events", {3000, 3000, absl::Seconds(90), 100.0}),
            "salesctl export: 3,000 events in 1m 30s (33/s)");
  EXPECT_EQ(FormatDoneLine("export", "events", {0, 0, absl::ZeroDuration(), std::nullopt}),
            "salesctl export: 0 events in 0s");
  EXPECT_EQ(FormatDoneLine("export", "events", {8, 8, absl::Milliseconds(14), std::nullopt}),
            "salesctl export: 8 events in 14ms (571/s)");
}

// Given a style and a total, when the operation reports at these moments,
// then stderr holds exactly this.
struct Step {
  enum Kind { kUpdate, kFinish, kAbandon } kind;
  double at_seconds;
  uint64_t done = 0;
};

struct ProgressCase {
  const char* name;
  ProgressStyle style;
  std::optional<uint64_t> total;
  std::vector<Step> steps;
  std::string err;
};

TEST(ProgressTest, Table) {
  const ProgressCase cases[] = {
      {"lines: one every 2 s, then the done line",
       ProgressStyle::kLines,
       1000,
       {{Step::kUpdate, 0.5, 100},
        {Step::kUpdate, 2, 400},
        {Step::kUpdate, 3, 500},
        {Step::kUpdate, 4.5, 900},
        {Step::kFinish, 5, 1000}},
       "salesctl export: 400 of 1,000 events (40%), 200/s, about 3s left\n"
       "salesctl export: 900 of 1,000 events (90%), 200/s, about 1s left\n"
       "salesctl export: 1,000 events in 5.0s (200/s)\n"},
      {"lines: a short operation writes only the done line",
       ProgressStyle::kLines,
       10,
       {{Step::kUpdate, 0.2, 5}, {Step::kFinish, 0.4, 10}},
       "salesctl export: 10 events in 400ms (25/s)\n"},
      {"lines: without a total, no percentage nor time left",
       ProgressStyle::kLines,
       std::nullopt,
       {{Step::kUpdate, 2, 300}, {Step::kFinish, 2.5, 400}},
       "salesctl export: 300 events, 150/s\n"
       "salesctl export: 400 events in 2.5s (160/s)\n"},
      {"lines: a failed operation stops without a done line",
       ProgressStyle::kLines,
       1000,
       {{Step::kUpdate, 2, 100}, {Step::kAbandon, 3}},
       "salesctl export: 100 of 1,000 events (10%), 50/s, about 18s left\n"},
      {"bar: redrawn in place at most every 100 ms, its line ended when done",
       ProgressStyle::kBar,
       200,
       {{Step::kUpdate, 0.05, 10},
        {Step::kUpdate, 0.1, 20},
        {Step::kUpdate, 0.15, 30},
        {Step::kFinish, 0.2, 200}},
       "\rexport  [██░░░░░░░░░░░░░░░░░░]   10%  20/200 events  200/s  1s left\x1b[K"
       "\rexport  [████████████████████]  100%  200/200 events  1,000/s\x1b[K\n"},
      {"bar: an operation that stops ends the bar's line, so the error starts a line",
       ProgressStyle::kBar,
       200,
       {{Step::kUpdate, 0.2, 50}, {Step::kAbandon, 0.3}},
       "\rexport  [█████░░░░░░░░░░░░░░░]   25%  50/200 events  250/s  1s left\x1b[K\n"},
      {"bar: nothing drawn yet, nothing to end",
       ProgressStyle::kBar,
       200,
       {{Step::kUpdate, 0.05, 50}, {Step::kAbandon, 0.06}},
       ""},
      {"none: nothing at all",
       ProgressStyle::kNone,
       200,
       {{Step::kUpdate, 3, 50}, {Step::kFinish, 6, 200}},
       ""},
  };
  for (const ProgressCase& c : cases) {
    absl::Time now = kStart;
    std::ostringstream err;
    {
      Progress progress(c.style, "export", "events", err, [&now] { return now; });
      if (c.total.has_value()) progress.SetTotal(*c.total);
      for (const Step& step : c.steps) {
        now = kStart + absl::Seconds(step.at_seconds);
        switch (step.kind) {
          case Step::kUpdate:
            progress.Update(step.done);
            break;
          case Step::kFinish:
            progress.Finish(step.done);
            break;
          case Step::kAbandon:
            progress.Abandon();
            break;
        }
      }
    }
    EXPECT_EQ(err.str(), c.err) << c.name;
  }
}

TEST(ProgressTest, DestroyingADrawnBarEndsItsLine) {
  absl::Time now = kStart;
  std::ostringstream err;
  {
    Progress progress(ProgressStyle::kBar, "import", "events", err, [&now] { return now; });
    now += absl::Seconds(1);
    progress.Update(7);
  }
  EXPECT_EQ(err.str(), "\rimport  7 events  7.0/s\x1b[K\n");
}

}  // namespace
}  // namespace salesctl
