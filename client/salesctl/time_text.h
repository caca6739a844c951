// Text form of google.protobuf.Timestamp: RFC 3339.
// Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_TIME_TEXT_H_
#define SALESOPS_CLIENT_SALESCTL_TIME_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"

namespace salesctl {

// Parses RFC 3339 with a 'Z' or numeric offset and optional fractional
// seconds: "2026-11-28T10:00:00Z", "2026-11-28T18:00:00+08:00",
// "2026-11-28T10:00:00.250Z". INVALID_ARGUMENT for anything else or for a
// time outside the Timestamp range (years 0001..9999).
absl::StatusOr<google::protobuf::Timestamp> ParseTimestamp(absl::string_view text);

// RFC 3339 in UTC. With `seconds_only` the fraction is dropped
// ("2026-11-28T10:00:00Z"); otherwise it is printed when non-zero
// ("2026-11-28T10:00:00.25Z").
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp, bool seconds_only = false);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_TIME_TEXT_H_
