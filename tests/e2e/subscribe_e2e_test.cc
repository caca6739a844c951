// Audit.Subscribe end to end: the real salesopsd on a loopback port, real
// gRPC, real RocksDB. No sleeps: every wait is on a stream message (under the
// call's deadline) or on the server's log.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/raw_call.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;
using ::testing::HasSubstr;

// The server keeps only this many live events for subscribers, so that a
// stalled reader falls behind quickly.
constexpr int kBufferEvents = 64;

// What one subscription received, in order.
struct Received {
  std::vector<v1::EventEnvelope> events;
  std::vector<uint64_t> caught_up;    // CaughtUp positions
  std::vector<uint64_t> checkpoints;  // Checkpoint positions
  std::vector<std::string> order;     // "e<pos>", "u<pos>", "c<pos>"
  std::vector<int> packed;            // the size of each `events` message
  grpc::Status status;                // set when the stream ended
  bool ended = false;
};

// A subscription read on the calling thread (the sync client API).
class Subscription {
 public:
  Subscription(v1::Audit::Stub* audit, const std::string& token, const v1::SubscribeRequest& request,
               std::chrono::seconds deadline = std::chrono::seconds(60)) {
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context_.set_deadline(std::chrono::system_clock::now() + deadline);
    reader_ = audit->Subscribe(&context_, request);
  }

  // Reads until `done(received)` holds or the stream ends; false when it ended.
  bool ReadUntil(const std::function<bool(const Received&)>& done) {
    while (!done(received_)) {
      v1::SubscribeResponse message;
      if (!reader_->Read(&message)) {
        received_.status = reader_->Finish();
        received_.ended = true;
        return false;
      }
      switch (message.message_case()) {
        case v1::SubscribeResponse::kEvent:
          received_.order.push_back(absl::StrCat("e", message.event().position()));
          received_.events.push_back(std::move(*message.mutable_event()));
          break;
        case v1::SubscribeResponse::kEvents:
          received_.packed.push_back(message.events().events_size());
          for (v1::EventEnvelope& e : *message.mutable_events()->mutable_events()) {
            received_.order.push_back(absl::StrCat("e", e.position()));
            received_.events.push_back(std::move(e));
          }
          break;
        case v1::SubscribeResponse::kCaughtUp:
          received_.order.push_back(absl::StrCat("u", message.caught_up().position()));
          received_.caught_up.push_back(message.caught_up().position());
          break;
        case v1::SubscribeResponse::kCheckpoint:
          received_.order.push_back(absl::StrCat("c", message.checkpoint().position()));
          received_.checkpoints.push_back(message.checkpoint().position());
          break;
        default:
          ADD_FAILURE() << "empty SubscribeResponse";
      }
    }
    return true;
  }
  bool ReadThrough(uint64_t position) {
    return ReadUntil([position](const Received& r) { return !r.events.empty() && r.events.back().position() >= position; });
  }
  bool ReadCaughtUp() {
    return ReadUntil([](const Received& r) { return !r.caught_up.empty(); });
  }
  // The status the server ended the stream with (reads what is left).
  grpc::Status Ending() {
    ReadUntil([](const Received&) { return false; });
    return received_.status;
  }
  void Cancel() {
    context_.TryCancel();
    ReadUntil([](const Received&) { return false; });
  }

  const Received& received() const { return received_; }
  std::vector<uint64_t> Positions() const {
    std::vector<uint64_t> p;
    for (const v1::EventEnvelope& e : received_.events) p.push_back(e.position());
    return p;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  Received received_;
};

std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> r;
  for (uint64_t p = from; p <= to; ++p) r.push_back(p);
  return r;
}

class SubscribeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        dir_.path(), std::vector<std::string>{absl::StrCat("--subscribe-buffer-events=", kBufferEvents)});
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    channel_ = server_->Channel();
    audit_ = v1::Audit::NewStub(channel_);
    leads_ = v1::Leads::NewStub(channel_);
    team_ = v1::Team::NewStub(channel_);
    for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{{"rep1", v1::ROLE_SALES_REP},
                                                                               {"rep2", v1::ROLE_SALES_REP},
                                                                               {"bd1", v1::ROLE_BD_MANAGER},
                                                                               {"mgr", v1::ROLE_AUDITOR},
                                                                               {"sup1", v1::ROLE_SALES_MANAGER}}) {
      ASSERT_TRUE(AddMember(id, role).ok()) << id;
    }
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", Token(member)));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }
  static std::string Token(const std::string& member) {
    return member == "root" ? std::string(kRootToken) : TokenOf(member);
  }

  grpc::Status AddMember(const std::string& id, v1::Role role) {
    v1::AddMemberRequest add;
    add.set_member_id(id);
    add.set_display_name(id);
    add.add_roles(role);
    v1::TeamCommandReply r;
    return team_->AddMember(Ctx("root").get(), add, &r);
  }

  // One IdentifyLead by `rep`; returns the position it ended at (0 on error).
  uint64_t Identify(const std::string& rep, const std::string& id, int company_chars = 8) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(id);
    std::string company;
    for (int i = 0; i < company_chars; ++i) company += "某";
    r.set_company(company);
    r.mutable_contact()->set_name("徐静");
    r.set_source(v1::LEAD_SOURCE_OTHER);
    v1::LeadCommandReply reply;
    const grpc::Status s = leads_->IdentifyLead(Ctx(rep).get(), r, &reply);
    EXPECT_TRUE(s.ok()) << id << ": " << s.error_message();
    return s.ok() ? reply.position() : 0;
  }

  // `writers` threads each identify `per_writer` leads named <prefix>-<w>-<i>.
  void Write(const std::string& prefix, int writers, int per_writer, int company_chars = 8) {
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([this, prefix, w, per_writer, company_chars] {
        for (int i = 0; i < per_writer; ++i) {
          Identify(w % 2 == 0 ? "rep1" : "rep2", absl::StrCat(prefix, "-", w, "-", i), company_chars);
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }

  uint64_t Head() {
    v1::GetLogDigestResponse digest;
    EXPECT_TRUE(audit_->GetLogDigest(Ctx("root").get(), v1::GetLogDigestRequest(), &digest).ok());
    return digest.position();
  }

  // Every event of the log, through ReadLog.
  std::vector<v1::EventEnvelope> WholeLog() {
    std::vector<v1::EventEnvelope> all;
    v1::ReadLogRequest request;
    request.set_from_position(1);
    request.set_limit(1000);
    for (;;) {
      v1::ReadLogResponse page;
      EXPECT_TRUE(audit_->ReadLog(Ctx("root").get(), request, &page).ok());
      for (v1::EventEnvelope& e : *page.mutable_events()) all.push_back(std::move(e));
      if (page.reached_head() || page.events().empty()) return all;
      request.set_from_position(page.next_position());
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  std::unique_ptr<v1::Team::Stub> team_;
};

TEST_F(SubscribeE2eTest, MidStreamSubscriberSeesEveryEventOnceAcrossTheSwitch) {
  Write("before", 4, 60);
  // Writers keep going while the subscriber catches up from the start.
  std::atomic<bool> writing{true};
  std::thread writers([&] {
    Write("during", 4, 80);
    writing = false;
  });
  v1::SubscribeRequest request;  // from the start, everything
  Subscription sub(audit_.get(), Token("mgr"), request);
  ASSERT_TRUE(sub.ReadCaughtUp()) << sub.received().status.error_message();
  writers.join();
  const uint64_t head = Head();
  ASSERT_TRUE(sub.ReadThrough(head)) << sub.received().status.error_message();
  // Every position once, in order, across the switch to live.
  EXPECT_EQ(sub.Positions(), Range(1, head));
  ASSERT_EQ(sub.received().caught_up.size(), 1u);
  const uint64_t caught_up = sub.received().caught_up[0];
  // The marker sits exactly between the events up to it and the later ones.
  uint64_t events_before_marker = 0;
  for (const std::string& m : sub.received().order) {
    if (m[0] == 'u') break;
    if (m[0] == 'e') ++events_before_marker;
  }
  EXPECT_EQ(events_before_marker, caught_up);
  // The same envelopes as the log.
  const std::vector<v1::EventEnvelope> log = WholeLog();
  ASSERT_EQ(log.size(), sub.received().events.size());
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].SerializeAsString(), sub.received().events[i].SerializeAsString()) << i;
  }
}

TEST_F(SubscribeE2eTest, ResumingFromTheLastProcessedPositionGetsExactlyWhatFollows) {
  Write("a", 2, 20);
  uint64_t last = 0;
  {
    v1::SubscribeRequest request;
    Subscription sub(audit_.get(), Token("mgr"), request);
    ASSERT_TRUE(sub.ReadThrough(25));
    last = sub.received().events.back().position();
    sub.Cancel();  // the client goes away after processing `last`
  }
  Write("b", 2, 20);  // written while disconnected
  v1::SubscribeRequest resume;
  resume.set_from_position(last + 1);
  Subscription again(audit_.get(), Token("mgr"), resume);
  ASSERT_TRUE(again.ReadCaughtUp());
  Write("c", 1, 5);  // and live after the reconnect
  const uint64_t head = Head();
  ASSERT_TRUE(again.ReadThrough(head));
  EXPECT_EQ(again.Positions(), Range(last + 1, head));
}

TEST_F(SubscribeE2eTest, PackedMessagesCarryConsecutiveEventsOnceAcrossTheSwitch) {
  Write("a", 2, 40);
  v1::SubscribeRequest request;
  request.set_max_events_per_message(7);
  Subscription sub(audit_.get(), Token("mgr"), request);
  ASSERT_TRUE(sub.ReadCaughtUp());
  Write("b", 2, 20);  // live, packed too
  const uint64_t head = Head();
  ASSERT_TRUE(sub.ReadThrough(head));
  EXPECT_EQ(sub.Positions(), Range(1, head));
  ASSERT_FALSE(sub.received().packed.empty());
  EXPECT_GT(*std::max_element(sub.received().packed.begin(), sub.received().packed.end()), 1);
  for (int n : sub.received().packed) EXPECT_LE(n, 7);
}

TEST_F(SubscribeE2eTest, FromNowDeliversOnlyLaterEvents) {
  Write("old", 1, 5);
  const uint64_t before = Head();
  v1::SubscribeRequest request;
  request.set_from_now(true);
  Subscription sub(audit_.get(), Token("root"), request);
  ASSERT_TRUE(sub.ReadCaughtUp());
  EXPECT_EQ(sub.received().caught_up[0], before);
  EXPECT_TRUE(sub.received().events.empty());
  const uint64_t head = Identify("rep1", "new-1");
  ASSERT_TRUE(sub.ReadThrough(head));
  EXPECT_EQ(sub.Positions(), Range(before + 1, head));
}

TEST_F(SubscribeE2eTest, EachFilterDeliversExactlyTheMatchingEvents) {
  Write("f", 2, 6);
  ASSERT_TRUE(AddMember("rep3", v1::ROLE_SALES_REP).ok());
  const std::vector<v1::EventEnvelope> log = WholeLog();
  ASSERT_GT(log.size(), 12u);
  const uint64_t head = log.back().position();

  struct Case {
    const char* name;
    std::function<void(v1::SubscribeRequest&)> set;
    std::function<bool(const v1::EventEnvelope&)> matches;
  };
  const std::vector<Case> cases = {
      {"event type", [](auto& r) { r.add_event_types("LeadIdentified"); },
       [](const auto& e) { return e.event_type() == "LeadIdentified"; }},
      {"two event types", [](auto& r) { r.add_event_types("LeadIdentified"), r.add_event_types("MemberAdded"); },
       [](const auto& e) { return e.event_type() == "LeadIdentified" || e.event_type() == "MemberAdded"; }},
      {"category team", [](auto& r) { r.set_category("team"); }, [](const auto& e) { return e.stream_id() == "team"; }},
      {"category lead", [](auto& r) { r.set_category("lead"); },
       [](const auto& e) { return e.stream_id().rfind("lead-", 0) == 0; }},
      {"one stream", [](auto& r) { r.set_stream_id("lead-f-1-3"); },
       [](const auto& e) { return e.stream_id() == "lead-f-1-3"; }},
      {"actor", [](auto& r) { r.set_actor("rep2"); }, [](const auto& e) { return e.actor() == "rep2"; }},
      {"actor and type", [](auto& r) { r.set_actor("root"), r.add_event_types("MemberAdded"); },
       [](const auto& e) { return e.actor() == "root" && e.event_type() == "MemberAdded"; }},
  };
  for (const Case& c : cases) {
    std::vector<uint64_t> expected;
    for (const v1::EventEnvelope& e : log) {
      if (c.matches(e)) expected.push_back(e.position());
    }
    ASSERT_FALSE(expected.empty()) << c.name;
    v1::SubscribeRequest request;
    c.set(request);
    Subscription sub(audit_.get(), Token("mgr"), request);
    ASSERT_TRUE(sub.ReadCaughtUp()) << c.name << ": " << sub.received().status.error_message();
    EXPECT_EQ(sub.Positions(), expected) << c.name;
    EXPECT_EQ(sub.received().caught_up[0], head) << c.name;
  }
}

TEST_F(SubscribeE2eTest, AFilterThatMatchesNothingStillCheckpoints) {
  v1::SubscribeRequest request;
  request.set_from_now(true);
  request.set_category("order");  // nothing here writes orders
  request.set_checkpoint_seconds(1);
  Subscription sub(audit_.get(), Token("mgr"), request);
  ASSERT_TRUE(sub.ReadCaughtUp());
  const uint64_t head = Identify("rep1", "cp-1");
  // A checkpoint past the unmatched event arrives without any event.
  ASSERT_TRUE(sub.ReadUntil(
      [head](const Received& r) { return !r.checkpoints.empty() && r.checkpoints.back() >= head; }));
  EXPECT_TRUE(sub.received().events.empty());
  EXPECT_EQ(sub.received().checkpoints.back(), head);
}

TEST_F(SubscribeE2eTest, ASlowConsumerFallsBackToTheLogAndMissesNothing) {
  // A channel whose receive window does not grow: a reader that stops
  // reading soon stops the server's writes.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  auto channel = grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
  auto audit = v1::Audit::NewStub(channel);
  v1::SubscribeRequest request;
  request.set_from_now(true);
  Subscription slow(audit.get(), Token("mgr"), request, std::chrono::seconds(120));
  ASSERT_TRUE(slow.ReadCaughtUp());
  const uint64_t from = slow.received().caught_up[0] + 1;
  // Far more than the live buffer (64 events) and the flow-control window
  // (about 1 MB of large events) is written while it does not read.
  Write("slow", 4, 500, /*company_chars=*/190);
  const uint64_t head = Head();
  ASSERT_GT(head - from, 20u * kBufferEvents);
  // Reading again, it receives everything, once, in order ...
  ASSERT_TRUE(slow.ReadThrough(head)) << slow.received().status.error_message();
  EXPECT_EQ(slow.Positions(), Range(from, head));
  // ... because it fell behind the live buffer and read the log instead
  // (the server logs it before it sends what it read).
  EXPECT_TRUE(server_->WaitForLog("fell behind the live buffer", absl::Seconds(30))) << server_->Log();
}

TEST_F(SubscribeE2eTest, FiftySubscribersDuringWritesAllReceiveEverything) {
  Write("pre", 2, 20);
  constexpr int kSubscribers = 50;
  std::atomic<uint64_t> final_head{0};
  std::vector<std::vector<uint64_t>> got(kSubscribers);
  std::vector<std::string> errors(kSubscribers);
  std::atomic<int> caught_up{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < kSubscribers; ++i) {
    readers.emplace_back([&, i] {
      v1::SubscribeRequest request;  // from the start
      if (i % 2 == 1) request.set_from_position(10);
      Subscription sub(audit_.get(), Token(i % 3 == 0 ? "root" : "mgr"), request, std::chrono::seconds(120));
      if (!sub.ReadCaughtUp()) {
        errors[i] = sub.received().status.error_message();
        return;
      }
      caught_up.fetch_add(1);
      // Wait for the last position (known once the writers are done).
      if (!sub.ReadUntil([&](const Received& r) {
            const uint64_t h = final_head.load();
            return h != 0 && !r.events.empty() && r.events.back().position() >= h;
          })) {
        errors[i] = sub.received().status.error_message();
      }
      got[i] = sub.Positions();
    });
  }
  Write("during", 4, 50);
  final_head = Identify("rep1", "last");
  // One more event wakes every reader after final_head is set.
  Identify("rep1", "wake");
  for (std::thread& t : readers) t.join();
  for (int i = 0; i < kSubscribers; ++i) {
    EXPECT_EQ(errors[i], "") << i;
    std::vector<uint64_t> through_final;
    for (uint64_t p : got[i]) {
      if (p <= final_head) through_final.push_back(p);
    }
    EXPECT_EQ(through_final, Range(i % 2 == 1 ? 10 : 1, final_head)) << i;
  }
}

// Catch-up runs on the long-read pool, never on a gRPC handler thread
// (docs/AUDIT.md, "Subscriptions"): while many subscribers replay the log
// from its start, as fast as they can read, a writer's calls are not queued
// behind their store reads. Before the pool, each catch-up batch was read and
// serialized on one of the two handler threads, and a write waited for every
// batch ahead of it.
TEST_F(SubscribeE2eTest, CatchingUpSubscribersDoNotStarveWrites) {
  Write("pre", 8, 250);  // a 2,000-event log to replay
  // Median latency of `n` sequential writes by one writer.
  int written = 0;
  auto median_write = [&](int n) {
    std::vector<absl::Duration> took;
    for (int i = 0; i < n; ++i) {
      const absl::Time start = absl::Now();
      EXPECT_NE(Identify("rep1", absl::StrCat("w-", written++)), 0u);
      took.push_back(absl::Now() - start);
    }
    std::sort(took.begin(), took.end());
    return took[took.size() / 2];
  };
  const absl::Duration alone = median_write(60);

  constexpr int kSubscribers = 64;
  std::atomic<bool> stop{false};
  std::atomic<int> replays{0};   // complete replays from position 1 to CaughtUp
  std::atomic<int> started{0};   // subscribers that received their first message
  std::vector<std::string> errors(kSubscribers);
  std::vector<std::thread> readers;
  for (int i = 0; i < kSubscribers; ++i) {
    readers.emplace_back([&, i] {
      bool first = true;
      while (!stop.load()) {
        v1::SubscribeRequest request;  // from the start, in the largest messages
        request.set_max_events_per_message(1000);
        Subscription sub(audit_.get(), Token(i % 2 == 0 ? "root" : "mgr"), request);
        if (!sub.ReadUntil([&](const Received& r) { return !r.order.empty(); })) {
          errors[i] = sub.received().status.error_message();
          return;
        }
        if (first) started.fetch_add(1);
        first = false;
        if (!sub.ReadCaughtUp()) {
          errors[i] = sub.received().status.error_message();
          return;
        }
        replays.fetch_add(1);
        sub.Cancel();
      }
    });
  }
  // Measure only once every subscriber is replaying.
  while (started.load() < kSubscribers && !HasFailure()) std::this_thread::yield();
  const int replays_before = replays.load();
  const absl::Duration loaded = median_write(60);
  const int replays_during = replays.load() - replays_before;
  stop.store(true);
  for (std::thread& t : readers) t.join();
  for (int i = 0; i < kSubscribers; ++i) EXPECT_EQ(errors[i], "") << i;
  // The load was real: whole replays went on while the writer wrote.
  EXPECT_GE(replays_during, 1) << "the subscribers were not replaying during the writes";
  // Measured on 2 cores (the pool's two threads, the server's handler
  // threads and this process's readers share them): a median write of about
  // 0.5 ms alone took 8-11 ms here, and 510-970 ms with catch-up on the
  // handler threads.
  EXPECT_LT(loaded, std::max(alone * 40, absl::Milliseconds(150)))
      << "alone " << alone << ", with " << kSubscribers << " subscribers replaying " << loaded;
}

TEST_F(SubscribeE2eTest, AccessMatrix) {
  Identify("rep1", "own-1");  // rep1 owns it
  struct Case {
    const char* who;
    std::string stream_id;
    grpc::StatusCode expected;  // OK: the stream starts (it reaches caught_up)
  };
  const std::vector<Case> cases = {
      {"root", "", grpc::StatusCode::OK},                     // ADMIN
      {"mgr", "", grpc::StatusCode::OK},                      // AUDITOR
      {"sup1", "", grpc::StatusCode::OK},                     // SALES_MANAGER
      {"rep1", "", grpc::StatusCode::PERMISSION_DENIED},      // the whole log
      {"rep1", "lead-own-1", grpc::StatusCode::OK},          // a lead it owns
      {"rep2", "lead-own-1", grpc::StatusCode::PERMISSION_DENIED},  // someone else's lead
      {"rep1", "team", grpc::StatusCode::PERMISSION_DENIED},
      {"rep1", "lead-nobody", grpc::StatusCode::PERMISSION_DENIED},
      {"stranger", "", grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const Case& c : cases) {
    v1::SubscribeRequest request;
    request.set_stream_id(c.stream_id);
    Subscription sub(audit_.get(), std::string(c.who) == "stranger" ? "no-such-token" : Token(c.who), request);
    if (c.expected == grpc::StatusCode::OK) {
      EXPECT_TRUE(sub.ReadCaughtUp()) << c.who << " " << c.stream_id << ": "
                                      << sub.received().status.error_message();
      sub.Cancel();
    } else {
      const grpc::Status s = sub.Ending();
      EXPECT_EQ(s.error_code(), c.expected) << c.who << " " << c.stream_id << ": " << s.error_message();
      EXPECT_TRUE(sub.received().events.empty());
    }
  }
  // The member assigned to the lead (the BD manager it was handed to) may follow it too.
  v1::GetLeadRequest get;
  get.set_lead_id("own-1");
  v1::Lead lead;
  ASSERT_TRUE(leads_->GetLead(Ctx("root").get(), get, &lead).ok());
  if (!lead.assignee().empty() && lead.assignee() != "rep1") {
    v1::SubscribeRequest request;
    request.set_stream_id("lead-own-1");
    Subscription sub(audit_.get(), Token(lead.assignee()), request);
    EXPECT_TRUE(sub.ReadCaughtUp()) << lead.assignee();
    EXPECT_FALSE(sub.received().events.empty());
    sub.Cancel();
  }
}

TEST_F(SubscribeE2eTest, BadInputIsRefusedNamingTheField) {
  const uint64_t head = Head();
  struct Case {
    std::function<void(v1::SubscribeRequest&)> set;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.add_event_types("NoSuchEvent"); }, grpc::StatusCode::INVALID_ARGUMENT, "event_types"},
      {[](auto& r) { r.set_category("deals"); }, grpc::StatusCode::INVALID_ARGUMENT, "category"},
      {[](auto& r) { r.set_stream_id("lead-!"); }, grpc::StatusCode::INVALID_ARGUMENT, "stream_id"},
      {[&](auto& r) { r.set_from_position(head + 2); }, grpc::StatusCode::OUT_OF_RANGE, "from_position"},
      {[](auto& r) { r.set_checkpoint_seconds(7200); }, grpc::StatusCode::INVALID_ARGUMENT, "checkpoint_seconds"},
  };
  for (const Case& c : cases) {
    v1::SubscribeRequest request;
    c.set(request);
    Subscription sub(audit_.get(), Token("mgr"), request);
    const grpc::Status s = sub.Ending();
    EXPECT_EQ(s.error_code(), c.code) << c.message << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.message));
  }
}

// Access is checked again while the stream runs: a rep following its lead
// is cut off once the lead is given to someone else, before the lead's later
// events reach it.
TEST_F(SubscribeE2eTest, AFollowerWhoLosesTheLeadIsCutOff) {
  ASSERT_GT(Identify("rep1", "moving-1"), 0u);
  v1::SubscribeRequest request;
  request.set_stream_id("lead-moving-1");
  Subscription sub(audit_.get(), Token("rep1"), request);
  ASSERT_TRUE(sub.ReadCaughtUp()) << sub.received().status.error_message();
  ASSERT_FALSE(sub.received().events.empty());

  v1::ChangeOwnerRequest change;
  change.set_lead_id("moving-1");
  change.set_owner("rep2");
  change.set_reason("调岗");
  v1::LeadCommandReply changed;
  ASSERT_TRUE(leads_->ChangeOwner(Ctx("sup1").get(), change, &changed).ok());
  v1::UpdateLeadRequest update;
  update.set_lead_id("moving-1");
  update.mutable_contact()->set_name("新联系人");
  v1::LeadCommandReply updated;
  const grpc::Status s = leads_->UpdateLead(Ctx("rep2").get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();

  const grpc::Status ending = sub.Ending();
  EXPECT_EQ(ending.error_code(), grpc::StatusCode::PERMISSION_DENIED) << ending.error_message();
  EXPECT_THAT(ending.error_message(), HasSubstr("access re-checked"));
  // The views apply a batch before subscribers see it: not even the change
  // of owner reaches rep1.
  for (uint64_t p : sub.Positions()) EXPECT_LT(p, changed.position()) << "an event from the change on reached rep1";
}

// A deactivated member's subscription to the whole log ends within the
// re-check interval (a second) while events flow.
TEST_F(SubscribeE2eTest, ADeactivatedMembersSubscriptionEnds) {
  v1::SubscribeRequest request;
  request.set_from_now(true);
  Subscription sub(audit_.get(), Token("mgr"), request);  // an AUDITOR
  ASSERT_TRUE(sub.ReadCaughtUp()) << sub.received().status.error_message();
  // Events flow first, so access was already re-checked once and the next
  // check is up to a second away.
  ASSERT_TRUE(sub.ReadThrough(Identify("rep1", "before-off")));
  const absl::Time deactivated_at = absl::Now();
  v1::DeactivateMemberRequest off;
  off.set_member_id("mgr");
  v1::TeamCommandReply reply;
  ASSERT_TRUE(team_->DeactivateMember(Ctx("root").get(), off, &reply).ok());
  // Write until the stream has ended (bounded: about 10 s of writes).
  std::atomic<bool> ended{false};
  std::thread writer([&] {
    for (int i = 0; i < 20000 && !ended.load(); ++i) Identify("rep1", absl::StrCat("after-off-", i));
  });
  const grpc::Status ending = sub.Ending();
  const absl::Duration took = absl::Now() - deactivated_at;
  ended.store(true);
  writer.join();
  EXPECT_EQ(ending.error_code(), grpc::StatusCode::PERMISSION_DENIED) << ending.error_message();
  EXPECT_THAT(ending.error_message(), HasSubstr("access re-checked"));
  EXPECT_LT(took, absl::Seconds(10)) << "the re-check is due within a second of events";
}

// Subscribe is served from raw bytes: a request that is not a
// SubscribeRequest is refused like any other bad input.
TEST_F(SubscribeE2eTest, AnUnparsableRequestIsRefused) {
  auto ctx = Ctx("mgr");
  // Field 1 with a length past the end of the message.
  const testing::RawReplies replies =
      testing::CallRaw(channel_, *ctx, "/salesops.v1.Audit/Subscribe", std::string("\x0a\xff\xff\xff", 4));
  EXPECT_TRUE(replies.messages.empty());
  EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << replies.status.error_message();
  EXPECT_THAT(replies.status.error_message(), HasSubstr("request: not a valid SubscribeRequest"));
}

// Subscriptions are bounded per member (and in all): beyond the bound a
// Subscribe is refused with RESOURCE_EXHAUSTED naming it, and other members
// are not affected.
TEST_F(SubscribeE2eTest, SubscriptionsPerMemberAreBounded) {
  ASSERT_EQ(server_->Stop(), 0);
  server_ = std::make_unique<ServerProcess>(dir_.path(),
                                            std::vector<std::string>{"--max-subscriptions-per-member=2"});
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  channel_ = server_->Channel();
  audit_ = v1::Audit::NewStub(channel_);
  v1::SubscribeRequest request;
  Subscription a(audit_.get(), Token("mgr"), request);
  Subscription b(audit_.get(), Token("mgr"), request);
  ASSERT_TRUE(a.ReadCaughtUp());
  ASSERT_TRUE(b.ReadCaughtUp());
  Subscription c(audit_.get(), Token("mgr"), request);
  EXPECT_FALSE(c.ReadCaughtUp());
  EXPECT_EQ(c.received().status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(c.received().status.error_message(), HasSubstr("member mgr has 2 subscriptions open"));
  Subscription other(audit_.get(), Token("root"), request);
  EXPECT_TRUE(other.ReadCaughtUp());
}

TEST_F(SubscribeE2eTest, ShutdownEndsLiveSubscriptionsWithUnavailable) {
  v1::SubscribeRequest request;
  Subscription a(audit_.get(), Token("mgr"), request);
  Subscription b(audit_.get(), Token("root"), request);
  ASSERT_TRUE(a.ReadCaughtUp());
  ASSERT_TRUE(b.ReadCaughtUp());
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_EQ(a.Ending().error_code(), grpc::StatusCode::UNAVAILABLE) << a.received().status.error_message();
  EXPECT_EQ(b.Ending().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(server_->Log(), HasSubstr("shut down cleanly"));
}

}  // namespace
}  // namespace salesops
