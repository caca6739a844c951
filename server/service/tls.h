// Transport security of salesopsd's listener (docs/SECURITY.md).
//
// With a certificate and key the listener speaks TLS only (1.2 or 1.3, as
// gRPC negotiates); with a client CA as well it asks every client for a
// certificate and verifies it against that CA (mutual TLS), and a verified
// certificate may stand for a member instead of a bearer token (auth.h,
// "x509:" lines). The three files are read by gRPC's file watcher, so
// replacing them rotates the certificate, key or CA without a restart
// (within `refresh_interval`); at start they are checked here first, so a
// missing, unreadable or mismatched file stops the start with a message
// naming the flag, not the first handshake.
//
// Without a certificate the listener is plaintext, which is allowed on a
// loopback address only, unless `allow_insecure` says the operator means it
// (a warning is logged then).
#ifndef SALESOPS_SERVER_SERVICE_TLS_H_
#define SALESOPS_SERVER_SERVICE_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace salesops::service {

enum class ClientCertificates {
  kOptional,  // asked for and verified when sent; a client may use a bearer token instead
  kRequired,  // every connection must present a certificate the client CA signed
};

struct TlsOptions {
  std::string cert_file;       // PEM certificate chain of the server (leaf first)
  std::string key_file;        // PEM private key of that certificate
  std::string client_ca_file;  // PEM CA certificate(s) for client certificates: mutual TLS
  ClientCertificates client_certificates = ClientCertificates::kOptional;
  // How often the files are re-read for a rotation.
  absl::Duration refresh_interval = absl::Minutes(1);
  // Plaintext on a non-loopback address.
  bool allow_insecure = false;
  // Cluster mode: PEM CA certificate(s) that signed the other nodes'
  // certificates, for the TLS calls of write forwarding; empty: the
  // system's roots.
  std::string peer_ca_file;

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// True when HOST of "HOST:PORT" is a loopback address: localhost, 127.0.0.0/8
// or ::1 (also "[::1]:PORT"). "0.0.0.0", "[::]" and names are not.
bool IsLoopbackListen(absl::string_view listen);

// The credentials for `listen`: TLS as `tls` says, or plaintext when allowed.
// INVALID_ARGUMENT naming the flag (--tls-cert, --tls-key, --tls-client-ca)
// for a file that cannot be read or is not PEM of the right kind, a key
// that does not belong to the certificate, a client CA or required client
// certificates without a server certificate; FAILED_PRECONDITION for
// plaintext on a non-loopback address without `allow_insecure`.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(absl::string_view listen,
                                                                              const TlsOptions& tls);

// The credentials this node calls another node with (cluster mode's write
// forwarding): plaintext when `tls` is off; else TLS that verifies the peer
// against tls.peer_ca_file (or the system's roots) and presents this node's
// own certificate and key (for a peer that asks for client certificates).
// The files are read once, here. INVALID_ARGUMENT naming the flag
// (--tls-peer-ca) for a file that cannot be read or holds no certificate,
// or --tls-peer-ca without TLS.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerCredentialsFor(const TlsOptions& tls);

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_TLS_H_
