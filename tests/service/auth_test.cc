#include "server/service/auth.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/service/server.h"
#include "tests/common/testing.h"

namespace salesops::service {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TokenAuthenticatorTest, ParsesPairsCommentsAndBlankLines) {
  auto auth = TokenAuthenticator::FromText(
      "# team tokens\n\n  tok-aaaaaaaaaaaaaaaa   alice  \ntok-bbbbbbbbbbbbbbbb\tbob\n");
  ASSERT_THAT(auth, IsOk());
  EXPECT_EQ((*auth)->size(), 2u);
  EXPECT_EQ(*(*auth)->AuthenticateHeader("Bearer tok-aaaaaaaaaaaaaaaa"), "alice");
  EXPECT_EQ(*(*auth)->AuthenticateHeader("bearer tok-bbbbbbbbbbbbbbbb"), "bob");
}

TEST(TokenAuthenticatorTest, RefusesMalformedFilesNamingTheLine) {
  EXPECT_THAT(TokenAuthenticator::FromText("tok-aaaaaaaaaaaaaaaa\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1: expected 'TOKEN MEMBER_ID'")));
  EXPECT_THAT(TokenAuthenticator::FromText("# c\nshort alice\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: a token must be at least 16")));
  EXPECT_THAT(TokenAuthenticator::FromText("tok-aaaaaaaaaaaaaaaa bad/id\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1: member id")));
  EXPECT_THAT(TokenAuthenticator::FromText("tok-aaaaaaaaaaaaaaaa a\ntok-aaaaaaaaaaaaaaaa b\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: repeats a token")));
  EXPECT_THAT(TokenAuthenticator::FromFile("/nonexistent/tokens"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/tokens")));
}

// Found by the tokens_file fuzz target (docs/FUZZING.md): a line is split
// on spaces and tabs, so other bytes stayed in the token, e.g. a form feed
// at its end, which AuthenticateHeader trims from what a caller sends: the
// token was accepted but could never authenticate. A token is printable
// ASCII, as a metadata value is.
TEST(TokenAuthenticatorTest, RefusesTokensNoCallCouldCarry) {
  for (const std::string token :
       {"tok-aaaaaaaaaaaaaaaa\f", "tok-aaaaaaaaaaaaaaaa\v", "tok-aaaa\raaaaaaaaaaaa", "tok-aaaaaaaaaaaaaaa\x7f",
        "令牌-aaaaaaaaaaaaaaaa"}) {
    EXPECT_THAT(TokenAuthenticator::FromText("# c\n" + token + " alice\n"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("line 2: a token must be printable ASCII without spaces")))
        << absl::CHexEscape(token);
  }
  auto auth = TokenAuthenticator::FromText("tok-!~aaaaaaaaaaaaaa alice\r\n");
  ASSERT_THAT(auth, IsOk());
  EXPECT_EQ(*(*auth)->AuthenticateHeader("Bearer tok-!~aaaaaaaaaaaaaa"), "alice");
}

// A line may name the token by its SHA-256 (`printf %s TOKEN | sha256sum`):
// the token then authenticates, the file does not hold the secret, and the
// same token written both ways is a repeat.
TEST(TokenAuthenticatorTest, AcceptsTheSha256OfATokenInsteadOfTheToken) {
  const std::string hashed = "sha256:529EEE756C8C06DD0EA9094B841BAA84C6815FF469B308E492E5F3D21EB6A53B";  // SHA-256 of tok-aaaaaaaaaaaaaaaa
  auto auth = TokenAuthenticator::FromText(hashed + " alice\n");
  ASSERT_THAT(auth, IsOk());
  EXPECT_EQ(*(*auth)->AuthenticateHeader("Bearer tok-aaaaaaaaaaaaaaaa"), "alice");
  EXPECT_THAT((*auth)->AuthenticateHeader("Bearer tok-aaaaaaaaaaaaaaab"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("unknown token")));
  // The digest itself is no token.
  EXPECT_THAT((*auth)->AuthenticateHeader(absl::StrCat("Bearer ", hashed)),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("unknown token")));
  EXPECT_THAT(TokenAuthenticator::FromText("sha256:abc alice\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1: 'sha256:' must be followed by 64 hex digits")));
  EXPECT_THAT(TokenAuthenticator::FromText("tok-aaaaaaaaaaaaaaaa a\n" + hashed + " b\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: repeats a token")));
}

// "x509:NAME MEMBER_ID" maps a verified client certificate's name; such a
// line is no token, and its name must be one word of printable ASCII.
TEST(TokenAuthenticatorTest, ParsesCertificateNamesApartFromTokens) {
  auto auth = TokenAuthenticator::FromText(
      "tok-aaaaaaaaaaaaaaaa alice\nx509:svc-billing billing\nx509:spiffe://corp.example/sa/crm crm\n");
  ASSERT_THAT(auth, IsOk());
  EXPECT_EQ((*auth)->size(), 3u);
  EXPECT_THAT((*auth)->AuthenticateHeader("Bearer x509:svc-billing"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("unknown token")));
  EXPECT_THAT(TokenAuthenticator::FromText("x509: billing\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1: 'x509:' must be followed by")));
  EXPECT_THAT(TokenAuthenticator::FromText("x509:caf\xc3\xa9 billing\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1: 'x509:' must be followed by")));
  EXPECT_THAT(TokenAuthenticator::FromText("x509:svc a\nx509:svc b\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2: repeats a certificate name")));
}

TEST(TokenAuthenticatorTest, RefusesMissingMalformedAndUnknownTokens) {
  auto auth = TokenAuthenticator::FromText("tok-aaaaaaaaaaaaaaaa alice\n");
  ASSERT_THAT(auth, IsOk());
  EXPECT_THAT((*auth)->AuthenticateHeader(""), StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("missing")));
  EXPECT_THAT((*auth)->AuthenticateHeader("Basic xyz"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("Bearer")));
  EXPECT_THAT((*auth)->AuthenticateHeader("Bearer tok-zzzzzzzzzzzzzzzz"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("unknown token")));
}

TEST(ServerOptionsTest, DefaultDurabilityIsSync) {
  EXPECT_EQ(ServerOptions{}.durability, Durability::kSync);
  EXPECT_EQ(ServerOptions{}.listen, "127.0.0.1:50051");
}

}  // namespace
}  // namespace salesops::service
