// Views: the live ViewsState, folded by the sequencer after each commit, read
// by the Views service.
//
// Thread-safe: Apply holds the writer lock for one batch; Read holds a
// reader lock while the query function runs (queries read the indexes in
// view_index.h; docs/VIEWS.md says what each costs).
#ifndef SALESOPS_PROJECTIONS_VIEWS_H_
#define SALESOPS_PROJECTIONS_VIEWS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "projections/projection.h"
#include "projections/views_state.h"
#include "server/common/forked_encoding.h"

namespace salesops::projections {

class Views final : public Projection {
 public:
  absl::string_view name() const override { return "views"; }
  void Apply(absl::Span<const v1::EventEnvelope> events) override;
  uint64_t position() const override;

  // Runs `query(const ViewsState&)` under the reader lock and returns its
  // result.
  template <typename Query>
  auto Read(Query&& query) const {
    absl::ReaderMutexLock lock(&mu_);
    return std::forward<Query>(query)(state_);
  }

  // As Read, but only when the reader lock is free at once (no writer holds
  // or awaits it); nullopt otherwise. For threads that must not wait behind
  // the sequencer's apply or a snapshot being encoded.
  template <typename Query>
  auto TryRead(Query&& query) const -> std::optional<decltype(query(std::declval<const ViewsState&>()))> {
    if (!mu_.ReaderTryLock()) return std::nullopt;
    auto result = ReadLocked(std::forward<Query>(query));
    mu_.ReaderUnlock();
    return result;
  }

  // One order or ticket as the Get RPCs return it; nullopt when unknown.
  std::optional<v1::Order> Order(absl::string_view order_id) const;
  std::optional<v1::Ticket> Ticket(absl::string_view ticket_id) const;

  // Replaces the fold (a snapshot loaded before the sequencer starts).
  // Events at or before the restored position are skipped by Apply.
  void Restore(ViewsState state);
  // Swaps in `fresh` (a rebuild from the log) while serving: under the
  // writer lock, folds the events after fresh's position that the live fold
  // already has, read through `read_after(position, fold)`, then replaces the
  // live fold. Events the sequencer applies later are folded as usual.
  using TailReader = absl::FunctionRef<absl::Status(uint64_t after,
                                                    absl::FunctionRef<void(const v1::EventEnvelope&)> fold)>;
  absl::Status Replace(ViewsState fresh, TailReader read_after);

  // EncodeViewsSnapshot of the fold, taken under the reader lock (which
  // pauses the applier, and so every write, while it encodes).
  std::vector<std::string> Snapshot() const;

  // A snapshot that does not hold the lock while it encodes: under the
  // reader lock, forks a child that encodes its copy-on-write image of the
  // fold (ForkedEncoding), and returns at once with the fold's position;
  // encoding.Collect() then yields what Snapshot() would have returned at
  // that position. An error when the process cannot fork.
  struct PendingSnapshot {
    uint64_t position = 0;
    ForkedEncoding encoding;
  };
  absl::StatusOr<PendingSnapshot> StartSnapshot() const;


 private:
  template <typename Query>
  auto ReadLocked(Query&& query) const ABSL_NO_THREAD_SAFETY_ANALYSIS {  // the caller holds mu_ (TryRead)
    return std::forward<Query>(query)(state_);
  }

  mutable absl::Mutex mu_;
  ViewsState state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_VIEWS_H_
