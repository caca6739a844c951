// The role-workload query over a ViewsState (docs/VIEWS.md). A member's load
// is domain::LoadOf over the deciders' own fold, the number hand-offs
// compare; the per-kind breakdown counts the same assigned items.
#ifndef SALESOPS_PROJECTIONS_WORKLOAD_H_
#define SALESOPS_PROJECTIONS_WORKLOAD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/views.pb.h"

namespace salesops::projections {

// The SLA table, version kSlaTableVersion: how long an item may stay with
// its assignee (or in its role's queue) before it counts as overdue.
inline constexpr uint32_t kSlaTableVersion = 1;
absl::Duration LeadSla(v1::Role awaiting_role);
absl::Duration OrderSla(v1::OrderStatus status);
absl::Duration TicketSla(v1::Severity severity);

inline constexpr size_t kMaxQueueItemsShown = 20;

absl::StatusOr<v1::Workload> BuildWorkload(const ViewsState& state, const v1::GetWorkloadRequest& request,
                                           absl::Time now);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_WORKLOAD_H_
