// Audit.ListStageChanges: the stage changes of leads, read from the store.
//
// Cost (docs/AUDIT.md "Stage changes"): no index is kept. A call without
// lead_id reads the log from the page token's position, examining at most
// `max_scan` positions (kMaxLogScan) with one RocksDB iterator and no lock
// (the store's reads see committed batches only), then returns the rows it
// found and a token to resume from. A call with lead_id reads only that
// lead's stream through the stream index. Each returned row costs one more
// short read: the few positions after it, for the hand-off its command
// recorded. Thread-safe (reads only).
#ifndef SALESOPS_SERVER_SERVICE_STAGE_CHANGES_H_
#define SALESOPS_SERVER_SERVICE_STAGE_CHANGES_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "salesops/v1/audit.pb.h"
#include "server/store/event_log.h"

namespace salesops::service {

inline constexpr uint32_t kDefaultStageChangesPage = 100;
inline constexpr uint32_t kMaxStageChangesPage = 1000;

// One page. INVALID_ARGUMENT naming the field for a bad filter, a page_size
// above kMaxStageChangesPage, or a page token that is not this server's or
// belongs to other filters; the store's errors (UNAVAILABLE, DATA_LOSS).
absl::StatusOr<v1::ListStageChangesResponse> ListStageChanges(const store::EventLog& store,
                                                              const v1::ListStageChangesRequest& request,
                                                              size_t max_scan);

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_STAGE_CHANGES_H_
