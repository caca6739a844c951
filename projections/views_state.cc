#include "projections/views_state.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "projections/beside.h"
#include "projections/lead_directory.h"
#include "server/domain/account.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {

ViewsState::ViewsState(const ViewsState& other)
    : position(other.position), log_time(other.log_time), core(other.core), facts(other.facts),
      days(other.days) {
  IndexViews(*this);
}

ViewsState& ViewsState::operator=(const ViewsState& other) {
  if (this != &other) *this = ViewsState(other);
  return *this;
}

void EvolveViews(ViewsState& state, const v1::EventEnvelope& envelope) {
  state.position = envelope.position();
  state.log_time = std::max(state.log_time, FromProtoTime(envelope.recorded_at()));
  const absl::string_view stream = envelope.stream_id();
  absl::string_view lead_id = stream;
  const bool lead_stream = absl::ConsumePrefix(&lead_id, domain::kLeadStreamPrefix);
  std::optional<LeadIndexKey> before;  // the lead's index key before the event
  if (lead_stream) {
    if (auto lead = state.core.leads.find(lead_id); lead != state.core.leads.end() && lead->second.details != nullptr) {
      before = IndexKeyOf(lead->second);
    }
  }
  // Needs the state before the event.
  RecordFacts(state.facts, state.days, state.core, state.index.accounts, envelope);
  const StreamBefore stream_before = StreamBeforeOf(state.core, envelope);
  domain::Evolve(state.core, envelope);
  if (absl::string_view account_id = stream; absl::ConsumePrefix(&account_id, domain::kAccountStreamPrefix)) {
    domain::RecordAccountDetails(state.core.accounts, account_id, envelope);
  }
  if (lead_stream) {
    auto lead = state.core.leads.find(lead_id);  // domain::Evolve made it
    LeadDirectory::Evolve(lead->second, lead->first, envelope);
    const LeadIndexKey after = IndexKeyOf(lead->second);
    ReindexLead(state.index.leads, lead->first, before.has_value() ? &*before : nullptr, &after);
  }
  IndexWork(state.index.work, stream, WorkItemOf(state.core, stream));
  IndexAccountEvent(state.index.accounts, state.core, envelope, stream_before);
}

void IndexViews(ViewsState& state) {
  state.index = ViewIndexes();
  // The two indexes share nothing but the (read-only) fold: build them at
  // once when there are enough leads to pay for a thread.
  Beside leads(state.core.leads.size() >= kLeadsWorthAThread,
               [&state] { IndexLeads(state.index.leads, state.core.leads); });
  // Work items in the order they were assigned, so each lands at the end of
  // its set.
  std::vector<std::pair<std::string, WorkItem>> items;
  const auto collect = [&](absl::string_view prefix, const auto& aggregates) {
    for (const auto& entry : aggregates) {
      std::string stream = absl::StrCat(prefix, entry.first);
      if (std::optional<WorkItem> item = WorkItemOf(state.core, stream)) {
        items.emplace_back(std::move(stream), *std::move(item));
      }
    }
  };
  collect(domain::kLeadStreamPrefix, state.core.leads);
  collect(domain::kOrderStreamPrefix, state.core.orders);
  collect(domain::kTicketStreamPrefix, state.core.tickets);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second.since != b.second.since ? a.second.since < b.second.since : a.first < b.first;
  });
  for (const auto& [stream, item] : items) IndexWork(state.index.work, stream, item);
  IndexAccounts(state.index.accounts, state.core, state.facts);
  leads.Join();
}

domain::State DecidersState(const domain::State& core) {
  domain::State out;
  out.team = core.team;
  out.leads.reserve(core.leads.size());
  for (const auto& [id, lead] : core.leads) {
    out.leads.emplace(id, lead.WithoutDetails());
  }
  out.orders = core.orders;
  out.tickets = core.tickets;
  out.meetings = core.meetings;
  out.feedback = core.feedback;
  out.training = core.training;
  // The accounts without the views' details (the deciders' fold keeps none).
  out.accounts = core.accounts.WithoutDetails();
  out.workload = core.workload;
  return out;
}

}  // namespace salesops::projections
