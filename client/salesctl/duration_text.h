// Text form of google.protobuf.Duration for people: "3d 4h", "25m", "72h".
// Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_DURATION_TEXT_H_
#define SALESOPS_CLIENT_SALESCTL_DURATION_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"

namespace salesctl {

// Parses one or more NUMBER UNIT parts, optionally separated by spaces, with
// units d (24 h), h, m, s and ms; the number may have a fraction:
// "72h", "3d", "1d12h", "3d 4h", "90m", "1.5h", "500ms". INVALID_ARGUMENT for
// anything else (a bare number is refused: its unit would be a guess), for a
// negative duration, and beyond 10000 days (protobuf's Duration range).
absl::StatusOr<google::protobuf::Duration> ParseDuration(absl::string_view text);

// The two largest non-zero units, rounded down: "3d 4h", "4h 5m", "25m",
// "1m 30s", "45s"; "0s" for zero, "850ms" below a second; negative durations
// get a leading "-". Durations in views are ages, so minutes and seconds are
// noise beside days: the second unit is dropped when it is zero.
std::string HumanDuration(absl::Duration duration);
std::string HumanDuration(const google::protobuf::Duration& duration);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_DURATION_TEXT_H_
