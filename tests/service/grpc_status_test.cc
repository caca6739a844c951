#include "server/service/grpc_status.h"

#include "gtest/gtest.h"

namespace salesops::service {
namespace {

TEST(GrpcStatusTest, MapsEveryCodeOneToOne) {
  for (int code = 0; code <= 16; ++code) {
    const absl::Status s(static_cast<absl::StatusCode>(code), code == 0 ? "" : "msg");
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(s).error_code()), code);
  }
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("lead 'x' is in stage WON")).error_message(),
            "lead 'x' is in stage WON");
}

TEST(GrpcStatusTest, BoundsLongMessagesOnACharacterBoundary) {
  std::string message;
  while (message.size() < 3000) message += "阶段";  // 3 bytes per character
  const grpc::Status s = ToGrpcStatus(absl::InvalidArgumentError(message));
  EXPECT_LE(s.error_message().size(), kMaxStatusMessageBytes + 3);
  const std::string body = s.error_message().substr(0, s.error_message().size() - 3);
  EXPECT_EQ(body.size() % 3, 0u);
  EXPECT_EQ(s.error_message().substr(s.error_message().size() - 3), "...");
}

}  // namespace
}  // namespace salesops::service
