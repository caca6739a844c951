#include "client/tls/channel.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace salesops::client {
namespace {

absl::StatusOr<std::string> ReadPem(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path, ": ", std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is not PEM"));
  }
  return text.str();
}

// The PEM files `security` names: CA, certificate, key (empty when not named).
absl::StatusOr<grpc::SslCredentialsOptions> LoadFiles(const ChannelSecurity& security) {
  if (!security.UsesTls()) {
    if (!security.server_name.empty()) {
      return absl::InvalidArgumentError("--tls-server-name: only with TLS (--tls or --tls-ca)");
    }
    return grpc::SslCredentialsOptions();
  }
  if (security.cert_file.empty() != security.key_file.empty()) {
    return absl::InvalidArgumentError(security.cert_file.empty() ? "--tls-key: needs --tls-cert"
                                                                 : "--tls-cert: needs --tls-key");
  }
  grpc::SslCredentialsOptions ssl;
  for (const auto& [flag, path, pem] : {std::tuple{"--tls-ca", &security.ca_file, &ssl.pem_root_certs},
                                        std::tuple{"--tls-cert", &security.cert_file, &ssl.pem_cert_chain},
                                        std::tuple{"--tls-key", &security.key_file, &ssl.pem_private_key}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> text = ReadPem(flag, *path);
    if (!text.ok()) return text.status();
    *pem = *std::move(text);
  }
  return ssl;
}

}  // namespace

absl::Status CheckChannelSecurity(const ChannelSecurity& security) { return LoadFiles(security).status(); }

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(const std::string& target, const ChannelSecurity& security,
                                                          grpc::ChannelArguments args) {
  absl::StatusOr<grpc::SslCredentialsOptions> ssl = LoadFiles(security);
  if (!ssl.ok()) return ssl.status();
  if (!security.UsesTls()) return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  if (!security.server_name.empty()) args.SetSslTargetNameOverride(security.server_name);
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(*ssl), args);
}

}  // namespace salesops::client
