#include "duration_text.h"

#include "gtest/gtest.h"

namespace salesctl {
namespace {

int64_t Seconds(absl::string_view text) {
  absl::StatusOr<google::protobuf::Duration> d = ParseDuration(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.ok() ? d->seconds() : -1;
}

TEST(ParseDurationTest, UnitsAndCombinations) {
  EXPECT_EQ(Seconds("72h"), 72 * 3600);
  EXPECT_EQ(Seconds("3d"), 3 * 86400);
  EXPECT_EQ(Seconds("1d12h"), 36 * 3600);
  EXPECT_EQ(Seconds("3d 4h"), 3 * 86400 + 4 * 3600);
  EXPECT_EQ(Seconds(" 90m "), 90 * 60);
  EXPECT_EQ(Seconds("1.5h"), 5400);
  EXPECT_EQ(Seconds("45s"), 45);
  EXPECT_EQ(Seconds("2H"), 7200);
  absl::StatusOr<google::protobuf::Duration> ms = ParseDuration("1500ms");
  ASSERT_TRUE(ms.ok()) << ms.status();
  EXPECT_EQ(ms->seconds(), 1);
  EXPECT_EQ(ms->nanos(), 500000000);
}

TEST(ParseDurationTest, RefusesWhatWouldBeAGuess) {
  for (const char* text : {"", "72", "h", "3 days", "-3h", "3d-4h", "1e3h", "3w", "10001d"}) {
    absl::StatusOr<google::protobuf::Duration> d = ParseDuration(text);
    EXPECT_TRUE(absl::IsInvalidArgument(d.status())) << "'" << text << "' gave " << d.status();
  }
  EXPECT_EQ(ParseDuration("72").status().message(),
            "bad duration '72': a number needs a unit (d, h, m, s or ms), e.g. 72h");
}

TEST(FormatDurationTest, TwoLargestUnits) {
  EXPECT_EQ(HumanDuration(absl::Hours(76)), "3d 4h");
  EXPECT_EQ(HumanDuration(absl::Hours(76) + absl::Minutes(59)), "3d 4h");  // rounded down
  EXPECT_EQ(HumanDuration(absl::Hours(72) + absl::Minutes(5)), "3d");      // a zero second unit is left out
  EXPECT_EQ(HumanDuration(absl::Minutes(25)), "25m");
  EXPECT_EQ(HumanDuration(absl::Seconds(90)), "1m 30s");
  EXPECT_EQ(HumanDuration(absl::Seconds(45)), "45s");
  EXPECT_EQ(HumanDuration(absl::Hours(4) + absl::Minutes(5)), "4h 5m");
  EXPECT_EQ(HumanDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(HumanDuration(absl::Milliseconds(850)), "850ms");
  EXPECT_EQ(HumanDuration(-absl::Hours(26)), "-1d 2h");

  google::protobuf::Duration proto;
  proto.set_seconds(187200);
  EXPECT_EQ(HumanDuration(proto), "2d 4h");
}

}  // namespace
}  // namespace salesctl
