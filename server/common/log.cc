#include "server/common/log.h"

#include "server/common/json_quote.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace salesops {

namespace {

std::atomic<LogFormat> format{LogFormat::kText};

const char* LevelName(LogLevel level) {
  return level == LogLevel::kInfo ? "info" : level == LogLevel::kWarning ? "warning" : "error";
}

void AppendJsonString(std::string& out, absl::string_view text) { out += JsonQuote(text); }

// One fwrite per line: stdio locks the stream, so lines never interleave.
void Write(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

std::string Now() { return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()); }

}  // namespace

void SetLogFormat(LogFormat f) { format.store(f, std::memory_order_relaxed); }

void LogLine(LogLevel level, absl::string_view message) { LogFields(level, message, {}); }

void LogFields(LogLevel level, absl::string_view message, const std::vector<LogField>& fields) {
  std::string line;
  if (format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    line = absl::StrCat("{\"time\":\"", Now(), "\",\"level\":\"", LevelName(level), "\",\"msg\":");
    AppendJsonString(line, message);
    for (const auto& [name, value] : fields) {
      line += ',';
      AppendJsonString(line, name);
      line += ':';
      AppendJsonString(line, value);
    }
    line += "}\n";
  } else {
    const char tag = level == LogLevel::kInfo ? 'I' : level == LogLevel::kWarning ? 'W' : 'E';
    line = absl::StrCat(Now(), " ", std::string(1, tag), " ", message);
    for (const auto& [name, value] : fields) {
      const bool quote = value.empty() || value.find_first_of(" \"=") != std::string::npos;
      if (quote) {
        line += absl::StrCat(" ", name, "=");
        AppendJsonString(line, value);
      } else {
        absl::StrAppend(&line, " ", name, "=", value);
      }
    }
    line += "\n";
  }
  Write(line);
}

}  // namespace salesops
