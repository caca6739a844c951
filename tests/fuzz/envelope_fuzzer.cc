// Fuzz target "envelope": the event log's value decoder and everything that
// reads a decoded event.
//
// Input: the bytes of an `events` family value (server/store/keys.h), as the
// store reads them back from RocksDB, a backup or an import. They go through
// store::keys::DecodeEvent (the store's one decoder), then through what
// every reader of a stored event calls: the event type and description
// (audit, subscriptions) and the folds (domain::Evolve inside the views'
// EvolveViews), applied on a copy of the fixed world (fuzz_world.h) and
// followed by the pipeline and lead-list queries over the result.
//
// An event is folded as the server would fold it after an import
// (Admin.Import, sequencer.cc ProcessImport) that wrote it: the fields the
// import and the store check or assign are set to what they would accept
// (the next position, envelope_version 1, the event type its payload names,
// the stream's next version, a recorded_at not before the log's last);
// an event without a payload (refused by the import) is not folded.
//
// Invariants checked:
//   * bytes that do not decode are DATA_LOSS naming the position;
//   * a decoded envelope encodes to bytes that decode to the same envelope;
//   * folding any importable event into the world, and querying the
//     result, completes (no crash, leak or undefined behaviour), the views'
//     position becomes the event's, and the indexes the fold kept equal
//     those built from scratch (as a restart builds them).
#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "projections/pipeline.h"
#include "projections/views_state.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"
#include "server/store/keys.h"
#include "tests/fuzz/fuzz_world.h"

namespace salesops::fuzz {
namespace {

// The store's version of every stream in the world's log.
const absl::flat_hash_map<std::string, uint64_t>& StreamVersions() {
  static const auto* const versions = [] {
    auto* v = new absl::flat_hash_map<std::string, uint64_t>();
    for (const v1::EventEnvelope& e : TheWorld().log) (*v)[e.stream_id()] = e.stream_version();
    return v;
  }();
  return *versions;
}

void FoldAsImported(v1::EventEnvelope e) {
  const World& world = TheWorld();
  const std::string type = domain::EventTypeName(e.event());
  if (type.empty()) return;  // the import refuses an event without a payload
  e.set_position(world.log.size() + 1);
  e.set_envelope_version(1);
  e.set_event_type(type);
  const auto version = StreamVersions().find(e.stream_id());
  e.set_stream_version((version == StreamVersions().end() ? 0 : version->second) + 1);
  if (FromProtoTime(e.recorded_at()) < world.views.log_time)
    *e.mutable_recorded_at() = ToProtoTime(world.now);

  projections::ViewsState views = world.views;
  projections::EvolveViews(views, e);
  FUZZ_CHECK(views.position == e.position(), e.ShortDebugString());
  // The indexes kept event by event equal those built from scratch, as a
  // restart builds them from a snapshot (a copy re-derives its indexes).
  const projections::ViewsState rebuilt = views;
  FUZZ_CHECK(rebuilt.index == views.index, "indexes kept event by event differ from rebuilt ones after ",
             e.ShortDebugString());
  projections::ListLeads(views, v1::ListLeadsRequest(), world.now).IgnoreError();
  v1::ListLeadsRequest by_value;
  by_value.set_order_by(v1::LEAD_ORDER_VALUE);
  by_value.set_currency(e.event().lead_identified().estimated_value().currency().empty()
                            ? "CNY"
                            : e.event().lead_identified().estimated_value().currency());
  projections::ListLeads(views, by_value, world.now).IgnoreError();
  projections::BuildPipeline(views, v1::GetPipelineRequest(), world.now).IgnoreError();
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  salesops::fuzz::QuietProtobuf();
  salesops::fuzz::TheWorld();
  salesops::fuzz::StreamVersions();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;  // NOLINT
  const std::string key = store::keys::PositionKey(fuzz::TheWorld().log.size() + 1);
  const absl::string_view value(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<v1::EventEnvelope> decoded = store::keys::DecodeEvent(key, value);
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kDataLoss, decoded.status().ToString());
    FUZZ_CHECK(absl::StrContains(decoded.status().message(),
                                 absl::StrCat("position ", fuzz::TheWorld().log.size() + 1)),
               decoded.status().ToString());
    return 0;
  }
  const std::string encoded = decoded->SerializeAsString();
  absl::StatusOr<v1::EventEnvelope> again = store::keys::DecodeEvent(key, encoded);
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK(again->SerializeAsString() == encoded, decoded->ShortDebugString());

  domain::EventTypeName(decoded->event());
  domain::TransitionOf(decoded->event());
  domain::DescribeEvent(decoded->event());
  fuzz::FoldAsImported(*std::move(decoded));
  return 0;
}
