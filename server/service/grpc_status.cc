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

}  // namespace salesops::service
