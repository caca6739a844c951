#include "cluster_table.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "display_width.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reply_format.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;

salesops::v1::ClusterNode* AddNode(salesops::v1::GetClusterStatusResponse* status, std::string id, bool leading,
                                   uint64_t applied, int64_t heartbeat_ms) {
  salesops::v1::ClusterNode* node = status->add_nodes();
  node->set_node_id(std::move(id));
  node->set_address(absl::StrCat("10.0.0.", status->nodes_size(), ":50051"));
  node->set_leading(leading);
  node->set_epoch(leading ? 7 : 0);
  node->set_applied_position(applied);
  node->set_lag_events(status->head_position() - applied);
  node->mutable_since_heartbeat()->set_seconds(heartbeat_ms / 1000);
  node->mutable_since_heartbeat()->set_nanos(static_cast<int32_t>(heartbeat_ms % 1000) * 1'000'000);
  node->set_serving(true);
  node->mutable_started_at()->set_seconds(1795860000);
  return node;
}

TEST(RenderClusterStatusTest, ALeaderAndItsFollowersOneRowEach) {
  salesops::v1::GetClusterStatusResponse status;
  status.set_mode(salesops::v1::CLUSTER_MODE_POSTGRESQL);
  status.set_answered_by("节点-二");
  status.set_leader_id("node-1");
  status.set_leader_address("10.0.0.1:50051");
  status.set_epoch(7);
  status.mutable_lease_expires_at()->set_seconds(1795863605);
  status.set_head_position(1200);
  status.mutable_read_at()->set_seconds(1795863600);
  AddNode(&status, "node-1", true, 1200, 300);
  AddNode(&status, "节点-二", false, 1195, 800);
  salesops::v1::ClusterNode* gone = AddNode(&status, "node-3", false, 900, 125'000);
  gone->set_stale(true);
  gone->set_serving(false);

  const std::string text = FormatReadable(status);  // what salesctl get-cluster-status prints
  const std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 6u) << text;
  EXPECT_EQ(lines[0], "mode: postgresql  leader: node-1 at 10.0.0.1:50051  epoch: 7  lease until: 2026-11-28T11:00:05Z");
  EXPECT_EQ(lines[1], "head: 1200  answered by: 节点-二 at 2026-11-28T11:00:00Z");
  EXPECT_EQ(lines[3], "node-1   leader (epoch 7)  10.0.0.1:50051     1200    0          300ms ago  serving      "
                      "2026-11-28T10:00:00Z");
  EXPECT_EQ(lines[4], "节点-二  follower          10.0.0.2:50051     1195    5          800ms ago  serving      "
                      "2026-11-28T10:00:00Z");
  EXPECT_EQ(lines[5], "node-3   follower          10.0.0.3:50051      900  300  2m 5s ago (stale)  NOT serving  "
                      "2026-11-28T10:00:00Z");
  // Every table line is equally wide, the Chinese node id included.
  for (size_t i = 3; i < lines.size(); ++i) EXPECT_EQ(DisplayWidth(lines[i]), DisplayWidth(lines[2])) << lines[i];
}

TEST(RenderClusterStatusTest, NoLeaderWhileTheLeaseIsFreeAndAnEmbeddedServerIsItsOwnLeader) {
  salesops::v1::GetClusterStatusResponse failover;
  failover.set_mode(salesops::v1::CLUSTER_MODE_POSTGRESQL);
  failover.set_epoch(8);
  EXPECT_THAT(RenderClusterStatus(failover),
              HasSubstr("leader: (none: the lease is free, writes wait for a new leader)  epoch: 8"));

  salesops::v1::GetClusterStatusResponse embedded;
  embedded.set_mode(salesops::v1::CLUSTER_MODE_EMBEDDED);
  embedded.set_leader_id("host/127.0.0.1:50051");
  embedded.set_leader_address("127.0.0.1:50051");
  embedded.set_head_position(3);
  AddNode(&embedded, "host/127.0.0.1:50051", true, 3, 0);
  const std::string text = RenderClusterStatus(embedded);
  EXPECT_THAT(text, HasSubstr("mode: embedded  leader: host/127.0.0.1:50051 at 127.0.0.1:50051\nhead: 3"));
  EXPECT_EQ(text.find("epoch"), std::string::npos) << text;
  EXPECT_THAT(text, HasSubstr("leader  10.0.0.1:50051        3    0          -  serving"));
}

}  // namespace
}  // namespace salesctl
