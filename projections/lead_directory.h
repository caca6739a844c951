// LeadDirectory: the leads as Leads.GetLead returns them, read from the
// views fold (ViewsState::core.leads holds each lead once, with its
// details), and the fold of a lead's events into those details.
//
// Thread-safe: reads take the views' reader lock and copy out what they
// return (one lead, built as a message, or its owner and assignee).
#ifndef SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_
#define SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "projections/views.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/leads.pb.h"
#include "server/domain/lead.h"
#include "server/domain/read_policy.h"

namespace salesops::projections {

class LeadDirectory {
 public:
  // `views` must outlive the directory.
  explicit LeadDirectory(const Views* views) : views_(views) {}

  // The lead's current state, or nullopt for an unknown lead.
  std::optional<v1::Lead> Get(absl::string_view lead_id) const;
  // The lead's owner and assignee, without copying the lead; nullopt for an
  // unknown lead. With `wait` false the views are read only if that needs
  // no waiting: UNAVAILABLE when a writer holds or awaits them.
  absl::StatusOr<std::optional<domain::LeadParties>> Parties(absl::string_view lead_id, bool wait) const;
  size_t size() const;

  // Folds one lead event into the details of `lead` (pure; EvolveViews
  // calls it after domain::Evolve folded the event into the rest of
  // `lead`). `lead_id` is the lead's key.
  static void Evolve(domain::LeadState& lead, absl::string_view lead_id, const v1::EventEnvelope& envelope);

 private:
  const Views* const views_;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_LEAD_DIRECTORY_H_
