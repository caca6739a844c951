#include "server/service/tls.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_certs.h"
#include "tests/common/testing.h"

namespace salesops::service {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::salesops::testing::TempDir;
using ::salesops::testing::TestCa;
using ::salesops::testing::WriteTextFile;
using ::testing::HasSubstr;

TEST(IsLoopbackListenTest, OnlyLoopbackAddressesAre) {
  for (const char* yes : {"127.0.0.1:50051", "127.1.2.3:1", "localhost:50051", "LOCALHOST:1", "[::1]:50051"}) {
    EXPECT_TRUE(IsLoopbackListen(yes)) << yes;
  }
  for (const char* no : {"0.0.0.0:50051", "[::]:50051", "10.0.0.1:50051", "example.com:50051", "127.0.0.1.example:1",
                         "128.0.0.1:1", "127.0.0:1", "127.0.0.256:1", "[::1:1", ":50051"}) {
    EXPECT_FALSE(IsLoopbackListen(no)) << no;
  }
}

TEST(ServerCredentialsTest, PlaintextOnlyOnLoopbackUnlessAllowed) {
  EXPECT_THAT(ServerCredentialsFor("127.0.0.1:0", TlsOptions()), IsOk());
  EXPECT_THAT(ServerCredentialsFor("0.0.0.0:50051", TlsOptions()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--allow-insecure")));
  EXPECT_THAT(ServerCredentialsFor("0.0.0.0:50051", TlsOptions{.allow_insecure = true}), IsOk());
}

TEST(ServerCredentialsTest, ChecksTheFilesNamingTheFlag) {
  TempDir dir;
  TestCa ca("unit CA");
  const testing::CertifiedKey server = ca.IssueServer(), other = ca.IssueServer();
  WriteTextFile(dir.path() + "/cert.pem", server.cert_pem);
  WriteTextFile(dir.path() + "/key.pem", server.key_pem);
  WriteTextFile(dir.path() + "/other.key", other.key_pem);
  WriteTextFile(dir.path() + "/ca.pem", ca.cert_pem());
  WriteTextFile(dir.path() + "/empty.pem", "");
  const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  EXPECT_THAT(ServerCredentialsFor("0.0.0.0:1", {.cert_file = cert, .key_file = key}), IsOk());
  EXPECT_THAT(ServerCredentialsFor("0.0.0.0:1", {.cert_file = cert, .key_file = key,
                                                 .client_ca_file = dir.path() + "/ca.pem"}),
              IsOk());
  EXPECT_THAT(ServerCredentialsFor("127.0.0.1:1", {.cert_file = cert, .key_file = dir.path() + "/other.key"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls-key: ")));
  EXPECT_THAT(ServerCredentialsFor("127.0.0.1:1", {.cert_file = dir.path() + "/empty.pem", .key_file = key}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls-cert: ")));
  EXPECT_THAT(ServerCredentialsFor("127.0.0.1:1", {.cert_file = cert, .key_file = key,
                                                   .client_ca_file = dir.path() + "/missing.pem"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls-client-ca: cannot read")));
  EXPECT_THAT(ServerCredentialsFor("127.0.0.1:1", {.cert_file = cert, .key_file = key,
                                                   .client_certificates = ClientCertificates::kRequired}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs --tls-client-ca")));
}

}  // namespace
}  // namespace salesops::service
