// sd_notify through server/common/systemd_notify.h: the datagrams a
// Type=notify unit's systemd would receive, on a socket the test owns.
#include "server/common/systemd_notify.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/notify_socket.h"
#include "tests/common/testing.h"

namespace salesops {
namespace {

using ::salesops::testing::NotifySocket;
using ::salesops::testing::TempDir;

TEST(NotifyMessageTest, PutsTheStatusOnOneLineAfterTheAssignments) {
  EXPECT_EQ(NotifyMessage("READY=1", "serving on 127.0.0.1:50051"),
            "READY=1\nSTATUS=serving on 127.0.0.1:50051");
  EXPECT_EQ(NotifyMessage("", "a\nb\r\nc"), "STATUS=a b  c");
}

TEST(SystemdNotifyTest, WithoutNotifySocketNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(NotifyReady("serving"));
  EXPECT_FALSE(NotifyStopping("draining"));
  EXPECT_FALSE(NotifyStatus("starting"));
}

TEST(SystemdNotifyTest, SendsReadyStoppingAndStatusToNotifySocket) {
  TempDir dir;
  NotifySocket socket(dir.path() + "/notify");
  ASSERT_TRUE(socket.ok()) << socket.error();
  ASSERT_EQ(::setenv("NOTIFY_SOCKET", socket.path().c_str(), 1), 0);

  EXPECT_TRUE(NotifyStatus("starting"));
  EXPECT_EQ(socket.Receive(absl::Seconds(10)), "STATUS=starting");
  EXPECT_TRUE(NotifyReady("serving on port 1"));
  EXPECT_EQ(socket.Receive(absl::Seconds(10)), "READY=1\nSTATUS=serving on port 1");
  EXPECT_TRUE(NotifyStopping("draining"));
  EXPECT_EQ(socket.Receive(absl::Seconds(10)), "STOPPING=1\nSTATUS=draining");
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(SystemdNotifyTest, AnUnreachableSocketIsNotAnError) {
  TempDir dir;
  ASSERT_EQ(::setenv("NOTIFY_SOCKET", (dir.path() + "/nobody-listens").c_str(), 1), 0);
  EXPECT_FALSE(NotifyReady("serving"));
  ::unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace salesops
