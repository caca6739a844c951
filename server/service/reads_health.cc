#include "server/service/reads_health.h"

#include "absl/strings/str_cat.h"

namespace salesops::service {

ReadsHealth DecideReadsHealth(const ReadsHealthInput& in) {
  if (!in.follower) return {};
  if (in.followed_at == absl::InfinitePast()) {
    return {false, "this follower has not read the log of record's head yet"};
  }
  if (in.now - in.followed_at > in.head_unread_for) {
    return {false, absl::StrCat("this follower has not read the log of record's head for ",
                                absl::FormatDuration(in.now - in.followed_at), " (PostgreSQL unreachable?)")};
  }
  if (in.head > in.applied && in.head - in.applied > in.max_lag) {
    return {false, absl::StrCat("this follower is ", in.head - in.applied,
                                " events behind the log of record (--max-follower-lag=", in.max_lag, ")")};
  }
  return {};
}

}  // namespace salesops::service
