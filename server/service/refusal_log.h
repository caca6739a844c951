// Every refused call in the server's log: a failed authentication
// (UNAUTHENTICATED) or a denied call (PERMISSION_DENIED), with the method,
// the member ("unknown" when the caller could not be authenticated), the
// peer address and the reason, as one line:
//
//   W refused salesops.v1.Leads/IdentifyLead: UNAUTHENTICATED, member unknown,
//     peer ipv4:127.0.0.1:51844: unknown token
//
// A gRPC server interceptor sees the status every call ends with, whichever
// service, handler or check produced it, so no refusal path can forget to
// log. Lines are rate-limited (`per_second`; the next line that passes says
// how many were dropped), so that a caller cannot flood the disk.
#ifndef SALESOPS_SERVER_SERVICE_REFUSAL_LOG_H_
#define SALESOPS_SERVER_SERVICE_REFUSAL_LOG_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "server/common/log_rate_limit.h"
#include "server/service/auth.h"

namespace salesops::service {

class RefusalLogFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `tokens` names the member of a refused call; it must outlive the server.
  RefusalLogFactory(const TokenAuthenticator* tokens, uint32_t per_second) : tokens_(tokens), limiter_(per_second) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  const TokenAuthenticator* const tokens_;
  LogRateLimiter limiter_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_REFUSAL_LOG_H_
