#include "server/service/protobuf_log.h"

#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "google/protobuf/stubs/logging.h"
#include "server/common/log.h"
#include "server/common/log_rate_limit.h"

namespace salesops::service {
namespace {

LogRateLimiter& Limiter() {
  static LogRateLimiter limiter(10);
  return limiter;
}

void Handle(google::protobuf::LogLevel level, const char* filename, int line, const std::string& message) {
  const std::optional<uint64_t> dropped = Limiter().Admit(absl::Now());
  if (!dropped.has_value()) return;
  const std::string note = *dropped > 0 ? " (" + std::to_string(*dropped) + " libprotobuf lines suppressed before)" : "";
  if (level >= google::protobuf::LOGLEVEL_ERROR) {
    LogError("libprotobuf %s:%d: %s%s", filename, line, message, note);
  } else {
    LogWarning("libprotobuf %s:%d: %s%s", filename, line, message, note);
  }
}

}  // namespace

void RouteProtobufLogs() { google::protobuf::SetLogHandler(&Handle); }

}  // namespace salesops::service
