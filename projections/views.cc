#include "projections/views.h"

#include "projections/views_snapshot.h"

namespace salesops::projections {

void Views::Apply(absl::Span<const v1::EventEnvelope> events) {
  absl::MutexLock lock(&mu_);
  for (const v1::EventEnvelope& e : events) {
    if (e.position() > state_.position) EvolveViews(state_, e);
  }
}

void Views::Restore(ViewsState state) {
  absl::MutexLock lock(&mu_);
  state_ = std::move(state);
}

std::vector<std::string> Views::Snapshot() const {
  absl::ReaderMutexLock lock(&mu_);
  return EncodeViewsSnapshot(state_);
}

uint64_t Views::position() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.position;
}

bool Views::AwaitPosition(uint64_t position, absl::Time deadline) const {
  absl::ReaderMutexLock lock(&mu_);
  const auto reached = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return state_.position >= position; };
  return mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
}

}  // namespace salesops::projections
