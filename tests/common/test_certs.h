// Certificates made at test time with OpenSSL: a CA, and server and client
// certificates it signs (EC P-256, SHA-256). Nothing is read from or kept in
// the repository.
#ifndef SALESOPS_TESTS_COMMON_TEST_CERTS_H_
#define SALESOPS_TESTS_COMMON_TEST_CERTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace salesops::testing {

struct CertifiedKey {
  std::string cert_pem;  // the certificate (PEM)
  std::string key_pem;   // its private key (PEM, PKCS#8, unencrypted)
};

struct CertificateRequest {
  std::string common_name;
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  std::vector<std::string> uris;       // subjectAltName URI entries
  bool loopback_ip = false;            // subjectAltName IP 127.0.0.1
  bool server = false;                 // extendedKeyUsage serverAuth (else clientAuth)
  bool also_client = false;            // with `server`: clientAuth too (a cluster node serves and calls)
  // Validity: from now + not_before to now + not_after.
  absl::Duration not_before = absl::Minutes(-5);
  absl::Duration not_after = absl::Hours(24);
};

// A self-signed CA. Aborts the test process on an OpenSSL failure (a broken
// test set-up, not a finding).
class TestCa {
 public:
  explicit TestCa(const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& cert_pem() const { return self_.cert_pem; }
  CertifiedKey Issue(const CertificateRequest& request) const;
  // A certificate for salesopsd on loopback: DNS localhost, IP 127.0.0.1.
  CertifiedKey IssueServer() const;
  // A client certificate with `common_name` and optional URI names.
  CertifiedKey IssueClient(const std::string& common_name, std::vector<std::string> uris = {}) const;

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  CertifiedKey self_;
};

// Writes `text` to `path` (replacing it); aborts on failure.
void WriteTextFile(const std::string& path, const std::string& text);

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_COMMON_TEST_CERTS_H_
