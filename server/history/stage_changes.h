// The stage changes of leads, read from the log: the query behind
// Audit.ListStageChanges, on the EventLog seam (nothing of the storage
// engine appears here), so that any node holding the log can answer it.
//
// Cost (docs/AUDIT.md "Stage changes"): no index is kept. A call without
// lead_id reads the log from the page token's position, examining at most
// `max_scan` positions (the Audit service passes kMaxLogScan) with one
// EventLog::ScanRange and no lock (the log's reads see committed batches
// only), then returns the rows it found and a token to resume from. A call
// with lead_id reads only that lead's stream through the stream index. Each
// returned row costs one more short read: the few positions after it, for
// the hand-off its command recorded.
//
// Thread safety: reads only; may be called from any thread, concurrently
// with appends (EventLog's guarantee).
#ifndef SALESOPS_SERVER_HISTORY_STAGE_CHANGES_H_
#define SALESOPS_SERVER_HISTORY_STAGE_CHANGES_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "salesops/v1/audit.pb.h"
#include "server/store/event_log.h"

namespace salesops::history {

// Rows per page: page_size 0 asks for kDefaultStageChangesPage.
inline constexpr uint32_t kDefaultStageChangesPage = 100;
inline constexpr uint32_t kMaxStageChangesPage = 1000;

// One page of the stage changes matching `request`'s filters, oldest
// first. head_position is the head the call was bounded by (later commits
// are left to the next call). next_page_token is opaque, bound to the
// request's filters, and resumes right after the last position (with
// lead_id: stream version) examined; it is empty once everything up to
// head_position was examined. A page may be short or empty and still carry
// a token (`max_scan`, at least 1, ended the scan), and the page after a
// full one may be empty.
//
// The request is validated here, so every caller refuses the same requests.
// Errors: INVALID_ARGUMENT naming the field for a bad filter (actor or
// lead_id not an id, an unknown role or stage, to_time before from_time), a
// page_size above kMaxStageChangesPage, or a page token that is not this
// server's or belongs to other filters (nothing is read then); the log's
// errors (UNAVAILABLE, DATA_LOSS) as it returns them.
absl::StatusOr<v1::ListStageChangesResponse> ListStageChanges(const store::EventLog& store,
                                                              const v1::ListStageChangesRequest& request,
                                                              size_t max_scan);

}  // namespace salesops::history

#endif  // SALESOPS_SERVER_HISTORY_STAGE_CHANGES_H_
