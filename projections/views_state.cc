#include "projections/views_state.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "projections/lead_directory.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {

void EvolveViews(ViewsState& state, const v1::EventEnvelope& envelope) {
  state.position = envelope.position();
  state.log_time = std::max(state.log_time, FromProtoTime(envelope.recorded_at()));
  RecordFacts(state.facts, state.core, state.leads, envelope);  // needs the state before the event
  domain::Evolve(state.core, envelope);
  const absl::string_view stream = envelope.stream_id();
  if (absl::StartsWith(stream, domain::kLeadStreamPrefix)) {
    LeadDirectory::Evolve(state.leads[stream.substr(domain::kLeadStreamPrefix.size())], envelope);
  }
}

}  // namespace salesops::projections
