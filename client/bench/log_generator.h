// Grows a stopped salesopsd's log quickly for the restart scenario: the
// lifecycle scenario's journeys (lifecycle_plan.h), decided by the server's
// own deciders in this process instead of sent as RPCs.
//
// The commands go to an engine::Sequencer without projections on the
// server's store, so every event is one the server itself would have
// written for that command — same rules, same streams, request ids and
// idempotency records — at the rate of group commits of up to 1024
// commands without an fsync per commit (the store is opened with
// sync=false; closing it flushes the write-ahead log). A command the
// deciders refuse is an error: the generator only sends commands the
// journey allows, so a refusal means the log is not what it claims to be.
#ifndef SALESOPS_CLIENT_BENCH_LOG_GENERATOR_H_
#define SALESOPS_CLIENT_BENCH_LOG_GENERATOR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "team_plan.h"

namespace salesops::bench {

struct GenerateOptions {
  std::string db_path;     // the server's --data-dir (its RocksDB database); the server must be stopped
  std::string tag;         // lead ids are "<tag>-l<n>": a tag no other lead of the log has
  uint64_t first_lead = 0;  // n of the first lead (a second call continues the series)
  uint64_t until_events = 0;  // stop once the log holds this many events
  int clients = 1024;         // journeys in progress at once
};

struct GeneratedLog {
  uint64_t head_before = 0;  // the log's head when opened
  uint64_t head = 0;         // its head after the last commit
  uint64_t commands = 0;     // commands decided and written
  uint64_t next_lead = 0;    // the first lead number not used
  double seconds = 0;        // opening (the deciders' replay) to closing
  double replay_seconds = 0;  // of which the replay of the existing log
};

// Appends journeys, as the members of `team` (which the log's team must
// hold) would send them, until the log holds options.until_events events
// (nothing when it already does). Errors: the store's, INVALID_ARGUMENT for
// fewer than one client, and INTERNAL for a command that failed (refused by
// the deciders, or not written).
absl::StatusOr<GeneratedLog> GenerateLog(const GenerateOptions& options, const BenchTeam& team);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_LOG_GENERATOR_H_
