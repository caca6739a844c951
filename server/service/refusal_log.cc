#include "server/service/refusal_log.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/log.h"

namespace salesops::service {
namespace {

using grpc::experimental::InterceptionHookPoints;

class RefusalLog final : public grpc::experimental::Interceptor {
 public:
  RefusalLog(grpc::experimental::ServerRpcInfo* info, const TokenAuthenticator* tokens, LogRateLimiter* limiter)
      : info_(info), tokens_(tokens), limiter_(limiter) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
          status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
        Log(status);
      }
    }
    methods->Proceed();
  }

 private:
  void Log(const grpc::Status& status) {
    const std::optional<uint64_t> dropped = limiter_->Admit(absl::Now());
    if (!dropped.has_value()) return;
    grpc::ServerContextBase* context = info_->server_context();
    std::string member = "unknown";
    std::string peer = "unknown";
    if (context != nullptr) {
      peer = context->peer();
      if (absl::StatusOr<std::string> who = tokens_->Identify(*context); who.ok()) member = *who;
    }
    const char* method = info_->method() != nullptr ? info_->method() : "?";
    LogWarning("refused %s: %s, member %s, peer %s: %s%s", method + (method[0] == '/' ? 1 : 0),
               absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())), member, peer, status.error_message(),
               *dropped > 0 ? absl::StrCat(" (", *dropped, " refusal lines dropped before this one)") : "");
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const TokenAuthenticator* const tokens_;
  LogRateLimiter* const limiter_;
};

}  // namespace

grpc::experimental::Interceptor* RefusalLogFactory::CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) {
  return new RefusalLog(info, tokens_, &limiter_);
}

}  // namespace salesops::service
