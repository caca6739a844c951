#include "server/store/postgres/postgres_event_log.h"

#include "server/store/chain_walk.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/schema.h"

namespace salesops::store::postgres {
namespace {

absl::Status FailedStatus() {
  return absl::UnavailableError("the PostgreSQL event log refused writes after a failed or fenced write; restart "
                                "the server");
}

absl::StatusOr<v1::EventEnvelope> ParseStored(const std::string& bytes, int64_t position) {
  v1::EventEnvelope e;
  if (!e.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("event at position ", position, " is unreadable"));
  }
  return e;
}

// "($1,$2,...),($7,...)": `rows` rows of `columns` parameters each.
std::string ValuesList(size_t rows, size_t columns) {
  std::string out;
  size_t n = 0;
  for (size_t r = 0; r < rows; ++r) {
    absl::StrAppend(&out, r > 0 ? ",(" : "(");
    for (size_t c = 0; c < columns; ++c) absl::StrAppend(&out, c > 0 ? "," : "", "$", ++n);
    out.push_back(')');
  }
  return out;
}

// A COMMIT that succeeded with a warning: its wait for the synchronous
// standbys was cancelled (pg_connection.h, warnings()), so it is committed
// on the primary alone; Append reads it back and waits for them.
absl::Status CancelledReplicationWait() {
  return absl::UnavailableError("COMMIT answered with a warning: committed on the primary, not known to be on the "
                                "synchronous standbys");
}

// Puts the first out.size() events of `batch`, moved to `out` by an
// attempt that failed, back in their places (sealed: sealing them again
// gives the same bytes).
void RestoreBatch(AppendBatch& batch, std::vector<v1::EventEnvelope>& out) {
  size_t next = 0;
  for (StreamAppend& append : batch.streams) {
    for (v1::EventEnvelope& e : append.events) {
      if (next == out.size()) return;
      e = std::move(out[next++]);
    }
  }
}

// Seals the batch's events after `head` (positions, stream versions from
// `versions`, which it advances; the stored bytes and the chain from
// `chain`) as every EventLog does, moving them to `out`. ABORTED, with
// `version_conflict` set, for a stream whose expected_version is not its
// version then.
absl::Status SealBatch(AppendBatch& batch, absl::flat_hash_map<std::string, uint64_t>& versions, uint64_t head,
                       std::string& chain, std::vector<v1::EventEnvelope>& out, std::vector<std::string>& bytes,
                       std::vector<std::string>& chains, bool& version_conflict) {
  uint64_t position = head;
  for (StreamAppend& append : batch.streams) {
    uint64_t& version = versions[append.stream_id];
    if (append.expected_version.has_value() && *append.expected_version != version) {
      version_conflict = true;
      return absl::AbortedError(absl::StrCat("stream ", append.stream_id, " is at version ", version, ", expected ",
                                             *append.expected_version));
    }
    for (v1::EventEnvelope& e : append.events) {
      bytes.push_back(SealEvent(e, ++position, append.stream_id, ++version));
      chain = ChainNext(chain, bytes.back());
      chains.push_back(chain);
      out.push_back(std::move(e));
    }
  }
  return absl::OkStatus();
}

}  // namespace

PostgresEventLog::PostgresEventLog(const PostgresLogOptions& options) : options_(options) {}

PostgresEventLog::~PostgresEventLog() = default;

absl::StatusOr<std::unique_ptr<PostgresEventLog>> PostgresEventLog::Open(const PostgresLogOptions& options) {
  std::unique_ptr<PostgresEventLog> log(new PostgresEventLog(options));
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> writer, PgConnection::Connect(options.conninfo));
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> reader, PgConnection::Connect(options.conninfo));
  SALESOPS_RETURN_IF_ERROR(Migrate(*writer));
  {
    absl::MutexLock lock(&log->write_mu_);
    log->writer_ = std::move(writer);
    log->epoch_ = options.epoch;
    log->stalled_timeout_ = options.stalled_transaction_timeout;
    SALESOPS_RETURN_IF_ERROR(log->PrepareWriter());
  }
  {
    absl::MutexLock lock(&log->read_mu_);
    log->reader_ = std::move(reader);
  }
  // The head row and the events must agree (one statement: one snapshot,
  // while a leader may be appending); then the tail must verify.
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult last,
      log->Read("SELECT position, chain, (SELECT coalesce(max(position), 0) FROM salesops_events) "
                "FROM salesops_head WHERE id = 1",
                {}));
  if (last.rows() != 1) return absl::DataLossError("the PostgreSQL log has no head row (salesops_head)");
  const uint64_t position = static_cast<uint64_t>(last.Int(0, 0));
  const std::string chain = last.at(0, 1);
  if (static_cast<uint64_t>(last.Int(0, 2)) != position) {
    return absl::DataLossError(absl::StrCat("the PostgreSQL log's head row says position ", position,
                                            " but its last event is at ", last.Int(0, 2),
                                            ": the tables were changed outside salesopsd"));
  }
  if (position > log->Head()) log->head_.store(position, std::memory_order_release);
  if (position > 0) {
    SALESOPS_ASSIGN_OR_RETURN(const std::string stored, log->ChainDigest(position));
    const uint64_t from = position > kTailCheck ? position - kTailCheck + 1 : 1;
    SALESOPS_ASSIGN_OR_RETURN(const ChainCheck check, log->VerifyChain(from, position));
    if (!check.ok || stored != chain) {
      log->open_check_ = absl::FailedPreconditionError(absl::StrCat(
          "the PostgreSQL log's hash chain breaks at position ", check.ok ? position : check.first_broken,
          ": an event or its hash was changed outside salesopsd; writes are refused (reads and Audit.VerifyLog "
          "still work; see docs/AUDIT.md)"));
      LogError("storage: %s", log->open_check_.message());
    }
  }
  return log;
}

absl::Status PostgresEventLog::ConnectWriter() {
  if (writer_ == nullptr || !writer_->ok()) {
    SALESOPS_ASSIGN_OR_RETURN(writer_, PgConnection::Connect(options_.conninfo));
  }
  if (!options_.synchronous_commit) {
    SALESOPS_RETURN_IF_ERROR(writer_->ExecScript("SET synchronous_commit = off").status());
  }
  if (epoch_.has_value() && stalled_timeout_ > absl::ZeroDuration()) {
    SALESOPS_RETURN_IF_ERROR(writer_
                                 ->ExecScript(absl::StrCat("SET idle_in_transaction_session_timeout = ",
                                                           absl::ToInt64Milliseconds(stalled_timeout_)))
                                 .status());
  }
  return absl::OkStatus();
}

absl::Status PostgresEventLog::PrepareWriter() {
  SALESOPS_RETURN_IF_ERROR(ConnectWriter());
  SALESOPS_ASSIGN_OR_RETURN(PgResult head,
                            writer_->Exec("SELECT position, chain FROM salesops_head WHERE id = 1"));
  if (head.rows() != 1) return absl::DataLossError("the PostgreSQL log has no head row (salesops_head)");
  last_chain_ = head.at(0, 1);
  head_.store(static_cast<uint64_t>(head.Int(0, 0)), std::memory_order_release);
  return absl::OkStatus();
}

absl::Status PostgresEventLog::Fence(int64_t epoch, absl::Duration stalled_transaction_timeout) {
  absl::MutexLock lock(&write_mu_);
  epoch_ = epoch;
  stalled_timeout_ = stalled_transaction_timeout;
  SALESOPS_RETURN_IF_ERROR(PrepareWriter());
  fenced_.store(false, std::memory_order_release);
  failed_.store(false, std::memory_order_release);
  return absl::OkStatus();
}

void PostgresEventLog::Unfence() {
  absl::MutexLock lock(&write_mu_);
  epoch_.reset();
}

absl::StatusOr<PgResult> PostgresEventLog::Read(absl::string_view sql, const std::vector<PgParam>& params) const {
  absl::MutexLock lock(&read_mu_);
  if (reader_ == nullptr || !reader_->ok()) {
    SALESOPS_ASSIGN_OR_RETURN(reader_, PgConnection::Connect(options_.conninfo));
  }
  absl::StatusOr<PgResult> result = reader_->Exec(sql, params);
  if (absl::IsUnavailable(result.status()) && !reader_->ok()) {
    SALESOPS_ASSIGN_OR_RETURN(reader_, PgConnection::Connect(options_.conninfo));
    result = reader_->Exec(sql, params);
  }
  return result;
}

WriteState PostgresEventLog::write_state() const {
  if (!open_check_.ok()) return {open_check_, false};
  if (fenced_.load(std::memory_order_acquire)) {
    return {absl::FailedPreconditionError("another node took the lease: this node no longer leads"), false};
  }
  if (failed()) return {FailedStatus(), false};
  return {};
}

absl::StatusOr<std::vector<v1::EventEnvelope>> PostgresEventLog::Append(AppendBatch batch) {
  absl::MutexLock lock(&write_mu_);
  if (failed()) return FailedStatus();
  if (!open_check_.ok()) return open_check_;
  for (const StreamAppend& append : batch.streams) {
    if (append.stream_id.empty() || append.stream_id.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("stream_id: must be non-empty without NUL bytes");
    }
    if (append.events.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("stream ", append.stream_id, ": no events to append"));
    }
    for (const v1::EventEnvelope& e : append.events) {
      if (e.event_type().empty()) {
        return absl::InvalidArgumentError(absl::StrCat("stream ", append.stream_id, ": event_type is required"));
      }
    }
  }
  const uint64_t head = Head();
  if (batch.expected_head.has_value() && *batch.expected_head != head) {
    return absl::AbortedError(absl::StrCat("log head is ", head, ", expected ", *batch.expected_head));
  }
  if (batch.streams.empty() && batch.idempotency.empty()) return std::vector<v1::EventEnvelope>();
  const std::string chain_before = last_chain_;
  uint64_t last = head;  // the batch's last position
  for (const StreamAppend& append : batch.streams) last += append.events.size();
  const absl::Time give_up = absl::Now() + options_.reconnect_timeout;
  for (int attempt = 1;; ++attempt) {
    std::vector<v1::EventEnvelope> out;
    std::string chain;
    bool version_conflict = false;
    bool at_commit = false;
    const absl::Status written = WriteOnce(batch, out, chain, version_conflict, at_commit);
    if (written.ok()) {
      last_chain_ = std::move(chain);
      if (!out.empty()) head_.store(out.back().position(), std::memory_order_release);
      if (attempt > 1) LogInfo("storage: positions %d.. written to PostgreSQL after reconnecting", head + 1);
      return out;
    }
    // A refused expected_version leaves the log as it was.
    if (version_conflict) return written;
    // UNAVAILABLE: the connection is gone (or its server is going:
    // pg_connection.h), or a COMMIT's wait for the synchronous standbys
    // was cancelled.
    const bool lost = absl::IsUnavailable(written);
    if (!lost && attempt == 1) {
      // Fenced, the head moved, or PostgreSQL refused the statement: this
      // log's writes stop.
      failed_.store(true, std::memory_order_release);
      LogError("storage: append of %d.. to PostgreSQL failed: %s; refusing further writes", head + 1,
               written.ToString());
      return written;
    }
    // Where the batch went is read back from PostgreSQL (the reachable
    // primary, maybe a promoted standby). A rewrite that was refused is
    // read back too: the earlier attempt's transaction may have gone on
    // without its client and committed.
    if (lost) {
      LogWarning("storage: the PostgreSQL connection was lost while appending positions %d..%d (%s); reconnecting "
                 "to find out whether it was committed",
                 head + 1, last, written.ToString());
    } else {
      LogWarning("storage: writing positions %d..%d again was refused (%s); reading back whether an earlier "
                 "attempt committed them",
                 head + 1, last, written.ToString());
    }
    absl::StatusOr<LostBatch> resolved =
        attempt <= kMaxAppendAttempts && absl::Now() < give_up
            ? ResolveLostBatch(head, chain_before, last, chain, give_up)
            : absl::UnavailableError(absl::StrCat(attempt, " attempts in ",
                                                  absl::FormatDuration(options_.reconnect_timeout)));
    if (resolved.ok() && *resolved == LostBatch::kCommitted) {
      // Committed on the server read back — on its synchronous standbys
      // too only once a later commit's wait for them ends without a
      // warning (a cancelled wait leaves a commit on the primary alone).
      if (absl::Status replicated = AwaitReplicated(give_up); !replicated.ok()) resolved = replicated;
    }
    if (!resolved.ok()) {
      failed_.store(true, std::memory_order_release);
      LogError("storage: the outcome of positions %d..%d is not known (%s); refusing further writes", head + 1, last,
               resolved.status().ToString());
      return absl::UnavailableError(
          at_commit ? "the PostgreSQL event log could not be reached again after its COMMIT was cut off; the batch "
                      "may or may not be committed"
                    : "the PostgreSQL event log could not be reached; nothing was written");
    }
    switch (*resolved) {
      case LostBatch::kCommitted:
        LogWarning("storage: reconnected: positions %d..%d were committed before the connection was lost", head + 1,
                   last);
        last_chain_ = std::move(chain);
        if (last > head) head_.store(last, std::memory_order_release);
        return out;
      case LostBatch::kNotWritten:
        if (!lost) {  // the rewrite's refusal stands: nothing was committed
          failed_.store(true, std::memory_order_release);
          return written;
        }
        LogWarning("storage: reconnected: positions %d..%d were not committed; writing them again", head + 1, last);
        RestoreBatch(batch, out);
        continue;
      case LostBatch::kOverwritten:
        failed_.store(true, std::memory_order_release);
        LogError("storage: reconnected: PostgreSQL's head is no longer position %d and position %d is not this "
                 "batch: another writer appended; refusing further writes",
                 head, last);
        if (!lost) return written;  // e.g. fenced: the rewrite said why
        return absl::AbortedError(absl::StrCat("the PostgreSQL log's head is no longer position ", head,
                                               ": another writer appended; nothing was written"));
    }
  }
}

absl::Status PostgresEventLog::AwaitReplicated(absl::Time give_up) {
  absl::Duration pause = absl::Milliseconds(20);
  for (;;) {
    absl::Status done = ConnectWriter();
    if (done.ok()) {
      const uint64_t warnings = writer_->warnings();
      done = writer_->ExecScript("BEGIN; UPDATE salesops_head SET position = position WHERE id = 1; COMMIT").status();
      if (!done.ok()) {
        writer_->Rollback();
      } else if (writer_->warnings() != warnings) {
        done = absl::UnavailableError("the wait for the synchronous standbys was cancelled");
      } else {
        return absl::OkStatus();
      }
    }
    const absl::Time now = absl::Now();
    if (now >= give_up) return done;
    absl::SleepFor(std::min(pause, give_up - now));
    pause = std::min(pause * 2, absl::Milliseconds(500));
  }
}

absl::Status PostgresEventLog::WriteOnce(AppendBatch& batch, std::vector<v1::EventEnvelope>& out, std::string& chain,
                                         bool& version_conflict, bool& at_commit) {
  if (writer_ == nullptr || !writer_->ok()) {
    return absl::UnavailableError("the PostgreSQL connection for appends was lost");
  }
  const bool pipelined =
      !batch.streams.empty() && std::all_of(batch.streams.begin(), batch.streams.end(),
                                            [](const StreamAppend& a) { return a.expected_version.has_value(); });
  if (pipelined) {
    // The COMMIT travels with the rest: a lost connection may have
    // committed it.
    at_commit = true;
    bool too_large = false;
    absl::Status written = WritePipelined(batch, out, chain, version_conflict, too_large);
    if (!too_large) return written;
    at_commit = false;  // nothing was sent: statement by statement below
  }
  SALESOPS_RETURN_IF_ERROR(writer_->ExecScript("BEGIN").status());
  if (absl::Status s = AppendInTransaction(batch, out, chain, version_conflict); !s.ok()) {
    writer_->Rollback();
    return s;
  }
  at_commit = true;
  const uint64_t warnings = writer_->warnings();
  SALESOPS_RETURN_IF_ERROR(writer_->ExecScript("COMMIT").status());
  return writer_->warnings() == warnings ? absl::OkStatus() : CancelledReplicationWait();
}

absl::Status PostgresEventLog::WritePipelined(AppendBatch& batch, std::vector<v1::EventEnvelope>& out,
                                              std::string& chain, bool& version_conflict, bool& too_large) {
  const uint64_t head = Head();
  // The versions the sequencer decided against; PostgreSQL checks them in
  // the head's UPDATE below.
  absl::flat_hash_map<std::string, uint64_t> versions;
  std::vector<std::pair<std::string, uint64_t>> first_versions;
  for (const StreamAppend& append : batch.streams) {
    if (append.stream_id.empty()) continue;  // refused by Append's checks
    if (versions.emplace(append.stream_id, *append.expected_version).second) {
      first_versions.emplace_back(append.stream_id, *append.expected_version);
    }
  }
  // (A second append of a stream in the batch must follow the first.)
  std::vector<std::string> bytes;
  std::vector<std::string> chains;
  chain = last_chain_;
  SALESOPS_RETURN_IF_ERROR(SealBatch(batch, versions, head, chain, out, bytes, chains, version_conflict));
  const uint64_t position = head + out.size();
  std::vector<std::string> ids, expected;
  for (const auto& [id, version] : first_versions) {
    ids.push_back(id);
    expected.push_back(absl::StrCat(version));
  }
  std::vector<PgStatement> statements;
  statements.push_back({"BEGIN", {}});
  // 1. The head, moved only from the one this log last wrote, only while
  // the lease holds this log's epoch (its row locked FOR SHARE until
  // COMMIT, so a takeover waits for this batch or this batch sees the new
  // epoch), and only when every stream is at the version expected.
  std::vector<PgParam> head_params = {PgParam::Int(static_cast<int64_t>(position)), PgParam::Bytes(chain),
                                      PgParam::Int(static_cast<int64_t>(head)), PgParam::Bytes(last_chain_),
                                      PgParam::Text(TextArrayLiteral(ids)), PgParam::Text(TextArrayLiteral(expected))};
  std::string fence = "TRUE";
  if (epoch_.has_value()) {
    head_params.push_back(PgParam::Int(*epoch_));
    fence = "EXISTS (SELECT 1 FROM lease WHERE epoch = $7)";
  }
  statements.push_back(
      {absl::StrCat("WITH lease AS (SELECT epoch FROM salesops_lease WHERE id = 1 FOR SHARE) "
                    "UPDATE salesops_head SET position = $1, chain = $2 WHERE id = 1 AND position = $3 AND chain = $4 "
                    "AND ",
                    fence,
                    " AND NOT EXISTS (SELECT 1 FROM unnest($5::text[], $6::bigint[]) AS s(stream_id, version) "
                    "WHERE coalesce((SELECT max(e.stream_version) FROM salesops_events e "
                    "WHERE e.stream_id = s.stream_id), 0) <> s.version)"),
       std::move(head_params)});
  // 2. The events and the idempotency records, written only when the head
  // is now this batch's.
  const std::string moved = "EXISTS (SELECT 1 FROM salesops_head WHERE id = 1 AND position = $1 AND chain = $2)";
  for (size_t begin = 0; begin < out.size(); begin += kRowsPerStatement) {
    const size_t end = std::min(out.size(), begin + kRowsPerStatement);
    PgStatement insert;
    insert.params = {PgParam::Int(static_cast<int64_t>(position)), PgParam::Bytes(chain)};
    insert.params.reserve(2 + (end - begin) * 6);
    std::string values;
    for (size_t i = begin; i < end; ++i) {
      const size_t n = insert.params.size();
      absl::StrAppend(&values, i > begin ? "," : "", "($", n + 1, "::bigint,$", n + 2, "::text,$", n + 3,
                      "::bigint,$", n + 4, "::text,$", n + 5, "::bytea,$", n + 6, "::bytea)");
      const v1::EventEnvelope& e = out[i];
      insert.params.push_back(PgParam::Int(static_cast<int64_t>(e.position())));
      insert.params.push_back(PgParam::Text(e.stream_id()));
      insert.params.push_back(PgParam::Int(static_cast<int64_t>(e.stream_version())));
      insert.params.push_back(PgParam::Text(e.event_type()));
      insert.params.push_back(PgParam::Bytes(std::move(bytes[i])));
      insert.params.push_back(PgParam::Bytes(std::move(chains[i])));
    }
    insert.sql = absl::StrCat(
        "INSERT INTO salesops_events (position, stream_id, stream_version, event_type, envelope, chain) "
        "SELECT * FROM (VALUES ",
        values, ") AS v WHERE ", moved);
    statements.push_back(std::move(insert));
  }
  for (size_t begin = 0; begin < batch.idempotency.size(); begin += kRowsPerStatement) {
    const size_t end = std::min(batch.idempotency.size(), begin + kRowsPerStatement);
    PgStatement insert;
    insert.params = {PgParam::Int(static_cast<int64_t>(position)), PgParam::Bytes(chain)};
    insert.params.reserve(2 + (end - begin) * 4);
    std::string values;
    for (size_t i = begin; i < end; ++i) {
      const size_t n = insert.params.size();
      absl::StrAppend(&values, i > begin ? "," : "", "($", n + 1, "::text,$", n + 2, "::text,$", n + 3, "::bytea,$",
                      n + 4, "::bigint)");
      const IdempotencyWrite& w = batch.idempotency[i];
      insert.params.push_back(PgParam::Text(w.actor));
      insert.params.push_back(PgParam::Text(w.request_id));
      insert.params.push_back(PgParam::Bytes(w.record.SerializeAsString()));
      insert.params.push_back(PgParam::Int(static_cast<int64_t>(position)));
    }
    insert.sql = absl::StrCat(
        "INSERT INTO salesops_idempotency (actor, request_id, record, at_position) SELECT * FROM (VALUES ", values,
        ") AS v WHERE ", moved,
        " ON CONFLICT (actor, request_id) DO UPDATE SET record = EXCLUDED.record, at_position = EXCLUDED.at_position");
    statements.push_back(std::move(insert));
  }
  // Not a large batch: libpq sends a pipeline's first 64 KiB before the
  // rest, and PostgreSQL arms no idle-in-transaction timeout inside a
  // pipeline, so a leader stalled mid-send would hold the lease row's lock;
  // statement by statement, that timeout applies.
  size_t sent_bytes = 0;
  for (const PgStatement& statement : statements) {
    for (const PgParam& p : statement.params) sent_bytes += p.value.size();
  }
  if (sent_bytes > kMaxPipelineBytes) {
    too_large = true;
    RestoreBatch(batch, out);
    out.clear();
    return absl::OkStatus();
  }
  statements.push_back({"COMMIT", {}});
  const uint64_t warnings = writer_->warnings();
  absl::StatusOr<std::vector<PgResult>> results = writer_->ExecPipeline(statements);
  if (!results.ok()) {
    writer_->Rollback();
    return results.status();
  }
  if (writer_->warnings() != warnings) return CancelledReplicationWait();
  if ((*results)[1].affected() == 1) {
    uint64_t events = 0;
    for (size_t i = 2; i + 1 < results->size(); ++i) events += (*results)[i].affected();
    if (events != out.size() + batch.idempotency.size()) {
      return absl::DataLossError(absl::StrCat("PostgreSQL wrote ", events, " rows of a batch of ", out.size(),
                                              " events and ", batch.idempotency.size(), " records"));
    }
    return absl::OkStatus();
  }
  // Nothing was written (the transaction committed no row): say why.
  return Diagnose(head, first_versions, version_conflict);
}

absl::Status PostgresEventLog::Diagnose(uint64_t head,
                                        const std::vector<std::pair<std::string, uint64_t>>& first_versions,
                                        bool& version_conflict) {
  SALESOPS_ASSIGN_OR_RETURN(PgResult state,
                            writer_->Exec("SELECT (SELECT epoch FROM salesops_lease WHERE id = 1), "
                                          "(SELECT holder FROM salesops_lease WHERE id = 1), position, chain "
                                          "FROM salesops_head WHERE id = 1"));
  if (state.rows() != 1) return absl::DataLossError("the PostgreSQL log has no head row (salesops_head)");
  if (epoch_.has_value() && (state.is_null(0, 0) || state.Int(0, 0) != *epoch_)) {
    fenced_.store(true, std::memory_order_release);
    return absl::FailedPreconditionError(absl::StrCat(
        "fenced: this node appends under lease epoch ", *epoch_, " but the lease is at epoch ",
        state.is_null(0, 0) ? -1 : state.Int(0, 0),
        state.is_null(0, 1) ? "" : absl::StrCat(" (held by ", state.at(0, 1), ")"), "; nothing was written"));
  }
  if (static_cast<uint64_t>(state.Int(0, 2)) != head || state.at(0, 3) != last_chain_) {
    return absl::AbortedError(absl::StrCat("the PostgreSQL log's head is no longer position ", head,
                                           ": another writer appended; nothing was written"));
  }
  std::vector<std::string> ids;
  for (const auto& [id, version] : first_versions) ids.push_back(id);
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult found,
      writer_->Exec("SELECT stream_id, max(stream_version) FROM salesops_events WHERE stream_id = ANY($1::text[]) "
                    "GROUP BY stream_id",
                    {PgParam::Text(TextArrayLiteral(ids))}));
  absl::flat_hash_map<std::string, uint64_t> stored;
  for (size_t r = 0; r < found.rows(); ++r) stored[found.at(r, 0)] = static_cast<uint64_t>(found.Int(r, 1));
  for (const auto& [id, version] : first_versions) {
    const uint64_t at = stored.contains(id) ? stored[id] : 0;
    if (at != version) {
      version_conflict = true;
      return absl::AbortedError(absl::StrCat("stream ", id, " is at version ", at, ", expected ", version));
    }
  }
  return absl::InternalError("PostgreSQL moved no head and no check says why; nothing was written");
}

absl::StatusOr<PostgresEventLog::LostBatch> PostgresEventLog::ResolveLostBatch(uint64_t head,
                                                                                const std::string& chain_before,
                                                                                uint64_t last,
                                                                                const std::string& chain,
                                                                                absl::Time give_up) {
  absl::Duration pause = absl::Milliseconds(20);
  absl::Status error;
  for (;;) {
    error = ConnectWriter();
    if (error.ok()) {
      absl::StatusOr<PgResult> found =
          writer_->Exec("SELECT h.position, h.chain, (SELECT e.chain FROM salesops_events e WHERE e.position = $1) "
                        "FROM salesops_head h WHERE h.id = 1",
                        {PgParam::Int(static_cast<int64_t>(last))});
      if (found.ok() && found->rows() == 1) {
        if (last > head && !found->is_null(0, 2) && found->at(0, 2) == chain) return LostBatch::kCommitted;
        if (static_cast<uint64_t>(found->Int(0, 0)) == head && found->at(0, 1) == chain_before) {
          return LostBatch::kNotWritten;
        }
        return LostBatch::kOverwritten;
      }
      error = found.ok() ? absl::DataLossError("the PostgreSQL log has no head row (salesops_head)") : found.status();
      if (!absl::IsUnavailable(error)) return error;
    }
    const absl::Time now = absl::Now();
    if (now >= give_up) return error;
    absl::SleepFor(std::min(pause, give_up - now));
    pause = std::min(pause * 2, absl::Milliseconds(500));
  }
}

absl::Status PostgresEventLog::AppendInTransaction(AppendBatch& batch, std::vector<v1::EventEnvelope>& out,
                                                   std::string& chain, bool& version_conflict) {
  const uint64_t head = Head();
  // 1. The fence: the lease row, locked FOR SHARE until COMMIT, so a
  // takeover (an UPDATE of that row) waits for this batch or this batch
  // sees the new epoch.
  if (epoch_.has_value()) {
    SALESOPS_ASSIGN_OR_RETURN(PgResult lease,
                              writer_->Exec("SELECT epoch, holder FROM salesops_lease WHERE id = 1 FOR SHARE"));
    const int64_t epoch = lease.rows() == 1 ? lease.Int(0, 0) : -1;
    if (epoch != *epoch_) {
      fenced_.store(true, std::memory_order_release);
      return absl::FailedPreconditionError(absl::StrCat(
          "fenced: this node appends under lease epoch ", *epoch_, " but the lease is at epoch ", epoch,
          lease.rows() == 1 ? absl::StrCat(" (held by ", lease.at(0, 1), ")") : "", "; nothing was written"));
    }
  }
  // 2. The streams' current versions, in one round trip.
  absl::flat_hash_map<std::string, uint64_t> versions;
  {
    std::vector<std::string> ids;
    for (const StreamAppend& append : batch.streams) {
      if (versions.emplace(append.stream_id, 0).second) ids.push_back(append.stream_id);
    }
    if (!ids.empty()) {
      SALESOPS_ASSIGN_OR_RETURN(
          PgResult found,
          writer_->Exec("SELECT stream_id, max(stream_version) FROM salesops_events WHERE stream_id = ANY($1::text[]) "
                        "GROUP BY stream_id",
                        {PgParam::Text(TextArrayLiteral(ids))}));
      for (size_t r = 0; r < found.rows(); ++r) versions[found.at(r, 0)] = static_cast<uint64_t>(found.Int(r, 1));
    }
  }
  // 3. Positions, versions, stored bytes and chain: as every EventLog does.
  std::vector<std::string> bytes;
  std::vector<std::string> chains;
  chain = last_chain_;
  SALESOPS_RETURN_IF_ERROR(SealBatch(batch, versions, head, chain, out, bytes, chains, version_conflict));
  const uint64_t position = head + out.size();
  // 4. The head, moved only from the one this log last wrote.
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult moved,
      writer_->Exec("UPDATE salesops_head SET position = $1, chain = $2 WHERE id = 1 AND position = $3 AND chain = $4",
                    {PgParam::Int(static_cast<int64_t>(position)), PgParam::Bytes(chain),
                     PgParam::Int(static_cast<int64_t>(head)), PgParam::Bytes(last_chain_)}));
  if (moved.affected() != 1) {
    return absl::AbortedError(absl::StrCat("the PostgreSQL log's head is no longer position ", head,
                                           ": another writer appended; nothing was written"));
  }
  // 5. The events, kRowsPerStatement rows per INSERT.
  for (size_t begin = 0; begin < out.size(); begin += kRowsPerStatement) {
    const size_t end = std::min(out.size(), begin + kRowsPerStatement);
    std::vector<PgParam> params;
    params.reserve((end - begin) * 6);
    for (size_t i = begin; i < end; ++i) {
      const v1::EventEnvelope& e = out[i];
      params.push_back(PgParam::Int(static_cast<int64_t>(e.position())));
      params.push_back(PgParam::Text(e.stream_id()));
      params.push_back(PgParam::Int(static_cast<int64_t>(e.stream_version())));
      params.push_back(PgParam::Text(e.event_type()));
      params.push_back(PgParam::Bytes(std::move(bytes[i])));
      params.push_back(PgParam::Bytes(std::move(chains[i])));
    }
    SALESOPS_RETURN_IF_ERROR(
        writer_
            ->Exec(absl::StrCat("INSERT INTO salesops_events (position, stream_id, stream_version, event_type, "
                                "envelope, chain) VALUES ",
                                ValuesList(end - begin, 6)),
                   params)
            .status());
  }
  // 6. The idempotency records, at the batch's head.
  for (size_t begin = 0; begin < batch.idempotency.size(); begin += kRowsPerStatement) {
    const size_t end = std::min(batch.idempotency.size(), begin + kRowsPerStatement);
    std::vector<PgParam> params;
    params.reserve((end - begin) * 4);
    for (size_t i = begin; i < end; ++i) {
      const IdempotencyWrite& w = batch.idempotency[i];
      params.push_back(PgParam::Text(w.actor));
      params.push_back(PgParam::Text(w.request_id));
      params.push_back(PgParam::Bytes(w.record.SerializeAsString()));
      params.push_back(PgParam::Int(static_cast<int64_t>(position)));
    }
    SALESOPS_RETURN_IF_ERROR(
        writer_
            ->Exec(absl::StrCat("INSERT INTO salesops_idempotency (actor, request_id, record, at_position) VALUES ",
                                ValuesList(end - begin, 4),
                                " ON CONFLICT (actor, request_id) DO UPDATE SET record = EXCLUDED.record, "
                                "at_position = EXCLUDED.at_position"),
                   params)
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::EventEnvelope>> PostgresEventLog::ReadStream(absl::string_view stream_id,
                                                                            uint64_t from_version, size_t limit,
                                                                            size_t max_bytes) const {
  std::vector<v1::EventEnvelope> out;
  if (limit == 0) return out;
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult rows,
      Read("SELECT position, envelope FROM salesops_events WHERE stream_id = $1 AND stream_version >= $2 "
           "ORDER BY stream_version LIMIT $3",
           {PgParam::Text(std::string(stream_id)), PgParam::Int(static_cast<int64_t>(std::max<uint64_t>(from_version, 1))),
            PgParam::Int(static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int32_t>::max())))}));
  size_t bytes = 0;
  for (size_t r = 0; r < rows.rows() && (out.empty() || bytes < max_bytes); ++r) {
    bytes += rows.at(r, 1).size();
    SALESOPS_ASSIGN_OR_RETURN(v1::EventEnvelope e, ParseStored(rows.at(r, 1), rows.Int(r, 0)));
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<LogPage> PostgresEventLog::ReadLog(uint64_t from_position, size_t limit, const LogFilter& filter,
                                                  size_t max_scan, size_t max_bytes) const {
  LogPage page;
  const absl::flat_hash_set<std::string> types(filter.event_types.begin(), filter.event_types.end());
  const uint64_t head = Head();
  uint64_t position = std::max<uint64_t>(from_position, 1);
  size_t scanned = 0;
  size_t bytes = 0;
  bool full = false;
  while (!full && position <= head && scanned < max_scan) {
    const size_t rows_wanted = std::min<size_t>(kPageRows, max_scan - scanned);
    SALESOPS_ASSIGN_OR_RETURN(
        PgResult rows, Read("SELECT position, envelope FROM salesops_events WHERE position >= $1 AND position <= $2 "
                            "ORDER BY position LIMIT $3",
                            {PgParam::Int(static_cast<int64_t>(position)), PgParam::Int(static_cast<int64_t>(head)),
                             PgParam::Int(static_cast<int64_t>(rows_wanted))}));
    if (rows.rows() == 0) break;
    for (size_t r = 0; r < rows.rows(); ++r) {
      if (page.events.size() >= limit || scanned >= max_scan || bytes >= max_bytes) {
        full = true;
        break;
      }
      SALESOPS_ASSIGN_OR_RETURN(v1::EventEnvelope e, ParseStored(rows.at(r, 1), rows.Int(r, 0)));
      ++scanned;
      position = e.position() + 1;
      if (!types.empty() && !types.contains(e.event_type())) continue;
      if (!filter.stream_prefix.empty() && !absl::StartsWith(e.stream_id(), filter.stream_prefix)) continue;
      bytes += rows.at(r, 1).size();
      page.events.push_back(std::move(e));
    }
  }
  page.head = head;
  page.next_position = position;
  page.reached_head = position > head;
  return page;
}

absl::Status PostgresEventLog::ScanRange(uint64_t from_position, uint64_t to_position,
                                         absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const {
  to_position = std::min(to_position, Head());
  uint64_t expected = std::max<uint64_t>(from_position, 1);
  while (expected <= to_position) {
    SALESOPS_ASSIGN_OR_RETURN(
        PgResult rows, Read("SELECT position, envelope FROM salesops_events WHERE position >= $1 AND position <= $2 "
                            "ORDER BY position LIMIT $3",
                            {PgParam::Int(static_cast<int64_t>(expected)), PgParam::Int(static_cast<int64_t>(to_position)),
                             PgParam::Int(static_cast<int64_t>(kPageRows))}));
    if (rows.rows() == 0) {
      return absl::DataLossError(absl::StrCat("the log has a gap: position ", expected, " is missing"));
    }
    for (size_t r = 0; r < rows.rows(); ++r) {
      if (static_cast<uint64_t>(rows.Int(r, 0)) != expected) {
        return absl::DataLossError(absl::StrCat("the log has a gap: position ", expected, " is missing (next is ",
                                                rows.Int(r, 0), ")"));
      }
      SALESOPS_ASSIGN_OR_RETURN(v1::EventEnvelope e, ParseStored(rows.at(r, 1), rows.Int(r, 0)));
      ++expected;
      SALESOPS_RETURN_IF_ERROR(visit(e));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> PostgresEventLog::StreamVersion(absl::string_view stream_id) const {
  SALESOPS_ASSIGN_OR_RETURN(PgResult rows,
                            Read("SELECT coalesce(max(stream_version), 0) FROM salesops_events WHERE stream_id = $1",
                                 {PgParam::Text(std::string(stream_id))}));
  return static_cast<uint64_t>(rows.Int(0, 0));
}

absl::StatusOr<std::optional<v1::IdempotencyRecord>> PostgresEventLog::GetIdempotency(
    absl::string_view actor, absl::string_view request_id) const {
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult rows, Read("SELECT record FROM salesops_idempotency WHERE actor = $1 AND request_id = $2",
                          {PgParam::Text(std::string(actor)), PgParam::Text(std::string(request_id))}));
  if (rows.rows() == 0) return std::optional<v1::IdempotencyRecord>();
  v1::IdempotencyRecord record;
  if (!record.ParseFromString(rows.at(0, 0))) {
    return absl::DataLossError(absl::StrCat("idempotency record of request ", request_id, " is unreadable"));
  }
  return record;
}

absl::StatusOr<std::vector<IdempotencyWrite>> PostgresEventLog::ReadIdempotency(uint64_t from, uint64_t to) const {
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult rows, Read("SELECT actor, request_id, record FROM salesops_idempotency WHERE at_position >= $1 AND "
                          "at_position <= $2 ORDER BY at_position",
                          {PgParam::Int(static_cast<int64_t>(from)), PgParam::Int(static_cast<int64_t>(to))}));
  std::vector<IdempotencyWrite> out;
  out.reserve(rows.rows());
  for (size_t r = 0; r < rows.rows(); ++r) {
    IdempotencyWrite& w = out.emplace_back();
    w.actor = rows.at(r, 0);
    w.request_id = rows.at(r, 1);
    if (!w.record.ParseFromString(rows.at(r, 2))) {
      return absl::DataLossError(absl::StrCat("idempotency record of request ", w.request_id, " is unreadable"));
    }
  }
  return out;
}

absl::StatusOr<uint64_t> PostgresEventLog::RefreshHead() {
  SALESOPS_ASSIGN_OR_RETURN(PgResult rows, Read("SELECT position FROM salesops_head WHERE id = 1", {}));
  if (rows.rows() != 1) return absl::DataLossError("the PostgreSQL log has no head row (salesops_head)");
  const uint64_t head = static_cast<uint64_t>(rows.Int(0, 0));
  head_.store(head, std::memory_order_release);
  return head;
}

absl::StatusOr<LeaseRow> PostgresEventLog::ReadLease() const {
  SALESOPS_ASSIGN_OR_RETURN(PgResult rows, Read("SELECT epoch, holder, address, expires_at <= now() FROM "
                                                "salesops_lease WHERE id = 1",
                                                {}));
  if (rows.rows() != 1) return absl::DataLossError("the PostgreSQL log has no lease row (salesops_lease)");
  return LeaseRow{.epoch = rows.Int(0, 0), .holder = rows.at(0, 1), .address = rows.at(0, 2),
                  .free = rows.at(0, 3) == "t"};
}

absl::StatusOr<std::string> PostgresEventLog::ReadNodeSecret() const {
  SALESOPS_ASSIGN_OR_RETURN(PgResult rows, Read("SELECT secret FROM salesops_node_secret WHERE id = 1", {}));
  if (rows.rows() != 1 || rows.at(0, 0).size() < 32) {
    return absl::DataLossError("the PostgreSQL log has no node secret (salesops_node_secret)");
  }
  return std::string(rows.at(0, 0));
}

namespace {

// SQL for a timestamptz as microseconds since the Unix epoch (NULL for
// ±infinity), and back.
std::string Micros(absl::string_view column) {
  return absl::StrCat("CASE WHEN isfinite(", column, ") THEN floor(extract(epoch FROM ", column,
                      ") * 1000000)::bigint END");
}
absl::Time TimeOfMicros(const PgResult& rows, size_t row, size_t column) {
  return rows.is_null(row, column) ? absl::InfinitePast() : absl::FromUnixMicros(rows.Int(row, column));
}

}  // namespace

absl::Status PostgresEventLog::Heartbeat(const NodeHeartbeat& node, absl::Duration forget_after) {
  SALESOPS_RETURN_IF_ERROR(
      Read("INSERT INTO salesops_nodes (node_id, address, is_leader, epoch, applied_position, serving, started_at, "
           "heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::bigint / 1000000.0), now()) "
           "ON CONFLICT (node_id) DO UPDATE SET address = excluded.address, is_leader = excluded.is_leader, "
           "epoch = excluded.epoch, applied_position = excluded.applied_position, serving = excluded.serving, "
           "started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at",
           {PgParam::Text(node.node_id), PgParam::Text(node.address), PgParam::Text(node.leading ? "t" : "f"),
            PgParam::Int(node.epoch), PgParam::Int(static_cast<int64_t>(node.applied_position)),
            PgParam::Text(node.serving ? "t" : "f"), PgParam::Int(absl::ToUnixMicros(node.started_at))})
          .status());
  if (!node.leading) return absl::OkStatus();
  return Read("DELETE FROM salesops_nodes WHERE heartbeat_at < now() - make_interval(secs => $1::bigint)",
              {PgParam::Int(absl::ToInt64Seconds(forget_after))})
      .status();
}

absl::StatusOr<ClusterRecord> PostgresEventLog::ReadCluster() const {
  // One statement: the lease, the head and the nodes from one snapshot.
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult rows,
      Read(absl::StrCat("SELECT l.epoch, l.holder, l.address, l.expires_at <= now(), ", Micros("l.expires_at"),
                        ", h.position, ", Micros("now()"),
                        ", n.node_id, n.address, n.is_leader, n.epoch, n.applied_position, n.serving, ",
                        Micros("n.started_at"),
                        ", floor(extract(epoch FROM now() - n.heartbeat_at) * 1000000)::bigint "
                        "FROM salesops_lease l CROSS JOIN salesops_head h LEFT JOIN salesops_nodes n ON true "
                        "WHERE l.id = 1 AND h.id = 1 ORDER BY n.node_id COLLATE \"C\""),
           {}));
  if (rows.rows() == 0) return absl::DataLossError("the PostgreSQL log has no lease or head row");
  ClusterRecord out;
  out.lease = LeaseRow{.epoch = rows.Int(0, 0), .holder = rows.at(0, 1), .address = rows.at(0, 2),
                       .free = rows.at(0, 3) == "t"};
  out.lease_expires_at = TimeOfMicros(rows, 0, 4);
  out.head = static_cast<uint64_t>(rows.Int(0, 5));
  out.read_at = TimeOfMicros(rows, 0, 6);
  for (size_t r = 0; r < rows.rows(); ++r) {
    if (rows.is_null(r, 7)) continue;  // no node has reported yet
    ClusterRecord::Node& node = out.nodes.emplace_back();
    node.heartbeat = NodeHeartbeat{.node_id = rows.at(r, 7),
                                   .address = rows.at(r, 8),
                                   .leading = rows.at(r, 9) == "t",
                                   .epoch = rows.Int(r, 10),
                                   .applied_position = static_cast<uint64_t>(rows.Int(r, 11)),
                                   .serving = rows.at(r, 12) == "t",
                                   .started_at = TimeOfMicros(rows, r, 13)};
    node.since_heartbeat = absl::Microseconds(rows.Int(r, 14));
  }
  return out;
}

absl::StatusOr<std::string> PostgresEventLog::ChainDigest(uint64_t position) const {
  if (position == 0) return GenesisDigest();
  if (position > Head()) {
    return absl::OutOfRangeError(absl::StrCat("position: ", position, " is beyond the head (", Head(), ")"));
  }
  SALESOPS_ASSIGN_OR_RETURN(PgResult rows, Read("SELECT chain FROM salesops_events WHERE position = $1",
                                                {PgParam::Int(static_cast<int64_t>(position))}));
  if (rows.rows() == 0) {
    return absl::DataLossError(absl::StrCat("the chain hash of position ", position, " is missing"));
  }
  return rows.at(0, 0);
}

absl::StatusOr<ChainCheck> PostgresEventLog::VerifyChain(uint64_t from, uint64_t to) const {
  ChainWalk walk(from, to);
  SALESOPS_ASSIGN_OR_RETURN(const bool started,
                            walk.Start(Head(), [this](uint64_t p) { return ChainDigest(p); }));
  if (!started) return walk.Result();
  uint64_t p = from;
  while (p <= to) {
    SALESOPS_ASSIGN_OR_RETURN(
        PgResult rows, Read("SELECT position, envelope, chain FROM salesops_events WHERE position >= $1 AND "
                            "position <= $2 ORDER BY position LIMIT $3",
                            {PgParam::Int(static_cast<int64_t>(p)), PgParam::Int(static_cast<int64_t>(to)),
                             PgParam::Int(static_cast<int64_t>(kPageRows))}));
    if (rows.rows() == 0) return walk.Broken(p, absl::StrCat("the event at position ", p, " is missing"));
    for (size_t r = 0; r < rows.rows(); ++r, ++p) {
      if (static_cast<uint64_t>(rows.Int(r, 0)) != p) {
        return walk.Broken(p, absl::StrCat("the event at position ", p, " is missing"));
      }
      if (!walk.Step(p, rows.at(r, 1), rows.at(r, 2))) return walk.Result();
    }
  }
  return walk.Result();
}

absl::StatusOr<uint64_t> PostgresEventLog::Checkpoint(const std::string&) const {
  return absl::FailedPreconditionError(
      "the PostgreSQL log is backed up with PostgreSQL's own tools (pg_dump, base backups); Admin.Backup copies a "
      "node's local copy");
}

absl::Status PostgresEventLog::PutSnapshot(absl::string_view, const std::vector<std::string>&) {
  return absl::FailedPreconditionError("views snapshots are kept in a node's local copy, not in PostgreSQL");
}

absl::StatusOr<std::vector<std::string>> PostgresEventLog::GetSnapshot(absl::string_view) const {
  return std::vector<std::string>();
}

}  // namespace salesops::store::postgres
