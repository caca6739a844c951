// Fuzz target "snapshot": the views snapshot decoder.
//
// Input: the chunks of a stored views snapshot (the "snapshots" column
// family, projections/views_snapshot.h), each as a length-prefixed part
// (fuzz_input.h), at most kMaxChunks of them. They go through
// projections::DecodeViewsSnapshot as at a restart; a state it accepts is
// then read as the server reads a loaded fold: re-encoded (the next
// snapshot), queried (pipeline, lead list, the first accounts and customer
// histories) and folded on by the next event of the log.
//
// Invariants checked:
//   * a refusal is NOT_FOUND (no chunks), FAILED_PRECONDITION (another
//     version) or DATA_LOSS (unreadable);
//   * an accepted state encodes to chunks that decode again, and
//     re-encoding that gives the same chunks: encode(decode(encode(s))) ==
//     encode(s), or (for times the encoding saturates) the next round does;
//   * querying and folding onto an accepted state completes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "projections/pipeline.h"
#include "projections/accounts_view.h"
#include "projections/views_snapshot.h"
#include "projections/views_state.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/proto_time.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_world.h"

namespace salesops::fuzz {
namespace {

constexpr size_t kMaxChunks = 16;

bool DocumentedRefusal(absl::StatusCode code) {
  return code == absl::StatusCode::kNotFound || code == absl::StatusCode::kFailedPrecondition ||
         code == absl::StatusCode::kDataLoss;
}

// The next event of the log after a loaded state: a team event (any state
// has a team stream, maybe empty) at the next position.
v1::EventEnvelope NextEvent(const projections::ViewsState& state) {
  v1::EventEnvelope e;
  e.set_envelope_version(1);
  e.set_position(state.position + 1);
  e.set_stream_id("team");
  e.set_stream_version(state.core.team.version + 1);
  e.set_event_type("MemberAdded");
  *e.mutable_recorded_at() = ToProtoTime(TheWorld().now);
  *e.mutable_occurred_at() = ToProtoTime(TheWorld().now);
  e.set_actor(ids::kAdmin);
  e.set_actor_role(v1::ROLE_ADMIN);
  v1::MemberAdded* added = e.mutable_event()->mutable_member_added();
  added->set_member_id("late");
  added->set_display_name("迟到的成员");
  added->add_roles(v1::ROLE_SALES_REP);
  return e;
}

// What differs between two encodings of one state, for the crash report.
std::string Difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return absl::StrCat(a.size(), " chunks, then ", b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    std::unique_ptr<google::protobuf::Message> x, y;
    if (i == 0) {
      x = std::make_unique<v1::ViewsSnapshotHeader>();
      y = std::make_unique<v1::ViewsSnapshotHeader>();
    } else {
      x = std::make_unique<v1::ViewsSnapshotChunk>();
      y = std::make_unique<v1::ViewsSnapshotChunk>();
    }
    x->ParseFromString(a[i]);
    y->ParseFromString(b[i]);
    std::string report;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&report);
    differ.Compare(*x, *y);
    return absl::StrCat("chunk ", i, ": ", report);
  }
  return "no difference";
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  salesops::fuzz::QuietProtobuf();
  salesops::fuzz::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;  // NOLINT
  fuzz::FuzzInput input(data, size);
  std::vector<std::string> chunks;
  while (!input.empty() && chunks.size() < fuzz::kMaxChunks) chunks.emplace_back(input.Part());

  absl::StatusOr<projections::ViewsState> decoded = projections::DecodeViewsSnapshot(chunks);
  if (!decoded.ok()) {
    FUZZ_CHECK(fuzz::DocumentedRefusal(decoded.status().code()), decoded.status().ToString());
    return 0;
  }
  const std::vector<std::string> encoded = projections::EncodeViewsSnapshot(*decoded);
  absl::StatusOr<projections::ViewsState> again = projections::DecodeViewsSnapshot(encoded);
  FUZZ_CHECK(again.ok(), again.status().ToString());
  std::vector<std::string> reencoded = projections::EncodeViewsSnapshot(*again);
  if (reencoded != encoded) {
    // A time beyond what the encoding holds (google.protobuf.Timestamp from
    // absl::Time through int64 nanoseconds: years 1678 to 2262; the server
    // never writes one) is saturated by the first encoding, which can
    // reorder a member's facts once. Then the encoding must be settled.
    absl::StatusOr<projections::ViewsState> third = projections::DecodeViewsSnapshot(reencoded);
    FUZZ_CHECK(third.ok(), third.status().ToString());
    const std::vector<std::string> settled = projections::EncodeViewsSnapshot(*third);
    FUZZ_CHECK(settled == reencoded,
               "re-encoding a decoded snapshot keeps changing it: ", fuzz::Difference(reencoded, settled));
  }

  const absl::Time now = fuzz::TheWorld().now;
  projections::ListLeads(*decoded, v1::ListLeadsRequest(), now).IgnoreError();
  projections::BuildPipeline(*decoded, v1::GetPipelineRequest(), now).IgnoreError();
  // The account views read the account index the decoder re-derived.
  for (size_t i = 0; i < decoded->core.accounts.in_order().size() && i < 3; ++i) {
    v1::GetAccountRequest account;
    account.set_account_id(std::string(decoded->core.accounts.in_order()[i]));
    projections::BuildAccount(*decoded, account, now).IgnoreError();
  }
  int histories = 0;
  for (const auto& [id, lead] : decoded->core.leads) {
    if (++histories > 3) break;
    (void)projections::CustomerHistory(*decoded, id);
  }
  projections::EvolveViews(*decoded, fuzz::NextEvent(*decoded));
  return 0;
}
