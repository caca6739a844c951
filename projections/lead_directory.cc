#include "projections/lead_directory.h"

#include "projections/accounts_view.h"
#include "server/domain/lead_details.h"

namespace salesops::projections {

void LeadDirectory::Evolve(domain::LeadState& lead, absl::string_view lead_id, const v1::EventEnvelope& envelope) {
  domain::EvolveLeadDetails(lead, lead_id, envelope);
}

absl::StatusOr<std::optional<domain::LeadParties>> LeadDirectory::Parties(absl::string_view lead_id,
                                                                           bool wait) const {
  const auto parties = [&](const ViewsState& state) -> std::optional<domain::LeadParties> {
    auto it = state.core.leads.find(lead_id);
    if (it == state.core.leads.end()) return std::nullopt;
    return domain::LeadParties{it->second.owner.str(), it->second.assignee.str()};
  };
  if (wait) return views_->Read(parties);
  std::optional<std::optional<domain::LeadParties>> read = views_->TryRead(parties);
  if (!read.has_value()) return absl::UnavailableError("the views are being written");
  return *std::move(read);
}

std::optional<v1::Lead> LeadDirectory::Get(absl::string_view lead_id) const {
  return views_->Read([&](const ViewsState& state) -> std::optional<v1::Lead> {
    auto it = state.core.leads.find(lead_id);
    if (it == state.core.leads.end() || it->second.details == nullptr) return std::nullopt;
    v1::Lead lead = domain::ToLeadMessage(it->first, it->second);
    if (std::optional<v1::AccountSummary> history = CustomerHistory(state, it->first)) {
      *lead.mutable_customer_history() = *std::move(history);
    }
    return lead;
  });
}

size_t LeadDirectory::size() const {
  return views_->Read([](const ViewsState& state) { return state.core.leads.size(); });
}

}  // namespace salesops::projections
