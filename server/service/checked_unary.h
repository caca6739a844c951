// Every unary method of our services is served through one checked entry:
// the request arrives as bytes (gRPC parses nothing), and before the typed
// handler runs the entry
//
//   1. refuses a request larger than the method's limit with
//      RESOURCE_EXHAUSTED (docs/API.md "Limits"),
//   2. authenticates the bearer token (UNAUTHENTICATED), so that a caller
//      without a token makes the server parse nothing,
//   3. parses the bytes into the typed request (ParseRequest: one normal
//      parse; INVALID_ARGUMENT naming the field for invalid UTF-8 or bytes
//      that are no message).
//
// gRPC's typed path would answer a request that does not parse with
// UNIMPLEMENTED and an empty message. The typed handlers are unchanged: a
// service derives from CheckedUnaryService<v1::Leads> instead of
// v1::Leads::CallbackService, calls Check(&LeadsService::IdentifyLead) for
// each unary method in its constructor and ends it with RequireAllChecked(),
// which aborts at start when a unary method of the service was forgotten.
// The reply stays typed: gRPC serializes it when the handler finishes.
#ifndef SALESOPS_SERVER_SERVICE_CHECKED_UNARY_H_
#define SALESOPS_SERVER_SERVICE_CHECKED_UNARY_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/impl/codegen/serialization_traits.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/auth.h"

namespace salesops::service {

// The largest request a unary method takes unless Check() says otherwise:
// commands and reads are far smaller (docs/API.md "Field limits").
inline constexpr size_t kMaxRequestBytes = 1 << 20;
// The largest message gRPC receives at all (ServerBuilder's max receive
// message size, gRPC's default made explicit); Admin.ImportEvents, which
// takes batches of about 2 MiB from salesctl, may use all of it.
inline constexpr size_t kMaxMessageBytes = 4 << 20;

namespace internal {

// A request as gRPC hands it to a checked method: its bytes, taken over
// without a copy, then the message parsed from them (the bytes are dropped
// once parsed). It lives in the call's arena until the call is done, so
// handlers may keep pointing at `message` until they finish the call.
template <typename Message>
struct CheckedRequest {
  mutable grpc::ByteBuffer bytes;
  mutable Message message;
};

// Steps 1-3 above for one call: on OK `message` holds the request.
absl::Status AdmitRequest(const grpc::ServerContextBase& context, const TokenAuthenticator& tokens,
                          grpc::ByteBuffer& bytes, size_t max_bytes, absl::string_view rpc,
                          google::protobuf::Message& message);

// Finishes the call with `status` (not OK) and returns its reactor.
grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context, const absl::Status& status);

// The unary method of `service` (a full name) taking `request` and
// returning `reply`; aborts the process when there is not exactly one.
const google::protobuf::MethodDescriptor& UnaryMethod(absl::string_view service, const google::protobuf::Descriptor& request,
                     const google::protobuf::Descriptor& reply);

// The full names ("salesops.v1.Leads.GetLead") of the unary methods of
// `service` whose index is not in `checked`.
std::vector<std::string> UncheckedUnaryMethods(absl::string_view service, const std::vector<int>& checked);

// Logs `unchecked` and aborts when it is not empty.
void AbortIfUnchecked(const std::vector<std::string>& unchecked);

}  // namespace internal

// `Rpc` is the generated service class (v1::Leads); `Generated` the base the
// service would otherwise derive from.
template <typename Rpc, typename Generated = typename Rpc::CallbackService>
class CheckedUnaryService : public Generated {
 protected:
  // `tokens` must outlive the service.
  explicit CheckedUnaryService(const TokenAuthenticator* tokens) : tokens_(tokens) {}

  // Serves `method` (a typed unary handler of the derived class `Service`)
  // through the checked entry, refusing requests above `max_request_bytes`.
  // Call from the derived class's constructor only.
  template <typename Service, typename Request, typename Reply>
  void Check(grpc::ServerUnaryReactor* (Service::*method)(grpc::CallbackServerContext*, const Request*, Reply*),
             size_t max_request_bytes = kMaxRequestBytes) {
    const google::protobuf::MethodDescriptor& rpc =
        internal::UnaryMethod(Rpc::service_full_name(), *Request::descriptor(), *Reply::descriptor());
    const int index = rpc.index();
    const absl::string_view rpc_name = rpc.full_name();  // the descriptor lives as long as the process
    this->MarkMethodCallback(
        index, new grpc::internal::CallbackUnaryHandler<internal::CheckedRequest<Request>, Reply>(
                   [this, method, max_request_bytes, rpc_name](grpc::CallbackServerContext* context,
                                                     const internal::CheckedRequest<Request>* request,
                                                     Reply* reply) -> grpc::ServerUnaryReactor* {
                     const absl::Status admitted =
                         internal::AdmitRequest(*context, *tokens_, request->bytes, max_request_bytes, rpc_name,
                                                request->message);
                     if (!admitted.ok()) return internal::Refuse(context, admitted);
                     return (static_cast<Service*>(this)->*method)(context, &request->message, reply);
                   }));
    checked_.push_back(index);
  }

  // Aborts (logging the names) unless every unary method of `Rpc` was
  // Check()ed. Call at the end of the derived class's constructor.
  void RequireAllChecked() const {
    internal::AbortIfUnchecked(internal::UncheckedUnaryMethods(Rpc::service_full_name(), checked_));
  }

 private:
  const TokenAuthenticator* const tokens_;
  std::vector<int> checked_;  // method indexes; written in the constructor only
};

}  // namespace salesops::service

namespace grpc {

// gRPC's Deserialize for a checked request: takes the bytes over and
// succeeds; the checked entry parses them after the token check.
template <typename Message>
class SerializationTraits<salesops::service::internal::CheckedRequest<Message>, void> {
 public:
  static Status Deserialize(ByteBuffer* buffer, salesops::service::internal::CheckedRequest<Message>* request) {
    request->bytes.Swap(buffer);
    return Status::OK;
  }
};

}  // namespace grpc

#endif  // SALESOPS_SERVER_SERVICE_CHECKED_UNARY_H_
