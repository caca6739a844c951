#include "server/common/progress_log.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

TEST(ProgressLogTest, SaysDoneTotalRateAndTimeLeft) {
  EXPECT_EQ(ProgressLog::Line("start-up replay", "events", 1'200'000, 2'400'000, absl::Seconds(3)),
            "start-up replay: 1,200,000 of 2,400,000 events (50 %), 400,000/s, about 3s left");
  EXPECT_EQ(ProgressLog::Line("rebuild", "events", 0, 0, absl::ZeroDuration()), "rebuild: 0 of 0 events, 0/s");
  EXPECT_EQ(ProgressLog::Line("rebuild", "events", 10, 10, absl::Seconds(1)), "rebuild: 10 of 10 events (100 %), 10/s");
}

}  // namespace
}  // namespace salesops
