// A projection folds committed events, in log order, into a view. The
// sequencer applies each committed batch before it acknowledges it, so a
// reply's position is already visible to queries (read-your-writes).
#ifndef SALESOPS_PROJECTIONS_PROJECTION_H_
#define SALESOPS_PROJECTIONS_PROJECTION_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "salesops/v1/events.pb.h"

namespace salesops::projections {

class Projection {
 public:
  virtual ~Projection() = default;
  virtual absl::string_view name() const = 0;
  // Applies committed events, in position order, each exactly once. Called
  // by one writer at a time (the sequencer, or recovery before it starts);
  // safe to call concurrently with the projection's read methods.
  virtual void Apply(absl::Span<const v1::EventEnvelope> events) = 0;
  // The position of the last applied event (0 before any).
  virtual uint64_t position() const = 0;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_PROJECTION_H_
