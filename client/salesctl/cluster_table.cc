#include "cluster_table.h"

#include "absl/strings/str_cat.h"
#include "duration_text.h"
#include "table.h"
#include "time_text.h"

namespace salesctl {

std::string RenderClusterStatus(const salesops::v1::GetClusterStatusResponse& status) {
  const bool embedded = status.mode() == salesops::v1::CLUSTER_MODE_EMBEDDED;
  std::string out = absl::StrCat("mode: ", embedded ? "embedded" : "postgresql", "  leader: ");
  if (status.leader_id().empty()) {
    absl::StrAppend(&out, "(none: the lease is free, writes wait for a new leader)");
  } else {
    absl::StrAppend(&out, status.leader_id(), " at ", status.leader_address());
  }
  if (!embedded) {
    absl::StrAppend(&out, "  epoch: ", status.epoch());
    if (status.has_lease_expires_at()) {
      absl::StrAppend(&out, "  lease until: ", FormatTimestamp(status.lease_expires_at()));
    }
  }
  absl::StrAppend(&out, "\nhead: ", status.head_position(), "  answered by: ", status.answered_by());
  if (status.has_read_at()) absl::StrAppend(&out, " at ", FormatTimestamp(status.read_at(), true));
  absl::StrAppend(&out, "\n");
  Table table({{"NODE"},
               {"ROLE"},
               {"ADDRESS"},
               {"APPLIED", Align::kRight},
               {"LAG", Align::kRight},
               {"HEARTBEAT", Align::kRight},
               {"READS"},
               {"STARTED"}});
  for (const salesops::v1::ClusterNode& node : status.nodes()) {
    std::string heartbeat = embedded ? "-" : absl::StrCat(HumanDuration(node.since_heartbeat()), " ago");
    if (node.stale()) absl::StrAppend(&heartbeat, " (stale)");
    table.AddRow({
        node.node_id(),
        !node.leading() ? "follower" : embedded ? "leader" : absl::StrCat("leader (epoch ", node.epoch(), ")"),
        node.address(),
        absl::StrCat(node.applied_position()),
        absl::StrCat(node.lag_events()),
        heartbeat,
        node.serving() ? "serving" : "NOT serving",
        node.has_started_at() ? FormatTimestamp(node.started_at(), true) : "",
    });
  }
  return absl::StrCat(out, table.Render());
}

}  // namespace salesctl
