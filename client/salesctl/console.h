// What salesctl knows of its process besides its arguments and environment:
// whether its output streams are terminals, and the time. main() fills it;
// tests inject their own, so that no test depends on how it is run or on the
// passing of time.
#ifndef SALESOPS_CLIENT_SALESCTL_CONSOLE_H_
#define SALESOPS_CLIENT_SALESCTL_CONSOLE_H_

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace salesctl {

struct Console {
  bool stdout_is_terminal = false;  // isatty(1)
  bool stderr_is_terminal = false;  // isatty(2)
  // The clock progress reports are timed by (progress.h).
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_CONSOLE_H_
