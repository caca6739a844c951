// salesopsd under a Type=notify unit: the real server, started with
// NOTIFY_SOCKET naming a datagram socket the test owns (as systemd's would),
// says READY=1 only once it takes calls and STOPPING=1 when SIGTERM starts
// the drain (deploy/systemd/salesopsd.service, docs/DEPLOY.md).
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/common/notify_socket.h"
#include "tests/common/testing.h"
#include "tests/e2e/raw_call.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::NotifySocket;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;

TEST(SystemdNotifyE2eTest, ReadyOnceListeningAndStoppingWhenTheDrainBegins) {
  TempDir dir;
  NotifySocket socket(dir.path() + "/notify");
  ASSERT_TRUE(socket.ok()) << socket.error();
  // The child inherits the environment (execv).
  ASSERT_EQ(::setenv("NOTIFY_SOCKET", socket.path().c_str(), 1), 0);
  ServerProcess server(dir.path());
  std::string error;
  const bool started = server.Start(&error);
  ::unsetenv("NOTIFY_SOCKET");
  ASSERT_TRUE(started) << error;

  std::string seen;
  const std::optional<std::string> ready = socket.ReceiveContaining("READY=1", absl::Seconds(30), &seen);
  ASSERT_TRUE(ready.has_value()) << "datagrams so far:\n" << seen << "server log:\n" << server.Log();
  EXPECT_THAT(seen, HasSubstr("STATUS=starting: opening the event log and replaying it\n"));
  EXPECT_THAT(*ready, HasSubstr(absl::StrCat("STATUS=serving on 127.0.0.1:0 (port ", server.port(), ")")));

  // Ready means served: the health service answers SERVING (0x08 0x01).
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const testing::RawReplies health =
      testing::CallRaw(server.Channel(), ctx, "/grpc.health.v1.Health/Check", "");
  ASSERT_TRUE(health.status.ok()) << health.status.error_message();
  ASSERT_EQ(health.messages.size(), 1u);
  EXPECT_EQ(health.messages[0], std::string("\x08\x01", 2));

  EXPECT_EQ(server.Stop(), 0) << server.Log();
  const std::optional<std::string> stopping = socket.ReceiveContaining("STOPPING=1", absl::Seconds(10), &seen);
  ASSERT_TRUE(stopping.has_value()) << "datagrams:\n" << seen;
  EXPECT_THAT(*stopping, HasSubstr("STATUS=draining in-flight calls and shutting down"));
}

TEST(SystemdNotifyE2eTest, WithoutNotifySocketTheServerRunsAsBefore) {
  ::unsetenv("NOTIFY_SOCKET");
  TempDir dir;
  ServerProcess server(dir.path());
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_EQ(server.Stop(), 0) << server.Log();
  EXPECT_THAT(server.Log(), ::testing::Not(HasSubstr("sd_notify")));
}

}  // namespace
}  // namespace salesops
