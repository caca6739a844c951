// Parsing a request's bytes into its typed message, with an error a client
// can act on. gRPC's own typed parse turns every failure (invalid UTF-8 in a
// proto3 `string` field, bytes that are no message at all) into
// UNIMPLEMENTED with an empty message; these functions say which field.
#ifndef SALESOPS_SERVER_SERVICE_REQUEST_PARSE_H_
#define SALESOPS_SERVER_SERVICE_REQUEST_PARSE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace salesops::service {

// Parses `bytes` into `out` (cleared first). The fast path is one normal
// parse; only when it fails are the bytes examined again to explain why.
// Errors: INVALID_ARGUMENT "PATH: not valid UTF-8" naming the first string
// field (nested fields by path, repeated ones with their index:
// "contact.name", "products[2]"), or "request: not a valid TYPE message"
// (the message's short type name) for bytes that do not parse otherwise.
// An absent message (no bytes at all) is the empty message. Thread-safe.
absl::Status ParseRequest(const grpc::ByteBuffer& bytes, google::protobuf::Message& out);

// The explanation ParseRequest gives when the typed parse of `bytes` as a
// `type` failed: always INVALID_ARGUMENT (see above).
absl::Status ExplainUnparsable(const google::protobuf::Descriptor& type, absl::string_view bytes);

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_REQUEST_PARSE_H_
