// DecideReadsHealth as a table: when a node's read services serve.
#include "server/service/reads_health.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::service {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

struct Case {
  std::string name;
  ReadsHealthInput given;
  bool serving;
  std::string why;  // a part of the reason, when not serving
};

ReadsHealthInput Follower(absl::Duration since_read, uint64_t head, uint64_t applied) {
  return {.follower = true,
          .followed_at = kNow - since_read,
          .now = kNow,
          .head = head,
          .applied = applied,
          .max_lag = 100,
          .head_unread_for = absl::Seconds(5)};
}

TEST(ReadsHealthTest, AFollowerServesOnlyWhileCaughtUpWithinTheBound) {
  ReadsHealthInput never_read = Follower(absl::ZeroDuration(), 10, 10);
  never_read.followed_at = absl::InfinitePast();
  ReadsHealthInput leader = Follower(absl::Hours(1), 10'000, 0);
  leader.follower = false;
  const std::vector<Case> cases = {
      {"a leader serves whatever it knows of followers' limits", leader, true, ""},
      {"caught up", Follower(absl::Milliseconds(20), 500, 500), true, ""},
      {"behind by exactly the bound", Follower(absl::Milliseconds(20), 600, 500), true, ""},
      {"behind by one more than the bound", Follower(absl::Milliseconds(20), 601, 500), false,
       "101 events behind the log of record (--max-follower-lag=100)"},
      {"ahead of the head it last read", Follower(absl::Milliseconds(20), 400, 500), true, ""},
      {"head read exactly a lease duration ago", Follower(absl::Seconds(5), 500, 500), true, ""},
      {"head not read for longer than a lease duration", Follower(absl::Seconds(6), 500, 500), false,
       "has not read the log of record's head for 6s"},
      {"head never read", never_read, false, "has not read the log of record's head yet"},
  };
  for (const Case& c : cases) {
    const ReadsHealth got = DecideReadsHealth(c.given);
    EXPECT_EQ(got.serving, c.serving) << c.name;
    if (c.serving) {
      EXPECT_EQ(got.why_not, "") << c.name;
    } else {
      EXPECT_THAT(got.why_not, HasSubstr(c.why)) << c.name;
    }
  }
}

}  // namespace
}  // namespace salesops::service
