#include "server/service/http_endpoint.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace salesops::service {

absl::StatusOr<int> BindHttp(httplib::Server& server, absl::string_view flag, const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(absl::string_view(listen).substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": expected HOST:PORT, got '", listen, "'"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port == 0) {
    port = server.bind_to_any_port(host);
    if (port <= 0) return absl::UnavailableError(absl::StrCat(flag, ": cannot listen on ", listen));
  } else if (!server.bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat(flag, ": cannot listen on ", listen));
  }
  return port;
}

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& listen, Handlers handlers) {
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint());
  endpoint->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *endpoint->server_;
  server.Get("/metrics", [metrics = handlers.metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/healthz", [health = handlers.health](const httplib::Request&, httplib::Response& response) {
    const absl::Status status = health();
    response.status = status.ok() ? 200 : 503;
    response.set_content(status.ok() ? std::string("ok\n") : absl::StrCat(status.message(), "\n"),
                         "text/plain; charset=utf-8");
  });
  absl::StatusOr<int> port = BindHttp(server, "--metrics-listen", listen);
  if (!port.ok()) return port.status();
  endpoint->port_ = *port;
  endpoint->thread_ = std::thread([&server] { server.listen_after_bind(); });
  return endpoint;
}

HttpEndpoint::~HttpEndpoint() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace salesops::service
