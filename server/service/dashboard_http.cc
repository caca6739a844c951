#include "server/service/dashboard_http.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fstream>
#include <sstream>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/common/log.h"
#include "server/dashboard/assets.h"
#include "server/service/http_endpoint.h"

namespace salesops::service {
namespace {

// Pages of the dashboard: each is index.html, which reads its path and
// query (so that a page's URL can be bookmarked and shared).
constexpr const char* kPages[] = {"/pipeline", "/workload", "/reviews", "/lead", "/audit", "/meetings"};

// The HTTP client, for the logs.
std::string PeerOf(const httplib::Request& request) {
  return absl::StrCat(request.remote_addr, ":", request.remote_port);
}

QueryParams ParamsOf(const httplib::Request& request) {
  QueryParams params;
  for (const auto& [name, value] : request.params) params.emplace_back(name, value);
  return params;
}

void Send(httplib::Response& response, const JsonReply& reply) {
  response.status = reply.http_status;
  for (const auto& [name, value] : reply.headers) response.set_header(name, value);
  response.set_header("Cache-Control", "no-store");
  response.set_content(reply.body, "application/json; charset=utf-8");
}

absl::StatusOr<std::string> ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const auto* const headers = new std::vector<std::pair<std::string, std::string>>{
      // Everything from this origin only; no inline script or style, no
      // plugins, no framing, no form posts, no <base> rewriting.
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"},
  };
  return *headers;
}

absl::Status CheckDashboardTransport(const DashboardOptions& options) {
  if (options.tls.enabled() || IsLoopbackListen(options.listen)) return absl::OkStatus();
  if (!options.tls.allow_insecure) {
    return absl::FailedPreconditionError(
        absl::StrCat("--http-listen=", options.listen,
                     " is not a loopback address: serve TLS there (--tls-cert, --tls-key) or, on a network you "
                     "trust, pass --allow-insecure (bearer tokens would cross it in the clear)"));
  }
  LogWarning("serving the dashboard over PLAINTEXT HTTP on %s (--allow-insecure): bearer tokens and all data "
             "cross the network in the clear",
             options.listen);
  return absl::OkStatus();
}

// The HTTPS certificate: read at start, then re-read (when the files
// changed) at the first handshake after each refresh interval, like gRPC's
// file watcher. A pair that does not load keeps the previous one in force.
struct DashboardHttp::Tls {
  std::string cert_file, key_file;
  absl::Duration refresh;

  absl::Mutex mu;
  X509* leaf ABSL_GUARDED_BY(mu) = nullptr;
  STACK_OF(X509)* chain ABSL_GUARDED_BY(mu) = nullptr;
  EVP_PKEY* key ABSL_GUARDED_BY(mu) = nullptr;
  std::string loaded ABSL_GUARDED_BY(mu);  // the files' text in force
  absl::Time next_check ABSL_GUARDED_BY(mu);

  ~Tls() {
    absl::MutexLock lock(&mu);
    Clear();
  }

  void Clear() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    X509_free(leaf);
    if (chain != nullptr) sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    leaf = nullptr;
    chain = nullptr;
    key = nullptr;
  }

  // Loads the files when they changed. INVALID_ARGUMENT naming the flag.
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    absl::StatusOr<std::string> cert_text = ReadFile("--tls-cert", cert_file);
    if (!cert_text.ok()) return cert_text.status();
    absl::StatusOr<std::string> key_text = ReadFile("--tls-key", key_file);
    if (!key_text.ok()) return key_text.status();
    const std::string both = *cert_text + *key_text;
    if (both == loaded) return absl::OkStatus();
    BIO* cert_bio = BIO_new_mem_buf(cert_text->data(), static_cast<int>(cert_text->size()));
    X509* new_leaf = PEM_read_bio_X509_AUX(cert_bio, nullptr, nullptr, nullptr);
    STACK_OF(X509)* new_chain = sk_X509_new_null();
    while (X509* next = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr)) sk_X509_push(new_chain, next);
    ERR_clear_error();  // the end of the PEM file reads as an error
    BIO_free(cert_bio);
    BIO* key_bio = BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size()));
    EVP_PKEY* new_key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(key_bio);
    absl::Status status;
    if (new_leaf == nullptr) {
      status = absl::InvalidArgumentError(absl::StrCat("--tls-cert: no PEM certificate in ", cert_file));
    } else if (new_key == nullptr) {
      status = absl::InvalidArgumentError(absl::StrCat("--tls-key: no PEM private key in ", key_file));
    } else if (X509_check_private_key(new_leaf, new_key) != 1) {
      status = absl::InvalidArgumentError("--tls-key: the key does not belong to the --tls-cert certificate");
    }
    if (!status.ok()) {
      ERR_clear_error();
      X509_free(new_leaf);
      sk_X509_pop_free(new_chain, X509_free);
      EVP_PKEY_free(new_key);
      return status;
    }
    Clear();
    leaf = new_leaf;
    chain = new_chain;
    key = new_key;
    loaded = both;
    return absl::OkStatus();
  }

  // SSL_CTX_set_cert_cb: the certificate for one handshake.
  static int Select(SSL* ssl, void* arg) {
    Tls* tls = static_cast<Tls*>(arg);
    absl::MutexLock lock(&tls->mu);
    if (absl::Now() >= tls->next_check) {
      tls->next_check = absl::Now() + tls->refresh;
      if (absl::Status reloaded = tls->Load(); !reloaded.ok()) {
        LogWarning("dashboard HTTPS: keeping the certificate in force: %s", reloaded.message());
      }
    }
    return SSL_use_cert_and_key(ssl, tls->leaf, tls->key, tls->chain, /*override=*/1) == 1 ? 1 : 0;
  }
};

absl::StatusOr<std::unique_ptr<DashboardHttp>> DashboardHttp::Start(const DashboardOptions& options,
                                                                    std::shared_ptr<grpc::Channel> channel) {
  std::unique_ptr<DashboardHttp> http(new DashboardHttp());
  if (options.tls.enabled()) {
    http->tls_state_ = std::make_unique<Tls>();
    Tls& tls = *http->tls_state_;
    tls.cert_file = options.tls.cert_file;
    tls.key_file = options.tls.key_file;
    tls.refresh = std::max(absl::Seconds(1), options.tls.refresh_interval);
    {
      absl::MutexLock lock(&tls.mu);
      if (absl::Status loaded = tls.Load(); !loaded.ok()) return loaded;
      tls.next_check = absl::Now() + tls.refresh;
    }
    auto server = std::make_unique<httplib::SSLServer>([&tls](SSL_CTX& context) {
      SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
      SSL_CTX_set_cert_cb(&context, &Tls::Select, &tls);
      return true;
    });
    if (!server->is_valid()) return absl::InvalidArgumentError("--http-listen: cannot set up TLS");
    http->server_ = std::move(server);
    http->tls_ = true;
  } else {
    if (!IsLoopbackListen(options.listen) && !options.tls.allow_insecure) return CheckDashboardTransport(options);
    http->server_ = std::make_unique<httplib::Server>();
  }
  http->gateway_ = std::make_unique<JsonGateway>(channel);
  http->streams_ = std::make_unique<EventStreams>(
      channel, EventStreamOptions{.max_streams = options.max_event_streams, .max_checkpoint_seconds = 15});

  httplib::Server& server = *http->server_;
  // Event streams hold their threads while they last; the JSON API and the
  // files keep api_threads whatever the streams do.
  const size_t threads = std::max<size_t>(1, options.api_threads) + options.max_event_streams;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // An idle keep-alive connection holds a thread while it waits for its
  // next request: keep that short.
  server.set_keep_alive_timeout(2);
  server.set_payload_max_length(64 << 10);
  httplib::Headers headers;
  for (const auto& [name, value] : SecurityHeaders()) headers.emplace(name, value);
  if (http->tls_) headers.emplace("Strict-Transport-Security", "max-age=31536000");
  server.set_default_headers(std::move(headers));

  EventStreams* streams = http->streams_.get();
  server.Get("/api/v1/events", [streams](const httplib::Request& request, httplib::Response& response) {
    EventStreams::Opened opened = streams->Open(ParamsOf(request), request.get_header_value("Last-Event-ID"),
                                                request.get_header_value("Authorization"), PeerOf(request));
    if (opened.stream == nullptr) {
      Send(response, opened.error);
      return;
    }
    std::shared_ptr<EventStreams::Stream> stream = std::move(opened.stream);
    response.set_header("Cache-Control", "no-store");
    response.set_chunked_content_provider(
        // Exactly this type: httplib gzips (and so holds back) any other
        // text/* body for a client that accepts gzip. SSE is UTF-8 by definition.
        "text/event-stream",
        [stream](size_t, httplib::DataSink& sink) {
          std::string text;
          const bool more = stream->Next(&text);
          if (!text.empty() && !sink.write(text.data(), text.size())) {
            stream->Cancel();  // the client went away
            return false;
          }
          if (!more) sink.done();
          return true;
        },
        [stream](bool) { stream->Cancel(); });
  });
  JsonGateway* gateway = http->gateway_.get();
  server.Get(R"(/api/v1/([A-Za-z]+/[A-Za-z]+))", [gateway](const httplib::Request& request, httplib::Response& response) {
    Send(response, gateway->Call(request.matches[1].str(), ParamsOf(request), request.get_header_value("Authorization"),
                                 PeerOf(request)));
  });
  server.Get(R"(/api/.*)", [](const httplib::Request& request, httplib::Response& response) {
    Send(response, ErrorReply(absl::NotFoundError(absl::StrCat(
                       "no JSON API at ", request.path, ": the API serves /api/v1/Service/Method (docs/DASHBOARD.md)"))));
  });
  auto static_file = [](const httplib::Request& request, httplib::Response& response) {
    absl::string_view path = request.path;
    for (const char* page : kPages) {
      if (path == page) path = "/index.html";
    }
    const dashboard::Asset* asset = dashboard::FindAsset(path);
    if (asset == nullptr) {
      response.status = 404;
      response.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    response.set_header("ETag", std::string(asset->etag));
    response.set_header("Cache-Control", "no-cache");
    if (request.get_header_value("If-None-Match") == asset->etag) {
      response.status = 304;
      return;
    }
    response.set_content(asset->body.data(), asset->body.size(), std::string(asset->content_type));
  };
  server.Get(R"(/[^/]*)", static_file);
  // Only reads are served: anything else is refused, as is a CORS
  // preflight (no Access-Control-Allow-* is ever sent).
  auto refuse = [](const httplib::Request& request, httplib::Response& response) {
    Send(response, ErrorReply(absl::UnimplementedError(
                       absl::StrCat(request.method, " is not served: the dashboard's API is read-only (GET)"))));
    response.status = 405;
    response.set_header("Allow", "GET, HEAD");
  };
  server.Post(".*", refuse);
  server.Put(".*", refuse);
  server.Delete(".*", refuse);
  server.Patch(".*", refuse);
  server.Options(".*", refuse);

  absl::StatusOr<int> port = BindHttp(server, "--http-listen", options.listen);
  if (!port.ok()) return port.status();
  http->port_ = *port;
  http->thread_ = std::thread([&server] { server.listen_after_bind(); });
  return http;
}

DashboardHttp::~DashboardHttp() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace salesops::service
