#include "tests/common/test_certs.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/openssl_exit.h"

namespace salesops::testing {
namespace {

// The tests that speak TLS link this file: their processes, like the
// programs' main(), keep OpenSSL until exit (server/common/openssl_exit.h).
// It takes effect only as OpenSSL's first initialization — true while no
// other static initializer uses OpenSSL (gRPC and libpq start it lazily) —
// and only in test binaries that link this file (the others that speak TLS
// do it through the programs they start).
[[maybe_unused]] const bool kOpenSslKeptUntilExit = (KeepOpenSslUntilExit(), true);

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "test certificates: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

template <typename T>
T* Check(T* p, const char* what) {
  if (p == nullptr) Fail(what);
  return p;
}

void Check(int ok, const char* what) {
  if (ok <= 0) Fail(what);
}

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

KeyPtr NewKey() { return KeyPtr(Check(EVP_EC_gen("P-256"), "EVP_EC_gen")); }

std::string Pem(X509* cert) {
  BIO* bio = Check(BIO_new(BIO_s_mem()), "BIO_new");
  Check(PEM_write_bio_X509(bio, cert), "PEM_write_bio_X509");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string Pem(EVP_PKEY* key) {
  BIO* bio = Check(BIO_new(BIO_s_mem()), "BIO_new");
  Check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = Check(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()), "X509V3_EXT_conf_nid");
  Check(X509_add_ext(cert, ext, -1), "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `common_name`, issued by `issuer`
// (nullptr: self-issued); the caller signs it.
X509Ptr NewCertificate(EVP_PKEY* key, const std::string& common_name, absl::Duration not_before,
                       absl::Duration not_after, X509* issuer) {
  X509Ptr cert(Check(X509_new(), "X509_new"));
  Check(X509_set_version(cert.get(), 2), "X509_set_version");
  unsigned char serial[16];
  Check(RAND_bytes(serial, sizeof(serial)), "RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = Check(BN_bin2bn(serial, sizeof(serial), nullptr), "BN_bin2bn");
  Check(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr, "BN_to_ASN1_INTEGER");
  BN_free(bn);
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), absl::ToInt64Seconds(not_before)) != nullptr, "notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), absl::ToInt64Seconds(not_after)) != nullptr, "notAfter");
  X509_NAME* name = X509_get_subject_name(cert.get());
  Check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("salesops tests"),
                                   -1, -1, 0),
        "X509_NAME O");
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
        "X509_NAME CN");
  Check(X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name), "issuer");
  Check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  return cert;
}

}  // namespace

struct TestCa::Keys {
  KeyPtr key;
  X509Ptr cert;
};

TestCa::TestCa(const std::string& name) : keys_(std::make_unique<Keys>()) {
  keys_->key = NewKey();
  keys_->cert = NewCertificate(keys_->key.get(), name, absl::Minutes(-5), absl::Hours(24 * 30), nullptr);
  X509* cert = keys_->cert.get();
  AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(cert, cert, NID_subject_key_identifier, "hash");
  Check(X509_sign(cert, keys_->key.get(), EVP_sha256()), "X509_sign CA");
  self_ = {Pem(cert), Pem(keys_->key.get())};
}

TestCa::~TestCa() = default;

CertifiedKey TestCa::Issue(const CertificateRequest& request) const {
  KeyPtr key = NewKey();
  X509Ptr cert = NewCertificate(key.get(), request.common_name, request.not_before, request.not_after,
                                keys_->cert.get());
  X509* c = cert.get();
  AddExtension(c, keys_->cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(c, keys_->cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  AddExtension(c, keys_->cert.get(), NID_ext_key_usage,
               !request.server ? "clientAuth" : request.also_client ? "serverAuth,clientAuth" : "serverAuth");
  AddExtension(c, keys_->cert.get(), NID_subject_key_identifier, "hash");
  AddExtension(c, keys_->cert.get(), NID_authority_key_identifier, "keyid:always");
  std::vector<std::string> names;
  for (const std::string& dns : request.dns_names) names.push_back("DNS:" + dns);
  for (const std::string& uri : request.uris) names.push_back("URI:" + uri);
  if (request.loopback_ip) names.push_back("IP:127.0.0.1");
  if (!names.empty()) AddExtension(c, keys_->cert.get(), NID_subject_alt_name, absl::StrJoin(names, ","));
  Check(X509_sign(c, keys_->key.get(), EVP_sha256()), "X509_sign");
  return {Pem(c), Pem(key.get())};
}

CertifiedKey TestCa::IssueServer() const {
  return Issue({.common_name = "salesopsd", .dns_names = {"localhost"}, .uris = {}, .loopback_ip = true, .server = true});
}

CertifiedKey TestCa::IssueClient(const std::string& common_name, std::vector<std::string> uris) const {
  return Issue({.common_name = common_name, .dns_names = {}, .uris = std::move(uris)});
}

void WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::abort();
  }
}

}  // namespace salesops::testing
