#include "projections/order_directory.h"

#include "absl/strings/match.h"
#include "server/domain/order.h"

namespace salesops::projections {

void OrderDirectory::Apply(absl::Span<const v1::EventEnvelope> events) {
  absl::MutexLock lock(&mu_);
  for (const v1::EventEnvelope& e : events) {
    position_ = e.position();
    if (!absl::StartsWith(e.stream_id(), domain::kOrderStreamPrefix)) continue;
    domain::EvolveOrder(orders_[e.stream_id().substr(domain::kOrderStreamPrefix.size())], e);
  }
}

uint64_t OrderDirectory::position() const {
  absl::ReaderMutexLock lock(&mu_);
  return position_;
}

std::optional<v1::Order> OrderDirectory::Get(absl::string_view order_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = orders_.find(order_id);
  if (it == orders_.end()) return std::nullopt;
  return it->second;
}

}  // namespace salesops::projections
