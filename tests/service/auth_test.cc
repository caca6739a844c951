#include "server/service/auth.h"

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
