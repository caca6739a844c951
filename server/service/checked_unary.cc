#include "server/service/checked_unary.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/log.h"
#include "server/domain/errors.h"
#include "server/service/grpc_status.h"
#include "server/service/request_parse.h"

namespace salesops::service::internal {
namespace {

const google::protobuf::ServiceDescriptor& ServiceNamed(absl::string_view service) {
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service));
  if (descriptor == nullptr) {
    LogError("checked unary methods: no service %s in the generated descriptors", service);
    std::abort();
  }
  return *descriptor;
}

bool IsUnary(const google::protobuf::MethodDescriptor& method) {
  return !method.client_streaming() && !method.server_streaming();
}

}  // namespace

absl::Status AdmitRequest(const grpc::ServerContextBase& context, const TokenAuthenticator& tokens,
                          grpc::ByteBuffer& bytes, size_t max_bytes, absl::string_view rpc,
                          google::protobuf::Message& message) {
  const size_t size = bytes.Valid() ? bytes.Length() : 0;
  if (size > max_bytes) {
    bytes.Clear();
    return errors::WithReason(absl::ResourceExhaustedError(absl::StrCat("request: ", size, " bytes, more than ",
                                                                        rpc, " takes (", max_bytes,
                                                                        " bytes, docs/API.md \"Limits\")")),
                              errors::kRequestTooLarge, {{"limit_bytes", absl::StrCat(max_bytes)}});
  }
  if (absl::StatusOr<std::string> actor = tokens.Authenticate(context); !actor.ok()) {
    bytes.Clear();
    return actor.status();
  }
  const absl::Status parsed = ParseRequest(bytes, message);
  bytes.Clear();  // the message holds what the handler needs
  return parsed;
}

grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

const google::protobuf::MethodDescriptor& UnaryMethod(absl::string_view service, const google::protobuf::Descriptor& request,
                     const google::protobuf::Descriptor& reply) {
  const google::protobuf::ServiceDescriptor& descriptor = ServiceNamed(service);
  const google::protobuf::MethodDescriptor* found = nullptr;
  for (int i = 0; i < descriptor.method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *descriptor.method(i);
    if (!IsUnary(method) || method.input_type() != &request || method.output_type() != &reply) continue;
    if (found != nullptr) {
      LogError("checked unary methods: %s has several methods from %s to %s; name them apart", service,
               request.full_name(), reply.full_name());
      std::abort();
    }
    found = &method;
  }
  if (found == nullptr) {
    LogError("checked unary methods: %s has no unary method from %s to %s", service, request.full_name(),
             reply.full_name());
    std::abort();
  }
  return *found;
}

std::vector<std::string> UncheckedUnaryMethods(absl::string_view service, const std::vector<int>& checked) {
  const google::protobuf::ServiceDescriptor& descriptor = ServiceNamed(service);
  std::vector<std::string> unchecked;
  for (int i = 0; i < descriptor.method_count(); ++i) {
    if (IsUnary(*descriptor.method(i)) && std::find(checked.begin(), checked.end(), i) == checked.end()) {
      unchecked.push_back(descriptor.method(i)->full_name());
    }
  }
  return unchecked;
}

void AbortIfUnchecked(const std::vector<std::string>& unchecked) {
  if (unchecked.empty()) return;
  LogError("unary methods not served through the checked entry (server/service/checked_unary.h): %s",
           absl::StrJoin(unchecked, ", "));
  std::abort();
}

}  // namespace salesops::service::internal
