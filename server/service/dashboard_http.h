// salesopsd's HTTP listener for people (--http-listen): the managers'
// dashboard (static files compiled into the binary, server/dashboard) and
// its JSON API (json_gateway.h) with live updates as Server-Sent Events
// (event_stream.h), on cpp-httplib's threads, never gRPC's.
// docs/DASHBOARD.md says what it serves and how.
//
// Security: HTTPS with the gRPC listener's certificate and key when the
// server has one (re-read every TlsOptions::refresh_interval, so a replaced
// certificate is served without a restart); plaintext only on loopback
// unless allow_insecure, as for gRPC. Authority travels only in the
// Authorization header (no cookies: nothing for a cross-site request to
// ride on), and every response carries a strict Content-Security-Policy
// (scripts from this origin only, no inline scripts or styles) and
// nosniff / frame / referrer headers (kSecurityHeaders).
//
// Threads: httplib serves one connection per thread from a fixed pool of
// api_threads + max_event_streams threads; open event streams take at most
// max_event_streams of them (event_stream.h), so api_threads always serve
// the JSON API and the files. A JSON API call holds its thread until the
// gRPC call ends; the work runs where gRPC runs it (long reads on the
// bounded long-read pool).
#ifndef SALESOPS_SERVER_SERVICE_DASHBOARD_HTTP_H_
#define SALESOPS_SERVER_SERVICE_DASHBOARD_HTTP_H_

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "server/service/event_stream.h"
#include "server/service/json_gateway.h"
#include "server/service/tls.h"

namespace httplib {
class Server;
}

namespace salesops::service {

struct DashboardOptions {
  std::string listen;   // "HOST:PORT" (port 0: any free one); empty: no dashboard
  TlsOptions tls;       // the server's: cert, key, refresh, allow_insecure (no client CA)
  size_t api_threads = 8;
  // Server-Sent Events streams open at once (event_stream.h); each holds a
  // thread of its own, on top of api_threads.
  size_t max_event_streams = 8;
};

// FAILED_PRECONDITION for plaintext on a non-loopback address without
// tls.allow_insecure (logs a warning when allowed). Start checks it too;
// the server checks it before it opens the log.
absl::Status CheckDashboardTransport(const DashboardOptions& options);

// The headers every response carries.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

class DashboardHttp {
 public:
  // Binds and starts serving. `channel` reaches the server's own services
  // (grpc::Server::InProcessChannel) and must stay usable while this lives.
  // Errors: INVALID_ARGUMENT (a malformed address, unreadable TLS files),
  // FAILED_PRECONDITION (plaintext on a non-loopback address without
  // allow_insecure), UNAVAILABLE (cannot bind).
  static absl::StatusOr<std::unique_ptr<DashboardHttp>> Start(const DashboardOptions& options,
                                                              std::shared_ptr<grpc::Channel> channel);
  // Stops taking connections, waits for the requests being served, joins.
  ~DashboardHttp();

  int port() const { return port_; }
  bool tls() const { return tls_; }

 private:
  DashboardHttp() = default;
  struct Tls;  // the certificate reloader, when serving HTTPS
  std::unique_ptr<Tls> tls_state_;
  std::unique_ptr<JsonGateway> gateway_;
  std::unique_ptr<EventStreams> streams_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool tls_ = false;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_DASHBOARD_HTTP_H_
