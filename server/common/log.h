// Minimal timestamped logging to stderr (our Abseil has no absl/log).
// Thread-safe: each call writes one whole line.
#ifndef SALESOPS_SERVER_COMMON_LOG_H_
#define SALESOPS_SERVER_COMMON_LOG_H_

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace salesops {

enum class LogLevel { kInfo, kWarning, kError };

// Writes "2026-11-28T01:02:03.456789Z I message\n" to stderr.
void LogLine(LogLevel level, absl::string_view message);

template <typename... Args>
void LogInfo(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogLine(LogLevel::kInfo, absl::StrFormat(format, args...));
}
template <typename... Args>
void LogWarning(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogLine(LogLevel::kWarning, absl::StrFormat(format, args...));
}
template <typename... Args>
void LogError(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogLine(LogLevel::kError, absl::StrFormat(format, args...));
}

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_LOG_H_
