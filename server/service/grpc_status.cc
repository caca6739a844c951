#include "server/service/grpc_status.h"

#include <string>

#include "server/domain/errors.h"

namespace salesops::service {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message(status.message());
  if (message.size() > kMaxStatusMessageBytes) {
    // Cut on a UTF-8 character boundary.
    size_t cut = kMaxStatusMessageBytes;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    message.resize(cut);
    message += "...";
  }
  // absl::StatusCode and grpc::StatusCode share their numbering (both follow
  // google.rpc.Code).
  // The details travel, serialized as google.rpc.Status, in the
  // grpc-status-details-bin trailer.
  const std::string details = errors::ToRpcStatus(status, message).SerializeAsString();
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message, details);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details()) &&
      details.code() == static_cast<int32_t>(status.error_code())) {
    details.set_message(status.error_message());
    return errors::FromRpcStatus(details);
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace salesops::service
