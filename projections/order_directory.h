// OrderDirectory: every order as Orders.GetOrder returns it.
//
// Thread-safe: Apply takes a writer lock briefly per batch; Get a reader lock.
#ifndef SALESOPS_PROJECTIONS_ORDER_DIRECTORY_H_
#define SALESOPS_PROJECTIONS_ORDER_DIRECTORY_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "projections/projection.h"
#include "salesops/v1/orders.pb.h"

namespace salesops::projections {

class OrderDirectory final : public Projection {
 public:
  absl::string_view name() const override { return "order_directory"; }
  void Apply(absl::Span<const v1::EventEnvelope> events) override;
  uint64_t position() const override;

  std::optional<v1::Order> Get(absl::string_view order_id) const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::Order> orders_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_ORDER_DIRECTORY_H_
