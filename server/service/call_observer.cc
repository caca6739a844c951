#include "server/service/call_observer.h"

#include "absl/strings/match.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/common/log.h"

namespace salesops::service {

namespace {

// Trailing metadata a handler adds for the request log; the interceptor
// removes it before the trailers are sent.
constexpr char kRequestIdKey[] = "salesops-internal-request-id";
constexpr char kPositionKey[] = "salesops-internal-position";

}  // namespace

void NoteCommand(grpc::ServerContextBase& context, const std::string& request_id, uint64_t position) {
  if (!request_id.empty()) context.AddTrailingMetadata(kRequestIdKey, request_id);
  if (position > 0) context.AddTrailingMetadata(kPositionKey, absl::StrCat(position));
}

class CallObserver final : public grpc::experimental::Interceptor {
 public:
  CallObserver(grpc::experimental::ServerRpcInfo* info, CallObserverFactory* owner)
      : info_(info), owner_(owner), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const absl::Duration took = absl::Now() - start_;
      const char* method = info_->method() != nullptr ? info_->method() : "";
      if (owner_->metrics_ != nullptr) owner_->metrics_->RecordCall(method, status.error_code(), took);
      std::string request_id, position;
      if (std::multimap<std::string, std::string>* trailers = methods->GetSendTrailingMetadata()) {
        for (auto it = trailers->begin(); it != trailers->end();) {
          if (it->first == kRequestIdKey) {
            request_id = it->second;
          } else if (it->first == kPositionKey) {
            position = it->second;
          } else {
            ++it;
            continue;
          }
          it = trailers->erase(it);
        }
      }
      const grpc::StatusCode code = status.error_code();
      if (code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED) {
        LogRefusal(method, status);
      }
      if (owner_->request_log_) LogRequest(method, status, took, request_id, position);
    }
    methods->Proceed();
  }

 private:
  static const char* Short(const char* method) { return method + (method[0] == '/' ? 1 : 0); }

  // The ErrorInfo reason in the status' details ("" when none).
  static std::string Reason(const grpc::Status& status) {
    google::rpc::Status rpc;
    if (status.error_details().empty() || !rpc.ParseFromString(status.error_details())) return "";
    for (const google::protobuf::Any& any : rpc.details()) {
      if (google::rpc::ErrorInfo info; any.UnpackTo(&info)) return info.reason();
    }
    return "";
  }

  std::string Member() const {
    grpc::ServerContextBase* context = info_->server_context();
    if (context == nullptr) return "unknown";
    absl::StatusOr<std::string> who = owner_->tokens_->Identify(*context);
    return who.ok() ? *who : "unknown";
  }
  std::string Peer() const {
    grpc::ServerContextBase* context = info_->server_context();
    if (context == nullptr) return "unknown";
    std::string peer = context->peer();
    const bool network = absl::StartsWith(peer, "ipv4:") || absl::StartsWith(peer, "ipv6:") ||
                         absl::StartsWith(peer, "unix:");
    if (!network) {
      const auto& metadata = context->client_metadata();
      if (auto http = metadata.find(kHttpPeerMetadata); http != metadata.end()) {
        return absl::StrCat("http:", absl::string_view(http->second.data(), http->second.size()));
      }
    }
    return peer;
  }

  void LogRefusal(const char* method, const grpc::Status& status) {
    const std::optional<uint64_t> dropped = owner_->refusals_.Admit(absl::Now());
    if (!dropped.has_value()) return;
    const std::string reason = Reason(status);
    LogWarning("refused %s: %s, member %s, peer %s%s: %s%s", Short(method),
               absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), Member(), Peer(),
               reason.empty() ? "" : absl::StrCat(", reason ", reason), status.error_message(),
               *dropped > 0 ? absl::StrCat(" (", *dropped, " refusal lines dropped before this one)") : "");
  }

  void LogRequest(const char* method, const grpc::Status& status, absl::Duration took, std::string request_id,
                  std::string position) {
    const std::optional<uint64_t> dropped = owner_->requests_.Admit(absl::Now());
    if (!dropped.has_value()) {
      if (owner_->metrics_ != nullptr) owner_->metrics_->RecordRequestLogDropped();
      return;
    }
    std::vector<LogField> fields = {
        {"method", Short(method)},
        {"member", Member()},
        {"peer", Peer()},
        {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))},
        {"latency_ms", absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(took))},
    };
    if (!status.ok()) {
      if (std::string reason = Reason(status); !reason.empty()) fields.emplace_back("reason", std::move(reason));
    }
    if (!request_id.empty()) fields.emplace_back("request_id", std::move(request_id));
    if (!position.empty()) fields.emplace_back("position", std::move(position));
    if (*dropped > 0) fields.emplace_back("dropped_before", absl::StrCat(*dropped));
    LogFields(LogLevel::kInfo, "rpc", fields);
  }

  grpc::experimental::ServerRpcInfo* const info_;
  CallObserverFactory* const owner_;
  const absl::Time start_;
};

grpc::experimental::Interceptor* CallObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallObserver(info, this);
}

}  // namespace salesops::service
