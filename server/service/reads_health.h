// Whether a node's read services serve (grpc.health.v1 "salesops.reads",
// docs/OPERATIONS.md): always on an embedded server and a cluster leader;
// on a follower only while it is caught up within a bound. Pure; tested as
// a table (tests/service/reads_health_test.cc).
#ifndef SALESOPS_SERVER_SERVICE_READS_HEALTH_H_
#define SALESOPS_SERVER_SERVICE_READS_HEALTH_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace salesops::service {

struct ReadsHealthInput {
  bool follower = false;
  // A follower's last successful read of the log of record's head
  // (InfinitePast: none yet), and the time now.
  absl::Time followed_at = absl::InfinitePast();
  absl::Time now;
  uint64_t head = 0;     // the log of record's head, as last read
  uint64_t applied = 0;  // the position this node's views applied
  uint64_t max_lag = 0;  // --max-follower-lag
  // A follower that could not read the head for this long cannot vouch
  // for what it serves (--lease-duration).
  absl::Duration head_unread_for = absl::Seconds(5);
};

struct ReadsHealth {
  bool serving = true;
  std::string why_not;  // for the log line when it turns NOT_SERVING
};

ReadsHealth DecideReadsHealth(const ReadsHealthInput& in);

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_READS_HEALTH_H_
