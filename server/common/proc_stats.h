// What /proc says about a process: CPU time used and resident memory (the
// metrics endpoint reports its own; the bench samples its server). The
// bench samples the server it started before and after each scenario, so a
// scenario's server CPU is the difference and its RSS the value at the end.
//
// The parsers take the file contents so they can be tested on fixed text;
// ReadProcessUsage reads the real files.
#ifndef SALESOPS_SERVER_COMMON_PROC_STATS_H_
#define SALESOPS_SERVER_COMMON_PROC_STATS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace salesops {

struct ProcessUsage {
  double cpu_seconds = 0;  // user + system, since the process started
  uint64_t rss_bytes = 0;  // VmRSS now
  uint64_t peak_rss_bytes = 0;  // VmHWM: the largest RSS so far
};

// utime + stime (fields 14 and 15, in clock ticks) of a /proc/<pid>/stat
// line. The command name (field 2) is in parentheses and may itself contain
// spaces and ')', so fields are counted from the last ')'. nullopt when the
// line does not have them.
std::optional<uint64_t> ParseStatCpuTicks(absl::string_view stat);

// A "Name:  <n> kB" line of /proc/<pid>/status (e.g. "VmRSS"), in bytes;
// nullopt when absent.
std::optional<uint64_t> ParseStatusKb(absl::string_view status, absl::string_view name);

// Reads /proc/<pid>/stat and /proc/<pid>/status. NOT_FOUND when the process
// is gone, DATA_LOSS when the files do not parse.
absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid);

// This process's own CPU time (user + system, all threads), from getrusage.
double SelfCpuSeconds();

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_PROC_STATS_H_
