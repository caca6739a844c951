#include "server/service/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"

namespace salesops::service {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

absl::StatusOr<std::string> ReadFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every PEM certificate in `pem`, in order.
std::vector<X509Ptr> Certificates(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
  ERR_clear_error();  // the read that ended the loop
  return certs;
}

absl::StatusOr<std::vector<X509Ptr>> CertificatesIn(absl::string_view flag, const std::string& path) {
  SALESOPS_ASSIGN_OR_RETURN(const std::string pem, ReadFile(flag, path));
  std::vector<X509Ptr> certs = Certificates(pem);
  if (certs.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " holds no PEM certificate"));
  for (const X509Ptr& cert : certs) {
    if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0) {
      char name[256];
      X509_NAME_oneline(X509_get_subject_name(cert.get()), name, sizeof(name));
      return absl::InvalidArgumentError(absl::StrCat(flag, ": the certificate ", name, " in ", path, " has expired"));
    }
  }
  return certs;
}

absl::Status CheckFiles(const TlsOptions& tls) {
  if (tls.cert_file.empty()) return absl::InvalidArgumentError("--tls-cert: required with --tls-key");
  if (tls.key_file.empty()) return absl::InvalidArgumentError("--tls-key: required with --tls-cert");
  SALESOPS_ASSIGN_OR_RETURN(const std::vector<X509Ptr> chain, CertificatesIn("--tls-cert", tls.cert_file));
  SALESOPS_ASSIGN_OR_RETURN(const std::string key_pem, ReadFile("--tls-key", tls.key_file));
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key: ", tls.key_file, " holds no PEM private key (an encrypted key is not supported)"));
  }
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("--tls-key: ", tls.key_file,
                                                   " is not the key of the first certificate in --tls-cert ",
                                                   tls.cert_file));
  }
  if (!tls.client_ca_file.empty()) {
    SALESOPS_RETURN_IF_ERROR(CertificatesIn("--tls-client-ca", tls.client_ca_file).status());
  }
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackListen(absl::string_view listen) {
  absl::string_view host = listen;
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (absl::AsciiStrToLower(host) == "localhost" || host == "::1") return true;
  const std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  return std::all_of(octets.begin(), octets.end(), [](absl::string_view o) {
    int value = 0;
    return !o.empty() && o.size() <= 3 && absl::SimpleAtoi(o, &value) && value >= 0 && value <= 255;
  });
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(absl::string_view listen,
                                                                              const TlsOptions& tls) {
  if (!tls.enabled()) {
    if (!tls.client_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls-client-ca: needs --tls-cert and --tls-key (mutual TLS is TLS)");
    }
    if (tls.client_certificates == ClientCertificates::kRequired) {
      return absl::InvalidArgumentError("--tls-client-certificates=required: needs --tls-cert, --tls-key and --tls-client-ca");
    }
    if (!IsLoopbackListen(listen)) {
      if (!tls.allow_insecure) {
        return absl::FailedPreconditionError(
            absl::StrCat("--listen=", listen,
                         " is not a loopback address: serve TLS there (--tls-cert, --tls-key) or, on a network you "
                         "trust, pass --allow-insecure (bearer tokens would cross it in the clear)"));
      }
      LogWarning("serving PLAINTEXT on %s (--allow-insecure): bearer tokens and all data cross the network in the "
                 "clear",
                 listen);
    }
    return grpc::InsecureServerCredentials();
  }
  SALESOPS_RETURN_IF_ERROR(CheckFiles(tls));
  if (tls.client_certificates == ClientCertificates::kRequired && tls.client_ca_file.empty()) {
    return absl::InvalidArgumentError("--tls-client-certificates=required: needs --tls-client-ca");
  }
  const unsigned int refresh =
      static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(tls.refresh_interval)));
  std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> provider =
      tls.client_ca_file.empty()
          ? std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(tls.key_file, tls.cert_file, refresh)
          : std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(tls.key_file, tls.cert_file,
                                                                                 tls.client_ca_file, refresh);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(tls.client_certificates == ClientCertificates::kRequired
                                      ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                      : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerCredentialsFor(const TlsOptions& tls) {
  if (!tls.enabled()) {
    if (!tls.peer_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls-peer-ca: needs --tls-cert and --tls-key (the nodes speak TLS)");
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions ssl;
  if (!tls.peer_ca_file.empty()) {
    SALESOPS_RETURN_IF_ERROR(CertificatesIn("--tls-peer-ca", tls.peer_ca_file).status());
    SALESOPS_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile("--tls-peer-ca", tls.peer_ca_file));
  }
  SALESOPS_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadFile("--tls-cert", tls.cert_file));
  SALESOPS_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadFile("--tls-key", tls.key_file));
  return grpc::SslCredentials(ssl);
}

}  // namespace salesops::service
