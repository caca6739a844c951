// The embedded event log: the EventLog (event_log.h) on RocksDB
// (docs/STORAGE.md). No RocksDB type appears here; tests reach the file
// system seam and fault hooks through event_store_internal.h.
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
#include "absl/time/time.h"
#include "server/store/event_log.h"

namespace salesops::store {

struct StoreOptions {
  // Directory of the RocksDB database; created when missing.
  std::string path;
  // true: every Append fsyncs the write-ahead log before it returns, so an
  // acknowledged append survives power loss. false ("async"): the OS flushes
  // later; a crash of the process loses nothing, a power loss may lose the
  // last moments.
  bool sync = true;
  // true: Open rebuilds the stream index (the `streams` family) from the
  // events before anything else reads it: the recovery path when
  // VerifyStreamIndex finds it damaged (docs/STORAGE.md, "Faults"). A
  // rebuild interrupted by a crash is finished by the next Open, whatever
  // this says.
  bool rebuild_stream_index = false;
  // The free space the log keeps on its file system (docs/STORAGE.md, "A
  // full disk"): an Append or PutSnapshot that would leave less is refused
  // with RESOURCE_EXHAUSTED, and writes resume by themselves once space is
  // freed; below it at Open, the log opens read-only until restarted. It
  // must cover what RocksDB writes besides the log: memtable flushes (up
  // to 64 MiB per column family) and compactions. 0: no reserve.
  uint64_t min_free_bytes = 256ull << 20;
  // How long a reading of the free space is trusted (it is also read again
  // once a quarter of the headroom it showed was written by the log, and
  // on every write while writes are refused). Another process filling the
  // disk faster than the reserve in this time can still make RocksDB run
  // out. Tests set 0: read before every write.
  absl::Duration free_space_recheck = absl::Milliseconds(100);
};

// The result of checking the stream index against the events.
struct StreamIndexCheck {
  bool ok = true;
  uint64_t events_checked = 0;   // events whose index entry was checked
  uint64_t entries_checked = 0;  // index entries whose event was checked
  // When !ok, the first inconsistency found: the event position concerned
  // (0 when it is an index entry that names no readable position), and what
  // is wrong, naming the stream and version.
  uint64_t position = 0;
  std::string problem;
};

class EventStore final : public EventLog {
 public:
  // Opens (creating when missing) the log at options.path and recovers its
  // head position. Errors: UNAVAILABLE when RocksDB cannot open the
  // directory; DATA_LOSS when it finds corruption — including a damaged
  // write-ahead log anywhere but a torn tail, whose file and dropped bytes
  // the message names; the directory is then left as it was found
  // (docs/STORAGE.md, "Recovery"); FAILED_PRECONDITION for a newer on-disk
  // format; RESOURCE_EXHAUSTED when the disk is below min_free_bytes and the
  // log does not exist yet or needs a write to open (a format upgrade, a
  // stream index rebuild). Below min_free_bytes an existing log opens
  // read-only: reads work, write_state() is RESOURCE_EXHAUSTED (not
  // transient: restart once space is freed).
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const StoreOptions& options);

  // Closes the database. With sync=true everything acknowledged was already
  // on disk; with sync=false closing flushes the write-ahead log.
  ~EventStore() override;

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // EventLog (event_log.h states each contract). Append's UNAVAILABLE: the
  // batch may or may not be on disk (RocksDB may have written its log before
  // the fsync failed).
  absl::StatusOr<std::vector<v1::EventEnvelope>> Append(AppendBatch batch) override;
  bool failed() const override { return failed_.load(std::memory_order_acquire); }
  WriteState write_state() const override;
  StorageStats Stats() const override;
  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadStream(absl::string_view stream_id, uint64_t from_version,
                                                            size_t limit,
                                                            size_t max_bytes = kDefaultMaxReadBytes) const override;
  absl::StatusOr<LogPage> ReadLog(uint64_t from_position, size_t limit, const LogFilter& filter, size_t max_scan,
                                  size_t max_bytes = kDefaultMaxReadBytes) const override;
  absl::Status ScanRange(uint64_t from_position, uint64_t to_position,
                         absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const override;
  absl::StatusOr<uint64_t> StreamVersion(absl::string_view stream_id) const override;
  absl::StatusOr<std::optional<v1::IdempotencyRecord>> GetIdempotency(absl::string_view actor,
                                                                      absl::string_view request_id) const override;
  uint64_t Head() const override { return head_.load(std::memory_order_acquire); }
  absl::StatusOr<std::string> ChainDigest(uint64_t position) const override;
  absl::StatusOr<ChainCheck> VerifyChain(uint64_t from, uint64_t to) const override;
  const absl::Status& open_check() const override { return open_check_; }
  // Open verifies this many events at the tail of the log.
  static constexpr uint64_t kTailCheck = 10'000;

  // Checks the stream index against the events, in two passes: every event
  // up to the head (at the start of the call) is indexed at its position
  // under its stream and version; every index entry names an event of that
  // stream and version. Reports the first inconsistency, including a
  // damaged block (RocksDB's Corruption) of either family, as a
  // StreamIndexCheck with ok = false. `pace` is called after every
  // kIndexCheckChunk items with the number checked since its last call (a
  // rate limiter may wait there); returning false stops the check with
  // CANCELLED. Errors: CANCELLED; UNAVAILABLE for other storage failures.
  // Appends may go on meanwhile. Cost: one point lookup per event and per
  // entry, batched.
  absl::StatusOr<StreamIndexCheck> VerifyStreamIndex(
      absl::FunctionRef<bool(uint64_t)> pace = [](uint64_t) { return true; }) const;
  static constexpr size_t kIndexCheckChunk = 512;

  // A rocksdb::Checkpoint: table files are hard-linked when `dir` is on the
  // same file system, copied otherwise; memtables are flushed first. The
  // returned head is read back from the copy.
  absl::StatusOr<uint64_t> Checkpoint(const std::string& dir) const override;

  // Written beside the write-ahead log and flushed to its own file before
  // returning (with async durability the log is synced first). A replaced
  // snapshot is compacted away before this returns (unless a reader such
  // as VerifyChain holds a RocksDB snapshot at that moment: then at the
  // next PutSnapshot).
  absl::Status PutSnapshot(absl::string_view name, const std::vector<std::string>& chunks) override;
  absl::StatusOr<std::vector<std::string>> GetSnapshot(absl::string_view name) const override;
  // The size of the snapshots' table files (RocksDB's total-sst-files-size
  // of their column family): about the size of the snapshots held.
  uint64_t SnapshotBytesOnDisk() const;

 private:
  friend struct EventStoreInternal;  // event_store_internal.h
  struct Rep;
  explicit EventStore(std::unique_ptr<Rep> rep, uint64_t head);
  // Open on `rep`'s environment (its `env`, else RocksDB's default).
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const StoreOptions& options, std::unique_ptr<Rep> rep);

  std::unique_ptr<Rep> rep_;
  absl::Status open_check_;
  std::atomic<uint64_t> head_;
  std::atomic<bool> failed_{false};
  std::atomic<bool> test_fail_writes_{false};
};

}  // namespace salesops::store

#endif  // SALESOPS_SERVER_STORE_EVENT_STORE_H_
