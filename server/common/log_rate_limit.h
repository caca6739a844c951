// LogRateLimiter: at most `per_second` lines pass in any one-second window;
// the rest are counted, and the next line that passes says how many were
// suppressed. For log lines a caller can cause at will (libprotobuf's parse
// errors, refused calls), so that no caller can flood the disk.
//
// Thread-safe.
#ifndef SALESOPS_SERVER_COMMON_LOG_RATE_LIMIT_H_
#define SALESOPS_SERVER_COMMON_LOG_RATE_LIMIT_H_

#include <cstdint>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace salesops {

class LogRateLimiter {
 public:
  explicit LogRateLimiter(uint32_t per_second) : per_second_(per_second) {}

  // nullopt: drop this line. Otherwise log it; the value is how many lines
  // were dropped since the last one that passed (0 usually).
  std::optional<uint64_t> Admit(absl::Time now) {
    absl::MutexLock lock(&mu_);
    if (now - window_start_ >= absl::Seconds(1)) {
      window_start_ = now;
      in_window_ = 0;
    }
    if (in_window_ >= per_second_) {
      ++suppressed_;
      return std::nullopt;
    }
    ++in_window_;
    const uint64_t dropped = suppressed_;
    suppressed_ = 0;
    return dropped;
  }

 private:
  const uint32_t per_second_;
  absl::Mutex mu_;
  absl::Time window_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint32_t in_window_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_LOG_RATE_LIMIT_H_
