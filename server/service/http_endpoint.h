// salesopsd's HTTP listener for operators (--metrics-listen): GET /metrics
// (the Prometheus text format) and GET /healthz (200 "ok" while serving,
// 503 with the reason otherwise). Served by cpp-httplib (Debian's
// libcpp-httplib-dev) on its own threads, never on gRPC's.
#ifndef SALESOPS_SERVER_SERVICE_HTTP_ENDPOINT_H_
#define SALESOPS_SERVER_SERVICE_HTTP_ENDPOINT_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace httplib {
class Server;
}

namespace salesops::service {

// Binds `server` to `listen` ("HOST:PORT", "[::1]:PORT"; port 0: any free
// one) and returns the bound port. INVALID_ARGUMENT for a malformed address,
// UNAVAILABLE when it cannot bind; both name `flag` ("--metrics-listen").
absl::StatusOr<int> BindHttp(httplib::Server& server, absl::string_view flag, const std::string& listen);

class HttpEndpoint {
 public:
  // What the endpoints answer: the metrics text, and the health (OK while
  // serving, else why not).
  struct Handlers {
    std::function<std::string()> metrics;
    std::function<absl::Status()> health;
  };

  // Listens on `listen` ("HOST:PORT", port 0: any free one). UNAVAILABLE
  // when it cannot bind, INVALID_ARGUMENT for a malformed address.
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(const std::string& listen, Handlers handlers);
  // Stops and joins.
  ~HttpEndpoint();

  int port() const { return port_; }

 private:
  HttpEndpoint() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_HTTP_ENDPOINT_H_
