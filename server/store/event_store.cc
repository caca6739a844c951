#include "server/store/event_store.h"

#include "server/store/chain_walk.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <cstdarg>
#include <cstdio>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/write_batch.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/store/event_store_internal.h"
#include "server/store/free_space.h"
#include "server/store/keys.h"

namespace salesops::store {

namespace {

enum Family { kEvents = 0, kStreams = 1, kIdempotency = 2, kMeta = 3, kSnapshots = 4, kChain = 5 };

// Storage errors reach clients as UNAVAILABLE without RocksDB's text; the
// text goes to the server log.
absl::Status StorageError(absl::string_view what, const rocksdb::Status& s) {
  LogError("storage: %s failed: %s", what, s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(absl::StrCat("storage ", what, ": the log is corrupt"));
  return absl::UnavailableError(absl::StrCat("storage ", what, " failed"));
}

// A failed read of the events family at `position` (the first position not
// read): RocksDB's Corruption (a damaged table block, found by its checksum)
// becomes DATA_LOSS naming the position; other failures are StorageError's.
absl::Status ReadErrorAt(absl::string_view what, uint64_t position, const rocksdb::Status& s) {
  if (!s.IsCorruption()) return StorageError(what, s);
  LogError("storage: %s failed at position %d: %s", what, position, s.ToString());
  return absl::DataLossError(absl::StrCat("storage ", what, ": the log is unreadable from position ", position,
                                          " (a damaged block on disk); see docs/STORAGE.md, \"Faults\""));
}

absl::StatusOr<v1::EventEnvelope> ParseEvent(const rocksdb::Slice& key, const rocksdb::Slice& value) {
  return keys::DecodeEvent(absl::string_view(key.data(), key.size()), absl::string_view(value.data(), value.size()));
}

// Every column family, in Family order (the default one last).
std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors(const rocksdb::ColumnFamilyOptions& cf_options) {
  return {
      {keys::kEventsFamily, cf_options},
      {keys::kStreamsFamily, cf_options},
      {keys::kIdempotencyFamily, cf_options},
      {keys::kMetaFamily, cf_options},
      {keys::kSnapshotsFamily, cf_options},
      {keys::kChainFamily, cf_options},
      {rocksdb::kDefaultColumnFamilyName, cf_options},
  };
}

// RocksDB's info log, as configured, plus what recovery says about a damaged
// write-ahead log: the status DB::Open returns ("Corruption: checksum
// mismatch") names neither the file nor where in it, but recovery logs both
// ("…/000004.log: dropping 3571 bytes; Corruption: checksum mismatch").
// Lines are kept only until StopKeeping().
class RecoveryLogger final : public rocksdb::Logger {
 public:
  explicit RecoveryLogger(std::shared_ptr<rocksdb::Logger> base)
      : rocksdb::Logger(base->GetInfoLogLevel()), base_(std::move(base)) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (keeping_.load(std::memory_order_acquire)) {
      char line[1024];
      va_list copy;
      va_copy(copy, ap);
      std::vsnprintf(line, sizeof(line), format, copy);
      va_end(copy);
      absl::string_view kept(line);
      if (absl::StrContains(kept, "dropping")) {
        // Without RocksDB's "[source:line] " prefix.
        if (const size_t prefix = kept.find("] "); kept.front() == '[' && prefix != kept.npos) {
          kept.remove_prefix(prefix + 2);
        }
        absl::MutexLock lock(&mu_);
        if (kept_.size() < 3) kept_.emplace_back(kept);
      }
    }
    base_->Logv(level, format, ap);
  }
  void LogHeader(const char* format, va_list ap) override { base_->LogHeader(format, ap); }
  size_t GetLogFileSize() const override { return base_->GetLogFileSize(); }
  void Flush() override { base_->Flush(); }
  rocksdb::Status Close() override { return base_->Close(); }
  void SetInfoLogLevel(const rocksdb::InfoLogLevel level) override {
    rocksdb::Logger::SetInfoLogLevel(level);
    base_->SetInfoLogLevel(level);
  }

  // What recovery reported about dropped bytes, "; "-separated.
  std::string Kept() {
    absl::MutexLock lock(&mu_);
    return absl::StrJoin(kept_, "; ");
  }
  void StopKeeping() { keeping_.store(false, std::memory_order_release); }

 private:
  const std::shared_ptr<rocksdb::Logger> base_;
  std::atomic<bool> keeping_{true};
  absl::Mutex mu_;
  std::vector<std::string> kept_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

struct EventStore::Rep {
  // The environment the database runs on when it is not RocksDB's default
  // (tests: EventStoreInternal::OpenWithFileSystem); outlives `db`.
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> db;
  // Opened with DB::OpenForReadOnly: the disk was nearly full at open.
  bool read_only = false;
  std::unique_ptr<FreeSpaceGuard> free_space;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  rocksdb::WriteOptions write_options;
  absl::Mutex write_mu;  // serializes Append
  std::string last_chain ABSL_GUARDED_BY(write_mu);  // the chain hash at the head

  rocksdb::ColumnFamilyHandle* cf(Family f) const { return families[f]; }

  ~Rep() {
    for (rocksdb::ColumnFamilyHandle* h : families) db->DestroyColumnFamilyHandle(h);
    if (db != nullptr) {
      const rocksdb::Status s = db->Close();
      if (!s.ok()) LogError("storage: close failed: %s", s.ToString());
    }
  }
};

EventStore::EventStore(std::unique_ptr<Rep> rep, uint64_t head) : rep_(std::move(rep)), head_(head) {}

EventStore::~EventStore() = default;

namespace {
absl::Status FailedStatus() {
  return errors::WithReason(
      absl::UnavailableError("the event log refused writes after a failed write; restart the server"),
      errors::kWritesStopped);
}
}  // namespace

namespace {
absl::Status ReadOnlyStatus() {
  return errors::WithReason(
      absl::ResourceExhaustedError(
          "the event log was opened read-only because the disk was nearly full; free space and restart the server"),
      errors::kDiskReserve);
}
}  // namespace

WriteState EventStore::write_state() const {
  if (!open_check_.ok()) return {open_check_, false};
  if (failed()) return {FailedStatus(), false};
  if (rep_->read_only) return {ReadOnlyStatus(), false};
  if (absl::Status room = rep_->free_space->Check(0); !room.ok()) return {std::move(room), true};
  return {};
}

namespace {

// The one-time upgrade of a format-1 log (written before the hash chain):
// computes the chain over events 1..head, then records the upgrade (meta
// kMetaChainUpgrade = head) and format 2 in one synced batch. A crash
// before that batch leaves format 1, and the next open computes it again.
// Returns the chain hash at the head. `families` in Family order.
absl::StatusOr<std::string> UpgradeToChain(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families,
                                           uint64_t head, uint64_t from_format) {
  LogInfo("storage: upgrading the log from format %d to %d: computing the hash chain of %d events", from_format,
          keys::kFormatVersion, head);
  rocksdb::ColumnFamilyHandle* chain_cf = families[kChain];
  rocksdb::WriteOptions wo;
  wo.sync = true;
  std::unique_ptr<rocksdb::Iterator> events(db.NewIterator(rocksdb::ReadOptions(), families[kEvents]));
  rocksdb::WriteBatch wb;
  std::string last = GenesisDigest();
  uint64_t expected = 1;
  for (events->SeekToFirst(); events->Valid(); events->Next(), ++expected) {
    if (keys::DecodeU64(absl::string_view(events->key().data(), events->key().size())) != expected) {
      return absl::DataLossError(absl::StrCat("the event log has a gap before position ", expected));
    }
    last = ChainNext(last, absl::string_view(events->value().data(), events->value().size()));
    wb.Put(chain_cf, keys::PositionKey(expected), last);
    if (wb.Count() >= 10'000) {
      if (rocksdb::Status w = db.Write(wo, &wb); !w.ok()) return StorageError("hash chain write", w);
      wb.Clear();
    }
  }
  if (!events->status().ok()) return StorageError("hash chain computation", events->status());
  wb.Put(families[kMeta], keys::kMetaChainUpgrade, keys::EncodeU64(head));
  wb.Put(families[kMeta], keys::kMetaFormatVersion, keys::EncodeU64(keys::kFormatVersion));
  if (rocksdb::Status w = db.Write(wo, &wb); !w.ok()) return StorageError("hash chain write", w);
  return last;
}

// Replaces the stream index (the `streams` family) with one built from the
// events. The family is dropped, not emptied key by key, so a damaged
// table file of it is never read again. A marker in `meta`, written first
// and removed in the last batch, makes the next open finish an interrupted
// rebuild (a partial index would let Append reuse stream versions).
absl::Status RebuildStreamIndex(rocksdb::DB& db, std::vector<rocksdb::ColumnFamilyHandle*>& families,
                                const rocksdb::ColumnFamilyOptions& cf_options) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db.Put(wo, families[kMeta], keys::kMetaStreamIndexRebuild, "1");
  if (!s.ok()) return StorageError("stream index rebuild", s);
  s = db.DropColumnFamily(families[kStreams]);
  if (!s.ok()) return StorageError("stream index drop", s);
  db.DestroyColumnFamilyHandle(families[kStreams]);
  families[kStreams] = nullptr;
  s = db.CreateColumnFamily(cf_options, keys::kStreamsFamily, &families[kStreams]);
  if (!s.ok()) return StorageError("stream index create", s);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> events(db.NewIterator(ro, families[kEvents]));
  rocksdb::WriteBatch wb;
  uint64_t expected = 1;
  for (events->SeekToFirst(); events->Valid(); events->Next(), ++expected) {
    SALESOPS_ASSIGN_OR_RETURN(const v1::EventEnvelope e, ParseEvent(events->key(), events->value()));
    if (e.position() != expected) {
      return absl::DataLossError(absl::StrCat("stream index rebuild: the log has a gap: position ", expected,
                                              " is missing"));
    }
    wb.Put(families[kStreams], keys::StreamKey(e.stream_id(), e.stream_version()), keys::EncodeU64(expected));
    if (wb.Count() >= 10'000) {
      if (s = db.Write(wo, &wb); !s.ok()) return StorageError("stream index rebuild", s);
      wb.Clear();
    }
  }
  if (!events->status().ok()) return ReadErrorAt("stream index rebuild", expected, events->status());
  wb.Delete(families[kMeta], keys::kMetaStreamIndexRebuild);
  if (s = db.Write(wo, &wb); !s.ok()) return StorageError("stream index rebuild", s);
  LogInfo("storage: rebuilt the stream index from %d events", expected - 1);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const StoreOptions& options) {
  return Open(options, std::make_unique<Rep>());
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStoreInternal::OpenWithFileSystem(
    const StoreOptions& options, std::shared_ptr<rocksdb::FileSystem> fs) {
  auto rep = std::make_unique<EventStore::Rep>();
  rep->env = rocksdb::NewCompositeEnv(fs);
  return EventStore::Open(options, std::move(rep));
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const StoreOptions& options, std::unique_ptr<Rep> rep) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.paranoid_checks = true;
  if (rep->env != nullptr) db_options.env = rep->env.get();
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;

  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.compression = rocksdb::kNoCompression;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = Descriptors(cf_options);
  rocksdb::DB* db = nullptr;
  // RocksDB's own info log (LOG in the directory), keeping what recovery
  // says about a damaged write-ahead log for the error below.
  std::shared_ptr<RecoveryLogger> recovery_log;
  {
    std::shared_ptr<rocksdb::Logger> base;
    if (rocksdb::CreateLoggerFromOptions(options.path, db_options, &base).ok() && base != nullptr) {
      recovery_log = std::make_shared<RecoveryLogger>(std::move(base));
      db_options.info_log = recovery_log;
    }
  }
  // On a nearly full disk the log opens read-only: RocksDB's recovery would
  // write (a flush, a new log, the manifest), and running out of space in
  // the middle of that aborts the process in Debian's build.
  rep->free_space = std::make_unique<FreeSpaceGuard>(options.path, options.min_free_bytes,
                                                       options.free_space_recheck);
  {
    std::error_code ignored;
    // The directory first, so that its own file system is the one measured.
    if (std::error_code made; !std::filesystem::create_directories(options.path, made) && made) {
      LogError("storage: cannot create %s: %s", options.path, made.message());
      return absl::UnavailableError(absl::StrCat("cannot open the event log at ", options.path,
                                                 ": cannot create the directory: ", made.message()));
    }
    const bool exists = std::filesystem::exists(std::filesystem::path(options.path) / "CURRENT", ignored);
    const absl::Status room = rep->free_space->Check(0);
    if (!room.ok() && !exists) return room;
    rep->read_only = !room.ok();
    if (rep->read_only) LogError("storage: opening %s read-only: %s", options.path, room.message());
  }
  const rocksdb::Status s =
      rep->read_only ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &rep->families, &db)
                     : rocksdb::DB::Open(db_options, options.path, descriptors, &rep->families, &db);
  if (recovery_log != nullptr) recovery_log->StopKeeping();
  if (!s.ok()) {
    LogError("storage: open %s failed: %s", options.path, s.ToString());
    if (s.IsCorruption()) {
      const std::string where = recovery_log != nullptr ? recovery_log->Kept() : "";
      return absl::DataLossError(absl::StrCat(
          "cannot open the event log at ", options.path, ": ", s.ToString(),
          where.empty() ? "" : absl::StrCat(" (", where, ")"),
          ". The write-ahead log was left as it was found. Acknowledged events may be damaged, so the "
          "log is not opened past them: restore the latest backup (docs/STORAGE.md, \"Recovery\") and keep this directory "
          "as evidence"));
    }
    return absl::UnavailableError(absl::StrCat("cannot open the event log at ", options.path, ": ", s.ToString()));
  }
  rep->db.reset(db);
  rep->write_options.sync = options.sync;

  const auto needs_writes = [&](absl::string_view what) {
    return absl::ResourceExhaustedError(absl::StrCat("the event log at ", options.path, " needs ", what,
                                                     ", which writes, but the disk is nearly full: free space and "
                                                     "restart"));
  };

  // Format version: written once, checked on every open.
  std::string format_bytes;
  std::optional<uint64_t> format;
  rocksdb::Status g = db->Get(rocksdb::ReadOptions(), rep->cf(kMeta), keys::kMetaFormatVersion, &format_bytes);
  if (g.ok()) {
    format = keys::DecodeU64(format_bytes).value_or(~0ull);
    if (*format > keys::kFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat("the event log at ", options.path, " has format version ",
                                                        *format, "; this salesopsd reads up to ",
                                                        keys::kFormatVersion));
    }
  } else if (!g.IsNotFound()) {
    return StorageError("format version read", g);
  }

  // Head: the last key of the events family.
  uint64_t head = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), rep->cf(kEvents)));
  it->SeekToLast();
  if (it->Valid()) {
    const std::optional<uint64_t> last = keys::DecodeU64(absl::string_view(it->key().data(), it->key().size()));
    if (!last.has_value()) {
      return absl::DataLossError(absl::StrCat("the event log at ", options.path,
                                              " ends with a malformed key; refusing to guess the head"));
    }
    head = *last;
  } else if (!it->status().ok()) {
    return StorageError("head recovery", it->status());
  }
  it.reset();

  std::string rebuilding;
  g = db->Get(rocksdb::ReadOptions(), rep->cf(kMeta), keys::kMetaStreamIndexRebuild, &rebuilding);
  if (!g.ok() && !g.IsNotFound()) return StorageError("stream index marker read", g);
  if ((options.rebuild_stream_index || g.ok()) && rep->read_only) return needs_writes("a stream index rebuild");
  if (options.rebuild_stream_index || g.ok()) {
    if (g.ok()) LogInfo("storage: finishing an interrupted rebuild of the stream index");
    SALESOPS_RETURN_IF_ERROR(RebuildStreamIndex(*db, rep->families, cf_options));
  }

  // The hash chain. Only the one-time, recorded upgrade of a format-1 log
  // computes it; in a format-2 log a missing hash is damage, which the tail
  // check below reports like a changed event.
  absl::Status format_damage;
  std::string last = GenesisDigest();
  if (rep->read_only && (!format.has_value() ? head == 0 : *format < 2)) {
    return needs_writes(format.has_value() ? "the upgrade to format 2" : "its format version written");
  }
  if (!format.has_value() && head == 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    g = db->Put(wo, rep->cf(kMeta), keys::kMetaFormatVersion, keys::EncodeU64(keys::kFormatVersion));
    if (!g.ok()) return StorageError("format version write", g);
  } else if (!format.has_value()) {
    // Every salesopsd wrote the format version before its first event.
    format_damage = absl::FailedPreconditionError(absl::StrCat(
        "the log's format version is missing although it holds ", head,
        " events: its metadata was changed outside salesopsd; writes are refused (reads and Audit.VerifyLog "
        "still work; see docs/AUDIT.md)"));
  } else if (*format < 2) {
    SALESOPS_ASSIGN_OR_RETURN(last, UpgradeToChain(*db, rep->families, head, *format));
  }
  if (head > 0 && format != std::optional<uint64_t>(1)) {
    const rocksdb::Status c = db->Get(rocksdb::ReadOptions(), rep->cf(kChain), keys::PositionKey(head), &last);
    if (c.IsNotFound()) {
      last.clear();  // writes are refused: the tail check finds the missing hash
    } else if (!c.ok()) {
      return StorageError("hash chain read", c);
    }
  }
  {
    absl::MutexLock lock(&rep->write_mu);
    rep->last_chain = last;
  }
  std::unique_ptr<EventStore> store(new EventStore(std::move(rep), head));
  // Verify the tail: a broken chain means the log was changed outside salesopsd.
  if (head > 0) {
    const uint64_t from = head > kTailCheck ? head - kTailCheck + 1 : 1;
    SALESOPS_ASSIGN_OR_RETURN(ChainCheck check, store->VerifyChain(from, head));
    if (!check.ok) {
      store->open_check_ = absl::FailedPreconditionError(absl::StrCat(
          "the log's hash chain breaks at position ", check.first_broken,
          ": the stored event or its hash was changed outside salesopsd; writes are refused (reads and "
          "Audit.VerifyLog still work; see docs/AUDIT.md)"));
      LogError("storage: %s", store->open_check_.message());
    }
  }
  if (store->open_check_.ok() && !format_damage.ok()) {
    store->open_check_ = format_damage;
    LogError("storage: %s", format_damage.message());
  }
  return store;
}

namespace {

// The stream's version as the stream index read through `it` holds it.
absl::StatusOr<uint64_t> StreamVersionAt(rocksdb::Iterator& it, absl::string_view stream_id) {
  it.SeekForPrev(keys::StreamKey(stream_id, std::numeric_limits<uint64_t>::max()));
  if (!it.status().ok()) return StorageError("stream version read", it.status());
  if (!it.Valid() || !it.key().starts_with(keys::StreamPrefix(stream_id))) return 0;
  const std::optional<keys::DecodedStreamKey> key =
      keys::DecodeStreamKey(absl::string_view(it.key().data(), it.key().size()));
  if (!key.has_value()) return absl::DataLossError(absl::StrCat("stream index of ", stream_id, " is corrupt"));
  return key->version;
}

// Whether the stream index holds version `version` of `stream_id`: a point
// lookup, whose misses the bloom filters mostly answer without reading a
// block.
absl::StatusOr<bool> HasStreamVersion(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* streams,
                                      absl::string_view stream_id, uint64_t version) {
  rocksdb::PinnableSlice value;
  const rocksdb::Status s = db.Get(rocksdb::ReadOptions(), streams, keys::StreamKey(stream_id, version), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return StorageError("stream version read", s);
  return true;
}

// Whether the stream is at `version`. Versions are contiguous from 1, so it
// is exactly when the index holds that version (none for 0) and not the
// next: at most two point lookups, cheaper than the seek StreamVersionAt
// makes (a new stream, the common case, costs one bloom-filtered miss).
// Contiguity holds because only Append writes the index, a stream's
// versions in the same batch as its events; an index changed outside
// salesopsd with a gap in it could pass a version below the stream's last
// (the hash chain, checked at open and by Audit.VerifyLog, covers the events,
// not this index).
absl::StatusOr<bool> IsAtVersion(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* streams,
                                 absl::string_view stream_id, uint64_t version) {
  SALESOPS_ASSIGN_OR_RETURN(const bool has_next, HasStreamVersion(db, streams, stream_id, version + 1));
  if (has_next) return false;
  if (version == 0) return true;
  return HasStreamVersion(db, streams, stream_id, version);
}

}  // namespace

absl::StatusOr<std::vector<v1::EventEnvelope>> EventStore::Append(AppendBatch batch) {
  absl::MutexLock lock(&rep_->write_mu);
  if (failed()) return FailedStatus();
  if (!open_check_.ok()) return open_check_;
  if (rep_->read_only) return ReadOnlyStatus();
  const uint64_t head = Head();
  if (batch.expected_head.has_value() && *batch.expected_head != head) {
    return absl::AbortedError(
        absl::StrCat("log head is ", head, ", expected ", *batch.expected_head));
  }

  rocksdb::WriteBatch wb;
  std::vector<v1::EventEnvelope> out;
  absl::flat_hash_map<std::string, uint64_t> versions;  // streams touched by this batch
  std::unique_ptr<rocksdb::Iterator> streams;           // the stream index, opened on first need
  uint64_t position = head;
  std::string bytes;
  std::string chain = rep_->last_chain;
  // The stream's version in the store: the expected one when point lookups
  // confirm it, else what a seek finds (the refusal names it). One iterator
  // serves every seek of the batch (creating one per stream cost more than
  // the seek); the store's single writer holds write_mu, so what it sees
  // cannot change meanwhile.
  const auto stored_version = [&](const StreamAppend& append) -> absl::StatusOr<uint64_t> {
    if (append.expected_version.has_value()) {
      SALESOPS_ASSIGN_OR_RETURN(const bool at_expected, IsAtVersion(*rep_->db, rep_->cf(kStreams),
                                                                    append.stream_id, *append.expected_version));
      if (at_expected) return *append.expected_version;
    }
    if (streams == nullptr) streams.reset(rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(kStreams)));
    return StreamVersionAt(*streams, append.stream_id);
  };
  for (StreamAppend& append : batch.streams) {
    if (append.stream_id.empty() || append.stream_id.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("stream_id: must be non-empty without NUL bytes");
    }
    if (append.events.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("stream ", append.stream_id, ": no events to append"));
    }
    auto found = versions.find(append.stream_id);
    uint64_t version;
    if (found != versions.end()) {
      version = found->second;
    } else {
      SALESOPS_ASSIGN_OR_RETURN(version, stored_version(append));
    }
    if (append.expected_version.has_value() && *append.expected_version != version) {
      return absl::AbortedError(absl::StrCat("stream ", append.stream_id, " is at version ", version,
                                             ", expected ", *append.expected_version));
    }
    for (v1::EventEnvelope& e : append.events) {
      if (e.event_type().empty()) {
        return absl::InvalidArgumentError(absl::StrCat("stream ", append.stream_id, ": event_type is required"));
      }
      bytes = SealEvent(e, ++position, append.stream_id, ++version);
      wb.Put(rep_->cf(kEvents), keys::PositionKey(position), bytes);
      chain = ChainNext(chain, bytes);
      wb.Put(rep_->cf(kChain), keys::PositionKey(position), chain);
      wb.Put(rep_->cf(kStreams), keys::StreamKey(append.stream_id, version), keys::EncodeU64(position));
      out.push_back(std::move(e));
    }
    versions[append.stream_id] = version;
  }
  for (const IdempotencyWrite& w : batch.idempotency) {
    wb.Put(rep_->cf(kIdempotency), keys::IdempotencyKey(w.actor, w.request_id),
           w.record.SerializeAsString());
  }
  if (wb.Count() == 0) return out;
  SALESOPS_RETURN_IF_ERROR(rep_->free_space->Check(wb.GetDataSize(), batch.admitted));

  const rocksdb::Status s = test_fail_writes_.load() ? rocksdb::Status::IOError("TEST_FailWrites")
                                                     : rep_->db->Write(rep_->write_options, &wb);
  if (!s.ok()) {
    failed_.store(true, std::memory_order_release);
    LogError("storage: append of positions %d..%d failed: %s; refusing further writes", head + 1, position,
             s.ToString());
    return errors::WithReason(
        absl::UnavailableError("the event log could not be written; the batch may or may not be on disk"),
        errors::kWritesStopped);
  }
  rep_->free_space->Wrote(wb.GetDataSize());
  rep_->last_chain = std::move(chain);
  head_.store(position, std::memory_order_release);
  return out;
}

absl::StatusOr<std::vector<v1::EventEnvelope>> EventStore::ReadStream(absl::string_view stream_id,
                                                                      uint64_t from_version, size_t limit,
                                                                      size_t max_bytes) const {
  std::vector<v1::EventEnvelope> out;
  const std::string prefix = keys::StreamPrefix(stream_id);
  std::unique_ptr<rocksdb::Iterator> it(
      rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(kStreams)));
  std::vector<std::string> positions;
  for (it->Seek(keys::StreamKey(stream_id, std::max<uint64_t>(from_version, 1)));
       it->Valid() && it->key().starts_with(prefix) && positions.size() < limit; it->Next()) {
    positions.emplace_back(it->value().data(), it->value().size());
  }
  if (!it->status().ok()) return StorageError("stream read", it->status());
  if (positions.empty()) return out;

  std::vector<rocksdb::Slice> slices(positions.begin(), positions.end());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(positions.size(), rep_->cf(kEvents));
  std::vector<std::string> values;
  const std::vector<rocksdb::Status> statuses =
      rep_->db->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
  out.reserve(values.size());
  size_t bytes = 0;
  for (size_t i = 0; i < values.size() && (out.empty() || bytes < max_bytes); ++i) {
    bytes += values[i].size();
    if (!statuses[i].ok()) {
      if (statuses[i].IsNotFound()) {
        return absl::DataLossError(absl::StrCat("stream ", stream_id, " indexes position ",
                                                keys::DecodeU64(positions[i]).value_or(0),
                                                " which is missing from the log"));
      }
      return ReadErrorAt("stream read", keys::DecodeU64(positions[i]).value_or(0), statuses[i]);
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::EventEnvelope e, ParseEvent(slices[i], values[i]));
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<LogPage> EventStore::ReadLog(uint64_t from_position, size_t limit,
                                            const LogFilter& filter, size_t max_scan,
                                            size_t max_bytes) const {
  LogPage page;
  const absl::flat_hash_set<std::string> types(filter.event_types.begin(), filter.event_types.end());
  const uint64_t head = Head();
  uint64_t position = std::max<uint64_t>(from_position, 1);
  size_t scanned = 0;
  size_t bytes = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(kEvents)));
  for (it->Seek(keys::PositionKey(position)); it->Valid(); it->Next()) {
    if (page.events.size() >= limit || scanned >= max_scan || bytes >= max_bytes) break;
    SALESOPS_ASSIGN_OR_RETURN(v1::EventEnvelope e, ParseEvent(it->key(), it->value()));
    if (e.position() > head) break;  // committed after this read began
    ++scanned;
    position = e.position() + 1;
    if (!types.empty() && !types.contains(e.event_type())) continue;
    if (!filter.stream_prefix.empty() && !absl::StartsWith(e.stream_id(), filter.stream_prefix)) continue;
    bytes += it->value().size();
    page.events.push_back(std::move(e));
  }
  if (!it->status().ok()) return ReadErrorAt("log read", position, it->status());
  page.head = head;
  page.next_position = position;
  page.reached_head = position > head;
  return page;
}

absl::Status EventStore::ScanRange(uint64_t from_position, uint64_t to_position,
                                   absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const {
  if (to_position != std::numeric_limits<uint64_t>::max()) to_position = std::min(to_position, Head());
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2 << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(ro, rep_->cf(kEvents)));
  uint64_t expected = std::max<uint64_t>(from_position, 1);
  for (it->Seek(keys::PositionKey(expected)); it->Valid() && expected <= to_position; it->Next()) {
    SALESOPS_ASSIGN_OR_RETURN(v1::EventEnvelope e, ParseEvent(it->key(), it->value()));
    if (e.position() != expected) {
      return absl::DataLossError(absl::StrCat("the log has a gap: position ", expected,
                                              " is missing (next is ", e.position(), ")"));
    }
    ++expected;
    SALESOPS_RETURN_IF_ERROR(visit(e));
  }
  if (!it->status().ok()) return ReadErrorAt("log scan", expected, it->status());
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> EventStore::StreamVersion(absl::string_view stream_id) const {
  std::unique_ptr<rocksdb::Iterator> it(
      rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(kStreams)));
  return StreamVersionAt(*it, stream_id);
}

absl::StatusOr<std::optional<v1::IdempotencyRecord>> EventStore::GetIdempotency(
    absl::string_view actor, absl::string_view request_id) const {
  std::string value;
  const rocksdb::Status s = rep_->db->Get(rocksdb::ReadOptions(), rep_->cf(kIdempotency),
                                          keys::IdempotencyKey(actor, request_id), &value);
  if (s.IsNotFound()) return std::optional<v1::IdempotencyRecord>();
  if (!s.ok()) return StorageError("idempotency read", s);
  v1::IdempotencyRecord record;
  if (!record.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("idempotency record of request ", request_id, " is unreadable"));
  }
  return record;
}

absl::Status EventStore::PutSnapshot(absl::string_view name, const std::vector<std::string>& chunks) {
  if (rep_->read_only) return ReadOnlyStatus();
  uint64_t bytes = 0;
  for (const std::string& chunk : chunks) bytes += chunk.size();
  SALESOPS_RETURN_IF_ERROR(rep_->free_space->Check(bytes));
  rep_->free_space->Wrote(bytes);
  rocksdb::WriteBatch wb;
  const std::string begin = keys::SnapshotPrefix(name);
  const std::string end = absl::StrCat(name, absl::string_view("\x01", 1));
  wb.DeleteRange(rep_->cf(kSnapshots), begin, end);
  for (size_t i = 0; i < chunks.size(); ++i) wb.Put(rep_->cf(kSnapshots), keys::SnapshotKey(name, i), chunks[i]);
  // Not through the write-ahead log: a snapshot can be hundreds of MiB,
  // which the log would keep (and the next start would read back) until
  // every column family had been flushed. Flushing the snapshots' family
  // makes the new snapshot durable before this returns; a crash before
  // then leaves the previous one whole.
  // In async durability the events the snapshot reflects may not be synced
  // yet: sync them first, or a crash could keep a snapshot ahead of the
  // log, which a log regrown past it would then contradict.
  if (!rep_->write_options.sync) {
    if (const rocksdb::Status synced = rep_->db->SyncWAL(); !synced.ok()) {
      return StorageError("log sync before snapshot", synced);
    }
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  rocksdb::Status s = rep_->db->Write(wo, &wb);
  if (!s.ok()) return StorageError("snapshot write", s);
  rocksdb::FlushOptions flush;
  flush.wait = true;
  s = rep_->db->Flush(flush, rep_->cf(kSnapshots));
  if (!s.ok()) return StorageError("snapshot flush", s);
  // The replaced snapshot's table files would stay on disk until RocksDB
  // compacted the family of its own accord, a few snapshots later: compact
  // the name's range now, down to and including the last level (where an
  // earlier background compaction may have moved the old chunks), so the
  // disk holds one snapshot of each name. Only a reader holding a RocksDB
  // snapshot meanwhile (Audit.VerifyLog) keeps the old chunks alive, until
  // the next PutSnapshot. The new snapshot is already durable; a failed
  // compaction only leaves the old files for later. Not exclusive: it need
  // not wait for a running compaction of the log to end.
  rocksdb::CompactRangeOptions compact;
  compact.exclusive_manual_compaction = false;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  const rocksdb::Slice from(begin), to(end);
  if (const rocksdb::Status c = rep_->db->CompactRange(compact, rep_->cf(kSnapshots), &from, &to); !c.ok()) {
    LogError("storage: compacting the replaced snapshot %s away failed: %s", name, c.ToString());
  }
  return absl::OkStatus();
}

StorageStats EventStore::Stats() const {
  const auto sum = [this](const std::string& property) {
    uint64_t value = 0;
    return rep_->db->GetAggregatedIntProperty(property, &value) ? value : 0;
  };
  StorageStats stats;
  stats.table_bytes = sum(rocksdb::DB::Properties::kTotalSstFilesSize);
  stats.pending_compaction_bytes = sum(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  stats.memtable_bytes = sum(rocksdb::DB::Properties::kCurSizeAllMemTables);
  uint64_t value = 0;
  stats.writes_stopped = rep_->db->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &value) && value != 0;
  if (rep_->db->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &value)) {
    stats.delayed_write_rate = value;
  }
  return stats;
}

uint64_t EventStore::SnapshotBytesOnDisk() const {
  uint64_t bytes = 0;
  if (!rep_->db->GetIntProperty(rep_->cf(kSnapshots), rocksdb::DB::Properties::kTotalSstFilesSize, &bytes)) return 0;
  return bytes;
}

absl::StatusOr<std::vector<std::string>> EventStore::GetSnapshot(absl::string_view name) const {
  const std::string prefix = keys::SnapshotPrefix(name);
  std::vector<std::string> chunks;
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->cf(kSnapshots)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    chunks.emplace_back(it->value().data(), it->value().size());
  }
  if (!it->status().ok()) return StorageError("snapshot read", it->status());
  return chunks;
}

absl::StatusOr<uint64_t> EventStore::Checkpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(rep_->db.get(), &raw);
  if (!s.ok()) return StorageError("checkpoint", s);
  const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  s = checkpoint->CreateCheckpoint(dir);
  if (!s.ok()) {
    if (s.IsInvalidArgument() || s.IsIOError()) {
      LogError("storage: checkpoint to %s failed: %s", dir, s.ToString());
      return absl::FailedPreconditionError(
          absl::StrCat("dir: cannot create the checkpoint directory '", dir,
                       "' (it must not exist, and its parent must be a writable directory)"));
    }
    return StorageError("checkpoint", s);
  }
  // The head the copy holds: its last event, read back from the copy.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* copy = nullptr;
  s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, Descriptors(rocksdb::ColumnFamilyOptions()), &handles,
                                   &copy);
  if (!s.ok()) return StorageError("checkpoint read-back", s);
  uint64_t head = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(copy->NewIterator(rocksdb::ReadOptions(), handles[kEvents]));
    it->SeekToLast();
    if (it->Valid()) head = keys::DecodeU64(absl::string_view(it->key().data(), it->key().size())).value_or(0);
    s = it->status();
  }
  for (rocksdb::ColumnFamilyHandle* h : handles) copy->DestroyColumnFamilyHandle(h);
  delete copy;
  if (!s.ok()) return StorageError("checkpoint read-back", s);
  return head;
}

std::string GenesisDigest() { return std::string(32, '\0'); }

std::string ChainNext(absl::string_view previous, absl::string_view stored_bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, previous.data(), previous.size());
  EVP_DigestUpdate(ctx, stored_bytes.data(), stored_bytes.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string SealEvent(v1::EventEnvelope& event, uint64_t position, absl::string_view stream_id,
                      uint64_t stream_version) {
  event.set_envelope_version(1);
  event.set_position(position);
  event.set_stream_id(std::string(stream_id));
  event.set_stream_version(stream_version);
  return event.SerializeAsString();
}

absl::StatusOr<std::string> EventStore::ChainDigest(uint64_t position) const {
  if (position == 0) return GenesisDigest();
  if (position > Head()) {
    return absl::OutOfRangeError(absl::StrCat("position: ", position, " is beyond the head (", Head(), ")"));
  }
  std::string digest;
  const rocksdb::Status s = rep_->db->Get(rocksdb::ReadOptions(), rep_->cf(kChain), keys::PositionKey(position), &digest);
  if (s.IsNotFound()) return absl::DataLossError(absl::StrCat("the chain hash of position ", position, " is missing"));
  if (!s.ok()) return StorageError("hash chain read", s);
  return digest;
}

absl::StatusOr<ChainCheck> EventStore::VerifyChain(uint64_t from, uint64_t to) const {
  ChainWalk walk(from, to);
  SALESOPS_ASSIGN_OR_RETURN(const bool started,
                            walk.Start(Head(), [this](uint64_t p) { return ChainDigest(p); }));
  if (!started) return walk.Result();
  rocksdb::ReadOptions options;
  options.snapshot = rep_->db->GetSnapshot();  // events and hashes from one moment
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snapshot;
    ~Release() { db->ReleaseSnapshot(snapshot); }
  } release{rep_->db.get(), options.snapshot};
  std::unique_ptr<rocksdb::Iterator> events(rep_->db->NewIterator(options, rep_->cf(kEvents)));
  std::unique_ptr<rocksdb::Iterator> hashes(rep_->db->NewIterator(options, rep_->cf(kChain)));
  events->Seek(keys::PositionKey(from));
  hashes->Seek(keys::PositionKey(from));
  for (uint64_t p = from; p <= to; ++p, events->Next(), hashes->Next()) {
    // A damaged block (RocksDB's Corruption) is a break at the first
    // position not verified; other read errors are for the caller to retry.
    for (rocksdb::Iterator* it : {events.get(), hashes.get()}) {
      if (it->status().ok()) continue;
      if (!it->status().IsCorruption()) return StorageError("chain verification", it->status());
      LogError("storage: chain verification: position %d is unreadable: %s", p, it->status().ToString());
      return walk.Broken(p, absl::StrCat(it == events.get() ? "the event" : "the chain hash", " at position ", p,
                                    " is unreadable (a damaged block on disk)"));
    }
    const bool event_here =
        events->Valid() && keys::DecodeU64(absl::string_view(events->key().data(), events->key().size())) == p;
    const bool hash_here =
        hashes->Valid() && keys::DecodeU64(absl::string_view(hashes->key().data(), hashes->key().size())) == p;
    if (!event_here) return walk.Broken(p, absl::StrCat("the event at position ", p, " is missing"));
    if (!hash_here) return walk.Broken(p, absl::StrCat("the chain hash at position ", p, " is missing"));
    if (!walk.Step(p, absl::string_view(events->value().data(), events->value().size()),
                   absl::string_view(hashes->value().data(), hashes->value().size()))) {
      return walk.Result();
    }
  }
  return walk.Result();
}

absl::StatusOr<StreamIndexCheck> EventStore::VerifyStreamIndex(absl::FunctionRef<bool(uint64_t)> pace) const {
  StreamIndexCheck check;
  const auto broken = [&check](uint64_t position, std::string problem) {
    check.ok = false;
    check.position = position;
    check.problem = std::move(problem);
    return check;
  };
  const auto paced = [&pace](uint64_t n) -> absl::Status {
    if (!pace(n)) return absl::CancelledError("the stream index check was stopped");
    return absl::OkStatus();
  };
  rocksdb::ReadOptions scan;
  scan.fill_cache = false;
  scan.readahead_size = 2 << 20;

  // 1. Every event up to the head is indexed at its position.
  const uint64_t head = Head();
  {
    std::unique_ptr<rocksdb::Iterator> events(rep_->db->NewIterator(scan, rep_->cf(kEvents)));
    uint64_t expected = 1;
    events->SeekToFirst();
    while (expected <= head) {
      std::vector<std::string> index_keys;
      std::vector<uint64_t> positions;
      for (; events->Valid() && expected <= head && index_keys.size() < kIndexCheckChunk; events->Next(), ++expected) {
        absl::StatusOr<v1::EventEnvelope> e = ParseEvent(events->key(), events->value());
        if (!e.ok() || e->position() != expected) {
          return broken(expected, absl::StrCat("the event at position ", expected, " is missing or unreadable"));
        }
        index_keys.push_back(keys::StreamKey(e->stream_id(), e->stream_version()));
        positions.push_back(expected);
      }
      if (!events->status().ok()) {
        if (!events->status().IsCorruption()) return StorageError("stream index check", events->status());
        return broken(expected, absl::StrCat("the event at position ", expected,
                                             " is unreadable (a damaged block on disk)"));
      }
      if (index_keys.empty()) {
        return broken(expected, absl::StrCat("the event at position ", expected, " is missing"));
      }
      std::vector<rocksdb::Slice> slices(index_keys.begin(), index_keys.end());
      std::vector<rocksdb::ColumnFamilyHandle*> cfs(slices.size(), rep_->cf(kStreams));
      std::vector<std::string> values;
      const std::vector<rocksdb::Status> statuses = rep_->db->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
      for (size_t i = 0; i < statuses.size(); ++i) {
        const std::optional<keys::DecodedStreamKey> key = keys::DecodeStreamKey(index_keys[i]);
        const std::string name = absl::StrCat(key->stream_id, " version ", key->version);
        if (statuses[i].IsNotFound()) {
          return broken(positions[i], absl::StrCat("the event at position ", positions[i], " (", name,
                                                   ") is not in the stream index"));
        }
        if (statuses[i].IsCorruption()) {
          return broken(positions[i], absl::StrCat("the stream index entry of ", name,
                                                   " is unreadable (a damaged block on disk)"));
        }
        if (!statuses[i].ok()) return StorageError("stream index check", statuses[i]);
        if (keys::DecodeU64(values[i]) != positions[i]) {
          return broken(positions[i], absl::StrCat("the stream index has ", name, " at position ",
                                                   keys::DecodeU64(values[i]).value_or(0), ", the log at ",
                                                   positions[i]));
        }
      }
      check.events_checked += positions.size();
      SALESOPS_RETURN_IF_ERROR(paced(positions.size()));
    }
  }

  // 2. Every index entry names an event of that stream and version.
  std::unique_ptr<rocksdb::Iterator> entries(rep_->db->NewIterator(scan, rep_->cf(kStreams)));
  entries->SeekToFirst();
  for (;;) {
    std::vector<keys::DecodedStreamKey> names;
    std::vector<std::string> positions;
    for (; entries->Valid() && names.size() < kIndexCheckChunk; entries->Next()) {
      std::optional<keys::DecodedStreamKey> key =
          keys::DecodeStreamKey(absl::string_view(entries->key().data(), entries->key().size()));
      const std::optional<uint64_t> position =
          keys::DecodeU64(absl::string_view(entries->value().data(), entries->value().size()));
      if (!key.has_value() || !position.has_value()) {
        return broken(position.value_or(0), "the stream index holds a malformed entry");
      }
      names.push_back(*std::move(key));
      positions.push_back(keys::PositionKey(*position));
    }
    if (!entries->status().ok()) {
      if (!entries->status().IsCorruption()) return StorageError("stream index check", entries->status());
      return broken(0, absl::StrCat("the stream index is unreadable after ", check.entries_checked + names.size(),
                                    " entries (a damaged block on disk)"));
    }
    if (names.empty()) break;
    std::vector<rocksdb::Slice> slices(positions.begin(), positions.end());
    std::vector<rocksdb::ColumnFamilyHandle*> cfs(slices.size(), rep_->cf(kEvents));
    std::vector<std::string> values;
    const std::vector<rocksdb::Status> statuses = rep_->db->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
    for (size_t i = 0; i < statuses.size(); ++i) {
      const uint64_t position = *keys::DecodeU64(positions[i]);
      const std::string name = absl::StrCat(names[i].stream_id, " version ", names[i].version);
      if (statuses[i].IsNotFound()) {
        return broken(position, absl::StrCat("the stream index has ", name, " at position ", position,
                                             ", which is not in the log"));
      }
      if (statuses[i].IsCorruption()) {
        return broken(position, absl::StrCat("the event at position ", position,
                                             " is unreadable (a damaged block on disk)"));
      }
      if (!statuses[i].ok()) return StorageError("stream index check", statuses[i]);
      v1::EventEnvelope e;
      if (!e.ParseFromString(values[i])) {
        return broken(position, absl::StrCat("the event at position ", position, " is unreadable"));
      }
      if (e.stream_id() != names[i].stream_id || e.stream_version() != names[i].version) {
        return broken(position, absl::StrCat("the stream index has ", name, " at position ", position,
                                             ", which holds ", e.stream_id(), " version ", e.stream_version()));
      }
    }
    check.entries_checked += names.size();
    SALESOPS_RETURN_IF_ERROR(paced(names.size()));
  }
  return check;
}

}  // namespace salesops::store
