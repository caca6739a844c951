#include "server/service/subscribe.h"

#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/impl/codegen/proto_utils.h"  // SerializationTraits for protobuf messages
#include "absl/time/clock.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/service/grpc_status.h"
#include "server/service/subscribe_request.h"

namespace salesops::service {
namespace {

// Positions one store read examines (a turn may do several).
constexpr size_t kStoreScan = 10'000;
// Hub batches taken per read.
constexpr size_t kHubBatches = 64;
// How often a subscription to more than one lead re-checks its access.
constexpr absl::Duration kAccessRecheck = absl::Seconds(1);
// When a lead follower's re-check found the views busy, it tries again after this.
constexpr absl::Duration kAccessRetry = absl::Milliseconds(20);
// When the work pool is at its bounds, a catch-up read is tried again after this.
constexpr absl::Duration kPoolRetry = absl::Milliseconds(20);
// A packed message stops growing past this size.
constexpr size_t kMessageBytes = 2 << 20;

// Ends a call that was refused before it started streaming.
class Refusal final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit Refusal(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

// SubscribeResponse fields (proto/salesops/v1/audit.proto), for messages
// assembled from events serialized once.
constexpr int kEventField = 1;         // SubscribeResponse.event
constexpr int kEventsField = 4;        // SubscribeResponse.events
constexpr int kEventsEventsField = 1;  // SubscribeResponse.Events.events

using google::protobuf::internal::WireFormatLite;

// The size of a length-delimited field holding `n` bytes.
size_t FieldSize(int field, size_t n) {
  return WireFormatLite::TagSize(field, WireFormatLite::TYPE_BYTES) +
         google::protobuf::io::CodedOutputStream::VarintSize64(n) + n;
}

// Appends the tag and length of a length-delimited field of `length` bytes.
void AppendHeader(std::string& out, int field, size_t length) {
  using google::protobuf::io::CodedOutputStream;
  uint8_t bytes[16];  // a tag (at most 5 bytes) and a varint (at most 10)
  uint8_t* end = CodedOutputStream::WriteTagToArray(
      WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED), bytes);
  end = CodedOutputStream::WriteVarint64ToArray(length, end);
  out.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(end - bytes));
}

void AppendField(std::string& out, int field, absl::string_view bytes) {
  AppendHeader(out, field, bytes.size());
  out.append(bytes.data(), bytes.size());
}

// A ByteBuffer that takes `bytes` over (no copy: the slice frees the string).
grpc::ByteBuffer ToByteBuffer(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  grpc::Slice slice(
      owned->data(), owned->size(), [](void* p) { delete static_cast<std::string*>(p); }, owned);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

// What a subscription has queued: an event in its wire form (shared with the
// hub's batch, or serialized from a store read), or a control message.
struct Subscriptions::Outgoing {
  engine::HubBatchPtr batch;  // a live event: batch->wire()[index]
  size_t index = 0;
  std::string owned;  // an event read from the store, serialized
  std::optional<v1::SubscribeResponse> control;

  bool is_event() const { return !control.has_value(); }
  absl::string_view event() const { return batch != nullptr ? absl::string_view(batch->wire()[index]) : owned; }
};

class Subscriptions::Reactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                                     public engine::EventHub::Listener,
                                     public std::enable_shared_from_this<Reactor> {
 public:
  Reactor(Subscriptions* owner, uint64_t id, std::string reader, SubscribePlan plan,
          grpc::CallbackServerContext* context, const v1::SubscribeRequest& request)
      : owner_(owner),
        id_(id),
        reader_(std::move(reader)),
        context_(context),
        lead_id_(LeadIdOfStream(request.stream_id())),
        filter_(std::move(plan.filter)),
        store_filter_(filter_.ForStore()),
        checkpoint_every_(plan.checkpoint_every),
        events_per_message_(plan.events_per_message),
        next_(plan.from),
        last_sent_(absl::Now()) {
    examined_.store(next_ > 0 ? next_ - 1 : 0, std::memory_order_relaxed);
  }

  // Starts streaming; keeps the reactor alive until OnDone.
  void Begin(std::shared_ptr<Reactor> self) {
    self_ = std::move(self);
    absl::MutexLock lock(&mu_);
    Pump();
  }

  // Ends the stream with `status` (nothing more is sent).
  void End(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    FinishOnce(ToGrpcStatus(status));
  }

  void Wake() override {
    absl::MutexLock lock(&mu_);
    Pump();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) {
      FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "the stream was broken"));
      return;
    }
    Pump();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
  }

  void OnDone() override {
    owner_->Forget(this, reader_);
    // Drops the reactor's hold on itself: the last holder (this, or the hub
    // thread in the middle of a Wake) destroys it. Nothing runs after.
    std::shared_ptr<Reactor> self = std::move(self_);
  }

 private:
  // Sends the next message, or finds more, or parks until the hub wakes it.
  void Pump() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || write_in_flight_ || reading_) return;
    bool yield = false;
    if (outbox_.empty()) {
      if (absl::Status s = Fill(yield); !s.ok()) {
        FinishOnce(ToGrpcStatus(s));
        return;
      }
    }
    if (reading_) return;  // a store read is under way on the pool; it pumps when done
    if (pool_busy_) {       // the pool is at its bounds: try again shortly
      pool_busy_ = false;
      owner_->hub_->WakeWhen(weak_from_this(), std::numeric_limits<uint64_t>::max(), absl::Now() + kPoolRetry);
      return;
    }
    if (outbox_.empty()) {
      // Nothing yet: wake at the next commit, the checkpoint deadline, or
      // (after a long fruitless scan) at once, on the hub's thread.
      if (yield) {
        owner_->hub_->WakeWhen(weak_from_this(), 0, absl::InfinitePast());
      } else {
        owner_->hub_->WakeWhen(weak_from_this(), next_, last_sent_ + checkpoint_every_);
      }
      return;
    }
    if (outbox_.front().is_event()) {
      bool retry = false;
      if (absl::Status s = RecheckAccess(retry); !s.ok()) {
        FinishOnce(ToGrpcStatus(s));
        return;
      }
      if (retry) {  // the lead could not be looked up without waiting: soon again
        owner_->hub_->WakeWhen(weak_from_this(), std::numeric_limits<uint64_t>::max(),
                               absl::Now() + kAccessRetry);
        return;
      }
    }
    current_.Clear();
    if (!outbox_.front().is_event()) {
      current_ = ToByteBuffer(outbox_.front().control->SerializeAsString());
      outbox_.pop_front();
    } else if (events_per_message_ > 1) {
      // Consecutive events go out together, in order: at most
      // events_per_message_ of them and, past the first, about 2 MiB
      // (gRPC's default limit is 4 MiB). The message is assembled from each
      // event's wire form, so an event shared by many subscribers is
      // serialized once.
      size_t count = 0, inner = 0;
      while (count < outbox_.size() && outbox_[count].is_event() && count < events_per_message_ &&
             (count == 0 || inner < kMessageBytes)) {
        inner += FieldSize(kEventsEventsField, outbox_[count].event().size());
        ++count;
      }
      std::string message;
      message.reserve(FieldSize(kEventsField, inner));
      AppendHeader(message, kEventsField, inner);
      for (size_t i = 0; i < count; ++i) {
        AppendField(message, kEventsEventsField, outbox_.front().event());
        outbox_.pop_front();
      }
      current_ = ToByteBuffer(std::move(message));
    } else {
      std::string message;
      AppendField(message, kEventField, outbox_.front().event());
      outbox_.pop_front();
      current_ = ToByteBuffer(std::move(message));
    }
    write_in_flight_ = true;
    last_sent_ = absl::Now();
    StartWrite(&current_);
  }

  // Queues what follows `next_` (at most a page), a caught-up marker or a
  // checkpoint. Leaves the outbox empty when there is nothing to send yet;
  // sets `yield` when it stopped after examining max_scan_per_turn
  // positions without finding anything.
  absl::Status Fill(bool& yield) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const size_t page = std::max<size_t>(owner_->options_.page_events, events_per_message_);
    size_t scanned = 0;
    while (outbox_.empty()) {
      const uint64_t before = next_;
      engine::EventHub::Slice slice = owner_->hub_->Read(next_, kHubBatches);
      if (slice.behind) {
        if (live_) {
          live_ = false;
          owner_->fallbacks_.fetch_add(1, std::memory_order_relaxed);
          LogInfo("subscription %d fell behind the live buffer at position %d (head %d); reading the log", id_,
                  next_, slice.head);
        }
        ReadStoreOnPool();
        return absl::OkStatus();
      } else if (!slice.batches.empty()) {
        live_ = true;
        for (const engine::HubBatchPtr& batch : slice.batches) {
          const std::vector<v1::EventEnvelope>& events = batch->events();
          for (size_t i = 0; i < events.size(); ++i) {
            const v1::EventEnvelope& e = events[i];
            if (e.position() < next_ || outbox_.size() >= page) continue;
            next_ = e.position() + 1;
            examined_.store(next_ - 1, std::memory_order_relaxed);
            if (filter_.Matches(e)) {
              Outgoing& out = outbox_.emplace_back();
              out.batch = batch;
              out.index = i;
            }
          }
        }
      } else {
        // At the head.
        if (!caught_up_sent_) {
          caught_up_sent_ = true;
          live_ = true;
          outbox_.emplace_back().control.emplace().mutable_caught_up()->set_position(next_ - 1);
        } else if (absl::Now() - last_sent_ >= checkpoint_every_) {
          outbox_.emplace_back().control.emplace().mutable_checkpoint()->set_position(next_ - 1);
        }
        return absl::OkStatus();
      }
      if (!outbox_.empty()) break;
      scanned += next_ - before;
      if (absl::Now() - last_sent_ >= checkpoint_every_) {
        outbox_.emplace_back().control.emplace().mutable_checkpoint()->set_position(next_ - 1);
      } else if (scanned >= owner_->options_.max_scan_per_turn || next_ == before) {
        yield = true;
        break;
      }
    }
    return absl::OkStatus();
  }

  // Catch-up: the next page from the store, read and serialized on the work
  // pool (never on a gRPC or the hub's thread), in turn with every other
  // member's long reads. Pump waits meanwhile; the read pumps when done. A
  // pool at its bounds means "later": the subscription retries shortly.
  void ReadStoreOnPool() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reading_ = true;
    const uint64_t from = next_;
    const size_t page = std::max<size_t>(owner_->options_.page_events, events_per_message_);
    absl::Status queued = owner_->pool_->Submit(reader_, [self = shared_from_this(), from, page] {
      absl::StatusOr<store::LogPage> read =
          self->owner_->store_->ReadLog(from, page, self->store_filter_, kStoreScan, self->owner_->options_.page_bytes);
      std::deque<Outgoing> found;
      if (read.ok()) {
        for (const v1::EventEnvelope& e : read->events) {
          if (self->filter_.Matches(e)) e.SerializeToString(&found.emplace_back().owned);
        }
      }
      absl::MutexLock lock(&self->mu_);
      self->reading_ = false;
      if (!read.ok()) {
        self->FinishOnce(ToGrpcStatus(read.status()));
        return;
      }
      for (Outgoing& out : found) self->outbox_.push_back(std::move(out));
      self->next_ = std::max(self->next_, read->next_position);
      self->examined_.store(self->next_ - 1, std::memory_order_relaxed);
      if (self->outbox_.empty() && absl::Now() - self->last_sent_ >= self->checkpoint_every_) {
        self->outbox_.emplace_back().control.emplace().mutable_checkpoint()->set_position(self->next_ - 1);
      }
      self->Pump();
    });
    if (!queued.ok()) {
      reading_ = false;
      pool_busy_ = true;
    }
  }

  // Access is checked again before events go out: before each message when
  // the subscription follows one lead (its owner or assignee may change),
  // else at most every kAccessRecheck (a member deactivated or stripped of
  // its roles). A caller whose roles grant the whole log needs no lead
  // lookup; a lead's owner or assignee does, and that lookup never waits
  // for the views' writer (this may run on the hub's one thread): when the
  // views are busy, `retry` is set and nothing is sent yet. The context
  // stays valid until OnDone, which follows Finish.
  absl::Status RecheckAccess(bool& retry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const absl::Time now = absl::Now();
    if (lead_id_.empty() && now < next_access_check_) return absl::OkStatus();
    const std::optional<absl::Status> s = owner_->Authorize(*context_, lead_id_, /*wait=*/false);
    if (!s.has_value()) {
      retry = true;
      return absl::OkStatus();
    }
    if (s->ok()) {
      next_access_check_ = now + kAccessRecheck;
      return *s;
    }
    LogInfo("subscription %d ended at position %d: %s", id_, next_, s->ToString());
    return errors::CopyDetails(*s, absl::Status(s->code(), absl::StrCat("access re-checked before sending more: ",
                                                                       s->message())));
  }

  void FinishOnce(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    outbox_.clear();
    Finish(status);
  }

  Subscriptions* const owner_;
  const uint64_t id_;
  const std::string reader_;  // the subscribing member: its key in the work pool
  grpc::CallbackServerContext* const context_;
  const std::string lead_id_;  // of the one lead's stream followed, if so (else empty)
  const EventFilter filter_;
  const store::LogFilter store_filter_;
  const absl::Duration checkpoint_every_;
  const uint32_t events_per_message_;
  std::shared_ptr<Reactor> self_;  // set by Begin, dropped by OnDone

  absl::Mutex mu_;
  uint64_t next_ ABSL_GUARDED_BY(mu_);  // every earlier position was examined (and queued when it matched)
 public:
  // next_ - 1, for the backlog metric (read without mu_).
  std::atomic<uint64_t> examined_{0};

 private:
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_);
  absl::Time next_access_check_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool live_ ABSL_GUARDED_BY(mu_) = false;  // reading from the hub (after catching up once)
  bool caught_up_sent_ ABSL_GUARDED_BY(mu_) = false;
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;    // a store read is queued or running on the pool
  bool pool_busy_ ABSL_GUARDED_BY(mu_) = false;  // the pool refused the last read
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Outgoing> outbox_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer current_ ABSL_GUARDED_BY(mu_);  // being written; untouched until OnWriteDone
};

grpc::ServerWriteReactor<grpc::ByteBuffer>* RefuseSubscription(const absl::Status& status) {
  return new Refusal(status);
}

Subscriptions::Subscriptions(const ReadAccess* access, const store::EventLog* store, engine::EventHub* hub,
                             WorkPool* pool, const projections::LeadDirectory* leads, SubscribeOptions options)
    : access_(access), store_(store), hub_(hub), pool_(pool), leads_(leads), options_(options) {}

Subscriptions::~Subscriptions() { Shutdown(); }

std::optional<absl::Status> Subscriptions::Authorize(const grpc::CallbackServerContext& context,
                                                     absl::string_view lead_id, bool wait) const {
  // The one read-rule table (server/domain/read_policy.cc): the audit roles,
  // or the owner or assignee of the lead whose one stream is followed. The
  // roles are tried first: they need no lead lookup.
  absl::Status s = access_->CheckRead(context, "Audit.Subscribe").status();
  if (s.ok() || lead_id.empty() || s.code() != absl::StatusCode::kPermissionDenied) return s;
  absl::StatusOr<std::optional<domain::LeadParties>> parties = leads_->Parties(lead_id, wait);
  if (!parties.ok()) return std::nullopt;  // busy, and not to be waited for
  if (!parties->has_value()) return s;
  return access_->CheckRead(context, "Audit.Subscribe", &**parties).status();
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscriptions::Start(grpc::CallbackServerContext* context,
                                                                const grpc::ByteBuffer* request_bytes) {
  absl::StatusOr<std::string> reader = access_->Check(*context);
  if (!reader.ok()) return new Refusal(reader.status());
  v1::SubscribeRequest request;
  grpc::ByteBuffer copy(*request_bytes);  // shares the slices; Deserialize consumes its argument
  if (!grpc::SerializationTraits<v1::SubscribeRequest>::Deserialize(&copy, &request).ok()) {
    return new Refusal(absl::InvalidArgumentError("request: not a valid SubscribeRequest message"));
  }
  absl::StatusOr<SubscribePlan> plan = PlanSubscription(request, store_->Head());
  if (!plan.ok()) return new Refusal(plan.status());
  if (absl::Status s = *Authorize(*context, LeadIdOfStream(request.stream_id()), /*wait=*/true); !s.ok()) {
    return new Refusal(s);
  }

  // Not make_shared: the hub may hold a weak_ptr for up to a checkpoint
  // interval, and that must not keep the reactor's memory.
  std::shared_ptr<Reactor> reactor(
      new Reactor(this, next_id_.fetch_add(1), *reader, *std::move(plan), context, request));
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) {
      return new Refusal(
          errors::WithReason(absl::UnavailableError("the server is shutting down"), errors::kShuttingDown));
    }
    if (live_.size() >= options_.max_subscriptions) {
      return new Refusal(errors::WithReason(
          absl::ResourceExhaustedError(absl::StrCat("the server serves ", live_.size(),
                                                    " subscriptions (the limit, --max-subscriptions); retry later")),
          errors::kServerBusy));
    }
    size_t& mine = per_member_[*reader];
    if (mine >= options_.max_subscriptions_per_member) {
      return new Refusal(errors::WithReason(
          absl::ResourceExhaustedError(absl::StrCat(
              "member ", *reader, " has ", mine,
              " subscriptions open (the per-member limit, --max-subscriptions-per-member); close one first")),
          errors::kMemberLimit, {{"member_id", *reader}}));
    }
    ++mine;
    live_.emplace(reactor.get(), reactor);
  }
  Reactor* raw = reactor.get();
  raw->Begin(std::move(reactor));
  return raw;
}

void Subscriptions::Forget(const Reactor* reactor, const std::string& reader) {
  absl::MutexLock lock(&mu_);
  live_.erase(reactor);
  if (auto mine = per_member_.find(reader); mine != per_member_.end() && --mine->second == 0) per_member_.erase(mine);
}

size_t Subscriptions::active() const {
  absl::MutexLock lock(&mu_);
  return live_.size();
}

Subscriptions::Backlog Subscriptions::backlog(uint64_t head) const {
  absl::MutexLock lock(&mu_);
  Backlog out;
  for (const auto& [reactor, owned] : live_) {
    const uint64_t examined = reactor->examined_.load(std::memory_order_relaxed);
    const uint64_t behind = head > examined ? head - examined : 0;
    out.total += behind;
    out.max = std::max(out.max, behind);
  }
  return out;
}

void Subscriptions::Shutdown() {
  std::vector<std::shared_ptr<Reactor>> ending;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    for (const auto& [raw, weak] : live_) {
      if (std::shared_ptr<Reactor> r = weak.lock()) ending.push_back(std::move(r));
    }
  }
  for (const std::shared_ptr<Reactor>& r : ending) {
    r->End(absl::UnavailableError(
        "the server is shutting down; resubscribe with from_position = the last position you processed + 1"));
  }
}

}  // namespace salesops::service
