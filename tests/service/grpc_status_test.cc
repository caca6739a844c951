#include "server/service/grpc_status.h"

#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/domain/errors.h"

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

// A refusal another node sent (cluster mode's forwarded commands) reaches
// the caller as that node said it: code, message and every detail.
TEST(GrpcStatusTest, AStatusFromAnotherNodeComesBackWithItsDetails) {
  absl::Status refused = errors::NotAllowedIn(errors::kStageNotAllowed, "lead", "客户-1", "STAGE", "stage", "WON",
                                              "SendQuote", "lead '客户-1' is in stage WON");
  refused = errors::WithRetryDelay(refused, absl::Milliseconds(250));
  const grpc::Status sent = ToGrpcStatus(refused);
  const absl::Status received = FromGrpcStatus(sent);
  EXPECT_EQ(received.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(received.message(), "lead '客户-1' is in stage WON");
  ASSERT_TRUE(errors::ErrorInfoOf(received).has_value());
  EXPECT_EQ(errors::ErrorInfoOf(received)->reason(), errors::kStageNotAllowed);
  EXPECT_EQ(errors::ErrorInfoOf(received)->metadata().at("lead_id"), "客户-1");
  ASSERT_TRUE(errors::PreconditionFailureOf(received).has_value());
  EXPECT_EQ(errors::PreconditionFailureOf(received)->violations(0).subject(), "lead/客户-1");
  ASSERT_TRUE(errors::ResourceInfoOf(received).has_value());
  ASSERT_TRUE(errors::RetryInfoOf(received).has_value());
  EXPECT_EQ(errors::RetryInfoOf(received)->retry_delay().nanos(), 250'000'000);
  // And sent on again: the same trailer (as messages: map order differs).
  const grpc::Status resent = ToGrpcStatus(received);
  EXPECT_EQ(resent.error_code(), sent.error_code());
  EXPECT_EQ(resent.error_message(), sent.error_message());
  google::rpc::Status a, b;
  ASSERT_TRUE(a.ParseFromString(sent.error_details()));
  ASSERT_TRUE(b.ParseFromString(resent.error_details()));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equivalent(a, b)) << a.DebugString() << b.DebugString();
}

// A call that failed on its way (no trailer of ours) keeps its code and
// message; the same for a trailer that does not parse or names another code.
TEST(GrpcStatusTest, AStatusWithoutOurDetailsKeepsItsCodeAndMessage) {
  const absl::Status unreachable = FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"));
  EXPECT_EQ(unreachable, absl::UnavailableError("connection refused"));
  EXPECT_FALSE(errors::ErrorInfoOf(unreachable).has_value());
  const absl::Status garbled = FromGrpcStatus(grpc::Status(grpc::StatusCode::INTERNAL, "x", "\xff\xff"));
  EXPECT_EQ(garbled, absl::InternalError("x"));
  const std::string other = ToGrpcStatus(absl::NotFoundError("gone")).error_details();
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::ABORTED, "y", other)), absl::AbortedError("y"));
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace salesops::service
