#include "server/history/views_replay.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/common/progress_log.h"
#include "server/common/status_macros.h"
#include "server/domain/proto_time.h"

namespace salesops::history {

// The recorded_at of the event at `position`.
absl::StatusOr<absl::Time> RecordedAt(const store::EventLog& store, uint64_t position) {
  SALESOPS_ASSIGN_OR_RETURN(store::LogPage page, store.ReadLog(position, 1, store::LogFilter{}, 1));
  if (page.events.empty() || page.events[0].position() != position) {
    return absl::DataLossError(absl::StrCat("log position ", position, " is missing"));
  }
  return FromProtoTime(page.events[0].recorded_at());
}

// The last position recorded at or before `t` (0: none). recorded_at never
// decreases along the log (the sequencer's batch time is monotonic), so a
// binary search finds it.
absl::StatusOr<uint64_t> PositionAt(const store::EventLog& store, absl::Time t) {
  uint64_t lo = 0, hi = store.Head();  // invariant: lo is at or before t; hi+1 after it (or past the head)
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    SALESOPS_ASSIGN_OR_RETURN(absl::Time recorded, RecordedAt(store, mid));
    if (recorded <= t) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

absl::StatusOr<projections::ViewsState> ReplayViews(const store::EventLog& store, uint64_t position) {
  if (position > kMaxAsOfEvents) {
    return absl::ResourceExhaustedError(absl::StrCat("view: an as_of query replays the log from the start; position ",
                                                     position, " is beyond the limit of ", kMaxAsOfEvents,
                                                     " events (docs/VIEWS.md)"));
  }
  projections::ViewsState state;
  if (position == 0) return state;
  // Scan stops at the first error its visitor returns; this one means "done".
  const absl::Status done = absl::CancelledError("replay reached its position");
  absl::Status scanned = store.Scan(1, [&](const v1::EventEnvelope& e) {
    projections::EvolveViews(state, e);
    return e.position() >= position ? done : absl::OkStatus();
  });
  if (!scanned.ok() && scanned != done) return scanned;
  if (state.position != position) {
    return absl::DataLossError(absl::StrCat("replay ended at position ", state.position, " before ", position));
  }
  return state;
}

absl::StatusOr<uint64_t> RebuildViews(const store::EventLog& store, projections::Views& views) {
  static absl::Mutex running;
  if (!running.TryLock()) return absl::AbortedError("a projection rebuild is already running; retry when it ends");
  struct Unlock {
    ~Unlock() { running.Unlock(); }
  } unlock;
  projections::ViewsState fresh;
  const uint64_t head = store.Head();
  const absl::Status done = absl::CancelledError("rebuild reached the head");
  if (head > 0) {
    ProgressLog progress("Admin.RebuildProjections", "events", head);
    absl::Status scanned = store.Scan(1, [&](const v1::EventEnvelope& e) {
      progress.Update(e.position());
      projections::EvolveViews(fresh, e);
      return e.position() >= head ? done : absl::OkStatus();
    });
    if (!scanned.ok() && scanned != done) return scanned;
  }
  const uint64_t reached = fresh.position;
  SALESOPS_RETURN_IF_ERROR(views.Replace(
      std::move(fresh), [&](uint64_t after, absl::FunctionRef<void(const v1::EventEnvelope&)> fold) {
        absl::Status read = store.Scan(after + 1, [&](const v1::EventEnvelope& e) {
          fold(e);
          return absl::OkStatus();
        });
        return read;
      }));
  return reached;
}

}  // namespace salesops::history
