#include "server/engine/sequencer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/progress_log.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"

namespace salesops::engine {
namespace {

// The bytes an idempotency record compares: the deterministic serialization,
// so equal commands always give equal bytes.
// The correlation id is left out: a client may trace each retry separately.
std::string Serialize(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string Fingerprint(v1::Command command) {
  if (v1::CommandOptions* options = domain::MutableOptionsOf(command)) options->clear_correlation_id();
  // The review the service pinned moves with the log; a retry is the same
  // request.
  if (command.has_review_feedback()) command.mutable_review_feedback()->clear_pin();
  return Serialize(command);
}

// The first version fingerprinted the LeadCommand alone.
std::string LegacyFingerprint(const v1::Command& command) {
  v1::Command copy = command;
  if (v1::CommandOptions* options = domain::MutableOptionsOf(copy)) options->clear_correlation_id();
  return Serialize(copy.lead());
}

std::string RequestKey(absl::string_view actor, absl::string_view request_id) {
  return absl::StrCat(actor, absl::string_view("\0", 1), request_id);
}

}  // namespace

struct Sequencer::Staging {
  absl::Time now;
  uint64_t next_position = 0;  // the position the next staged event will get
  Requests requests;  // the batch's idempotency records
  store::AppendBatch batch;
};

Sequencer::Sequencer(store::EventLog* store, std::vector<projections::Projection*> projections,
                     Clock* clock, IdGenerator* ids, SequencerOptions options)
    : store_(store),
      projections_(std::move(projections)),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)) {
  paused_ = options_.start_paused;
}

absl::StatusOr<std::unique_ptr<Sequencer>> Sequencer::Start(
    store::EventLog* store, std::vector<projections::Projection*> projections, Clock* clock,
    IdGenerator* ids, SequencerOptions options) {
  std::unique_ptr<Sequencer> sequencer(
      new Sequencer(store, std::move(projections), clock, ids, std::move(options)));
  SALESOPS_RETURN_IF_ERROR(sequencer->Recover());
  sequencer->writer_ = std::thread([s = sequencer.get()] { s->Write(); });
  sequencer->thread_ = std::thread([s = sequencer.get()] { s->Run(); });
  return sequencer;
}

Sequencer::~Sequencer() { Stop(); }

namespace {

// Chunks of replayed events on their way from the reading thread to the
// thread that applies them to the projections; at most `capacity` wait, so
// a slow applier holds back the reader instead of the whole log piling up.
class ReplayChunks {
 public:
  explicit ReplayChunks(size_t capacity) : capacity_(capacity) {}

  void Push(std::vector<v1::EventEnvelope> chunk) {
    absl::MutexLock lock(&mu_);
    const auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return chunks_.size() < capacity_; };
    mu_.Await(absl::Condition(&room));
    chunks_.push_back(std::move(chunk));
  }
  // No more chunks will come.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  // The next chunk, or nothing once closed and drained.
  std::optional<std::vector<v1::EventEnvelope>> Pop() {
    absl::MutexLock lock(&mu_);
    const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !chunks_.empty() || closed_; };
    mu_.Await(absl::Condition(&ready));
    if (chunks_.empty()) return std::nullopt;
    std::vector<v1::EventEnvelope> chunk = std::move(chunks_.front());
    chunks_.pop_front();
    return chunk;
  }

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<std::vector<v1::EventEnvelope>> chunks_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::Status Sequencer::Recover() {
  uint64_t from = 1;
  if (options_.restored_state.has_value()) {
    state_ = std::move(*options_.restored_state);
    options_.restored_state.reset();
    last_now_ = options_.restored_time;
    from = options_.restored_position + 1;
  }
  // Two threads share the replay: this one reads and parses the log and
  // folds the deciders' state; the applier folds the same events, a chunk
  // at a time, into the projections (which need nothing of the deciders').
  constexpr size_t kChunk = 4096;
  ReplayChunks chunks(/*capacity=*/4);
  std::thread applier([&] {
    while (std::optional<std::vector<v1::EventEnvelope>> chunk = chunks.Pop()) {
      for (projections::Projection* p : projections_) p->Apply(*chunk);
    }
  });
  std::vector<v1::EventEnvelope> chunk;
  chunk.reserve(kChunk);
  const uint64_t head = store_->Head();
  ProgressLog progress("start-up replay", "events", head >= from ? head - from + 1 : 0);
  const absl::Status scanned = store_->Scan(from, [&](v1::EventEnvelope& e) {
    progress.Update(recovered_events_);
    domain::Evolve(state_, e);
    last_now_ = std::max(last_now_, FromProtoTime(e.recorded_at()));
    chunk.push_back(std::move(e));
    if (chunk.size() == kChunk) {
      chunks.Push(std::move(chunk));
      chunk = {};
      chunk.reserve(kChunk);
    }
    ++recovered_events_;
    return absl::OkStatus();
  });
  if (scanned.ok() && !chunk.empty()) chunks.Push(std::move(chunk));
  chunks.Close();
  applier.join();
  SALESOPS_RETURN_IF_ERROR(scanned);
  next_position_ = store_->Head() + 1;
  return absl::OkStatus();
}

absl::Status Sequencer::Queue(Pending& pending, absl::string_view retry, bool bounded) {
  absl::MutexLock lock(&mu_);
  if (!options_.refuse_writes.ok()) return options_.refuse_writes;
  const auto refused = [this](absl::string_view reason) {
    if (options_.on_refused) options_.on_refused(reason, 1);
  };
  if (stopping_) {
    refused("stopping");
    return errors::WithReason(absl::UnavailableError(absl::StrCat("the server is shutting down; ", retry)),
                              errors::kShuttingDown);
  }
  if (bounded && queue_.size() >= options_.max_queue) {
    refused("queue_full");
    return errors::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                                  "the write queue is full (", options_.max_queue, " commands); retry later")),
                              errors::kServerBusy, {{"queue", "commands"}, {"limit", absl::StrCat(options_.max_queue)}});
  }
  // A command's size, or an import's: what the queue holds until decided.
  size_t bytes = pending.command.ByteSizeLong();
  if (pending.import.has_value()) {
    for (const v1::EventEnvelope& e : *pending.import) bytes += e.ByteSizeLong();
  }
  if (bounded && queue_bytes_ + bytes > options_.max_queue_bytes && !queue_.empty()) {
    refused("queue_bytes");
    return errors::WithReason(
        absl::ResourceExhaustedError(absl::StrCat("the write queue holds ", queue_bytes_, " bytes of commands (",
                                                  options_.max_queue_bytes, " at most); retry later")),
        errors::kServerBusy, {{"queue", "command_bytes"}, {"limit", absl::StrCat(options_.max_queue_bytes)}});
  }
  pending.bytes = bytes;
  queue_bytes_ += bytes;
  queue_.push_back(std::move(pending));
  return absl::OkStatus();
}

void Sequencer::Submit(std::string actor, v1::Command command, ReplyCallback done, SubmitOptions options) {
  if (options.may_forward) {
    CommandForwarder* forwarder = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (!options_.refuse_writes.ok()) forwarder = forwarder_;
    }
    if (forwarder != nullptr) {
      forwarder->Forward(std::move(actor), std::move(command), options.deadline, std::move(done));
      return;
    }
  }
  Pending pending;
  pending.actor = std::move(actor);
  pending.command = std::move(command);
  Started();
  pending.done = [this, done = std::move(done)](CommandResult result) mutable {
    std::move(done)(std::move(result));
    Completed();
  };
  if (absl::Status refused = Queue(pending, "retry with the same request_id", /*bounded=*/true); !refused.ok()) {
    std::move(pending.done)(std::move(refused));
  }
}

void Sequencer::SubmitImport(std::vector<v1::EventEnvelope> events, std::string expected_digest,
                             ImportCallback done) {
  Pending pending;
  pending.import = std::move(events);
  pending.expected_digest = std::move(expected_digest);
  Started();
  pending.import_done = [this, done = std::move(done)](ImportResult result) mutable {
    std::move(done)(std::move(result));
    Completed();
  };
  if (absl::Status refused = Queue(pending, "retry the import from the log's head", /*bounded=*/false);
      !refused.ok()) {
    std::move(pending.import_done)(std::move(refused));
  }
}

void Sequencer::Started() {
  absl::MutexLock lock(&idle_mu_);
  ++in_flight_;
}

void Sequencer::Completed() {
  absl::MutexLock lock(&idle_mu_);
  --in_flight_;
}

bool Sequencer::AwaitIdle(absl::Time deadline) {
  absl::MutexLock lock(&idle_mu_);
  return idle_mu_.AwaitWithDeadline(
      absl::Condition(+[](size_t* n) { return *n == 0; }, &in_flight_), deadline);
}

void Sequencer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    paused_ = false;
  }
  if (thread_.joinable()) thread_.join();  // the decider tells the writer to finish
  if (writer_.joinable()) writer_.join();
}

bool Sequencer::Follow(absl::Status refusal, absl::Time deadline, CommandForwarder* forwarder) {
  {
    absl::MutexLock lock(&mu_);
    options_.refuse_writes = std::move(refusal);
    forwarder_ = forwarder;
  }
  // Everything queued is refused or failed by the deciding and writing
  // threads; once nothing is in flight, neither touches the state.
  if (!AwaitIdle(deadline)) return false;
  absl::MutexLock lock(&write_mu_);
  failure_ = absl::OkStatus();
  return true;
}

absl::Status Sequencer::Lead(domain::State state, uint64_t position, absl::Time log_time) {
  if (position != store_->Head()) {
    return absl::FailedPreconditionError(absl::StrCat("the deciders' state is at position ", position,
                                                      ", the log's head at ", store_->Head()));
  }
  if (const absl::Status failure = Failure(); !failure.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("a failed write is remembered: ", failure.message()));
  }
  // Nothing is queued while commands are refused, so the deciding thread
  // waits for mu_: the state handed over here is what it sees next.
  absl::MutexLock lock(&mu_);
  if (!queue_.empty() || options_.refuse_writes.ok()) {
    return absl::FailedPreconditionError("the sequencer was not following (commands are queued or taken)");
  }
  state_ = std::move(state);
  last_now_ = std::max(last_now_, log_time);
  next_position_ = position + 1;
  options_.refuse_writes = absl::OkStatus();
  forwarder_ = nullptr;
  return absl::OkStatus();
}

void Sequencer::Resume() {
  absl::MutexLock lock(&mu_);
  paused_ = false;
}

bool Sequencer::ReadyToRun() const { return !paused_ && (!queue_.empty() || stopping_); }

void Sequencer::Run() {
  std::vector<Pending> batch;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &Sequencer::ReadyToRun));
      if (queue_.empty()) {  // stopping, and everything queued is decided
        absl::MutexLock write_lock(&write_mu_);
        writer_stopping_ = true;
        return;
      }
      // An import runs alone, between command batches.
      while (!queue_.empty() && batch.size() < options_.max_batch &&
             (batch.empty() || !queue_.front().import.has_value())) {
        queue_bytes_ -= queue_.front().bytes;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
        if (batch.back().import.has_value()) break;
      }
    }
    if (batch.size() == 1 && batch[0].import.has_value()) {
      AwaitWriterIdle();  // an import continues the written log
      const absl::Status failure = Failure();
      ImportResult result = failure.ok() ? ProcessImport(*batch[0].import, batch[0].expected_digest) : failure;
      std::move(batch[0].import_done)(std::move(result));
      batch.clear();
      continue;
    }
    ProcessBatch(batch);
    batch.clear();
  }
}

absl::Status Sequencer::Failure() {
  absl::MutexLock lock(&write_mu_);
  return failure_;
}

void Sequencer::AwaitWriterIdle() {
  absl::MutexLock lock(&write_mu_);
  const auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
    return to_write_.empty() && unwritten_requests_.empty();
  };
  write_mu_.Await(absl::Condition(&idle));
}

void Sequencer::ProcessBatch(std::vector<Pending>& batch) {
  Decided decided;
  decided.commands = std::move(batch);
  batch.clear();
  if (const absl::Status failure = Failure(); !failure.ok()) {
    for (Pending& pending : decided.commands) std::move(pending.done)(failure);
    return;
  }
  // The log refuses writes (its disk is below the free-space reserve, or it
  // was opened read-only on a nearly full disk): refuse the batch before
  // deciding it, so nothing is staged and nothing fails; the sequencer goes
  // on once the log takes writes again. (A failed log is the writer's to
  // report: Failure() above, once it has seen the failed append.)
  if (const store::WriteState state = store_->write_state(); !state.status.ok() && !store_->failed()) {
    if (options_.on_refused) options_.on_refused("storage", decided.commands.size());
    for (Pending& pending : decided.commands) std::move(pending.done)(state.status);
    return;
  }
  // A clock stepped backwards must not make recorded_at (or the default
  // occurred_at) go back in time.
  last_now_ = std::max(last_now_, clock_->Now());
  Staging staging;
  staging.now = last_now_;
  staging.next_position = next_position_;
  staging.batch.expected_head = next_position_ - 1;
  staging.batch.admitted = true;  // write_state() was asked above

  decided.replies.reserve(decided.commands.size());
  for (const Pending& pending : decided.commands) decided.replies.push_back(DecideOne(pending, staging));
  next_position_ = staging.next_position;
  decided.batch = std::move(staging.batch);
  Enqueue(std::move(decided), std::make_shared<const Requests>(std::move(staging.requests)));
}

void Sequencer::Enqueue(Decided decided, std::shared_ptr<const Requests> requests) {
  absl::MutexLock lock(&write_mu_);
  const auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) { return to_write_.empty(); };
  write_mu_.Await(absl::Condition(&room));
  to_write_.push_back(std::move(decided));
  unwritten_requests_.push_back(std::move(requests));
}

void Sequencer::Write() {
  for (;;) {
    Decided decided;
    absl::Status failure;
    {
      absl::MutexLock lock(&write_mu_);
      const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_) {
        return !to_write_.empty() || writer_stopping_;
      };
      write_mu_.Await(absl::Condition(&ready));
      if (to_write_.empty()) return;  // stopping, and everything decided is written
      decided = std::move(to_write_.front());
      to_write_.pop_front();
      failure = failure_;
    }
    if (!failure.ok()) {
      // An earlier batch failed: this one was decided against state that
      // may never have been written.
      for (CommandResult& reply : decided.replies) reply = failure;
    } else if (!decided.batch.streams.empty() || !decided.batch.idempotency.empty()) {
      const absl::Time append_start = absl::Now();
      absl::StatusOr<std::vector<v1::EventEnvelope>> committed = store_->Append(std::move(decided.batch));
      if (options_.on_appended && committed.ok()) {
        options_.on_appended(decided.commands.size(), absl::Now() - append_start);
      }
      if (!committed.ok()) {
        // Fail the whole batch, and every batch decided after it. The write
        // may still have reached the disk, so stop taking writes
        // (fail-stop).
        LogError("sequencer: batch of %d commands not written: %s; refusing further commands",
                 decided.commands.size(), committed.status().ToString());
        failure = errors::WithReason(
            absl::UnavailableError(
                "the event log could not be written; the command may or may not have been recorded; "
                "retry with the same request_id once the server has restarted"),
            errors::kWritesStopped);
        for (CommandResult& reply : decided.replies) reply = failure;
        {
          absl::MutexLock lock(&write_mu_);
          failure_ = failure;
        }
        if (options_.on_fatal) options_.on_fatal(committed.status());
      } else {
        for (projections::Projection* p : projections_) p->Apply(*committed);
        if (options_.on_commit && !committed->empty()) {
          options_.on_commit(std::make_shared<const std::vector<v1::EventEnvelope>>(*std::move(committed)));
        }
      }
    }
    {
      // Written (or failed): a retry now finds the record in the store.
      absl::MutexLock lock(&write_mu_);
      unwritten_requests_.pop_front();
    }
    for (size_t i = 0; i < decided.commands.size(); ++i) {
      std::move(decided.commands[i].done)(std::move(decided.replies[i]));
    }
  }
}

ImportResult Sequencer::ProcessImport(std::vector<v1::EventEnvelope>& events, const std::string& expected_digest) {
  if (events.empty()) return absl::InvalidArgumentError("events: nothing to import");
  const uint64_t head = store_->Head();
  SALESOPS_ASSIGN_OR_RETURN(std::string chain, store_->ChainDigest(head));
  store::AppendBatch batch;
  batch.expected_head = head;
  // recorded_at never decreases along the log.
  absl::Time last = absl::InfinitePast();
  if (head > 0) {
    SALESOPS_ASSIGN_OR_RETURN(store::LogPage previous, store_->ReadLog(head, 1, {}, 1));
    if (!previous.events.empty()) last = FromProtoTime(previous.events[0].recorded_at());
  }
  std::string bytes;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::EventEnvelope& e = events[i];
    if (e.position() != head + 1 + i) {
      return absl::FailedPreconditionError(absl::StrCat(
          "events[", i, "].position: is ", e.position(), "; the log's head is ", head, ", so it must be ",
          head + 1 + i, " (imports continue the log without gaps)"));
    }
    if (e.envelope_version() != 1) {
      return absl::InvalidArgumentError(absl::StrCat("events[", i, "].envelope_version: must be 1"));
    }
    if (e.event_type().empty() || e.event_type() != domain::EventTypeName(e.event())) {
      return absl::InvalidArgumentError(absl::StrCat("events[", i, "].event_type: '", e.event_type(),
                                                     "' does not name its payload"));
    }
    const absl::Time recorded = FromProtoTime(e.recorded_at());
    if (recorded < last) {
      return absl::InvalidArgumentError(
          absl::StrCat("events[", i, "].recorded_at: goes back in time (the log never does)"));
    }
    last = std::max(last, recorded);
    if (e.stream_version() == 0) {
      return absl::InvalidArgumentError(absl::StrCat("events[", i, "].stream_version: must be at least 1"));
    }
    // Consecutive events of one stream form one StreamAppend; the store
    // refuses (ABORTED) a stream whose version is not the one before.
    if (batch.streams.empty() || batch.streams.back().stream_id != e.stream_id() ||
        batch.streams.back().events.back().stream_version() + 1 != e.stream_version()) {
      store::StreamAppend& append = batch.streams.emplace_back();
      append.stream_id = e.stream_id();
      append.expected_version = e.stream_version() - 1;
    }
    batch.streams.back().events.push_back(e);
    bytes.clear();
    e.SerializeToString(&bytes);
    chain = store::ChainNext(chain, bytes);
  }
  if (!expected_digest.empty() && absl::BytesToHexString(chain) != expected_digest) {
    return absl::FailedPreconditionError(
        absl::StrCat("expected_digest: the chain digest after position ", head + events.size(), " would be ",
                     absl::BytesToHexString(chain), ", not ", expected_digest, "; nothing was imported"));
  }
  absl::StatusOr<std::vector<v1::EventEnvelope>> committed = store_->Append(std::move(batch));
  if (!committed.ok()) {
    if (absl::IsAborted(committed.status())) {
      return absl::FailedPreconditionError(absl::StrCat("events: ", committed.status().message(),
                                                        "; nothing was imported"));
    }
    if (store_->failed()) {
      {
        absl::MutexLock lock(&write_mu_);
        failure_ = errors::WithReason(
            absl::UnavailableError("the event log could not be written; restart the server"), errors::kWritesStopped);
      }
      if (options_.on_fatal) options_.on_fatal(committed.status());
    }
    return committed.status();
  }
  for (const v1::EventEnvelope& e : *committed) domain::Evolve(state_, e);
  last_now_ = std::max(last_now_, last);
  next_position_ = store_->Head() + 1;
  for (projections::Projection* p : projections_) p->Apply(*committed);
  if (options_.on_commit && !committed->empty()) {
    options_.on_commit(std::make_shared<const std::vector<v1::EventEnvelope>>(*std::move(committed)));
  }
  return chain;
}

std::optional<v1::IdempotencyRecord> Sequencer::UnwrittenRecord(const std::string& request_key) {
  absl::MutexLock lock(&write_mu_);
  for (auto requests = unwritten_requests_.rbegin(); requests != unwritten_requests_.rend(); ++requests) {
    if (auto found = (*requests)->find(request_key); found != (*requests)->end()) return found->second;
  }
  return std::nullopt;
}

CommandResult Sequencer::DecideOne(const Pending& pending, Staging& staging) {
  const v1::Command& command = pending.command;
  // Validated once, here, before the idempotency check; decided below as
  // validated (domain::Decide does not validate it again).
  SALESOPS_ASSIGN_OR_RETURN(const domain::ValidatedCommand valid, domain::Validate(command));
  const v1::CommandOptions& options = domain::OptionsOf(command);

  // Idempotency: a known (actor, request_id) answers from its record.
  std::string fingerprint;
  std::string request_key;
  if (!options.request_id().empty()) {
    fingerprint = Fingerprint(command);
    request_key = RequestKey(pending.actor, options.request_id());
    std::optional<v1::IdempotencyRecord> record;
    if (auto staged = staging.requests.find(request_key); staged != staging.requests.end()) {
      record = staged->second;
    } else {
      record = UnwrittenRecord(request_key);
    }
    if (!record.has_value()) {
      SALESOPS_ASSIGN_OR_RETURN(record, store_->GetIdempotency(pending.actor, options.request_id()));
    }
    if (record.has_value()) {
      if (record->has_command_reply() && record->command() == fingerprint) return record->command_reply();
      // Records of the first version hold a LeadCommand and its reply.
      if (!record->has_command_reply() && command.has_lead() &&
          record->command() == LegacyFingerprint(command)) {
        v1::CommandReply reply;
        *reply.mutable_lead() = record->reply();
        return reply;
      }
      return errors::WithReason(
          absl::InvalidArgumentError(absl::StrCat("options.request_id: '", options.request_id(),
                                                  "' was already used for a different command; use a new request_id")),
          errors::kRequestIdReused, {{"request_id", options.request_id()}});
    }
  }

  domain::DecideContext context{staging.now, pending.actor, ""};
  if (domain::NeedsNewLeadId(command)) {
    // A generated id that happens to be taken is drawn again, never refused
    // (also as an account's id: a new account may take the lead's).
    do {
      context.new_lead_id = ids_->NewId();
    } while (state_.leads.contains(context.new_lead_id) || state_.accounts.Find(context.new_lead_id) != nullptr);
  } else if (domain::NeedsNewTicketId(command)) {
    do {
      context.new_lead_id = ids_->NewId();
    } while (state_.tickets.contains(context.new_lead_id));
  } else if (domain::NeedsNewMeetingId(command)) {
    do {
      context.new_lead_id = ids_->NewId();
    } while (state_.meetings.meetings.contains(context.new_lead_id));
  } else if (domain::NeedsNewActionItemId(command)) {
    do {
      context.new_lead_id = ids_->NewId();
    } while (state_.meetings.items.contains(context.new_lead_id));
  }
  SALESOPS_ASSIGN_OR_RETURN(domain::CommandDecision decision, domain::Decide(state_, valid, context));

  const google::protobuf::Timestamp recorded_at = ToProtoTime(staging.now);
  const google::protobuf::Timestamp occurred_at = ToProtoTime(decision.occurred_at);
  uint64_t last_position = 0;
  for (domain::StreamDecision& stream : decision.streams) {
    store::StreamAppend& append = staging.batch.streams.emplace_back();
    append.stream_id = stream.stream_id;
    append.expected_version = stream.expected_version;
    uint64_t version = stream.expected_version;
    for (v1::Event& event : stream.events) {
      v1::EventEnvelope& e = append.events.emplace_back();
      e.set_envelope_version(1);
      e.set_position(staging.next_position++);
      e.set_stream_id(append.stream_id);
      e.set_stream_version(++version);
      e.set_event_type(domain::EventTypeName(event));
      *e.mutable_recorded_at() = recorded_at;
      *e.mutable_occurred_at() = occurred_at;
      e.set_actor(pending.actor);
      e.set_actor_role(decision.acted_as);
      e.set_override_reason(decision.override_reason);
      e.set_request_id(options.request_id());
      e.set_correlation_id(options.correlation_id());
      *e.mutable_event() = std::move(event);
      domain::Evolve(state_, e);
      last_position = e.position();
    }
  }
  v1::CommandReply reply = domain::MakeReply(state_, decision, last_position);

  if (!request_key.empty()) {
    v1::IdempotencyRecord record;
    record.set_command(std::move(fingerprint));
    *record.mutable_command_reply() = reply;
    staging.batch.idempotency.push_back({pending.actor, options.request_id(), record});
    staging.requests[request_key] = std::move(record);
  }
  return reply;
}

}  // namespace salesops::engine
