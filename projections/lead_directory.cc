#include "projections/lead_directory.h"

#include "absl/strings/match.h"
#include "server/domain/events.h"
#include "server/domain/lead.h"

namespace salesops::projections {

void LeadDirectory::Evolve(v1::Lead& lead, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  lead.set_version(envelope.stream_version());
  lead.set_last_position(envelope.position());
  *lead.mutable_updated_at() = envelope.occurred_at();
  switch (event.body_case()) {
    case v1::Event::kLeadIdentified: {
      const auto& e = event.lead_identified();
      lead.set_lead_id(e.lead_id());
      lead.set_company(e.company());
      *lead.mutable_contact() = e.contact();
      lead.set_source(e.source());
      if (e.has_estimated_value()) *lead.mutable_estimated_value() = e.estimated_value();
      lead.set_owner(e.owner());
      *lead.mutable_identified_at() = envelope.occurred_at();
      break;
    }
    case v1::Event::kLeadQualified:
      lead.set_qualification_score(event.lead_qualified().score());
      break;
    case v1::Event::kLeadDisqualified:
      lead.set_close_reason(event.lead_disqualified().reason());
      break;
    case v1::Event::kSolutionProposed:
      *lead.mutable_estimated_value() = event.solution_proposed().value();
      break;
    case v1::Event::kQuoteSent: {
      const auto& e = event.quote_sent();
      lead.set_quote_id(e.quote_id());
      *lead.mutable_quoted_amount() = e.amount();
      lead.set_quote_revision(e.revision());
      break;
    }
    case v1::Event::kDealWon:
      *lead.mutable_won_amount() = event.deal_won().final_amount();
      lead.set_signed_date(event.deal_won().signed_date());
      break;
    case v1::Event::kDealLost: {
      const auto& e = event.deal_lost();
      lead.set_loss_reason(e.reason());
      lead.set_competitor(e.competitor());
      lead.set_close_reason(e.note());
      break;
    }
    case v1::Event::kLeadReopened:
      lead.clear_close_reason();
      lead.clear_loss_reason();
      lead.clear_competitor();
      break;
    case v1::Event::kLeadUpdated: {
      const auto& e = event.lead_updated();
      if (e.has_contact()) *lead.mutable_contact() = e.contact();
      if (e.has_estimated_value()) *lead.mutable_estimated_value() = e.estimated_value();
      if (e.source() != v1::LEAD_SOURCE_UNSPECIFIED) lead.set_source(e.source());
      break;
    }
    case v1::Event::kLeadAssigned:
      lead.set_assignee(event.lead_assigned().assignee());
      lead.set_awaiting_role(event.lead_assigned().role());
      *lead.mutable_assigned_at() = envelope.occurred_at();
      break;
    case v1::Event::kOwnerChanged:
      lead.set_owner(event.owner_changed().owner());
      break;
    default:
      break;
  }
  if (const std::optional<v1::StageTransition> t = domain::TransitionOf(event)) {
    if (t->from_stage() != t->to_stage()) *lead.mutable_stage_entered_at() = envelope.occurred_at();
    lead.set_stage(t->to_stage());
    if (domain::FunnelIndex(t->to_stage()) > domain::FunnelIndex(lead.furthest_stage())) {
      lead.set_furthest_stage(t->to_stage());
    }
    const bool closed = t->to_stage() == v1::STAGE_LOST || t->to_stage() == v1::STAGE_DISQUALIFIED;
    if (closed) {
      lead.set_closed_from_stage(t->from_stage());
    } else {
      lead.clear_closed_from_stage();
    }
    if (!domain::IsOpenStage(t->to_stage())) {
      lead.clear_assignee();
      lead.clear_awaiting_role();
      lead.clear_assigned_at();
    }
  }
}

absl::StatusOr<std::optional<domain::LeadParties>> LeadDirectory::Parties(absl::string_view lead_id,
                                                                           bool wait) const {
  const auto parties = [&](const ViewsState& state) -> std::optional<domain::LeadParties> {
    auto it = state.leads.find(lead_id);
    if (it == state.leads.end()) return std::nullopt;
    return domain::LeadParties{it->second.owner(), it->second.assignee()};
  };
  if (wait) return views_->Read(parties);
  std::optional<std::optional<domain::LeadParties>> read = views_->TryRead(parties);
  if (!read.has_value()) return absl::UnavailableError("the views are being written");
  return *std::move(read);
}

std::optional<v1::Lead> LeadDirectory::Get(absl::string_view lead_id) const {
  return views_->Read([&](const ViewsState& state) -> std::optional<v1::Lead> {
    auto it = state.leads.find(lead_id);
    if (it == state.leads.end()) return std::nullopt;
    return it->second;
  });
}

size_t LeadDirectory::size() const {
  return views_->Read([](const ViewsState& state) { return state.leads.size(); });
}

}  // namespace salesops::projections
