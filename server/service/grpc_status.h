// The one place where absl::Status becomes grpc::Status (and back, for a
// reply from another node): the code maps one to one, the message is
// bounded, and the error details (domain/errors.h) go into the
// grpc-status-details-bin trailer as google.rpc.Status. Storage text never gets here (the store logs
// it and returns its own words).
#ifndef SALESOPS_SERVER_SERVICE_GRPC_STATUS_H_
#define SALESOPS_SERVER_SERVICE_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace salesops::service {

inline constexpr size_t kMaxStatusMessageBytes = 1024;

grpc::Status ToGrpcStatus(const absl::Status& status);

// A status a call to another salesopsd ended with, as absl::Status with the
// details its trailer carried (none for a failure of the call itself: the
// peer unreachable, the deadline passed), so that ToGrpcStatus gives the
// caller what the peer said.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_GRPC_STATUS_H_
