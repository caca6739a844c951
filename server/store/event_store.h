// The durable event log: an append-only sequence of EventEnvelopes with a
// global, gap-free position (starting at 1), per-stream versions, and
// idempotency records, on an embedded RocksDB (docs/STORAGE.md).
//
// Thread safety: every method may be called from any thread. Appends are
// serialized internally; reads see only fully committed batches.
#ifndef SALESOPS_SERVER_STORE_EVENT_STORE_H_
#define SALESOPS_SERVER_STORE_EVENT_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
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

struct StoreOptions {
  // Directory of the RocksDB database; created when missing.
  std::string path;
  // true: every Append fsyncs the write-ahead log before it returns, so an
  // acknowledged append survives power loss. false ("async"): the OS flushes
  // later; a crash of the process loses nothing, a power loss may lose the
  // last moments.
  bool sync = true;
};

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
  uint64_t from = 0;        // first position checked
  uint64_t to = 0;          // last position checked
  bool ok = true;
  uint64_t first_broken = 0;  // when !ok: the first position whose stored hash differs
  std::string digest;       // when ok: the chain hash at `to` (32 bytes)
};

// The chain hash before position 1: 32 zero bytes.
std::string GenesisDigest();
// SHA-256(previous || stored_bytes): the chain hash of one stored event.
std::string ChainNext(absl::string_view previous, absl::string_view stored_bytes);

class EventStore {
 public:
  // Opens (creating when missing) the log at options.path and recovers its
  // head position. Errors: UNAVAILABLE when RocksDB cannot open the
  // directory; DATA_LOSS when it finds corruption; FAILED_PRECONDITION for a
  // newer on-disk format.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const StoreOptions& options);

  // Closes the database. With sync=true everything acknowledged was already
  // on disk; with sync=false closing flushes the write-ahead log.
  ~EventStore();

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends atomically and returns the envelopes as stored, in position
  // order. Errors:
  //   ABORTED             a stream's expected_version or expected_head differs
  //                       (nothing written);
  //   INVALID_ARGUMENT    an empty stream id, an empty append or an event
  //                       without event_type (nothing written);
  //   DATA_LOSS           the stream index is unreadable (nothing written);
  //   UNAVAILABLE         the write failed. The batch may or may not be on
  //                       disk (RocksDB may have written its log before the
  //                       fsync failed), so the store is now *failed*: every
  //                       later Append is refused with UNAVAILABLE until the
  //                       store is reopened, which recovers whatever is on
  //                       disk. Positions are therefore never reused.
  absl::StatusOr<std::vector<v1::EventEnvelope>> Append(AppendBatch batch);

  // True once an Append failed (see Append).
  bool failed() const { return failed_.load(std::memory_order_acquire); }

  // Test hook: while set, Append fails as if RocksDB's write had failed.
  void TEST_FailWrites(bool fail) { test_fail_writes_.store(fail); }

  // Up to `limit` events of `stream_id` from version `from_version` (1-based;
  // 0 means 1), in order, stopping early past `max_bytes`. An unknown stream
  // yields an empty vector.
  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadStream(
      absl::string_view stream_id, uint64_t from_version, size_t limit,
      size_t max_bytes = kDefaultMaxReadBytes) const;

  // Events from `from_position` (0 means 1) matching `filter`, at most `limit`
  // of them, examining at most `max_scan` positions, stopping early past
  // `max_bytes`. Only positions up to the head at the start of the call are
  // examined (LogPage::head).
  absl::StatusOr<LogPage> ReadLog(uint64_t from_position, size_t limit, const LogFilter& filter,
                                  size_t max_scan, size_t max_bytes = kDefaultMaxReadBytes) const;

  // Calls `visit` for every event from `from_position` on, in order, until it
  // returns an error (which Scan returns). DATA_LOSS for an unreadable event.
  // The visitor may move from the event it is given.
  absl::Status Scan(uint64_t from_position,
                    absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const;
  // As Scan, stopping after `to_position` (inclusive) or the head at the
  // start of the call, whichever is first.
  absl::Status ScanRange(uint64_t from_position, uint64_t to_position,
                         absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const;

  // The stream's current version (0 for an unknown stream).
  absl::StatusOr<uint64_t> StreamVersion(absl::string_view stream_id) const;

  absl::StatusOr<std::optional<v1::IdempotencyRecord>> GetIdempotency(
      absl::string_view actor, absl::string_view request_id) const;

  // The position of the last committed event (0 for an empty log).
  uint64_t Head() const { return head_.load(std::memory_order_acquire); }

  // The hash chain (docs/AUDIT.md): chain(p) = SHA-256(chain(p - 1) ||
  // the stored bytes of event p), chain(0) = 32 zero bytes; written in the
  // same batch as the events. The digest at `position` (0..head);
  // OUT_OF_RANGE beyond the head.
  absl::StatusOr<std::string> ChainDigest(uint64_t position) const;
  // Recomputes the chain over [from, to] (from ≥ 1, to ≤ head), starting
  // from the stored digest at from - 1, and compares it with the stored
  // hashes: the first position where either the event bytes or the stored
  // hash were changed.
  absl::StatusOr<ChainCheck> VerifyChain(uint64_t from, uint64_t to) const;
  // Set at open when the last kTailCheck events did not verify: the server
  // must refuse writes (they would extend a broken chain).
  const absl::Status& open_check() const { return open_check_; }
  static constexpr uint64_t kTailCheck = 10'000;

  // Writes an online, consistent copy of the whole database (every column
  // family: log, chain, indexes, idempotency records, views snapshot) to the
  // new directory `dir` (absolute; must not exist; its parent must) with
  // rocksdb::Checkpoint: table files are hard-linked when on the same file
  // system, copied otherwise; memtables are flushed first. Appends go on
  // meanwhile. Returns the head position the copy contains, read back from
  // the copy. Errors: FAILED_PRECONDITION when `dir` cannot be created (it
  // exists, its parent does not); UNAVAILABLE for other storage failures
  // (a partial `dir` may then remain).
  absl::StatusOr<uint64_t> Checkpoint(const std::string& dir) const;

  // Replaces the snapshot called `name` (a projection's name) with `chunks`,
  // atomically and durably: written beside the write-ahead log and flushed
  // to its own file before returning (with async durability the log is
  // synced first, so the events a snapshot reflects are never lost while it
  // survives). On an error, either the previous or the new snapshot is read
  // back (a write that succeeded before a failed flush may still be flushed
  // later), never a mix of the two: the batch is atomic. Snapshots live
  // beside the log and are never part of it: deleting them loses nothing.
  absl::Status PutSnapshot(absl::string_view name, const std::vector<std::string>& chunks);
  // The snapshot's chunks in order; empty when there is none.
  absl::StatusOr<std::vector<std::string>> GetSnapshot(absl::string_view name) const;
  absl::Status DeleteSnapshot(absl::string_view name);
  // The size of the snapshots' table files (RocksDB's
  // total-sst-files-size of their column family). A replaced or deleted
  // snapshot is compacted away before PutSnapshot returns (unless a reader
  // such as VerifyChain holds a RocksDB snapshot at that moment: then at the
  // next PutSnapshot), so this is about the size of the snapshots held.
  uint64_t SnapshotBytesOnDisk() const;

 private:
  struct Rep;
  explicit EventStore(std::unique_ptr<Rep> rep, uint64_t head);

  std::unique_ptr<Rep> rep_;
  absl::Status open_check_;
  std::atomic<uint64_t> head_;
  std::atomic<bool> failed_{false};
  std::atomic<bool> test_fail_writes_{false};
};

}  // namespace salesops::store

#endif  // SALESOPS_SERVER_STORE_EVENT_STORE_H_
