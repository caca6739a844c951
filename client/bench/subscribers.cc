#include "subscribers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>

#include "google/protobuf/arena.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench_client.h"
#include "closed_loop.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/client_callback.h"
#include "salesops/v1/audit.grpc.pb.h"

namespace salesops::bench {

using SteadyClock = std::chrono::steady_clock;

namespace {

// How many positions `from`..`to` holds (0 when to < from).
uint64_t PositionsFromTo(uint64_t from, uint64_t to) { return to >= from ? to - from + 1 : 0; }

}  // namespace

// What the owner waits on. Followers lock `mu` only at milestones (caught
// up, reached the target, done), never per event.
struct FanOut::Shared {
  absl::Mutex mu;
  int caught_up ABSL_GUARDED_BY(mu) = 0;
  int done ABSL_GUARDED_BY(mu) = 0;
  // The position every follower must reach; set once by Finish.
  std::atomic<uint64_t> target{std::numeric_limits<uint64_t>::max()};
};

// One subscription. Its reactions never overlap (one read in flight), so
// its fields need no lock; the owner reads them after OnDone, which
// publishes them through Shared::mu.
// SubscribeRequest.max_events_per_message of every bench subscriber.
constexpr uint32_t kEventsPerMessage = 256;

class FanOut::Follower final : public grpc::ClientReadReactor<v1::SubscribeResponse> {
 public:
  struct Options {
    bool from_now = false;
    uint64_t from_position = 1;
    bool stop_at_caught_up = false;  // catch-up: cancel once caught_up arrives
    bool record_latency = false;     // live: recorded_at -> received per event
    absl::Duration deadline;
  };

  Follower(Shared* shared, const Options& options)
      : shared_(shared),
        options_(options),
        expected_next_(options.from_now ? 0 : std::max<uint64_t>(1, options.from_position)) {
    // Packed messages, as a log follower that cares for throughput asks.
    request_.set_max_events_per_message(kEventsPerMessage);
    if (options.from_now) {
      request_.set_from_now(true);
    } else {
      request_.set_from_position(options.from_position);
    }
  }

  void Begin(v1::Audit::Stub* stub, const std::string& token) {
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context_.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(options_.deadline));
    started_at_ = SteadyClock::now();
    stub->async()->Subscribe(&context_, &request_, this);
    response_ = google::protobuf::Arena::CreateMessage<v1::SubscribeResponse>(&arena_);
    StartRead(response_);
    StartCall();
  }

  // Thread-safe; OnDone follows.
  void Cancel() {
    cancelled_.store(true);
    context_.TryCancel();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended: OnDone follows
    switch (response_->message_case()) {
      case v1::SubscribeResponse::kEvent:
        Received(response_->event());
        break;
      case v1::SubscribeResponse::kEvents:
        for (const v1::EventEnvelope& e : response_->events().events()) Received(e);
        break;
      case v1::SubscribeResponse::kCaughtUp:
        CaughtUp(response_->caught_up().position());
        if (options_.stop_at_caught_up) {
          Cancel();
          return;
        }
        break;
      default:  // a checkpoint: nothing to check
        break;
    }
    // Each message is parsed whole, into an arena dropped at once before the
    // next (not a free per field): the bench shares the server's cores.
    arena_.Reset();
    response_ = google::protobuf::Arena::CreateMessage<v1::SubscribeResponse>(&arena_);
    StartRead(response_);
  }

  void OnDone(const grpc::Status& status) override {
    if (!status.ok() && !(cancelled_.load() && status.error_code() == grpc::StatusCode::CANCELLED)) {
      errors_.push_back(absl::StrCat("the stream ended with ", StatusCodeName(status.error_code()), " ",
                                     status.error_message(), " after position ", last_position_.load()));
    }
    absl::MutexLock lock(&shared_->mu);
    ++shared_->done;
    // Nothing touches `this` after the lock is released: the owner may
    // delete it as soon as it sees `done`.
  }

  // Any time.
  uint64_t last_position() const { return last_position_.load(); }

  // After OnDone.
  bool caught_up() const { return caught_up_; }
  uint64_t caught_up_position() const { return caught_up_position_; }
  uint64_t events() const { return events_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t anomalies() const { return anomalies_; }
  const std::vector<std::string>& errors() const { return errors_; }
  std::vector<int64_t>& latencies_ns() { return latencies_ns_; }
  double SecondsTo(SteadyClock::time_point t) const {
    return std::chrono::duration<double>(t - started_at_).count();
  }
  SteadyClock::time_point first_event_at() const { return first_event_at_; }
  SteadyClock::time_point caught_up_at() const { return caught_up_at_; }

 private:
  void Received(const v1::EventEnvelope& event) {
    const uint64_t p = event.position();
    if (events_ == 0) first_event_at_ = SteadyClock::now();
    if (options_.record_latency) {
      const int64_t recorded_ns = event.recorded_at().seconds() * 1'000'000'000 + event.recorded_at().nanos();
      latencies_ns_.push_back(absl::ToUnixNanos(absl::Now()) - recorded_ns);
    } else {
      bytes_ += event.ByteSizeLong();
    }
    if (expected_next_ != 0 && p != expected_next_ && anomalies_++ == 0) {
      errors_.push_back(absl::StrCat(p < expected_next_ ? "duplicate or out of order: " : "gap: ",
                                     "position ", p, " where ", expected_next_, " was due"));
    }
    expected_next_ = std::max(expected_next_, p + 1);
    ++events_;
    last_position_.store(p);
    if (!reached_ && p >= shared_->target.load()) {
      reached_ = true;
      absl::MutexLock wake(&shared_->mu);  // the owner re-checks its condition on release
    }
  }

  void CaughtUp(uint64_t position) {
    if (caught_up_) return;
    caught_up_at_ = SteadyClock::now();
    caught_up_position_ = position;
    if (expected_next_ == 0) {
      expected_next_ = position + 1;  // from now: the live events follow the head
    } else if (expected_next_ != position + 1) {
      errors_.push_back(
          absl::StrCat("caught_up at ", position, " but the events reached ", expected_next_ - 1));
    }
    absl::MutexLock lock(&shared_->mu);
    caught_up_ = true;
    ++shared_->caught_up;
  }

  Shared* const shared_;
  const Options options_;
  grpc::ClientContext context_;
  v1::SubscribeRequest request_;
  google::protobuf::Arena arena_;
  v1::SubscribeResponse* response_ = nullptr;  // on arena_
  std::atomic<bool> cancelled_{false};
  std::atomic<uint64_t> last_position_{0};
  SteadyClock::time_point started_at_;
  SteadyClock::time_point first_event_at_;
  SteadyClock::time_point caught_up_at_;
  uint64_t expected_next_;  // 0: not known yet (from now, before caught_up)
  bool caught_up_ = false;
  uint64_t caught_up_position_ = 0;
  bool reached_ = false;
  uint64_t events_ = 0;
  uint64_t bytes_ = 0;
  uint64_t anomalies_ = 0;
  std::vector<std::string> errors_;
  std::vector<int64_t> latencies_ns_;
};

CatchUpResult CatchUp(const BenchClient& client, const std::string& token, uint64_t from_position,
                      absl::Duration timeout) {
  FanOut::Shared shared;
  FanOut::Follower::Options options;
  options.from_position = from_position;
  options.stop_at_caught_up = true;
  options.deadline = timeout + absl::Seconds(10);
  FanOut::Follower follower(&shared, options);
  follower.Begin(client.Main().audit.get(), token);
  CatchUpResult result;
  result.from_position = from_position;
  {
    absl::MutexLock lock(&shared.mu);
    const auto done = [&shared]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared.mu) { return shared.done == 1; };
    if (!shared.mu.AwaitWithTimeout(absl::Condition(&done), timeout)) {
      result.errors.push_back(absl::StrCat("no caught_up within ", absl::FormatDuration(timeout),
                                           " (at position ", follower.last_position(), ")"));
      shared.mu.Unlock();
      follower.Cancel();
      shared.mu.Lock();
      shared.mu.Await(absl::Condition(&done));
    }
  }
  result.errors.insert(result.errors.end(), follower.errors().begin(), follower.errors().end());
  result.events = follower.events();
  result.bytes = follower.bytes();
  if (follower.caught_up()) {
    result.caught_up_position = follower.caught_up_position();
    result.seconds = follower.SecondsTo(follower.caught_up_at());
    if (result.events > 0) result.first_event_seconds = follower.SecondsTo(follower.first_event_at());
  } else if (result.errors.empty()) {
    result.errors.push_back("the stream ended before caught_up");
  }
  return result;
}

FanOut::FanOut() : shared_(std::make_unique<Shared>()) {}

FanOut::~FanOut() {
  if (followers_.empty()) return;  // Finish ended them
  for (auto& f : followers_) f->Cancel();
  absl::MutexLock lock(&shared_->mu);
  const int n = static_cast<int>(followers_.size());
  const auto all_done = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) { return shared_->done == n; };
  shared_->mu.Await(absl::Condition(&all_done));
}

absl::StatusOr<std::unique_ptr<FanOut>> FanOut::Start(const BenchClient& client, const std::string& token,
                                                      int subscribers, absl::Duration timeout,
                                                      absl::Duration stream_deadline) {
  std::unique_ptr<FanOut> fan(new FanOut());
  Follower::Options options;
  options.from_now = true;
  options.record_latency = true;
  options.deadline = stream_deadline;
  for (int i = 0; i < subscribers; ++i) {
    fan->followers_.push_back(std::make_unique<Follower>(fan->shared_.get(), options));
    fan->followers_.back()->Begin(client.ForClient(i).audit.get(), token);
  }
  Shared& shared = *fan->shared_;
  bool in_time = false;
  bool ended = false;
  {
    absl::MutexLock lock(&shared.mu);
    const auto ready = [&shared, subscribers]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared.mu) {
      return shared.caught_up == subscribers || shared.done > 0;
    };
    in_time = shared.mu.AwaitWithTimeout(absl::Condition(&ready), timeout);
    ended = shared.done > 0;
  }
  if (in_time && !ended) return fan;
  fan.reset();  // cancels the streams and waits for them
  return absl::UnavailableError(ended ? "a subscription ended before caught_up"
                                      : absl::StrCat("the subscriptions did not all reach caught_up within ",
                                                     absl::FormatDuration(timeout)));
}

FanOutResult FanOut::Finish(uint64_t last_written, absl::Duration timeout) {
  FanOutResult result;
  result.subscribers = static_cast<int>(followers_.size());
  result.to_position = last_written;
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->target.store(last_written);
    const auto reached = [this, last_written]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
      if (shared_->done > 0) return true;
      for (const auto& f : followers_) {
        if (f->last_position() < last_written) return false;
      }
      return true;
    };
    if (!shared_->mu.AwaitWithTimeout(absl::Condition(&reached), timeout)) {
      result.errors.push_back(absl::StrCat("not every subscriber reached position ", last_written, " within ",
                                           absl::FormatDuration(timeout), " after the writes"));
    }
  }
  for (auto& f : followers_) f->Cancel();
  {
    absl::MutexLock lock(&shared_->mu);
    const int n = result.subscribers;
    const auto all_done = [this, n]()
                              ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) { return shared_->done == n; };
    shared_->mu.Await(absl::Condition(&all_done));
  }

  std::vector<int64_t> latencies;
  result.from_position = std::numeric_limits<uint64_t>::max();
  result.received_min = std::numeric_limits<uint64_t>::max();
  for (size_t i = 0; i < followers_.size(); ++i) {
    Follower& f = *followers_[i];
    const uint64_t from = f.caught_up_position() + 1;
    result.from_position = std::min(result.from_position, from);
    // Positions arrive gap-free and once each unless an anomaly was
    // recorded, so the events up to the target are counted by position.
    const uint64_t upto =
        f.anomalies() == 0 ? PositionsFromTo(from, std::min(f.last_position(), last_written)) : f.events();
    result.received_min = std::min(result.received_min, upto);
    result.received_max = std::max(result.received_max, upto);
    const uint64_t expected = PositionsFromTo(from, last_written);
    if (f.anomalies() == 0 && f.errors().empty() && upto == expected) {
      ++result.complete;
    } else {
      for (const std::string& e : f.errors())
        result.errors.push_back(absl::StrCat("subscriber ", i, ": ", e));
      if (upto != expected) {
        result.errors.push_back(absl::StrCat("subscriber ", i, ": received ", upto, " of the ", expected,
                                             " events up to position ", last_written));
      }
    }
    std::vector<int64_t>& l = f.latencies_ns();
    latencies.insert(latencies.end(), l.begin(), l.end());
    l = {};
  }
  if (followers_.empty()) result.from_position = result.received_min = 0;
  result.expected_events = PositionsFromTo(result.from_position, last_written);
  result.delivery = Summarize(latencies);
  followers_.clear();
  return result;
}

}  // namespace salesops::bench
