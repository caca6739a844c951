// The JSON API's transcoding rules (json_gateway.h): query parameters to a
// request message, gRPC codes to HTTP statuses, errors to google.rpc.Status
// JSON. End to end: tests/e2e/dashboard_api_e2e_test.cc.
#include "server/service/json_gateway.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/views.pb.h"
#include "server/domain/errors.h"
#include "server/service/grpc_status.h"

namespace salesops::service {
namespace {

using ::testing::HasSubstr;

TEST(MessageFromQueryTest, FieldPathsInProtoOrJsonNamesAndEveryType) {
  v1::GetPipelineRequest pipeline;
  ASSERT_TRUE(MessageFromQuery({{"view.as_of_position", "42"},
                                {"view.minPosition", "7"},
                                {"owner", "王芳"},
                                {"source", "lead_source_referral"},
                                {"win_rate_days", "30"}},
                               pipeline)
                  .ok());
  EXPECT_EQ(pipeline.view().as_of_position(), 42u);
  EXPECT_EQ(pipeline.view().min_position(), 7u);
  EXPECT_EQ(pipeline.owner(), "王芳");
  EXPECT_EQ(pipeline.source(), v1::LEAD_SOURCE_REFERRAL);
  EXPECT_EQ(pipeline.win_rate_days(), 30u);

  v1::GetPipelineRequest at_time;
  ASSERT_TRUE(MessageFromQuery({{"view.as_of_time", "2026-11-28T00:00:00Z"}}, at_time).ok());
  EXPECT_EQ(at_time.view().as_of_time().seconds(), 1795824000);

  v1::SubscribeRequest subscribe;
  ASSERT_TRUE(
      MessageFromQuery({{"event_types", "DealWon"}, {"event_types", "LeadIdentified"}, {"from_now", "true"}}, subscribe)
          .ok());
  EXPECT_THAT(subscribe.event_types(), ::testing::ElementsAre("DealWon", "LeadIdentified"));
  EXPECT_TRUE(subscribe.from_now());
}

TEST(MessageFromQueryTest, EveryBadParameterIsNamedAtOnce) {
  v1::GetPipelineRequest request;
  const absl::Status status = MessageFromQuery({{"view.as_of_position", "-1"},
                                                {"no_such", "1"},
                                                {"view.as_of_time", "yesterday"},
                                                {"owner", "a"},
                                                {"owner", "b"},
                                                {"view", "1"},
                                                {"source", "PIGEON"}},
                                               request);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const std::optional<google::rpc::BadRequest> bad = errors::BadRequestOf(status);
  ASSERT_TRUE(bad.has_value());
  std::vector<std::string> fields;
  for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  EXPECT_THAT(fields, ::testing::ElementsAre("view.as_of_position", "no_such", "view.as_of_time", "owner", "view",
                                             "source"));
  EXPECT_THAT(bad->field_violations(0).description(), HasSubstr("unsigned integer"));
  EXPECT_THAT(bad->field_violations(1).description(), HasSubstr("no such field in salesops.v1.GetPipelineRequest"));
  EXPECT_THAT(bad->field_violations(2).description(), HasSubstr("RFC 3339"));
  EXPECT_THAT(bad->field_violations(3).description(), HasSubstr("more than once"));
  EXPECT_THAT(bad->field_violations(4).description(), HasSubstr("view.min_position"));
  EXPECT_THAT(bad->field_violations(5).description(), HasSubstr("LEAD_SOURCE_REFERRAL"));
}

TEST(HttpStatusForTest, TheStandardMapping) {
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::OK), 200);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::INVALID_ARGUMENT), 400);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::FAILED_PRECONDITION), 400);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::OUT_OF_RANGE), 400);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::ALREADY_EXISTS), 409);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::ABORTED), 409);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::CANCELLED), 499);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNIMPLEMENTED), 501);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::DEADLINE_EXCEEDED), 504);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::INTERNAL), 500);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::DATA_LOSS), 500);
}

TEST(ErrorReplyTest, TheGoogleRpcStatusAsJsonWithItsDetailsAndHeaders) {
  const JsonReply busy = ErrorReply(ToGrpcStatus(
      errors::WithRetryDelay(errors::WithReason(absl::ResourceExhaustedError("full"), errors::kServerBusy),
                             absl::Milliseconds(1500))));
  EXPECT_EQ(busy.http_status, 429);
  EXPECT_THAT(busy.body, HasSubstr(R"("code":8)"));
  EXPECT_THAT(busy.body, HasSubstr(R"("message":"full")"));
  EXPECT_THAT(busy.body, HasSubstr(R"("@type":"type.googleapis.com/google.rpc.ErrorInfo")"));
  EXPECT_THAT(busy.body, HasSubstr(R"("reason":"SERVER_BUSY")"));
  EXPECT_THAT(busy.body, HasSubstr(R"("retryDelay":"1.500s")"));
  EXPECT_THAT(busy.headers, ::testing::Contains(std::make_pair(std::string("Retry-After"), std::string("2"))));

  const JsonReply denied = ErrorReply(absl::UnauthenticatedError("missing token"));
  EXPECT_EQ(denied.http_status, 401);
  EXPECT_THAT(denied.headers, ::testing::Contains(::testing::Pair("WWW-Authenticate", HasSubstr("Bearer"))));

  // A gRPC status without details still reads as a google.rpc.Status.
  const JsonReply plain = ErrorReply(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone"));
  EXPECT_EQ(plain.http_status, 503);
  EXPECT_THAT(plain.body, HasSubstr(R"("code":14,"message":"gone")"));
}

}  // namespace
}  // namespace salesops::service
