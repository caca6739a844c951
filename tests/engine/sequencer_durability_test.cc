// Power loss under load: commands from several threads through the
// sequencer onto a store on a file system that drops what was not synced
// (tests/store/fault_fs.h), the power cut at a random moment while writes
// are in flight. Every command acknowledged before the cut must be there
// afterwards, at the position its reply named, in a gap-free log.
#include <algorithm>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/lead_directory.h"
#include "server/domain/account.h"
#include "server/domain/events.h"
#include "server/engine/sequencer.h"
#include "server/store/event_store_internal.h"
#include "tests/common/testing.h"
#include "tests/store/fault_fs.h"

namespace salesops::engine {
namespace {

using ::salesops::testing::FaultFs;
using ::salesops::testing::IsOk;
using ::salesops::testing::TempDir;

constexpr int kThreads = 4;

// A store, the views and a sequencer on it.
struct Server {
  std::unique_ptr<store::EventStore> store;
  std::unique_ptr<projections::Views> views;
  std::unique_ptr<projections::LeadDirectory> directory;
  std::unique_ptr<Sequencer> sequencer;

  void Start(absl::StatusOr<std::unique_ptr<store::EventStore>> opened, Clock* clock, IdGenerator* ids) {
    ASSERT_THAT(opened, IsOk());
    store = std::move(*opened);
    views = std::make_unique<projections::Views>();
    directory = std::make_unique<projections::LeadDirectory>(views.get());
    auto started = Sequencer::Start(store.get(), {views.get()}, clock, ids);
    ASSERT_THAT(started, IsOk());
    sequencer = std::move(*started);
  }
  void Stop() {
    if (sequencer) sequencer->Stop();
    sequencer.reset();
    directory.reset();
    views.reset();
    store.reset();
  }
  // Submits and waits for the result.
  CommandResult Run(const std::string& actor, v1::Command command) {
    absl::Notification done;
    CommandResult result;
    sequencer->Submit(actor, std::move(command), [&](CommandResult r) {
      result = std::move(r);
      done.Notify();
    });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    return result;
  }
};

v1::Command Identify(const std::string& lead_id) {
  v1::Command c;
  auto* r = c.mutable_lead()->mutable_identify();
  r->set_lead_id(lead_id);
  r->set_company("上海某某贸易有限公司");
  r->mutable_contact()->set_name("李娜");
  r->set_source(v1::LEAD_SOURCE_INBOUND);
  r->mutable_options()->set_request_id(absl::StrCat("r-", lead_id));
  return c;
}

v1::Command Team(bool bootstrap, const std::string& id) {
  v1::Command c;
  if (bootstrap) {
    c.mutable_team()->mutable_bootstrap()->set_member_id(id);
  } else {
    auto* add = c.mutable_team()->mutable_add_member();
    add->set_member_id(id);
    add->set_display_name(id);
    add->add_roles(v1::ROLE_SALES_REP);
    add->add_roles(v1::ROLE_BD_MANAGER);
  }
  return c;
}

struct Ack {
  std::string lead_id;
  uint64_t position;
};

TEST(SequencerDurabilityTest, EveryCommandAcknowledgedBeforeAPowerCutSurvivesIt) {
  std::random_device seed_source;
  const unsigned seed = seed_source();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 random(seed);
  const size_t cut_after = std::uniform_int_distribution<size_t>(20, 300)(random);

  TempDir dir;
  const std::string path = dir.path() + "/db";
  FakeClock clock(absl::FromUnixSeconds(1'790'000'000));
  SequentialIdGenerator ids("gen");
  auto fs = std::make_shared<FaultFs>();

  Server server;
  server.Start(store::EventStoreInternal::OpenWithFileSystem({path, /*sync=*/true}, fs), &clock, &ids);
  ASSERT_THAT(server.Run(std::string(domain::kSystemActor), Team(true, "root")), IsOk());
  ASSERT_THAT(server.Run("root", Team(false, "alice")), IsOk());

  // Given several threads submitting commands, each recording its
  // acknowledged replies until the power is cut:
  absl::Mutex mu;
  std::vector<Ack> acks;  // acknowledged before the cut
  bool cut = false;
  bool stop = false;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        {
          absl::MutexLock lock(&mu);
          if (stop) return;
        }
        const std::string lead = absl::StrCat("t", t, "-", i);
        absl::Notification done;
        server.sequencer->Submit("alice", Identify(lead), [&](CommandResult result) {
          if (result.ok()) {
            absl::MutexLock lock(&mu);
            // Decided under the same lock as the cut: an ack recorded here
            // was for a write that returned before the file system died.
            if (!cut) acks.push_back({lead, result->lead().position()});
          }
          done.Notify();
        });
        done.WaitForNotification();
      }
    });
  }

  // When the power is cut after a random number of acknowledgements, while
  // the other threads' commands are in flight:
  {
    absl::MutexLock lock(&mu);
    const auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return acks.size() >= cut_after; };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(60)));
    fs->Deactivate();
    cut = true;
    stop = true;
  }
  for (std::thread& w : writers) w.join();
  server.Stop();
  ASSERT_THAT(fs->DropUnsynced(), IsOk());

  // Then, reopened on the real file system, every acknowledged command is
  // there at its position, and the log is gap-free and verifies.
  server.Start(store::EventStore::Open({path, true}), &clock, &ids);
  store::EventStore& store = *server.store;
  uint64_t last_acknowledged = 0;
  for (const Ack& ack : acks) {
    SCOPED_TRACE(ack.lead_id);
    last_acknowledged = std::max(last_acknowledged, ack.position);
    auto events = store.ReadStream(domain::LeadStreamId(ack.lead_id), 1, 10);
    ASSERT_THAT(events, IsOk());
    ASSERT_FALSE(events->empty()) << "acknowledged command lost";
    // The reply's position is the command's last event: the lead's, or the
    // AccountOpened that the company's first lead appended after them.
    uint64_t last = events->back().position();
    auto account = store.ReadStream(domain::AccountStreamId(ack.lead_id), 1, 10);
    ASSERT_THAT(account, IsOk());
    if (!account->empty()) last = std::max(last, account->back().position());
    EXPECT_EQ(last, ack.position);
    EXPECT_TRUE(server.directory->Get(ack.lead_id).has_value());
  }
  EXPECT_GE(store.Head(), last_acknowledged);
  uint64_t expected = 1;
  ASSERT_THAT(store.Scan(1, [&](v1::EventEnvelope& e) {
    EXPECT_EQ(e.position(), expected++);
    return absl::OkStatus();
  }),
              IsOk());
  EXPECT_EQ(expected, store.Head() + 1);
  auto check = store.VerifyChain(1, store.Head());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok) << check->what;
  // And the reopened sequencer continues right after the head.
  const uint64_t head = store.Head();
  auto next = server.Run("alice", Identify("after-the-cut"));
  ASSERT_THAT(next, IsOk());
  EXPECT_GT(next->lead().position(), head);
  server.Stop();
}

}  // namespace
}  // namespace salesops::engine
