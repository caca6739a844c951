// The Views projection as the log stood at a past position or moment, and
// the live views rebuilt from the log: the log walks behind Views' as_of
// queries and Admin.RebuildProjections, on the EventLog seam (nothing of
// the storage engine appears here), so that any node holding the log can
// run them.
//
// Thread safety: every function may be called from any thread, concurrently
// with appends; they only read the log (RebuildViews also swaps the live
// views, under their writer lock).
#ifndef SALESOPS_SERVER_HISTORY_VIEWS_REPLAY_H_
#define SALESOPS_SERVER_HISTORY_VIEWS_REPLAY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "projections/views.h"
#include "projections/views_state.h"
#include "server/store/event_log.h"

namespace salesops::history {

// An as_of query replays at most this many events (RESOURCE_EXHAUSTED beyond).
inline constexpr uint64_t kMaxAsOfEvents = 1'000'000;

// The recorded_at (the sequencer's commit time) of the event at `position`
// (1..head). One short read. DATA_LOSS "log position N is missing" when no
// event is stored there (a position beyond the head included); the log's
// errors as it returns them.
absl::StatusOr<absl::Time> RecordedAt(const store::EventLog& store, uint64_t position);

// The last position recorded at or before `t` (0: none; the head when
// every event is). recorded_at never decreases along the log (the
// sequencer's batch time is monotonic), so a binary search finds it: about
// log2(head) short reads, bounded by the head at the start of the call.
// Errors: those of RecordedAt.
absl::StatusOr<uint64_t> PositionAt(const store::EventLog& store, absl::Time t);

// Replays the log from the start up to `position` (inclusive) into a fresh
// ViewsState (position 0: the empty state, nothing read). The caller checks
// `position` against the head. Errors: RESOURCE_EXHAUSTED beyond
// kMaxAsOfEvents (nothing read); DATA_LOSS when the log ends, or has a gap,
// before `position`; the log's errors as Scan returns them.
absl::StatusOr<projections::ViewsState> ReplayViews(const store::EventLog& store, uint64_t position);

// Rebuilds the live views from the log while writes continue (a replay up to
// the head, then the events applied meanwhile, then a swap:
// projections::Views::Replace). Returns the position the rebuilt fold reached
// before the swap. At most one runs at a time in the process (ABORTED
// otherwise; retry when it ends). Errors: the log's, as Scan returns them,
// and DATA_LOSS when the fold did not catch up with the live views (Replace);
// on any error the live views are left as they were.
absl::StatusOr<uint64_t> RebuildViews(const store::EventLog& store, projections::Views& views);

}  // namespace salesops::history

#endif  // SALESOPS_SERVER_HISTORY_VIEWS_REPLAY_H_
