// The readable form of Admin.GetClusterStatus: a summary line (mode,
// leader, epoch, lease, head), then one table row per node. Pure function;
// thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_CLUSTER_TABLE_H_
#define SALESOPS_CLIENT_SALESCTL_CLUSTER_TABLE_H_

#include <string>

#include "salesops/v1/admin.pb.h"

namespace salesctl {

std::string RenderClusterStatus(const salesops::v1::GetClusterStatusResponse& status);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_CLUSTER_TABLE_H_
