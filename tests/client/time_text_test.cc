#include "time_text.h"

#include "gtest/gtest.h"

namespace salesctl {
namespace {

// 2026-11-28T10:00:00Z
constexpr int64_t kSeconds = 1795860000;

TEST(ParseTimestampTest, AcceptsUtcAndOffsets) {
  absl::StatusOr<google::protobuf::Timestamp> utc = ParseTimestamp("2026-11-28T10:00:00Z");
  ASSERT_TRUE(utc.ok()) << utc.status();
  EXPECT_EQ(utc->seconds(), kSeconds);
  EXPECT_EQ(utc->nanos(), 0);

  absl::StatusOr<google::protobuf::Timestamp> beijing = ParseTimestamp("2026-11-28T18:00:00+08:00");
  ASSERT_TRUE(beijing.ok()) << beijing.status();
  EXPECT_EQ(beijing->seconds(), kSeconds);

  absl::StatusOr<google::protobuf::Timestamp> fraction = ParseTimestamp("2026-11-28T09:59:59.25-00:00");
  ASSERT_TRUE(fraction.ok()) << fraction.status();
  EXPECT_EQ(fraction->seconds(), kSeconds - 1);
  EXPECT_EQ(fraction->nanos(), 250000000);
}

TEST(ParseTimestampTest, RejectsOtherForms) {
  for (const char* text : {"2026-11-28", "2026-11-28 10:00:00", "2026-11-28T10:00:00", "yesterday", "",
                           "infinite-future", "2026-13-01T00:00:00Z"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseTimestamp(text).status())) << text;
  }
}

TEST(FormatTimestampTest, Rfc3339Utc) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(kSeconds);
  EXPECT_EQ(FormatTimestamp(timestamp), "2026-11-28T10:00:00Z");
  timestamp.set_nanos(250000000);
  EXPECT_EQ(FormatTimestamp(timestamp), "2026-11-28T10:00:00.25Z");
  EXPECT_EQ(FormatTimestamp(timestamp, /*seconds_only=*/true), "2026-11-28T10:00:00Z");
}

}  // namespace
}  // namespace salesctl
