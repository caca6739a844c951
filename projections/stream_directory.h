// StreamDirectory<View>: the current view of every stream of one category
// ("order-", "ticket-"), folded by that aggregate's evolve function. Serves
// the Get* queries of orders and tickets.
//
// Thread-safe: Apply takes a writer lock briefly per batch; Get a reader lock
// and copies one view out.
#ifndef SALESOPS_PROJECTIONS_STREAM_DIRECTORY_H_
#define SALESOPS_PROJECTIONS_STREAM_DIRECTORY_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "projections/projection.h"

namespace salesops::projections {

template <typename View>
class StreamDirectory final : public Projection {
 public:
  using EvolveFn = void (*)(View&, const v1::EventEnvelope&);

  // `prefix` selects the streams ("order-"); the id is what follows it.
  StreamDirectory(std::string name, std::string prefix, EvolveFn evolve)
      : name_(std::move(name)), prefix_(std::move(prefix)), evolve_(evolve) {}

  absl::string_view name() const override { return name_; }

  void Apply(absl::Span<const v1::EventEnvelope> events) override {
    absl::MutexLock lock(&mu_);
    for (const v1::EventEnvelope& e : events) {
      if (e.position() <= position_) continue;
      position_ = e.position();
      if (!absl::StartsWith(e.stream_id(), prefix_)) continue;
      evolve_(views_[e.stream_id().substr(prefix_.size())], e);
    }
  }

  // Replaces every view (from a snapshot at `position`, before the sequencer
  // starts); Apply skips events at or before it.
  void Restore(absl::flat_hash_map<std::string, View> views, uint64_t position) {
    absl::MutexLock lock(&mu_);
    views_ = std::move(views);
    position_ = position;
  }

  uint64_t position() const override {
    absl::ReaderMutexLock lock(&mu_);
    return position_;
  }

  // The view of stream prefix+id, or nullopt for an unknown id.
  std::optional<View> Get(absl::string_view id) const {
    absl::ReaderMutexLock lock(&mu_);
    auto it = views_.find(id);
    if (it == views_.end()) return std::nullopt;
    return it->second;
  }

 private:
  const std::string name_;
  const std::string prefix_;
  const EvolveFn evolve_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, View> views_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_STREAM_DIRECTORY_H_
