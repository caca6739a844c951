// salesctl audit follow against a fake transport: the request it builds from
// the flags and what it prints for events and markers.
#include "audit_follow.h"

#include <memory>
#include <sstream>

#include "exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.pb.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FakeStream final : public RpcClient {
 public:
  grpc::Status Call(const GlobalOptions&, const Command& command, const google::protobuf::Message& request,
                    const ReplyHandler& on_reply) override {
    path = command.RpcPath();
    sent.CopyFrom(request);
    for (const v1::SubscribeResponse& r : replies) on_reply(r);
    return status;
  }
  std::string path;
  v1::SubscribeRequest sent;
  std::vector<v1::SubscribeResponse> replies;
  grpc::Status status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
};

v1::SubscribeResponse Event(uint64_t position) {
  v1::SubscribeResponse r;
  v1::EventEnvelope* e = r.mutable_event();
  e->set_position(position);
  e->set_stream_id("lead-wx-1");
  e->set_stream_version(3);
  e->set_event_type("QuoteSent");
  e->set_actor("rep1");
  e->set_actor_role(v1::ROLE_SALES_REP);
  e->mutable_recorded_at()->set_seconds(1'795'000'000);
  return r;
}

TEST(AuditFollowTest, FlagsBecomeTheRequest) {
  FakeStream rpc;
  std::ostringstream out, err;
  AuditFollow({"--from=42", "--type=DealWon", "--type=DealLost", "--category=lead", "--stream=lead-wx-1",
               "--actor=rep1", "--checkpoint-seconds=9"},
              GlobalOptions(), rpc, out, err);
  EXPECT_EQ(rpc.path, "/salesops.v1.Audit/Subscribe");
  EXPECT_EQ(rpc.sent.from_position(), 42u);
  EXPECT_THAT(rpc.sent.event_types(), ElementsAre("DealWon", "DealLost"));
  EXPECT_EQ(rpc.sent.category(), "lead");
  EXPECT_EQ(rpc.sent.stream_id(), "lead-wx-1");
  EXPECT_EQ(rpc.sent.actor(), "rep1");
  EXPECT_EQ(rpc.sent.checkpoint_seconds(), 9u);
  AuditFollow({"--now"}, GlobalOptions(), rpc, out, err);
  EXPECT_TRUE(rpc.sent.from_now());
}

TEST(AuditFollowTest, PrintsOneLinePerEventAndMarkersOnStderr) {
  FakeStream rpc;
  rpc.replies = {Event(7), Event(8)};
  rpc.replies.emplace_back().mutable_caught_up()->set_position(8);
  rpc.replies.emplace_back().mutable_checkpoint()->set_position(12);
  std::ostringstream out, err;
  const int code = AuditFollow({}, GlobalOptions(), rpc, out, err);
  EXPECT_EQ(out.str(), FollowLine(Event(7).event()) + FollowLine(Event(8).event()));
  EXPECT_THAT(FollowLine(Event(7).event()), HasSubstr("7  2026-11-18T"));
  EXPECT_THAT(FollowLine(Event(7).event()), HasSubstr("lead-wx-1 v3  QuoteSent  rep1 SALES_REP\n"));
  EXPECT_THAT(err.str(), HasSubstr("# caught up at position 8\n# checkpoint 12\n"));
  // The stream's end is the exit status.
  EXPECT_THAT(err.str(), HasSubstr("shutting down"));
  EXPECT_EQ(code, ExitCodeForGrpcError(rpc.status));
}

TEST(AuditFollowTest, JsonPrintsEveryMessageAsOneLine) {
  FakeStream rpc;
  rpc.replies = {Event(7)};
  rpc.replies.emplace_back().mutable_caught_up()->set_position(7);
  rpc.status = grpc::Status::OK;
  GlobalOptions json;
  json.json = true;
  std::ostringstream out, err;
  EXPECT_EQ(AuditFollow({}, json, rpc, out, err), kExitOk);
  EXPECT_EQ(out.str(), "{\"event\":{\"position\":\"7\",\"streamId\":\"lead-wx-1\",\"streamVersion\":\"3\","
                       "\"eventType\":\"QuoteSent\",\"recordedAt\":\"2026-11-18T11:06:40Z\",\"actor\":\"rep1\","
                       "\"actorRole\":\"ROLE_SALES_REP\"}}\n{\"caughtUp\":{\"position\":\"7\"}}\n");
}

TEST(AuditFollowTest, AnUnknownFlagIsAUsageError) {
  FakeStream rpc;
  std::ostringstream out, err;
  EXPECT_EQ(AuditFollow({"--typo=1"}, GlobalOptions(), rpc, out, err), kExitUsage);
  EXPECT_TRUE(rpc.path.empty());
}

}  // namespace
}  // namespace salesctl
