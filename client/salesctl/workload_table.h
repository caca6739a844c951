// The table for Views.GetWorkload (docs/VIEWS.md defines every number;
// docs/CLI.md shows the output). Pure function; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_WORKLOAD_TABLE_H_
#define SALESOPS_CLIENT_SALESCTL_WORKLOAD_TABLE_H_

#include <cstddef>
#include <string>

#include "salesops/v1/views.pb.h"

namespace salesctl {

// Width of the load bar of the member with the largest capacity (or load).
inline constexpr size_t kLoadBarWidth = 20;

// A header line (ViewLine and the SLA table version), then per member
//   MEMBER  NAME  ROLES  LOAD  USE  %  OLDEST ITEM  AGE  SLA OVERDUE  OPEN WORK
// with LOAD "load/capacity" ("load" without a limit), USE a bar on a scale
// shared by all rows: "█" for the load, "░" for the rest of the capacity,
// % the load ratio ("no limit" without one), OPEN WORK the breakdown
// ("leads QUOTED 4, NEGOTIATING 3 · orders OPEN 1 · tickets P2 1");
// inactive members are marked. Then per role
//   ROLE  MEMBERS  OPEN  MEAN  MAX  IMBALANCE  UNASSIGNED
// and, for each role with a queue, the items waiting in it.
std::string RenderWorkload(const salesops::v1::Workload& workload);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_WORKLOAD_TABLE_H_
