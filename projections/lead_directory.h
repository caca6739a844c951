// LeadDirectory: the current state of every lead, as GetLead returns it.
//
// Thread-safe: Apply takes a writer lock briefly per batch; Get takes a
// reader lock and copies one lead out.
#ifndef SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_
#define SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "projections/projection.h"
#include "salesops/v1/leads.pb.h"

namespace salesops::projections {

class LeadDirectory final : public Projection {
 public:
  absl::string_view name() const override { return "lead_directory"; }
  void Apply(absl::Span<const v1::EventEnvelope> events) override;
  uint64_t position() const override;

  // Replaces every lead (from a snapshot at `position`, before the sequencer
  // starts); Apply skips events at or before it.
  void Restore(absl::flat_hash_map<std::string, v1::Lead> leads, uint64_t position);

  // The lead's current state, or nullopt for an unknown lead.
  std::optional<v1::Lead> Get(absl::string_view lead_id) const;
  size_t size() const;

  // Folds one lead event into `lead` (pure; exposed for tests).
  static void Evolve(v1::Lead& lead, const v1::EventEnvelope& envelope);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::Lead> leads_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_
