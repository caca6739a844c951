// Snapshots of the views fold: the whole ViewsState as a header and chunks of
// at most kLeadsPerChunk leads (orders and tickets ride with them), encoded
// deterministically (every map in key order), so equal states give equal
// bytes. A snapshot lets a restart replay only the tail of the log.
#ifndef SALESOPS_PROJECTIONS_VIEWS_SNAPSHOT_H_
#define SALESOPS_PROJECTIONS_VIEWS_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "projections/views_state.h"

namespace salesops::projections {

// The version of the fold and of its snapshot format. Bump it whenever
// EvolveViews (or anything it calls) would fold the same log differently, or
// the encoding changes: a snapshot of another version is ignored and the
// views are rebuilt from the log.
// 2: review facts and scoring policies; 3: loss reasons and sources in facts;
// 4: proposed products on leads and in lead facts; 5: customer accounts and
// repeat/referral flags in facts, accounts in the order the log opened them.
inline constexpr uint32_t kViewsVersion = 5;
inline constexpr char kViewsSnapshotName[] = "views";
inline constexpr size_t kLeadsPerChunk = 10'000;
// From this many bytes of chunks on, two threads parse them while the
// decoder folds; a smaller snapshot is parsed as it is folded.
inline constexpr size_t kSnapshotBytesWorthThreads = size_t{1} << 20;

std::vector<std::string> EncodeViewsSnapshot(const ViewsState& state);

// FAILED_PRECONDITION for a snapshot of another kViewsVersion; DATA_LOSS for
// one that does not parse; NOT_FOUND for no chunks.
absl::StatusOr<ViewsState> DecodeViewsSnapshot(const std::vector<std::string>& chunks);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_VIEWS_SNAPSHOT_H_
