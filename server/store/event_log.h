// The storage seam: the durable event log as the sequencer, the views and the
// services see it (DESIGN.md §3, "A storage seam"). The embedded RocksDB log
// (event_store.h) implements it; cluster mode adds a PostgreSQL one. Nothing
// of either engine appears here.
//
// The log is an append-only sequence of EventEnvelopes with a global,
// gap-free position (starting at 1), per-stream versions, a hash chain over
// the stored bytes (docs/AUDIT.md) and idempotency records; beside it, named
// projection snapshots that are never part of the log.
//
// Thread safety: every method of an EventLog may be called from any thread.
// Appends are serialized by the implementation; reads see only fully
// committed batches.
#ifndef SALESOPS_SERVER_STORE_EVENT_LOG_H_
#define SALESOPS_SERVER_STORE_EVENT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"

namespace salesops::store {

// Events appended to one stream. Append assigns each envelope's position,
// stream_version and envelope_version; every other field is stored as given
// (event_type must be set).
struct StreamAppend {
  std::string stream_id;
  // nullopt: any version; 0: the stream must not exist yet; n: the stream's
  // current version must be n.
  std::optional<uint64_t> expected_version;
  std::vector<v1::EventEnvelope> events;
};

// An idempotency record written in the same atomic batch as the events.
struct IdempotencyWrite {
  std::string actor;
  std::string request_id;
  v1::IdempotencyRecord record;
};

// One atomic append: everything in it is written, or nothing.
struct AppendBatch {
  std::vector<StreamAppend> streams;
  std::vector<IdempotencyWrite> idempotency;
  // When set, refuse unless Head() equals it (lets a single writer predict
  // the positions it will get).
  std::optional<uint64_t> expected_head;
  // Set by a writer that asked write_state() before it decided the batch:
  // a free-space refusal then needs the disk to have fallen well below the
  // reserve meanwhile (half of it, for the RocksDB log), so a batch decided
  // just before the reserve was crossed is written rather than failed.
  bool admitted = false;
};

struct LogFilter {
  std::vector<std::string> event_types;  // empty: every type
  std::string stream_prefix;             // empty: every stream
};

struct LogPage {
  std::vector<v1::EventEnvelope> events;
  uint64_t next_position = 0;  // the first position not examined
  uint64_t head = 0;           // the head position the read was bounded by
  bool reached_head = false;   // true when every position up to `head` was examined
};

// Reads stop adding events once this many serialized bytes were collected
// (always returning at least one), so a page fits a gRPC message.
inline constexpr size_t kDefaultMaxReadBytes = 2 << 20;

// The result of recomputing the hash chain over a range of positions.
struct ChainCheck {
  uint64_t from = 0;          // first position checked
  uint64_t to = 0;            // last position checked
  bool ok = true;
  // When !ok: the first position whose stored event or hash is changed,
  // missing or unreadable (a damaged block: the first position that could
  // not be verified); from - 1 when the starting hash is missing.
  uint64_t first_broken = 0;
  std::string what;           // when !ok: what broke there, for people
  std::string digest;         // when ok: the chain hash at `to` (32 bytes)
};

// The chain hash before position 1: 32 zero bytes.
std::string GenesisDigest();
// SHA-256(previous || stored_bytes): the chain hash of one stored event.
std::string ChainNext(absl::string_view previous, absl::string_view stored_bytes);
// Gives `event` the fields Append assigns (envelope_version 1, `position`,
// `stream_id`, `stream_version`) and returns its stored bytes: what every
// implementation stores and chains, so that the same batches make the same
// log, byte for byte, whichever engine holds it.
std::string SealEvent(v1::EventEnvelope& event, uint64_t position, absl::string_view stream_id,
                      uint64_t stream_version);

// What the storage engine says about itself, for metrics (zero where an
// implementation has no such figure).
struct StorageStats {
  uint64_t table_bytes = 0;               // table files on disk, all of the log's tables
  uint64_t pending_compaction_bytes = 0;  // bytes compaction estimates it still has to rewrite
  uint64_t memtable_bytes = 0;            // memory of the write buffers
  bool writes_stopped = false;            // the engine stopped writes (a stall)
  uint64_t delayed_write_rate = 0;        // bytes/s while the engine slows writes down, else 0
};

// Whether the log takes writes now, and why not (docs/STORAGE.md, "Faults").
struct WriteState {
  // OK: appends are taken. Otherwise the status every Append returns now:
  // RESOURCE_EXHAUSTED (the disk is nearly full; writes resume by
  // themselves once space returns — or, when the log had to open
  // read-only for lack of space, after a restart), UNAVAILABLE (a write failed: the log is
  // failed until reopened), FAILED_PRECONDITION (the log did not verify at
  // open).
  absl::Status status;
  // True when the refusal ends by itself (free space returned), without a
  // restart.
  bool transient = false;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends atomically and returns the envelopes as stored, in position
  // order. Errors:
  //   ABORTED             a stream's expected_version or expected_head differs
  //                       (nothing written);
  //   INVALID_ARGUMENT    an empty stream id, an empty append or an event
  //                       without event_type (nothing written);
  //   DATA_LOSS           the stream index is unreadable (nothing written);
  //   FAILED_PRECONDITION the log did not verify at open: open_check()
  //                       (nothing written);
  //   RESOURCE_EXHAUSTED  writes are refused for lack of disk space (nothing
  //                       written; retry later);
  //   UNAVAILABLE         the write failed. The batch may or may not be
  //                       durable, so the log is now *failed*: every later
  //                       Append is refused with UNAVAILABLE until it is
  //                       reopened, which recovers whatever is durable.
  //                       Positions are therefore never reused.
  virtual absl::StatusOr<std::vector<v1::EventEnvelope>> Append(AppendBatch batch) = 0;

  // True once an Append failed (see Append).
  virtual bool failed() const = 0;
  // Whether writes are taken now (see WriteState).
  virtual WriteState write_state() const = 0;
  // The engine's own figures (metrics).
  virtual StorageStats Stats() const { return {}; }

  // Up to `limit` events of `stream_id` from version `from_version` (1-based;
  // 0 means 1), in order, stopping early past `max_bytes`. An unknown stream
  // yields an empty vector.
  virtual absl::StatusOr<std::vector<v1::EventEnvelope>> ReadStream(
      absl::string_view stream_id, uint64_t from_version, size_t limit,
      size_t max_bytes = kDefaultMaxReadBytes) const = 0;

  // Events from `from_position` (0 means 1) matching `filter`, at most `limit`
  // of them, examining at most `max_scan` positions, stopping early past
  // `max_bytes`. Only positions up to the head at the start of the call are
  // examined (LogPage::head). DATA_LOSS for an unreadable event, naming the
  // first position that could not be read.
  virtual absl::StatusOr<LogPage> ReadLog(uint64_t from_position, size_t limit, const LogFilter& filter,
                                          size_t max_scan, size_t max_bytes = kDefaultMaxReadBytes) const = 0;

  // Calls `visit` for every event from `from_position` on, in order, until it
  // returns an error (which Scan returns). DATA_LOSS for an unreadable event
  // (unparsable, or a damaged block on disk) or a gap, naming the position.
  // The visitor may move from the event.
  absl::Status Scan(uint64_t from_position, absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const {
    return ScanRange(from_position, UINT64_MAX, visit);
  }
  // As Scan, stopping after `to_position` (inclusive) or the head at the
  // start of the call, whichever is first (UINT64_MAX: no bound but the
  // events there are).
  virtual absl::Status ScanRange(uint64_t from_position, uint64_t to_position,
                                 absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const = 0;

  // The stream's current version (0 for an unknown stream).
  virtual absl::StatusOr<uint64_t> StreamVersion(absl::string_view stream_id) const = 0;

  virtual absl::StatusOr<std::optional<v1::IdempotencyRecord>> GetIdempotency(
      absl::string_view actor, absl::string_view request_id) const = 0;

  // The position of the last committed event (0 for an empty log).
  virtual uint64_t Head() const = 0;

  // The hash chain (docs/AUDIT.md): chain(p) = SHA-256(chain(p - 1) ||
  // the stored bytes of event p), chain(0) = 32 zero bytes; written in the
  // same batch as the events. The digest at `position` (0..head);
  // OUT_OF_RANGE beyond the head; DATA_LOSS when it is missing.
  virtual absl::StatusOr<std::string> ChainDigest(uint64_t position) const = 0;
  // Recomputes the chain over [from, to] (from ≥ 1, to ≤ head), starting
  // from the stored digest at from - 1, and compares it with the stored
  // hashes: the first position where either the event bytes or the stored
  // hash were changed, are missing, or cannot be read (storage corruption).
  // Damage is a ChainCheck with ok = false, never an error. Errors:
  // OUT_OF_RANGE for a bad range; UNAVAILABLE when the storage failed
  // otherwise (retrying is safe).
  virtual absl::StatusOr<ChainCheck> VerifyChain(uint64_t from, uint64_t to) const = 0;
  // Set at open when the log's tail did not verify: the server must refuse
  // writes (they would extend a broken chain).
  virtual const absl::Status& open_check() const = 0;

  // Writes an online, consistent copy of the whole log (and its snapshots)
  // to the new directory `dir` (absolute; must not exist; its parent must).
  // Appends go on meanwhile. Returns the head position the copy contains.
  // Errors: FAILED_PRECONDITION when `dir` cannot be created; UNAVAILABLE
  // for other storage failures (a partial `dir` may then remain).
  virtual absl::StatusOr<uint64_t> Checkpoint(const std::string& dir) const = 0;

  // Replaces the snapshot called `name` with `chunks`, atomically and
  // durably (the events it reflects are durable first). On an error, either
  // the previous or the new snapshot is read back, never a mix. Snapshots
  // are never part of the log: deleting them loses nothing.
  virtual absl::Status PutSnapshot(absl::string_view name, const std::vector<std::string>& chunks) = 0;
  // The snapshot's chunks in order; empty when there is none.
  virtual absl::StatusOr<std::vector<std::string>> GetSnapshot(absl::string_view name) const = 0;
  absl::Status DeleteSnapshot(absl::string_view name) { return PutSnapshot(name, {}); }
};

}  // namespace salesops::store

#endif  // SALESOPS_SERVER_STORE_EVENT_LOG_H_
