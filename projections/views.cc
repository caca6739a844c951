#include "projections/views.h"

#include "absl/strings/str_cat.h"
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

absl::Status Views::Replace(ViewsState fresh, TailReader read_after) {
  absl::MutexLock lock(&mu_);
  if (fresh.position < state_.position) {
    absl::Status read = read_after(fresh.position, [&](const v1::EventEnvelope& e) {
      if (e.position() > fresh.position && e.position() <= state_.position) EvolveViews(fresh, e);
    });
    if (!read.ok()) return read;
    if (fresh.position != state_.position) {
      return absl::DataLossError(absl::StrCat("rebuild caught up to position ", fresh.position, ", not ",
                                              state_.position));
    }
  }
  state_ = std::move(fresh);
  return absl::OkStatus();
}

std::vector<std::string> Views::Snapshot() const {
  absl::ReaderMutexLock lock(&mu_);
  return EncodeViewsSnapshot(state_);
}

absl::StatusOr<Views::PendingSnapshot> Views::StartSnapshot() const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<ForkedEncoding> encoding =
      ForkedEncoding::Start([this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return EncodeViewsSnapshot(state_); });
  if (!encoding.ok()) return encoding.status();
  return PendingSnapshot{state_.position, *std::move(encoding)};
}

std::optional<v1::Order> Views::Order(absl::string_view order_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = state_.core.orders.find(order_id);
  if (it == state_.core.orders.end()) return std::nullopt;
  return it->second;
}

std::optional<v1::Ticket> Views::Ticket(absl::string_view ticket_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = state_.core.tickets.find(ticket_id);
  if (it == state_.core.tickets.end()) return std::nullopt;
  return it->second;
}

uint64_t Views::position() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.position;
}

}  // namespace salesops::projections
