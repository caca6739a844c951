// LeadDirectory: the leads as Leads.GetLead returns them, read from the
// views fold (ViewsState::leads holds each lead once), and the fold of a
// lead's events into that view.
//
// Thread-safe: reads take the views' reader lock and copy one lead out.
#ifndef SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_
#define SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "projections/views.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesops::projections {

class LeadDirectory {
 public:
  // `views` must outlive the directory.
  explicit LeadDirectory(const Views* views) : views_(views) {}

  // The lead's current state, or nullopt for an unknown lead.
  std::optional<v1::Lead> Get(absl::string_view lead_id) const;
  // The lead's owner and assignee (empty strings for an unknown lead),
  // looked up only if the views can be read without waiting: UNAVAILABLE
  // when a writer holds or awaits them.
  absl::StatusOr<std::pair<std::string, std::string>> TryParties(absl::string_view lead_id) const;
  size_t size() const;

  // Folds one lead event into `lead` (pure; EvolveViews calls it).
  static void Evolve(v1::Lead& lead, const v1::EventEnvelope& envelope);

 private:
  const Views* const views_;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_
