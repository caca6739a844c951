// The sequencer: the one writer of the log (DESIGN.md §3).
//
// Its deciding thread takes every queued command and decides each against the
// current state (later commands see the staged effects of earlier ones, in
// the same batch and in batches not yet written). Its writing thread writes
// each decided batch as one atomic, fsynced store append (group commit),
// applies the committed events to the projections, and only then completes
// the batch's callers, in order. The two overlap: batch N+1 is decided while
// batch N is being fsynced, and commands arriving meanwhile gather into the
// next batch. If an append fails, that batch and every batch decided after
// it fail with UNAVAILABLE: nothing unwritten is ever visible, and nothing
// acknowledged is lost. Because a failed write may still have reached the
// disk, the sequencer then fails stop: it refuses every later command with
// UNAVAILABLE and reports through `on_fatal`, so the server can stop and
// recover from what is on disk.
//
// Thread safety: Submit and Stop may be called from any thread.
#ifndef SALESOPS_SERVER_ENGINE_SEQUENCER_H_
#define SALESOPS_SERVER_ENGINE_SEQUENCER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "projections/projection.h"
#include "salesops/v1/internal.pb.h"
#include "server/common/clock.h"
#include "server/common/ids.h"
#include "server/domain/state.h"
#include "server/store/event_log.h"

namespace salesops::engine {

struct SequencerOptions {
  // Most commands decided and written in one group commit.
  size_t max_batch = 1024;
  // Most commands waiting, and most bytes of them (their serialized size);
  // beyond either Submit refuses with RESOURCE_EXHAUSTED (a command alone
  // in the queue is always taken).
  size_t max_queue = 100'000;
  size_t max_queue_bytes = 256 << 20;
  // Called once, on the sequencer thread, after a failed write. Must not
  // block or call Stop.
  std::function<void(const absl::Status&)> on_fatal;
  // Called on the sequencer's writing thread with every committed, non-empty batch of
  // events (fsynced, applied to the projections, before the replies), in
  // position order. Feeds live subscriptions (EventHub::Publish). Must not
  // block: it gets the batch by pointer, without a copy.
  std::function<void(std::shared_ptr<const std::vector<v1::EventEnvelope>>)> on_commit;
  // Observers for metrics (optional; called on the sequencer's threads or
  // Submit's caller, must not block): a group commit was appended — its
  // commands and how long the append took, fsync included; commands were
  // refused before being decided, for `reason`: "queue_full",
  // "queue_bytes", "stopping" or "storage" (the log refuses writes, e.g. a
  // disk below its free-space reserve).
  std::function<void(size_t commands, absl::Duration append)> on_appended;
  std::function<void(absl::string_view reason, size_t commands)> on_refused;
  // Tests: queue commands without deciding them until Resume().
  bool start_paused = false;
  // When not OK, every command is refused with this status and nothing is
  // written (the store's hash chain did not verify at open).
  absl::Status refuse_writes;
  // The deciders' state as of `restored_position` (from a snapshot); recovery
  // then replays only the later events. Every projection must already
  // reflect that position (their Apply skips what they have).
  std::optional<domain::State> restored_state;
  uint64_t restored_position = 0;
  absl::Time restored_time = absl::InfinitePast();  // the last recorded_at in the restored state
};

using CommandResult = absl::StatusOr<v1::CommandReply>;
// Runs exactly once per submitted command. Must not block.
using ReplyCallback = absl::AnyInvocable<void(CommandResult) &&>;
// The result of an import: the chain digest at the new head (32 bytes).
using ImportResult = absl::StatusOr<std::string>;
using ImportCallback = absl::AnyInvocable<void(ImportResult) &&>;

// Cluster mode: where a following node's sequencer sends the commands it
// does not decide itself (docs/CLUSTER.md, "Write forwarding").
class CommandForwarder {
 public:
  virtual ~CommandForwarder() = default;
  // Has `command` decided as `actor` by the leader; `done` runs exactly
  // once, with the leader's reply or refusal, or UNAVAILABLE when the
  // leader cannot be reached, by `deadline`. Must not block.
  virtual void Forward(std::string actor, v1::Command command, absl::Time deadline, ReplyCallback done) = 0;
};

struct SubmitOptions {
  // When the caller stops waiting (a forwarded command's deadline).
  absl::Time deadline = absl::InfiniteFuture();
  // False for a command another node forwarded: never forwarded again.
  bool may_forward = true;
};

class Sequencer {
 public:
  // Recovers the deciders' state and the projections by replaying the log
  // from `store` (all of it, or what follows options.restored_position),
  // then starts the sequencer's threads. The replay reads the log on the
  // calling thread and applies it to the projections on another, so a
  // projection's Apply always runs on a thread of the sequencer's, one call
  // at a time, in position order. `store`, the
  // projections, `clock` and `ids` must outlive the sequencer.
  // The clock may step backwards: recorded_at never decreases (the
  // sequencer uses the latest time it has seen).
  static absl::StatusOr<std::unique_ptr<Sequencer>> Start(
      store::EventLog* store, std::vector<projections::Projection*> projections, Clock* clock,
      IdGenerator* ids, SequencerOptions options = {});

  // Stops (see Stop).
  ~Sequencer();

  // Queues `command`, decided (authorized, then the aggregate's decider) as
  // the authenticated member `actor`. `done` gets the reply, or the
  // decider's error, or: options.refuse_writes when set, RESOURCE_EXHAUSTED (queue
  // full), UNAVAILABLE (storage failure, or the sequencer is stopping or has
  // failed). A retry with the same options.request_id by the same actor gets
  // the original reply without appending; the same request_id with a
  // different command (correlation_id aside) gets INVALID_ARGUMENT.
  // While the node follows with a forwarder (Follow), the command goes to
  // the forwarder instead, unless `options.may_forward` is false.
  void Submit(std::string actor, v1::Command command, ReplyCallback done, SubmitOptions options = {});

  // Queues pre-recorded envelopes (Admin.ImportEvents) to be appended
  // verbatim, in order, as one atomic batch between two command batches:
  // the store re-serializes exactly the fields it assigns (position, stream
  // version, envelope version), so each must already hold the value it gets.
  // Then folds them into the deciders' state and the projections, as live
  // writes are. `done` gets the chain digest at the new head, or:
  // FAILED_PRECONDITION (the first position is not the head + 1, positions
  // are not consecutive, a stream version is not the stream's next, the
  // digest differs from `expected_digest`), INVALID_ARGUMENT (an envelope
  // this server would not have written: unknown or mismatched event type,
  // envelope version other than 1, recorded_at going backwards), or what
  // Submit refuses with. Nothing is written on any error.
  void SubmitImport(std::vector<v1::EventEnvelope> events, std::string expected_digest, ImportCallback done);

  // Waits until every command and import submitted so far has been
  // completed (its callback returned), or `deadline` passes; true when
  // idle. For a drain: stop new submissions first.
  bool AwaitIdle(absl::Time deadline);

  // Decides and completes everything already queued, then joins the thread.
  // Later Submits fail with UNAVAILABLE. Idempotent.
  void Stop();

  // Ends SequencerOptions::start_paused: everything queued so far is decided
  // as one batch (up to max_batch), then the sequencer runs normally.
  void Resume();

  // Cluster mode (docs/CLUSTER.md): a node that stops leading refuses every
  // command from now on with `refusal` (not OK; a follower's, naming the
  // leader), waits until every command in flight was completed — a batch
  // that was being written fails as after any failed write — and then
  // forgets the failure, so that Lead may start a new term. False when
  // commands were still in flight at `deadline` (the sequencer then stays
  // failed). Also changes the refusal of a sequencer that already refuses.
  // With `forwarder` (which must outlive the sequencer, or the next Follow
  // or Lead), commands are forwarded to it instead of refused; imports are
  // always refused.
  bool Follow(absl::Status refusal, absl::Time deadline, CommandForwarder* forwarder = nullptr);
  // A follower promoted: decides commands again, against `state`, the
  // deciders' fold of the log up to `position`, which must be the log's
  // head (and every projection's position); `log_time` is the last
  // recorded_at in it. FAILED_PRECONDITION when `position` is not the
  // head, or while a failure is remembered (Follow first).
  absl::Status Lead(domain::State state, uint64_t position, absl::Time log_time);

  // The number of events replayed at start (for logs and tests).
  uint64_t recovered_events() const { return recovered_events_; }
  // Commands and imports waiting to be decided (for metrics).
  size_t queue_depth() const {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }

 private:
  struct Pending {
    std::string actor;
    v1::Command command;
    ReplyCallback done;
    // Set for SubmitImport instead of a command (processed alone).
    std::optional<std::vector<v1::EventEnvelope>> import;
    std::string expected_digest;
    ImportCallback import_done;
    size_t bytes = 0;  // counted in queue_bytes_ while queued
  };
  struct Staging;  // the state of one batch being decided

  Sequencer(store::EventLog* store, std::vector<projections::Projection*> projections, Clock* clock,
            IdGenerator* ids, SequencerOptions options);
  bool ReadyToRun() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues `pending` (moved from only on success), or says why not:
  // refuse_writes, UNAVAILABLE while stopping (with `retry` advice), or,
  // when `bounded`, RESOURCE_EXHAUSTED at max_queue.
  absl::Status Queue(Pending& pending, absl::string_view retry, bool bounded);
  absl::Status Recover();
  void Run();
  void ProcessBatch(std::vector<Pending>& batch);
  // Appends an import (SubmitImport) and folds it; the digest at the head.
  ImportResult ProcessImport(std::vector<v1::EventEnvelope>& events, const std::string& expected_digest);
  CommandResult DecideOne(const Pending& pending, Staging& staging);
  // The idempotency record of a request decided but not yet written.
  std::optional<v1::IdempotencyRecord> UnwrittenRecord(const std::string& request_key);

  store::EventLog* const store_;
  const std::vector<projections::Projection*> projections_;
  Clock* const clock_;
  IdGenerator* const ids_;
  SequencerOptions options_;
  uint64_t recovered_events_ = 0;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  size_t queue_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  CommandForwarder* forwarder_ ABSL_GUARDED_BY(mu_) = nullptr;  // while following (Follow)
  std::thread thread_;  // decides (Run)

  // Commands and imports submitted and not yet completed (AwaitIdle).
  void Started();
  void Completed();
  absl::Mutex idle_mu_;
  size_t in_flight_ ABSL_GUARDED_BY(idle_mu_) = 0;

  // The write pipeline: the decider hands each decided batch to the writer
  // thread, which appends it (one fsync), applies it to the projections and
  // only then completes its commands — in order — while the decider decides
  // the next batch against the state that already includes this one.
  struct Decided {
    std::vector<Pending> commands;
    std::vector<CommandResult> replies;
    store::AppendBatch batch;
  };
  using Requests = absl::flat_hash_map<std::string, v1::IdempotencyRecord>;  // by RequestKey
  void Write();
  // Hands `decided` to the writer, once it has nothing queued (so commands
  // arriving meanwhile gather into the next batch).
  void Enqueue(Decided decided, std::shared_ptr<const Requests> requests);
  // Waits until every decided batch is written and completed.
  void AwaitWriterIdle();
  absl::Status Failure();
  std::thread writer_;
  absl::Mutex write_mu_;
  std::deque<Decided> to_write_ ABSL_GUARDED_BY(write_mu_);
  // The idempotency records of batches decided but not yet written (oldest
  // first): a retry arriving meanwhile is answered from them.
  std::deque<std::shared_ptr<const Requests>> unwritten_requests_ ABSL_GUARDED_BY(write_mu_);
  bool writer_stopping_ ABSL_GUARDED_BY(write_mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(write_mu_);  // set once a write failed: fail-stop

  // The decider state, touched only by the deciding thread (and by Recover
  // before it starts). A batch's commands are folded into it as they are
  // decided, so later commands — in this batch and the next, decided while
  // this one is written — see earlier ones; if a batch then fails to commit
  // the state is never used again (fail-stop), and nothing decided after it
  // is acknowledged, so nothing unwritten is ever shown.
  domain::State state_;
  absl::Time last_now_ = absl::InfinitePast();  // latest batch time (and recorded_at) seen
  uint64_t next_position_ = 1;                  // the position the next decided event gets
};

}  // namespace salesops::engine

#endif  // SALESOPS_SERVER_ENGINE_SEQUENCER_H_
