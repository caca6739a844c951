// Channels to salesopsd for our clients (salesctl, salesops-bench): plaintext,
// TLS, or TLS with a client certificate (mutual TLS), as docs/SECURITY.md
// describes.
#ifndef SALESOPS_CLIENT_TLS_CHANNEL_H_
#define SALESOPS_CLIENT_TLS_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace salesops::client {

struct ChannelSecurity {
  bool tls = false;         // TLS, verifying the server against the system's CAs unless ca_file is given
  std::string ca_file;      // PEM CA certificate(s) that signed the server's certificate (implies tls)
  std::string cert_file;    // PEM client certificate for mutual TLS (implies tls; with key_file)
  std::string key_file;     // its PEM private key
  std::string server_name;  // the name the server's certificate must carry, when not the target's host

  bool UsesTls() const { return tls || !ca_file.empty() || !cert_file.empty() || !key_file.empty(); }
};

// INVALID_ARGUMENT naming the flag (--tls-ca, --tls-cert, --tls-key,
// --tls-server-name) for a file that cannot be read or is not PEM, a
// certificate without its key (or the reverse), or a server name without
// TLS.
absl::Status CheckChannelSecurity(const ChannelSecurity& security);

// A channel to `target` ("HOST:PORT"); CheckChannelSecurity's errors.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(const std::string& target, const ChannelSecurity& security,
                                                          grpc::ChannelArguments args = grpc::ChannelArguments());

}  // namespace salesops::client

#endif  // SALESOPS_CLIENT_TLS_CHANNEL_H_
