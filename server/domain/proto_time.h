// Conversions between absl::Time / absl::Duration and
// google.protobuf.Timestamp / Duration.
#ifndef SALESOPS_SERVER_DOMAIN_PROTO_TIME_H_
#define SALESOPS_SERVER_DOMAIN_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace salesops {

inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1'000'000'000;
  int64_t rem = nanos % 1'000'000'000;
  if (rem < 0) rem += 1'000'000'000, --seconds;
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rem));
  return ts;
}

inline absl::Time FromProtoTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

inline google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out.set_seconds(nanos / 1'000'000'000);
  out.set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));  // same sign as seconds
  return out;
}

inline absl::Duration FromProtoDuration(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace salesops

#endif  // SALESOPS_SERVER_DOMAIN_PROTO_TIME_H_
