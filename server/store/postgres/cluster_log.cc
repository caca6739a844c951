#include "server/store/postgres/cluster_log.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/log.h"
#include "server/common/progress_log.h"
#include "server/common/status_macros.h"
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/schema.h"

namespace salesops::store::postgres {

absl::Status ValidateClusterFlags(const std::string& log, absl::Duration lease_duration,
                                  absl::Duration lease_renewal) {
  if (absl::Status parsed = ValidateConninfo(log); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log must be a libpq connection string or URI, e.g. postgresql://USER@HOST:5432/DB or "
        "'host=a,b dbname=salesops target_session_attrs=read-write' (",
        parsed.message(), ")"));
  }
  return Lease::ValidateDurations(lease_duration, lease_renewal);
}

std::string DescribeLogFlag(const std::string& log) { return DescribeConninfo(log); }

ClusterLog::ClusterLog(std::unique_ptr<Lease> lease, std::unique_ptr<PostgresEventLog> postgres,
                       std::unique_ptr<EventStore> local)
    : lease_(std::move(lease)), postgres_(std::move(postgres)), local_(std::move(local)) {}

ClusterLog::~ClusterLog() {
  std::unique_ptr<Lease> lease;
  {
    absl::MutexLock lock(&role_mu_);
    lease = std::move(lease_);
  }
  if (lease != nullptr) lease->Release();
}

absl::StatusOr<std::unique_ptr<ClusterLog>> ClusterLog::Open(const ClusterLogOptions& options) {
  PostgresLogOptions postgres_options = options.postgres;
  std::unique_ptr<Lease> lease;
  if (options.lease.has_value()) {
    // A lost connection is resolved within the lease: past it this node
    // no longer leads anyway.
    postgres_options.reconnect_timeout = options.lease->duration;
    // The schema first (the lease row is part of it), then the lease,
    // before anything is copied: nobody else writes while this node
    // catches up and leads.
    {
      SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(options.postgres.conninfo));
      SALESOPS_RETURN_IF_ERROR(Migrate(*conn));
    }
    if (options.follow_when_led) {
      SALESOPS_ASSIGN_OR_RETURN(lease, Lease::TryAcquire(*options.lease));
    } else {
      SALESOPS_ASSIGN_OR_RETURN(lease, Lease::Acquire(*options.lease));
    }
    if (lease != nullptr) {
      lease->Start(options.on_lease_lost);
      postgres_options.epoch = lease->epoch();
      postgres_options.stalled_transaction_timeout = options.lease->duration;
    }
  }
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresEventLog> postgres, PostgresEventLog::Open(postgres_options));
  StoreOptions local_options = options.local;
  local_options.sync = false;
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> local, EventStore::Open(local_options));
  const bool follows = options.lease.has_value() && lease == nullptr;
  std::unique_ptr<ClusterLog> log(new ClusterLog(std::move(lease), std::move(postgres), std::move(local)));
  log->lease_options_ = options.lease;
  log->following_.store(follows, std::memory_order_release);
  if (follows) {
    SALESOPS_ASSIGN_OR_RETURN(const LeaseRow leader, log->ReadLease());
    LogInfo("cluster: the lease is held by %s (epoch %d, serving %s): this node follows", leader.holder,
            leader.epoch, leader.address);
  }
  const uint64_t local_head = log->local_->Head();
  const uint64_t head = log->postgres_->Head();
  const std::string where = absl::StrCat("the local copy at ", options.local.path);
  if (local_head > head) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, " holds ", local_head, " events but the PostgreSQL log only ", head,
        ": it belongs to another log (an embedded one?), or PostgreSQL lost acknowledged events. Start on an empty "
        "--data-dir, or move an embedded log into PostgreSQL with export and import (docs/CLUSTER.md)"));
  }
  if (local_head > 0) {
    SALESOPS_ASSIGN_OR_RETURN(const std::string mine, log->local_->ChainDigest(local_head));
    SALESOPS_ASSIGN_OR_RETURN(const std::string theirs, log->postgres_->ChainDigest(local_head));
    if (mine != theirs) {
      return absl::FailedPreconditionError(absl::StrCat(
          where, " differs from the PostgreSQL log at position ", local_head,
          " (its chain digest): it is a copy of another log. Start on an empty --data-dir (docs/CLUSTER.md)"));
    }
  }
  if (!log->local_->open_check().ok()) {
    return absl::FailedPreconditionError(absl::StrCat(where, " did not verify (", log->local_->open_check().message(),
                                                      "): move it aside and start on an empty --data-dir; the node "
                                                      "copies the log from PostgreSQL"));
  }
  log->open_check_ = log->postgres_->open_check();
  const absl::Time start = absl::Now();
  SALESOPS_RETURN_IF_ERROR(log->CatchUp());
  LogInfo("storage: local copy %s caught up with the PostgreSQL log: %d events copied (head %d) in %s",
          options.local.path, log->copied_at_open_, log->local_->Head(), absl::FormatDuration(absl::Now() - start));
  return log;
}

absl::Status ClusterLog::CatchUp() {
  absl::MutexLock lock(&append_mu_);
  ProgressLog progress("copying the log from PostgreSQL", "events", postgres_->Head() - local_->Head());
  for (;;) {
    SALESOPS_ASSIGN_OR_RETURN(const std::vector<v1::EventEnvelope> copied, CopyNext(/*head_records=*/true));
    if (copied.empty()) return absl::OkStatus();
    copied_at_open_ += copied.size();
    progress.Update(copied_at_open_);
  }
}

absl::StatusOr<std::vector<v1::EventEnvelope>> ClusterLog::CopyNext(bool head_records) {
  const uint64_t from = local_->Head();
  SALESOPS_ASSIGN_OR_RETURN(LogPage page,
                            postgres_->ReadLog(from + 1, kCatchUpBatch, {}, kCatchUpBatch, /*max_bytes=*/64 << 20));
  const uint64_t to = page.events.empty() ? from : page.events.back().position();
  // The records of the batches that ended in from..to (those ending at
  // `from` may be there already: writing them again changes nothing).
  std::vector<IdempotencyWrite> records;
  if (to > from || head_records) {
    SALESOPS_ASSIGN_OR_RETURN(records, postgres_->ReadIdempotency(from, to));
  }
  if (page.events.empty() && records.empty()) return std::vector<v1::EventEnvelope>();
  AppendBatch batch;
  batch.expected_head = from;
  batch.idempotency = std::move(records);
  for (v1::EventEnvelope& e : page.events) {
    if (batch.streams.empty() || batch.streams.back().stream_id != e.stream_id()) {
      StreamAppend& append = batch.streams.emplace_back();
      append.stream_id = e.stream_id();
      append.expected_version = e.stream_version() - 1;
    }
    batch.streams.back().events.push_back(std::move(e));
  }
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> copied, local_->Append(std::move(batch)));
  if (to > from) {
    SALESOPS_ASSIGN_OR_RETURN(const std::string mine, local_->ChainDigest(to));
    SALESOPS_ASSIGN_OR_RETURN(const std::string theirs, postgres_->ChainDigest(to));
    if (mine != theirs) {
      return absl::DataLossError(absl::StrCat("the local copy's chain differs from the PostgreSQL log's at position ",
                                              to, " after copying it: the stored bytes did not round-trip"));
    }
  }
  return copied;
}

absl::StatusOr<std::vector<v1::EventEnvelope>> ClusterLog::Follow() {
  absl::MutexLock lock(&append_mu_);
  if (leading()) return absl::FailedPreconditionError("this node leads: it does not follow");
  SALESOPS_ASSIGN_OR_RETURN(const uint64_t head, postgres_->RefreshHead());
  if (head <= local_->Head()) return std::vector<v1::EventEnvelope>();
  return CopyNext(/*head_records=*/false);
}

absl::StatusOr<LeaseRow> ClusterLog::ReadLease() const {
  SALESOPS_ASSIGN_OR_RETURN(LeaseRow row, postgres_->ReadLease());
  absl::MutexLock lock(&role_mu_);
  leader_ = absl::StrCat(row.holder, " (epoch ", row.epoch, ", serving ", row.address, ")");
  return row;
}

void ClusterLog::Advertise(std::string address) {
  absl::MutexLock lock(&role_mu_);
  if (lease_ != nullptr) lease_->SetAddress(address);
  advertised_ = std::move(address);
}

int64_t ClusterLog::epoch() const {
  absl::MutexLock lock(&role_mu_);
  return lease_ != nullptr && !following() ? lease_->epoch() : 0;
}

bool ClusterLog::leading() const {
  absl::MutexLock lock(&role_mu_);
  return lease_ != nullptr && !following();
}

absl::StatusOr<bool> ClusterLog::TakeLease() {
  if (!lease_options_.has_value() || !following()) {
    return absl::FailedPreconditionError("only a follower of a cluster log takes the lease");
  }
  {
    absl::MutexLock lock(&role_mu_);
    if (lease_ != nullptr) return true;
  }
  LeaseOptions options = *lease_options_;
  {
    absl::MutexLock lock(&role_mu_);
    if (!advertised_.empty()) options.address = advertised_;
  }
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<Lease> lease, Lease::TryAcquire(options));
  if (lease == nullptr) return false;
  absl::MutexLock lock(&role_mu_);
  lease_ = std::move(lease);
  // An address advertised while the lease was being taken.
  if (!advertised_.empty()) lease_->SetAddress(advertised_);
  return true;
}

absl::Status ClusterLog::Lead(std::function<void(const absl::Status&)> on_lost) {
  absl::MutexLock lock(&append_mu_);
  Lease* lease = nullptr;
  {
    absl::MutexLock role(&role_mu_);
    lease = lease_.get();
  }
  if (lease == nullptr || !following())
    return absl::FailedPreconditionError("this node has not taken the lease");
  // Nobody appends any more (the lease is ours, and a batch of the last
  // epoch either committed before our UPDATE of the lease row or is
  // fenced): the local copy must hold PostgreSQL's head now.
  SALESOPS_ASSIGN_OR_RETURN(const uint64_t head, postgres_->RefreshHead());
  if (local_->Head() != head) {
    return absl::FailedPreconditionError(absl::StrCat("the local copy is at position ", local_->Head(),
                                                      ", PostgreSQL's head at ", head,
                                                      ": copy the rest first"));
  }
  // The idempotency records of a last batch that appended no event.
  SALESOPS_RETURN_IF_ERROR(CopyNext(/*head_records=*/true).status());
  SALESOPS_RETURN_IF_ERROR(postgres_->Fence(lease->epoch(), lease_options_->duration));
  if (postgres_->Head() != head) {
    return absl::FailedPreconditionError(absl::StrCat("PostgreSQL's head moved from ", head, " to ",
                                                      postgres_->Head(), " under the lease of epoch ",
                                                      lease->epoch()));
  }
  lease->Start(std::move(on_lost));
  following_.store(false, std::memory_order_release);
  LogInfo("cluster: leading with lease epoch %d from position %d", lease->epoch(), head);
  return absl::OkStatus();
}

void ClusterLog::StepDown() {
  std::unique_ptr<Lease> lease;
  {
    absl::MutexLock lock(&append_mu_);  // no append runs meanwhile
    following_.store(true, std::memory_order_release);
    postgres_->Unfence();
    absl::MutexLock role(&role_mu_);
    lease = std::move(lease_);
  }
  if (lease != nullptr) lease->Release();
}

WriteState ClusterLog::write_state() const {
  if (!open_check_.ok()) return {open_check_, false};
  if (failed_.load(std::memory_order_acquire)) {
    return {absl::UnavailableError("the local copy of the log could not be written; restart the server"), false};
  }
  if (following()) {
    absl::MutexLock lock(&role_mu_);
    return {absl::UnavailableError(absl::StrCat("this node follows the leader ", leader_,
                                                "; send writes to the leader")),
            false};
  }
  {
    absl::MutexLock lock(&role_mu_);
    if (lease_ != nullptr && lease_->lost()) {
      return {absl::UnavailableError(
                  "this node lost the lease: another node leads, or PostgreSQL was unreachable for "
                  "a whole lease; retry with the same request_id on the leader"),
              false};
    }
  }
  if (WriteState state = postgres_->write_state(); !state.status.ok()) return state;
  return local_->write_state();
}

absl::StatusOr<std::vector<v1::EventEnvelope>> ClusterLog::Append(AppendBatch batch) {
  absl::MutexLock lock(&append_mu_);
  if (WriteState state = write_state(); !state.status.ok()) return state.status;
  AppendBatch local_batch = batch;  // the same batch, for the local copy
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> committed, postgres_->Append(std::move(batch)));
  // Committed in the log of record. The local copy must follow, or this
  // node stops writing (it is behind PostgreSQL until it restarts).
  local_batch.admitted = true;
  absl::StatusOr<std::vector<v1::EventEnvelope>> copied = local_->Append(std::move(local_batch));
  const uint64_t head = committed.empty() ? postgres_->Head() : committed.back().position();
  if (!copied.ok() || local_->Head() != head) {
    failed_.store(true, std::memory_order_release);
    LogError("storage: batch up to position %d committed in PostgreSQL but not written to the local copy (%s); "
             "refusing further writes until restarted",
             head, copied.ok() ? absl::StrCat("local head ", local_->Head()) : copied.status().ToString());
    return absl::UnavailableError(
        "the batch was committed but this node's local copy could not be written; restart the server");
  }
  return committed;
}

}  // namespace salesops::store::postgres
