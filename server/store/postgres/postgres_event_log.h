// The event log in PostgreSQL: the log of record in cluster mode
// (docs/CLUSTER.md, docs/STORAGE.md "PostgreSQL"). It implements the same
// EventLog contract as the embedded RocksDB log (event_store.h) and stores
// the same bytes: the same batches give the same positions, envelopes and
// chain hashes in either engine. No libpq type appears here.
//
// Append is one PostgreSQL transaction per batch (a group commit): it
// checks the fencing epoch (when the log was opened with one) by reading
// the lease row FOR SHARE, so a lease takeover either waits for it or
// makes it fail; checks the head it was decided against (and its chain
// digest) while moving it; inserts the events (multi-row INSERT; the stream
// index is the UNIQUE (stream_id, stream_version) of the events table) and
// the idempotency records; and returns only after COMMIT returned.
//
// Thread safety: every method may be called from any thread. Appends are
// serialized on one connection; reads, and the node heartbeats (writes safe
// to repeat), on another.
#ifndef SALESOPS_SERVER_STORE_POSTGRES_POSTGRES_EVENT_LOG_H_
#define SALESOPS_SERVER_STORE_POSTGRES_POSTGRES_EVENT_LOG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/event_log.h"

namespace salesops::store::postgres {

class PgConnection;
class PgResult;
struct PgParam;

struct PostgresLogOptions {
  // A libpq connection string or URI (several hosts allowed, e.g.
  // "host=a,b target_session_attrs=read-write").
  std::string conninfo;
  // true: COMMIT waits as the server's synchronous_commit says (the default
  // "on": flushed on the primary, and on the synchronous standbys when
  // there are). false (--durability=async): the session sets
  // synchronous_commit = off, so COMMIT does not wait for the flush; a
  // crash of PostgreSQL may lose the last moments of acknowledged batches.
  bool synchronous_commit = true;
  // The fencing token: when set, every Append checks in its transaction
  // that the lease row still holds this epoch, and fails otherwise
  // (FAILED_PRECONDITION; the log is then failed). nullopt: no check (a
  // log nobody else writes: tests, tools).
  std::optional<int64_t> epoch = std::nullopt;
  // With an epoch: PostgreSQL ends this log's transaction when the process
  // stalls inside it for longer than this (idle_in_transaction_session_
  // timeout), so a paused leader cannot hold the lease row's lock past its
  // lease and block a takeover. Zero: PostgreSQL's default.
  absl::Duration stalled_transaction_timeout = absl::ZeroDuration();
  // How long an Append whose connection was lost (PostgreSQL restarted, or
  // a standby promoted: reached again through a multi-host conninfo) keeps
  // reconnecting to learn whether its batch was committed, before it gives
  // up with UNAVAILABLE and the log failed. In cluster mode, the lease's
  // duration: past it, the lease is lost anyway.
  absl::Duration reconnect_timeout = absl::Seconds(5);
};

// The lease row as it stands (lease.h).
struct LeaseRow {
  int64_t epoch = 0;
  std::string holder;
  std::string address;
  bool free = false;  // expired or released: a node may take it
};

// One node's heartbeat (a row of salesops_nodes, docs/CLUSTER.md "Cluster
// status"): who it is, where it serves, its role and how far it applied
// the log.
struct NodeHeartbeat {
  std::string node_id;
  std::string address;
  bool leading = false;
  int64_t epoch = 0;  // the lease epoch it leads with; 0 while following
  uint64_t applied_position = 0;
  bool serving = false;  // its read services' health
  absl::Time started_at;
};

// The cluster as PostgreSQL records it, read in one statement (one
// snapshot): the lease, the head and every node's latest heartbeat.
struct ClusterRecord {
  LeaseRow lease;
  absl::Time lease_expires_at = absl::InfinitePast();
  uint64_t head = 0;
  absl::Time read_at;  // PostgreSQL's clock
  struct Node {
    NodeHeartbeat heartbeat;
    absl::Duration since_heartbeat;  // by PostgreSQL's clock
  };
  std::vector<Node> nodes;  // by node_id
};

class PostgresEventLog final : public EventLog {
 public:
  // Connects (two connections: appends and reads), creates or migrates the
  // schema (schema.h), reads the head and verifies the chain over the last
  // kTailCheck events (a break sets open_check(): writes are refused).
  // Errors: INVALID_ARGUMENT for a connection string that does not parse;
  // UNAVAILABLE when PostgreSQL cannot be reached; FAILED_PRECONDITION for
  // a newer schema or a refused migration; DATA_LOSS when the head row and
  // the events disagree.
  static absl::StatusOr<std::unique_ptr<PostgresEventLog>> Open(const PostgresLogOptions& options);
  ~PostgresEventLog() override;

  // EventLog (event_log.h states each contract).
  //
  // A connection lost during an append (at BEGIN, in the transaction or
  // at COMMIT) is not an answer: Append reconnects (libpq tries each host
  // of the conninfo; `target_session_attrs=read-write` finds a promoted
  // standby), reads back PostgreSQL's head and the chain hash at the
  // batch's last position, and answers from what it finds, never by
  // guessing: committed (the row holds this batch's chain hash) — the
  // batch is acknowledged, once a later write of no effect has committed
  // without a warning (so PostgreSQL's synchronous standbys hold it too:
  // AwaitReplicated); not committed and the head where this log left it —
  // the same batch is written again on the new connection (under the same
  // fence; at most kMaxAppendAttempts times, and a refused rewrite is read
  // back once more); the head moved otherwise — ABORTED as below. A COMMIT
  // answered with a warning (its wait for the synchronous standbys
  // cancelled: committed on the primary alone) is resolved the same way.
  //
  // Append's extra errors: FAILED_PRECONDITION when the lease holds another
  // epoch (a newer leader took over: nothing written; the log is failed
  // until the next Fence); ABORTED, and the log failed, when PostgreSQL's
  // head is not the one this log last wrote (another writer appended
  // without the lease). UNAVAILABLE, and the log failed, when PostgreSQL
  // refused the write otherwise, or could not be reached again within
  // `reconnect_timeout`: the message says whether the batch may have been
  // committed (a lost COMMIT never resolved).
  absl::StatusOr<std::vector<v1::EventEnvelope>> Append(AppendBatch batch) override;
  bool failed() const override { return failed_.load(std::memory_order_acquire); }
  WriteState write_state() const override;
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
  // FAILED_PRECONDITION: a PostgreSQL log is backed up with PostgreSQL's
  // tools; in cluster mode Admin.Backup copies the node's local copy.
  absl::StatusOr<uint64_t> Checkpoint(const std::string& dir) const override;
  // Snapshots are a node's own (its local copy keeps them): Put is
  // FAILED_PRECONDITION, Get finds none.
  absl::Status PutSnapshot(absl::string_view name, const std::vector<std::string>& chunks) override;
  absl::StatusOr<std::vector<std::string>> GetSnapshot(absl::string_view name) const override;

  // The idempotency records whose batch ended at a head in [from, to]
  // (IdempotencyWrite::record with its actor and request id), for copying
  // the log into a node's local copy.
  absl::StatusOr<std::vector<IdempotencyWrite>> ReadIdempotency(uint64_t from, uint64_t to) const;
  // Re-reads the head from PostgreSQL (another node's appends; a follower).
  absl::StatusOr<uint64_t> RefreshHead();
  // Reads the lease row (who leads; whether the lease is free).
  absl::StatusOr<LeaseRow> ReadLease() const;
  // The secret every node of this log shows the leader when it forwards a
  // command (salesops_node_secret; docs/CLUSTER.md, "Write forwarding").
  absl::StatusOr<std::string> ReadNodeSecret() const;
  // Records a node's heartbeat (an upsert by node_id, stamped with
  // PostgreSQL's now(); safe to repeat). A leader's heartbeat also forgets
  // the nodes silent for longer than `forget_after` (stopped for good, or
  // restarted under another id). UNAVAILABLE when PostgreSQL cannot be
  // reached.
  absl::Status Heartbeat(const NodeHeartbeat& node, absl::Duration forget_after);
  // The lease, the head and the heartbeats (ClusterRecord).
  absl::StatusOr<ClusterRecord> ReadCluster() const;

  // A new term (a follower promoted in-process, docs/CLUSTER.md): from now
  // on every Append is fenced by `epoch`; the append connection is
  // re-made when it was lost and set up as at Open (with
  // `stalled_transaction_timeout`), the head and its chain digest are read
  // again from PostgreSQL, and a failed or fenced log takes appends again.
  // The caller must hold the lease of `epoch` and must have copied
  // everything up to the head it had read. Errors: UNAVAILABLE when
  // PostgreSQL cannot be reached (the log stays as it was: failed, or
  // not).
  absl::Status Fence(int64_t epoch, absl::Duration stalled_transaction_timeout);
  // The end of a term (a deposed leader stepping down): appends are no
  // longer fenced by an epoch. The log stays failed (if it was) until the
  // next Fence; a follower does not append in any case.
  void Unfence();

  static constexpr uint64_t kTailCheck = 1'000;
  // Rows per INSERT statement and per read page.
  static constexpr size_t kRowsPerStatement = 1'000;
  static constexpr size_t kPageRows = 4'096;
  // An append resolves a lost connection and writes the batch again at
  // most this many times.
  static constexpr int kMaxAppendAttempts = 5;
  // A batch whose parameters are larger than this goes statement by
  // statement.
  static constexpr size_t kMaxPipelineBytes = 48 * 1024;

 private:
  explicit PostgresEventLog(const PostgresLogOptions& options);
  // Runs one statement on the reader connection, reconnecting once when
  // the connection was lost (reads are safe to retry).
  absl::StatusOr<PgResult> Read(absl::string_view sql, const std::vector<PgParam>& params) const;
  // Connects the append connection when it is not connected and sets it
  // up (synchronous_commit, the stalled-transaction timeout under an
  // epoch).
  absl::Status ConnectWriter() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // ConnectWriter, then reads the head and its chain digest from
  // PostgreSQL.
  absl::Status PrepareWriter() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // One attempt at the batch: BEGIN, AppendInTransaction, COMMIT; rolls
  // back on an error. The sealed events move from `batch` to `out` (also
  // when it fails; RestoreBatch puts them back); `chain` is the chain
  // digest after them. `version_conflict` as below; `at_commit` when the
  // COMMIT itself failed.
  absl::Status WriteOnce(AppendBatch& batch, std::vector<v1::EventEnvelope>& out, std::string& chain,
                         bool& version_conflict, bool& at_commit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // WriteOnce for a batch of events whose every stream names its expected
  // version (the sequencer's batches): the whole transaction sent as one
  // pipeline (one round trip), its writes guarded in SQL so that a fenced
  // or stale batch writes nothing, then Diagnose names why. A batch whose
  // parameters pass kMaxPipelineBytes is not sent: `too_large`, the batch
  // as it came (for the statement-by-statement path).
  absl::Status WritePipelined(AppendBatch& batch, std::vector<v1::EventEnvelope>& out, std::string& chain,
                              bool& version_conflict, bool& too_large) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Why a pipelined batch moved no head: fenced (FAILED_PRECONDITION), the
  // head moved (ABORTED), or a stream's version (ABORTED,
  // `version_conflict`). `first_versions` are the batch's streams with the
  // version each expected first.
  absl::Status Diagnose(uint64_t head, const std::vector<std::pair<std::string, uint64_t>>& first_versions,
                        bool& version_conflict) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // The append's statements inside the transaction. Sets
  // `version_conflict` when a stream's expected_version differs (the only
  // refusal that leaves the log writable).
  absl::Status AppendInTransaction(AppendBatch& batch, std::vector<v1::EventEnvelope>& out, std::string& chain,
                                   bool& version_conflict) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Returns once a write of no effect, committed after everything this log
  // committed, commits without a warning: PostgreSQL's synchronous standbys
  // (when it has some) then hold it all. Retries until `give_up`, then
  // returns the last error.
  absl::Status AwaitReplicated(absl::Time give_up) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // What became of a batch whose connection was lost (Append's comment).
  enum class LostBatch { kCommitted, kNotWritten, kOverwritten };
  // Reconnects (until `give_up`) and reads back the head and the chain
  // hash at `last`: kCommitted when it is `chain` (and `last` is past
  // `head`), kNotWritten when the head is still `head` with
  // `chain_before`, kOverwritten otherwise. UNAVAILABLE when PostgreSQL
  // was not reached again in time.
  absl::StatusOr<LostBatch> ResolveLostBatch(uint64_t head, const std::string& chain_before, uint64_t last,
                                             const std::string& chain, absl::Time give_up)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  const PostgresLogOptions options_;
  absl::Mutex write_mu_;
  std::unique_ptr<PgConnection> writer_ ABSL_GUARDED_BY(write_mu_);
  std::string last_chain_ ABSL_GUARDED_BY(write_mu_);  // the chain digest at the head
  // The fencing token (PostgresLogOptions::epoch, then Fence/Unfence).
  std::optional<int64_t> epoch_ ABSL_GUARDED_BY(write_mu_);
  // The writer session's idle_in_transaction_session_timeout under an
  // epoch (PostgresLogOptions, then Fence).
  absl::Duration stalled_timeout_ ABSL_GUARDED_BY(write_mu_);
  mutable absl::Mutex read_mu_;
  mutable std::unique_ptr<PgConnection> reader_ ABSL_GUARDED_BY(read_mu_);
  std::atomic<uint64_t> head_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> fenced_{false};
  absl::Status open_check_;
};

}  // namespace salesops::store::postgres

#endif  // SALESOPS_SERVER_STORE_POSTGRES_POSTGRES_EVENT_LOG_H_
