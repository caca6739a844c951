// salesctl health through RunSalesctl, against a fake transport.
#include "health_command.h"

#include <map>
#include <sstream>

#include "exit_codes.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.pb.h"
#include "gtest/gtest.h"
#include "run.h"

namespace salesctl {
namespace {

namespace health = ::grpc::health::v1;
using ::testing::HasSubstr;

// Answers every call with `status` and, when OK, one reply of `serving`.
class FakeHealth final : public RpcClient {
 public:
  grpc::Status Call(const GlobalOptions& options, const Command& command,
                    const google::protobuf::Message& request, const ReplyHandler& on_reply) override {
    ++calls;
    last_path = command.RpcPath();
    last_timeout = options.timeout;
    last_request.CopyFrom(request);
    if (!status.ok()) return status;
    health::HealthCheckResponse reply;
    reply.set_status(serving);
    on_reply(reply);
    return status;
  }

  int calls = 0;
  std::string last_path;
  std::optional<absl::Duration> last_timeout;
  health::HealthCheckRequest last_request;
  health::HealthCheckResponse::ServingStatus serving = health::HealthCheckResponse::SERVING;
  grpc::Status status;
};

class HealthCommandTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return RunSalesctl(args, [](const std::string&) { return std::optional<std::string>(); }, rpc_, out_, err_);
  }

  FakeHealth rpc_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(HealthCommandTest, ServingExitsZero) {
  EXPECT_EQ(Run({"health"}), kExitOk);
  EXPECT_EQ(rpc_.last_path, "/grpc.health.v1.Health/Check");
  EXPECT_EQ(rpc_.last_request.service(), "");
  EXPECT_EQ(out_.str(), "SERVING\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(HealthCommandTest, AsksForTheNamedServiceWithinTheTimeout) {
  rpc_.serving = health::HealthCheckResponse::NOT_SERVING;
  EXPECT_EQ(Run({"--timeout=3s", "health", "--service=salesops.writes"}), kExitNotServing);
  EXPECT_EQ(rpc_.last_request.service(), "salesops.writes");
  EXPECT_EQ(rpc_.last_timeout, absl::Seconds(3));
  EXPECT_EQ(out_.str(), "NOT_SERVING\n");
}

TEST_F(HealthCommandTest, JsonPrintsTheReply) {
  EXPECT_EQ(Run({"--json", "health"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"status\":\"SERVING\""));
}

TEST_F(HealthCommandTest, AFailedCallExitsWithItsCode) {
  rpc_.status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect to all addresses");
  EXPECT_EQ(Run({"health"}), 14);
  EXPECT_THAT(err_.str(), HasSubstr("UNAVAILABLE"));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(HealthCommandTest, UsageErrorsSendNothingAndHelpIsListed) {
  EXPECT_EQ(Run({"health", "--bogus=1"}), kExitUsage);
  EXPECT_EQ(rpc_.calls, 0);
  EXPECT_EQ(Run({"health", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("health [--service=NAME]"));
  EXPECT_EQ(Run({"help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("health [--service=NAME]"));
  EXPECT_EQ(rpc_.calls, 0);
}

}  // namespace
}  // namespace salesctl
