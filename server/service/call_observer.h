// Every call's end, seen in one place: a gRPC server interceptor sees the
// status each call ends with, whichever service, handler or check produced
// it, so no path can forget to count or log.
//
// * Metrics: the call's method, code and latency (metrics.h).
// * Refusals: a failed authentication (UNAUTHENTICATED) or a denied call
//   (PERMISSION_DENIED) is logged with the method, the member ("unknown"
//   when the caller could not be authenticated), the peer and the reason:
//     W refused salesops.v1.Leads/IdentifyLead: UNAUTHENTICATED, member
//       unknown, peer ipv4:127.0.0.1:51844: unknown token
// * The request log: one line per call (time, method, member, peer, code,
//   latency, request_id, log position written):
//     I rpc method=salesops.v1.Leads/WinDeal member=rep1 peer=ipv4:127.0.0.1:51844
//       code=OK latency_ms=1.274 request_id=req-7 position=4711
//
// Both kinds of lines are rate-limited (the next line that passes says how
// many were dropped; dropped request-log lines are also counted in
// salesops_request_log_dropped_total), so no caller can flood the disk.
//
// Handlers tell the request log what the call wrote with NoteCommand(),
// as trailing metadata that the interceptor removes before it is sent.
#ifndef SALESOPS_SERVER_SERVICE_CALL_OBSERVER_H_
#define SALESOPS_SERVER_SERVICE_CALL_OBSERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/common/log_rate_limit.h"
#include "server/service/auth.h"
#include "server/service/metrics.h"

namespace salesops::service {

// The dashboard's calls come over an in-process channel, whose peer says
// nothing; this metadata carries the HTTP client's address ("IP:PORT") for
// the logs. It is believed only on a call whose own peer is not a network
// address, so a gRPC client cannot use it to hide its own.
inline constexpr char kHttpPeerMetadata[] = "salesops-http-peer";

struct CallObserverOptions {
  uint32_t refusal_lines_per_second = 10;
  uint32_t request_lines_per_second = 0;  // 0: no request log
};

// Records on `context` what a command call wrote, for the request log.
void NoteCommand(grpc::ServerContextBase& context, const std::string& request_id, uint64_t position);

class CallObserverFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `tokens` names the member of a logged call and `metrics` counts every
  // call (may be null); both must outlive the server.
  CallObserverFactory(const TokenAuthenticator* tokens, ServerMetrics* metrics, CallObserverOptions options)
      : tokens_(tokens),
        metrics_(metrics),
        refusals_(options.refusal_lines_per_second),
        requests_(options.request_lines_per_second),
        request_log_(options.request_lines_per_second > 0) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  friend class CallObserver;
  const TokenAuthenticator* const tokens_;
  ServerMetrics* const metrics_;
  LogRateLimiter refusals_;
  LogRateLimiter requests_;
  const bool request_log_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_CALL_OBSERVER_H_
