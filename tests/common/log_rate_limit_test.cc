// LogRateLimiter: at most N lines a second pass, and the next one that
// passes counts what was dropped.
#include "server/common/log_rate_limit.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

using ::testing::Optional;

TEST(LogRateLimiterTest, AtMostNPerSecondThenTheNextSaysHowManyWereDropped) {
  LogRateLimiter limiter(3);
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_THAT(limiter.Admit(t0), Optional(0u));
  EXPECT_THAT(limiter.Admit(t0 + absl::Milliseconds(1)), Optional(0u));
  EXPECT_THAT(limiter.Admit(t0 + absl::Milliseconds(2)), Optional(0u));
  for (int i = 0; i < 2000; ++i) EXPECT_EQ(limiter.Admit(t0 + absl::Milliseconds(500)), std::nullopt);
  EXPECT_THAT(limiter.Admit(t0 + absl::Seconds(1)), Optional(2000u));
  EXPECT_THAT(limiter.Admit(t0 + absl::Seconds(1)), Optional(0u));
}

}  // namespace
}  // namespace salesops
