// The dashboard's JSON API: a transcoding of salesopsd's read RPCs into
// HTTP GETs (docs/DASHBOARD.md, "JSON API"). A call
//
//   GET /api/v1/Views/GetPipeline?view.as_of_position=5
//   Authorization: Bearer TOKEN
//
// becomes the request message (query parameters are field paths, in proto
// or JSON names), is made as the gRPC call salesops.v1.Views/GetPipeline on
// an in-process channel to the server itself with the same authorization
// metadata, and its reply is printed with protobuf's JSON mapping. So the
// HTTP face has the gRPC face's authentication, read rules, validation,
// as_of / min_position handling, work pool and limits by construction: it
// is a client of them, not a copy. A failed call answers the HTTP status of
// its gRPC code (HttpStatusFor) with the call's google.rpc.Status as JSON.
//
// Thread safety: Call may be made from any number of threads at once. It
// blocks its thread until the gRPC call ends (the work itself runs where
// the gRPC service runs it: a light read on a gRPC thread, a replay on the
// long-read pool); the caller bounds its threads (dashboard_http.h).
#ifndef SALESOPS_SERVER_SERVICE_JSON_GATEWAY_H_
#define SALESOPS_SERVER_SERVICE_JSON_GATEWAY_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace salesops::service {

// Query parameters in the order they came: (name, value), names repeated
// for repeated fields.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// What an HTTP handler sends back.
struct JsonReply {
  int http_status = 200;
  std::string body;  // JSON
  // Extra response headers (WWW-Authenticate on 401, Retry-After on 429
  // and 503).
  std::vector<std::pair<std::string, std::string>> headers;
};

// The read RPCs the gateway serves, as "Service/Method" (e.g.
// "Views/GetPipeline"): Views.*, Leads.GetLead, the Audit reads but
// Subscribe (which event_stream.h serves), Team's and Orders' and
// Support's reads. Writes and Admin.* are not served.
const std::vector<std::string>& GatewayMethods();

// Fills `message` from query parameters. A name is a field path with
// dots ("view.as_of_position" or "view.asOfPosition"); a value is the
// field's text: a number, true/false, an enum value's name or number, an
// RFC 3339 time for a Timestamp, "1.5s" for a Duration; a repeated field
// takes the parameter once per element. INVALID_ARGUMENT with a BadRequest
// naming every parameter that is unknown, repeated for a single field, or
// does not parse.
absl::Status MessageFromQuery(const QueryParams& params, google::protobuf::Message& message);

// The HTTP status of a gRPC code, as google.rpc.Code documents and
// grpc-gateway maps it (INVALID_ARGUMENT 400, UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS and ABORTED 409,
// FAILED_PRECONDITION and OUT_OF_RANGE 400, RESOURCE_EXHAUSTED 429,
// CANCELLED 499, UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504,
// the rest 500).
int HttpStatusFor(grpc::StatusCode code);

// The JSON reply for a failed call: its HTTP status, the google.rpc.Status
// (code, message and details, the Any details printed with their types)
// as the body, and WWW-Authenticate / Retry-After where they apply.
JsonReply ErrorReply(const google::rpc::Status& status);
// As ErrorReply, for an error raised before any call (errors::ToRpcStatus).
JsonReply ErrorReply(const absl::Status& status);
// As ErrorReply, for a failed gRPC call: its details when it carries them
// (grpc-status-details-bin), else its code and message.
JsonReply ErrorReply(const grpc::Status& status);

// `message` in protobuf's JSON mapping (lowerCamelCase names, 64-bit
// integers as strings, enums by name), with fields at their default value
// printed too, so that a count of 0 reads 0 rather than missing.
std::string ToJson(const google::protobuf::Message& message);

class JsonGateway {
 public:
  // `channel` reaches the server's own services (grpc::Server's
  // InProcessChannel). `max_call_time` bounds each call (the gRPC deadline):
  // a min_position wait is at most 60 s (docs/API.md).
  JsonGateway(std::shared_ptr<grpc::Channel> channel, absl::Duration max_call_time = absl::Seconds(70))
      : channel_(std::move(channel)), max_call_time_(max_call_time) {}

  // Makes the call `method` ("Views/GetPipeline", one of GatewayMethods)
  // with the request `params` describe and the `authorization` header's
  // value, and answers its reply or error. NOT_FOUND (404) for a method the
  // gateway does not serve. `peer` ("IP:PORT", the HTTP client) is named in
  // the server's request and refusal logs (call_observer.h).
  JsonReply Call(absl::string_view method, const QueryParams& params, absl::string_view authorization,
                 absl::string_view peer = "") const;

 private:
  const std::shared_ptr<grpc::Channel> channel_;
  const absl::Duration max_call_time_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_JSON_GATEWAY_H_
