#include "time_text.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace salesctl {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the Timestamp range.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

}  // namespace

absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view text) {
  absl::Time time;
  std::string error;
  const std::string input(absl::StripAsciiWhitespace(text));
  if (!absl::ParseTime(absl::RFC3339_full, input, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("bad timestamp '", text,
                                                   "': expected RFC 3339, e.g. 2026-11-28T10:00:00Z or "
                                                   "2026-11-28T18:00:00+08:00"));
  }
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(absl::Floor(since_epoch, absl::Seconds(1)));
  if (seconds < kMinSeconds || seconds > kMaxSeconds) {
    return absl::InvalidArgumentError(absl::StrCat("timestamp '", text, "' is outside years 0001..9999"));
  }
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
  return timestamp;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp, bool seconds_only) {
  const absl::Time time = absl::FromUnixSeconds(timestamp.seconds()) +
                          (seconds_only ? absl::ZeroDuration() : absl::Nanoseconds(timestamp.nanos()));
  // RFC3339_* would print the UTC offset as "+00:00"; UTC is written "Z".
  return absl::FormatTime(seconds_only ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%E*SZ", time,
                          absl::UTCTimeZone());
}

}  // namespace salesctl
