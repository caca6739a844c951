// Minimal timestamped logging to stderr (our Abseil has no absl/log).
// Thread-safe: each call writes one whole line.
#ifndef SALESOPS_SERVER_COMMON_LOG_H_
#define SALESOPS_SERVER_COMMON_LOG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace salesops {

enum class LogLevel { kInfo, kWarning, kError };

// text: "2026-11-28T01:02:03.456789Z I message"; json: one object per line,
// {"time":"2026-11-28T01:02:03.456789Z","level":"info","msg":"message"} and
// a LogFields line's fields as members. Process-wide (--log-format).
enum class LogFormat { kText, kJson };
void SetLogFormat(LogFormat format);

// Writes one line to stderr in the current format.
void LogLine(LogLevel level, absl::string_view message);

// A line of named fields (the request log): text "... I rpc method=X
// code=OK ..." (values with spaces or quotes are quoted), or JSON members.
using LogField = std::pair<absl::string_view, std::string>;
void LogFields(LogLevel level, absl::string_view message, const std::vector<LogField>& fields);

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
