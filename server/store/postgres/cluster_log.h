// A cluster node's event log: the log of record in PostgreSQL
// (postgres_event_log.h) and the node's local RocksDB copy (event_store.h),
// behind the one EventLog seam (docs/CLUSTER.md, "The log of record and the
// local copy").
//
// Appends go to PostgreSQL first (the log of record: the batch is
// acknowledged only once it is committed there), then verbatim to the local
// copy, which then holds the same bytes at the same positions with the same
// chain. Every read, the views snapshot and Admin.Backup use the local copy,
// so reads, restarts and rebuilds stay local and fast. Open catches the local
// copy up from PostgreSQL before anything reads it.
//
// A local write that fails after PostgreSQL committed leaves the local copy
// behind the log of record: the log is then failed (the server fail-stops,
// as after any failed write) and the next Open copies what is missing. A
// local copy ahead of PostgreSQL, or one whose chain differs from it at its
// head, belongs to another log (or PostgreSQL lost acknowledged events):
// Open refuses it.
//
// Thread safety: every method may be called from any thread; appends are
// serialized.
#ifndef SALESOPS_SERVER_STORE_POSTGRES_CLUSTER_LOG_H_
#define SALESOPS_SERVER_STORE_POSTGRES_CLUSTER_LOG_H_

#include <atomic>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/store/event_log.h"
#include "server/store/event_store.h"
#include "server/store/postgres/lease.h"
#include "server/store/postgres/postgres_event_log.h"

namespace salesops::store::postgres {

struct ClusterLogOptions {
  // The log of record.
  PostgresLogOptions postgres;
  // The local copy. Its `sync` is ignored: the copy is written without
  // fsync (PostgreSQL holds every acknowledged batch; what a crash takes
  // from the copy's tail, the next Open copies back).
  StoreOptions local;
  // When set, the node leads: Open takes the lease (lease.h) before it
  // copies anything, keeps it renewed, and every append is fenced by its
  // epoch (postgres.epoch is then set from it). Without: no lease and no
  // fence (tests and tools on a log nobody else writes).
  std::optional<LeaseOptions> lease;
  // Called once per term (on the lease's thread; must not block) when the
  // lease is lost; appends are refused from then on in any case.
  std::function<void(const absl::Status&)> on_lease_lost;
  // With a lease: when another node holds it, open as a follower (no
  // wait): appends are refused with UNAVAILABLE naming the leader, and
  // Follow() copies what the leader appends. false: Open waits for the
  // lease (LeaseOptions::acquire_timeout).
  bool follow_when_led = false;
};

// Checks salesopsd's cluster flags: --log parses as a libpq connection
// string or URI, the lease durations follow Lease::ValidateDurations.
// INVALID_ARGUMENT naming the flag and the rule otherwise.
absl::Status ValidateClusterFlags(const std::string& log, absl::Duration lease_duration,
                                  absl::Duration lease_renewal);
// --log for the server's log lines: host(s), port, database and user, never
// a password.
std::string DescribeLogFlag(const std::string& log);

class ClusterLog final : public EventLog {
 public:
  // Opens PostgreSQL (creating or migrating its schema), takes the lease
  // when options.lease is set (Lease::Acquire: this may wait for another
  // holder's lease to expire), opens the local copy, and copies into it
  // every event and idempotency record it lacks. Errors:
  // PostgresEventLog::Open's, Lease::Acquire's and EventStore::Open's;
  // FAILED_PRECONDITION when the local copy holds events PostgreSQL does not
  // or differs from it (its chain digest) at its head, naming the
  // directory: start on an empty local directory, or move an embedded log
  // into PostgreSQL with export and import (docs/CLUSTER.md).
  static absl::StatusOr<std::unique_ptr<ClusterLog>> Open(const ClusterLogOptions& options);
  ~ClusterLog() override;

  // EventLog. Append: PostgresEventLog::Append's contract; once PostgreSQL
  // committed, a failure of the local write is UNAVAILABLE ("may or may not
  // be recorded": it is, in PostgreSQL) and fails the log.
  absl::StatusOr<std::vector<v1::EventEnvelope>> Append(AppendBatch batch) override;
  // A follower's log is failed only when its local copy is (a deposed
  // leader's failed append ended with its term).
  bool failed() const override {
    return failed_.load(std::memory_order_acquire) || (!following() && postgres_->failed());
  }
  WriteState write_state() const override;
  StorageStats Stats() const override { return local_->Stats(); }
  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadStream(absl::string_view stream_id, uint64_t from_version,
                                                            size_t limit,
                                                            size_t max_bytes = kDefaultMaxReadBytes) const override {
    return local_->ReadStream(stream_id, from_version, limit, max_bytes);
  }
  absl::StatusOr<LogPage> ReadLog(uint64_t from_position, size_t limit, const LogFilter& filter, size_t max_scan,
                                  size_t max_bytes = kDefaultMaxReadBytes) const override {
    return local_->ReadLog(from_position, limit, filter, max_scan, max_bytes);
  }
  absl::Status ScanRange(uint64_t from_position, uint64_t to_position,
                         absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const override {
    return local_->ScanRange(from_position, to_position, visit);
  }
  absl::StatusOr<uint64_t> StreamVersion(absl::string_view stream_id) const override {
    return local_->StreamVersion(stream_id);
  }
  absl::StatusOr<std::optional<v1::IdempotencyRecord>> GetIdempotency(absl::string_view actor,
                                                                      absl::string_view request_id) const override {
    return local_->GetIdempotency(actor, request_id);
  }
  uint64_t Head() const override { return local_->Head(); }
  absl::StatusOr<std::string> ChainDigest(uint64_t position) const override { return local_->ChainDigest(position); }
  absl::StatusOr<ChainCheck> VerifyChain(uint64_t from, uint64_t to) const override {
    return local_->VerifyChain(from, to);
  }
  const absl::Status& open_check() const override { return open_check_; }
  absl::StatusOr<uint64_t> Checkpoint(const std::string& dir) const override { return local_->Checkpoint(dir); }
  absl::Status PutSnapshot(absl::string_view name, const std::vector<std::string>& chunks) override {
    return local_->PutSnapshot(name, chunks);
  }
  absl::StatusOr<std::vector<std::string>> GetSnapshot(absl::string_view name) const override {
    return local_->GetSnapshot(name);
  }

  // The local copy (the scrubber verifies it) and the log of record.
  EventStore& local() { return *local_; }
  PostgresEventLog& postgres() { return *postgres_; }
  // Events copied from PostgreSQL by Open.
  uint64_t copied_at_open() const { return copied_at_open_; }
  // The lease's epoch while this node leads (0 otherwise).
  int64_t epoch() const;
  // True while this node leads (it holds the lease and appends).
  bool leading() const;
  bool following() const { return following_.load(std::memory_order_acquire); }
  // True once a batch committed in PostgreSQL could not be written to the
  // local copy: the copy is behind the log of record for good, and only a
  // restart (Open catching up) mends it.
  bool local_failed() const { return failed_.load(std::memory_order_acquire); }
  // Followers: copies into the local copy what PostgreSQL holds beyond it
  // (up to kCatchUpBatch events, with their batches' idempotency records)
  // and returns the events as stored, for the views; empty when there was
  // nothing new. One read of the head when there is nothing. Errors:
  // PostgreSQL's (UNAVAILABLE: retry), the local copy's, DATA_LOSS when
  // the copied chain differs; FAILED_PRECONDITION on a leader.
  absl::StatusOr<std::vector<v1::EventEnvelope>> Follow();
  // The lease row (ReadLease): a follower watches for it to be free. Also
  // remembers its holder for the followers' refusals (write_state).
  absl::StatusOr<LeaseRow> ReadLease() const;
  // The gRPC address this node serves, for the lease row while it leads
  // (followers forward writes there): from now on, and in every later term.
  void Advertise(std::string address);

  // Promotion in the running process (docs/CLUSTER.md, "Failover"), in
  // three steps on one thread, the follower's:
  //  1. TakeLease: one attempt (Lease::TryAcquire) to take a free lease;
  //     false when another node holds it. The node still follows: nobody
  //     else can append any more, and Follow copies the rest of the log.
  //  2. Follow until it returns nothing (the caller applies the events).
  //  3. Lead: checks that the local copy holds PostgreSQL's head, fences
  //     the appends by the new epoch, starts renewing the lease
  //     (`on_lost` as ClusterLogOptions::on_lease_lost) and appends from
  //     then on. FAILED_PRECONDITION without a taken lease or while the
  //     copy is behind (follow more, then call again); PostgreSQL's
  //     errors. On an error the node still follows; StepDown gives the
  //     lease back.
  // Errors of TakeLease: FAILED_PRECONDITION on a node without a lease's
  // options or not following; Lease::TryAcquire's.
  absl::StatusOr<bool> TakeLease();
  absl::Status Lead(std::function<void(const absl::Status&)> on_lost);
  // The end of this node's term (a deposed leader, a lost lease, a failed
  // append, a promotion given up): stops renewing and releases the lease
  // when it is still this node's, unfences the appends and follows. The
  // sequencer must have stopped appending. Idempotent.
  void StepDown();

  // Events copied per local batch while catching up.
  static constexpr size_t kCatchUpBatch = 4'096;

 private:
  ClusterLog(std::unique_ptr<Lease> lease, std::unique_ptr<PostgresEventLog> postgres,
             std::unique_ptr<EventStore> local);
  // Copies positions local head + 1 .. PostgreSQL's head, and the
  // idempotency records of those batches, into the local copy, verifying
  // the chain digest after each batch.
  absl::Status CatchUp();
  // Copies the next events past the local head (and, with `head_records`,
  // the records of batches that ended at the head) into the local copy.
  absl::StatusOr<std::vector<v1::EventEnvelope>> CopyNext(bool head_records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);

  mutable absl::Mutex role_mu_;  // after append_mu_ when both are held
  // Held while leading, or taken (TakeLease) and not yet leading; released
  // first when the log closes.
  std::unique_ptr<Lease> lease_ ABSL_GUARDED_BY(role_mu_);
  std::optional<LeaseOptions> lease_options_;  // from Open: to take the lease again
  std::string advertised_ ABSL_GUARDED_BY(role_mu_);  // Advertise; else lease_options_'s
  std::unique_ptr<PostgresEventLog> postgres_;
  std::unique_ptr<EventStore> local_;
  absl::Mutex append_mu_;  // one Append at a time, PostgreSQL then local
  std::atomic<bool> failed_{false};
  absl::Status open_check_;
  uint64_t copied_at_open_ = 0;
  std::atomic<bool> following_{false};
  // On a follower: who leads, as last read (ReadLease), for messages.
  mutable std::string leader_ ABSL_GUARDED_BY(role_mu_);
};

}  // namespace salesops::store::postgres

#endif  // SALESOPS_SERVER_STORE_POSTGRES_CLUSTER_LOG_H_
