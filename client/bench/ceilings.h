// The ceilings measured without gRPC, on this machine, in the same run:
//
//   MeasureFdatasync  one small append + fdatasync to a file: what one
//                     durable write costs the disk
//   ScanStore         EventStore::Scan over a log: what a rebuild could
//                     read (parsing each envelope included) at best
//   RawAppend         EventStore::Append of batches of the envelopes one
//                     IdentifyLead produces, sync on: what the log can take
//                     with the sequencer's batching and no RPC, no decide
#ifndef SALESOPS_CLIENT_BENCH_CEILINGS_H_
#define SALESOPS_CLIENT_BENCH_CEILINGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "latency_stats.h"
#include "salesops/v1/events.pb.h"

namespace salesops::bench {

// Appends `bytes` to a new file in `dir` and fdatasyncs it, `samples` times
// (the file grows, as a write-ahead log does). UNAVAILABLE when the file
// cannot be written. The file is removed.
absl::StatusOr<LatencySummary> MeasureFdatasync(const std::string& dir, int samples, size_t bytes = 512);

struct ScanResult {
  uint64_t events = 0;
  uint64_t bytes = 0;  // serialized envelope bytes
  double seconds = 0;
  // The events of stream `template_stream` (ScanStore's argument), in
  // order: the envelopes one command produced, for RawAppend.
  std::vector<v1::EventEnvelope> template_events;

  double events_per_second() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// Opens the store at `path` (its server must be stopped: RocksDB locks the
// directory) and scans it from position 1.
absl::StatusOr<ScanResult> ScanStore(const std::string& path, absl::string_view template_stream);

struct RawAppendResult {
  int batch_commands = 0;  // commands (streams) per Append
  uint64_t commands = 0;
  uint64_t events = 0;
  double seconds = 0;
  LatencySummary batch_latency;  // per Append call

  double commands_per_second() const { return seconds > 0 ? static_cast<double>(commands) / seconds : 0; }
};

// Appends to a fresh store at `path` (sync on) batches of `batch_commands`
// new streams, each holding a copy of `command_events`, for `duration`
// after `warmup`. The store is closed (not removed) afterwards.
absl::StatusOr<RawAppendResult> RawAppend(const std::string& path, const std::vector<v1::EventEnvelope>& command_events,
                                          int batch_commands, absl::Duration warmup, absl::Duration duration);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_CEILINGS_H_
