// The write path: the sequencer over a real RocksDB store in a temporary
// directory, with a fake clock and predictable ids.
#include "server/engine/sequencer.h"

#include <array>
#include <memory>
#include <tuple>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/lead_directory.h"
#include "projections/views_state.h"
#include "server/domain/proto_time.h"
#include "server/store/event_store_internal.h"
#include "tests/common/testing.h"

namespace salesops::engine {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'790'000'000);

v1::LeadCommand Identify(const std::string& lead_id, const std::string& request_id = "") {
  v1::LeadCommand c;
  auto* r = c.mutable_identify();
  r->set_lead_id(lead_id);
  r->set_company("上海某某贸易有限公司");
  r->mutable_contact()->set_name("李娜");
  r->set_source(v1::LEAD_SOURCE_INBOUND);
  r->mutable_options()->set_request_id(request_id);
  return c;
}

v1::LeadCommand Qualify(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_qualify()->set_lead_id(lead_id);
  c.mutable_qualify()->set_score(70);
  return c;
}

using LeadReply = absl::StatusOr<v1::LeadCommandReply>;

// One submitted command's outcome.
struct Outcome {
  absl::Notification done;
  LeadReply reply = absl::UnknownError("not completed");

  const LeadReply& Get() {
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30))) << "command never completed";
    return reply;
  }
};

class SequencerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    // The team: root (ADMIN, bootstrapped), alice (SALES_REP, BD_MANAGER), bob (SALES_REP).
    ASSERT_THAT(SubmitTeam(Bootstrap("root"), std::string(domain::kSystemActor)), IsOk());
    ASSERT_THAT(SubmitTeam(AddMember("alice", {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER}), "root"), IsOk());
    ASSERT_THAT(SubmitTeam(AddMember("bob", {v1::ROLE_SALES_REP}), "root"), IsOk());
    base_ = store_->Head();
  }

  static v1::TeamCommand Bootstrap(const std::string& id) {
    v1::TeamCommand c;
    c.mutable_bootstrap()->set_member_id(id);
    return c;
  }

  static v1::TeamCommand AddMember(const std::string& id, std::vector<v1::Role> roles) {
    v1::TeamCommand c;
    c.mutable_add_member()->set_member_id(id);
    c.mutable_add_member()->set_display_name(id);
    for (v1::Role r : roles) c.mutable_add_member()->add_roles(r);
    return c;
  }

  // Submits a team command and waits for its result.
  CommandResult SubmitTeam(v1::TeamCommand command, const std::string& actor) {
    v1::Command wrapped;
    *wrapped.mutable_team() = std::move(command);
    absl::Notification done;
    CommandResult result;
    sequencer_->Submit(actor, std::move(wrapped), [&](CommandResult r) {
      result = std::move(r);
      done.Notify();
    });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    return result;
  }
  void TearDown() override { Close(); }

  void Open(SequencerOptions options = {}) {
    auto store = store::EventStore::Open({dir_.path() + "/db", true});
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    views_ = std::make_unique<projections::Views>();
    directory_ = std::make_unique<projections::LeadDirectory>(views_.get());
    options.on_fatal = [this](const absl::Status& s) { fatal_errors_.push_back(s); };
    auto sequencer = Sequencer::Start(store_.get(), {views_.get()}, &clock_, &ids_, std::move(options));
    ASSERT_THAT(sequencer, IsOk());
    sequencer_ = std::move(*sequencer);
  }

  void Close() {
    if (sequencer_) sequencer_->Stop();
    sequencer_.reset();
    store_.reset();
  }

  SequencerOptions Paused() {
    SequencerOptions o;
    o.start_paused = true;
    return o;
  }

  Outcome* Submit(v1::LeadCommand command, const std::string& actor = "alice") {
    outcomes_.push_back(std::make_unique<Outcome>());
    Outcome* o = outcomes_.back().get();
    v1::Command wrapped;
    *wrapped.mutable_lead() = std::move(command);
    sequencer_->Submit(actor, std::move(wrapped), [o](CommandResult result) {
      if (result.ok()) {
        o->reply = std::move(*result->mutable_lead());
      } else {
        o->reply = result.status();
      }
      o->done.Notify();
    });
    return o;
  }

  TempDir dir_;
  FakeClock clock_{kStart};
  SequentialIdGenerator ids_{"gen"};
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<projections::Views> views_;
  std::unique_ptr<projections::LeadDirectory> directory_;
  std::unique_ptr<Sequencer> sequencer_;
  std::vector<std::unique_ptr<Outcome>> outcomes_;
  std::vector<absl::Status> fatal_errors_;  // written on the sequencer thread before replies
  uint64_t base_ = 0;                       // the log head after the team was set up
};

TEST_F(SequencerTest, LaterCommandsInABatchSeeEarlierStagedEffects) {
  Close();
  Open(Paused());
  Outcome* identify = Submit(Identify("L1"));
  Outcome* qualify = Submit(Qualify("L1"));
  Outcome* again = Submit(Qualify("L1"));
  Outcome* duplicate = Submit(Identify("L1"));
  sequencer_->Resume();
  ASSERT_THAT(identify->Get(), IsOk());
  ASSERT_THAT(qualify->Get(), IsOk());
  // IdentifyLead appends LeadIdentified, the hand-off to a BD_MANAGER
  // (alice) and, for the company's first lead, its AccountOpened (every
  // lead here is for one company: later identifications append two events);
  // alice keeps the lead when she qualifies it.
  EXPECT_EQ(identify->Get()->position(), base_ + 3);
  EXPECT_EQ(qualify->Get()->position(), base_ + 4);
  EXPECT_EQ(qualify->Get()->version(), 3u);
  EXPECT_EQ(qualify->Get()->stage(), v1::STAGE_QUALIFIED);
  EXPECT_THAT(again->Get(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("in stage QUALIFIED")));
  EXPECT_THAT(duplicate->Get(), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("'L1'")));
  EXPECT_EQ(store_->Head(), base_ + 4);
  // Published before the replies: read-your-writes.
  EXPECT_EQ(directory_->Get("L1")->stage(), v1::STAGE_QUALIFIED);
}

TEST_F(SequencerTest, SameRequestIdTwiceInOneBatchAppendsOnce) {
  Close();
  Open(Paused());
  Outcome* first = Submit(Identify("", "r-1"));
  Outcome* retry = Submit(Identify("", "r-1"));
  Outcome* misuse = Submit(Qualify("gen1"));
  sequencer_->Resume();
  ASSERT_THAT(first->Get(), IsOk());
  ASSERT_THAT(retry->Get(), IsOk());
  EXPECT_EQ(first->Get()->lead_id(), "gen1");
  EXPECT_EQ(retry->Get()->lead_id(), "gen1");
  EXPECT_EQ(retry->Get()->position(), first->Get()->position());
  ASSERT_THAT(misuse->Get(), IsOk());  // no request id: an ordinary command
  EXPECT_EQ(store_->Head(), base_ + 4);
}

TEST_F(SequencerTest, RequestIdReusedForAnotherCommandIsRefused) {
  ASSERT_THAT(Submit(Identify("L1", "r-1"))->Get(), IsOk());
  v1::LeadCommand other = Identify("L2", "r-1");
  EXPECT_THAT(Submit(other)->Get(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'r-1' was already used")));
  // Scoped per member: bob may use r-1.
  EXPECT_THAT(Submit(other, "bob")->Get(), IsOk());
  EXPECT_EQ(store_->Head(), base_ + 5);
}

TEST_F(SequencerTest, RetryWithAnotherCorrelationIdIsStillARetry) {
  v1::LeadCommand command = Identify("L1", "r-1");
  command.mutable_identify()->mutable_options()->set_correlation_id("trace-a");
  ASSERT_THAT(Submit(command)->Get(), IsOk());
  command.mutable_identify()->mutable_options()->set_correlation_id("trace-b");
  const LeadReply& retry = Submit(command)->Get();
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->position(), base_ + 3);
  EXPECT_EQ(store_->Head(), base_ + 3);
}

TEST_F(SequencerTest, RetryAfterRestartReturnsTheOriginalReply) {
  const LeadReply& first = Submit(Identify("", "r-9"))->Get();
  ASSERT_THAT(first, IsOk());
  Close();
  Open();
  EXPECT_EQ(sequencer_->recovered_events(), base_ + 3);
  const LeadReply& retry = Submit(Identify("", "r-9"))->Get();
  ASSERT_THAT(retry, IsOk());
  EXPECT_EQ(retry->lead_id(), first->lead_id());
  EXPECT_EQ(store_->Head(), base_ + 3);
}

TEST_F(SequencerTest, FailedWriteFailsTheWholeBatchExposesNothingAndStops) {
  ASSERT_THAT(Submit(Identify("before"))->Get(), IsOk());
  Close();
  Open(Paused());
  store::EventStoreInternal::FailWrites(*store_, true);
  Outcome* a = Submit(Identify("A"));
  Outcome* b = Submit(Qualify("before"));
  Outcome* refused = Submit(Qualify("nobody"));  // would be NOT_FOUND on its own
  sequencer_->Resume();
  for (Outcome* o : {a, b, refused}) {
    EXPECT_THAT(o->Get(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("may or may not have been recorded")));
  }
  ASSERT_EQ(fatal_errors_.size(), 1u);
  EXPECT_FALSE(directory_->Get("A").has_value());
  EXPECT_EQ(directory_->Get("before")->stage(), v1::STAGE_IDENTIFIED);

  // Fail-stop: even once the disk works again, nothing more is taken.
  store::EventStoreInternal::FailWrites(*store_, false);
  EXPECT_THAT(Submit(Identify("C"))->Get(),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("retry with the same request_id once the server has restarted")));
  EXPECT_EQ(store_->Head(), base_ + 3);

  // A restart recovers from disk and serves again; the staged state is gone.
  Close();
  Open();
  EXPECT_THAT(Submit(Identify("A"))->Get(), IsOk());
  EXPECT_EQ(store_->Head(), base_ + 5);
}

// Batches of one command, submitted without waiting: each is decided while
// the one before it may still be being written, against state that already
// holds it, and a retry decided then is answered from the unwritten record.
TEST_F(SequencerTest, CommandsDecidedWhileEarlierBatchesAreWrittenSeeThemAndRetriesAppendOnce) {
  Close();
  SequencerOptions one_per_batch;
  one_per_batch.max_batch = 1;
  Open(std::move(one_per_batch));
  constexpr int kRounds = 100;
  std::vector<std::array<Outcome*, 3>> rounds;
  for (int i = 0; i < kRounds; ++i) {
    const std::string lead = absl::StrCat("L", i);
    const std::string request = absl::StrCat("r-", i);
    rounds.push_back({Submit(Identify(lead, request)), Submit(Identify(lead, request)), Submit(Qualify(lead))});
  }
  for (const auto& [first, retry, qualify] : rounds) {
    ASSERT_THAT(first->Get(), IsOk());
    ASSERT_THAT(retry->Get(), IsOk());
    EXPECT_EQ(retry->Get()->position(), first->Get()->position());
    ASSERT_THAT(qualify->Get(), IsOk());
    EXPECT_EQ(qualify->Get()->stage(), v1::STAGE_QUALIFIED);
    EXPECT_GT(qualify->Get()->position(), first->Get()->position());
  }
  // Each round: LeadIdentified, the hand-off, LeadQualified — the retries
  // appended nothing; the first also opened the account.
  EXPECT_EQ(store_->Head(), base_ + 3 * kRounds + 1);
}

TEST_F(SequencerTest, AFailedWriteAlsoFailsTheBatchesDecidedAfterIt) {
  Close();
  SequencerOptions options = Paused();
  options.max_batch = 1;
  Open(std::move(options));
  store::EventStoreInternal::FailWrites(*store_, true);
  std::vector<Outcome*> outcomes;
  for (int i = 0; i < 5; ++i) outcomes.push_back(Submit(Identify(absl::StrCat("F", i))));
  sequencer_->Resume();
  for (Outcome* o : outcomes) {
    EXPECT_THAT(o->Get(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("may or may not have been recorded")));
  }
  EXPECT_EQ(fatal_errors_.size(), 1u);
  store::EventStoreInternal::FailWrites(*store_, false);
  EXPECT_EQ(store_->Head(), base_);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(directory_->Get(absl::StrCat("F", i)).has_value());
}

TEST_F(SequencerTest, RecoveryRebuildsDeciderStateAndProjections) {
  ASSERT_THAT(Submit(Identify("L1"))->Get(), IsOk());
  ASSERT_THAT(Submit(Qualify("L1"))->Get(), IsOk());
  Close();
  Open();
  EXPECT_EQ(sequencer_->recovered_events(), base_ + 4);
  EXPECT_EQ(directory_->Get("L1")->stage(), v1::STAGE_QUALIFIED);
  EXPECT_EQ(directory_->Get("L1")->assignee(), "alice");
  EXPECT_EQ(directory_->Get("L1")->awaiting_role(), v1::ROLE_BD_MANAGER);
  EXPECT_THAT(Submit(Qualify("L1"))->Get(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("lead 'L1' is in stage QUALIFIED; QualifyLead is allowed only from IDENTIFIED")));
  v1::LeadCommand needs;
  needs.mutable_record_needs()->set_lead_id("L1");
  needs.mutable_record_needs()->set_requirements("需求");
  const LeadReply& reply = Submit(needs)->Get();
  ASSERT_THAT(reply, IsOk());
  // NEEDS_ANALYZED hands the lead to its owning rep: a second event.
  EXPECT_EQ(reply->position(), base_ + 6);
  EXPECT_EQ(reply->version(), 5u);
  EXPECT_EQ(directory_->Get("L1")->awaiting_role(), v1::ROLE_SALES_REP);
}

TEST_F(SequencerTest, ClockSteppingBackNeitherRefusesNorReordersTime) {
  ASSERT_THAT(Submit(Identify("L1"))->Get(), IsOk());
  clock_.Set(kStart - absl::Hours(1));
  ASSERT_THAT(Submit(Qualify("L1"))->Get(), IsOk());
  auto events = store_->ReadStream("lead-L1", 1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 3u);  // identified, handed to alice, qualified
  EXPECT_GE(FromProtoTime(events->back().recorded_at()), FromProtoTime(events->front().recorded_at()));
  EXPECT_EQ(FromProtoTime(events->back().occurred_at()), kStart);
}

TEST_F(SequencerTest, FullQueueIsResourceExhaustedAtOnce) {
  Close();
  SequencerOptions options = Paused();
  options.max_queue = 2;
  Open(std::move(options));
  Outcome* a = Submit(Identify("A"));
  Outcome* b = Submit(Identify("B"));
  Outcome* c = Submit(Identify("C"));
  EXPECT_TRUE(c->done.HasBeenNotified());
  EXPECT_THAT(c->Get(), StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("queue is full")));
  sequencer_->Resume();
  EXPECT_THAT(a->Get(), IsOk());
  EXPECT_THAT(b->Get(), IsOk());
}

// The queue is bounded by bytes too: commands are refused once what waits
// would pass max_queue_bytes, whatever their count; a command alone is
// always taken.
TEST_F(SequencerTest, QueueBoundedByBytesIsResourceExhaustedAtOnce) {
  Close();
  SequencerOptions options = Paused();
  const size_t one = Identify("A").ByteSizeLong();
  options.max_queue_bytes = 2 * one + one / 2;  // two fit, the third does not
  Open(std::move(options));
  Outcome* a = Submit(Identify("A"));
  Outcome* b = Submit(Identify("B"));
  Outcome* c = Submit(Identify("C"));
  EXPECT_TRUE(c->done.HasBeenNotified());
  EXPECT_THAT(c->Get(), StatusIs(absl::StatusCode::kResourceExhausted,
                                 HasSubstr(absl::StrCat("bytes of commands (", 2 * one + one / 2, " at most)"))));
  sequencer_->Resume();
  EXPECT_THAT(a->Get(), IsOk());
  EXPECT_THAT(b->Get(), IsOk());
  // Decided commands leave the queue's count: room again.
  EXPECT_THAT(Submit(Identify("D"))->Get(), IsOk());
}

// AwaitIdle returns once every submitted command was completed.
TEST_F(SequencerTest, AwaitIdleWaitsForQueuedCommands) {
  Close();
  Open(Paused());
  Outcome* a = Submit(Identify("A"));
  EXPECT_FALSE(sequencer_->AwaitIdle(absl::Now() + absl::Milliseconds(20)));  // queued, paused
  sequencer_->Resume();
  EXPECT_TRUE(sequencer_->AwaitIdle(absl::Now() + absl::Seconds(30)));
  EXPECT_TRUE(a->done.HasBeenNotified());
}

TEST_F(SequencerTest, StopCompletesWhatIsQueuedThenRefuses) {
  Close();
  Open(Paused());
  Outcome* a = Submit(Identify("A"));
  Outcome* b = Submit(Identify("B"));
  sequencer_->Stop();
  EXPECT_THAT(a->Get(), IsOk());
  EXPECT_THAT(b->Get(), IsOk());
  EXPECT_THAT(Submit(Identify("C"))->Get(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
}

TEST_F(SequencerTest, TakenGeneratedIdIsDrawnAgain) {
  ASSERT_THAT(Submit(Identify("gen1"))->Get(), IsOk());
  const LeadReply& reply = Submit(Identify(""))->Get();
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(reply->lead_id(), "gen2");
}

TEST_F(SequencerTest, EventsRecordTheRoleActedInAndRefusalsAppendNothing) {
  ASSERT_THAT(Submit(Identify("L1"))->Get(), IsOk());
  EXPECT_THAT(Submit(Identify("L2"), "mallory")->Get(),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("'mallory' is not in the team")));
  EXPECT_THAT(Submit(Qualify("L1"), "bob")->Get(),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("QualifyLead needs role BD_MANAGER")));
  ASSERT_THAT(Submit(Qualify("L1"))->Get(), IsOk());
  auto events = store_->ReadStream("lead-L1", 1, 10);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 3u);  // identified, handed to alice, qualified
  EXPECT_EQ((*events)[0].actor_role(), v1::ROLE_SALES_REP);
  EXPECT_EQ((*events)[1].actor_role(), v1::ROLE_SALES_REP);
  EXPECT_EQ((*events)[2].actor_role(), v1::ROLE_BD_MANAGER);
  EXPECT_EQ(store_->Head(), base_ + 4);

  v1::TeamCommand deactivate;
  deactivate.mutable_deactivate()->set_member_id("alice");
  ASSERT_THAT(SubmitTeam(deactivate, "root"), IsOk());
  EXPECT_THAT(Submit(Identify("L3"))->Get(),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("'alice' is deactivated")));
}

TEST_F(SequencerTest, BootstrapOnlyOnAnEmptyTeamAndOnlyByTheServer) {
  EXPECT_THAT(SubmitTeam(Bootstrap("eve"), std::string(domain::kSystemActor)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not empty")));
  EXPECT_THAT(SubmitTeam(Bootstrap("eve"), "root"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("BootstrapAdmin")));
}

// A forwarder that keeps what it was given and answers with a fixed reply.
class RecordingForwarder final : public CommandForwarder {
 public:
  void Forward(std::string actor, v1::Command command, absl::Time deadline, ReplyCallback done) override {
    actors.push_back(std::move(actor));
    commands.push_back(std::move(command));
    deadlines.push_back(deadline);
    v1::CommandReply reply;
    reply.mutable_lead()->set_lead_id("from-the-leader");
    reply.mutable_lead()->set_position(4242);
    std::move(done)(std::move(reply));
  }
  std::vector<std::string> actors;
  std::vector<v1::Command> commands;
  std::vector<absl::Time> deadlines;
};

// A following node's sequencer hands commands to its forwarder (cluster
// mode's write forwarding) with the actor, the command and the caller's
// deadline; a command another node forwarded is refused, never forwarded
// again; without a forwarder, and once leading again, nothing is forwarded.
TEST_F(SequencerTest, AFollowerForwardsCommandsButNeverAForwardedOne) {
  RecordingForwarder forwarder;
  const absl::Status refusal = absl::UnavailableError("this node follows the leader n1");
  ASSERT_TRUE(sequencer_->Follow(refusal, absl::Now() + absl::Seconds(30), &forwarder));

  v1::Command command;
  *command.mutable_lead() = Identify("转发-1");
  const absl::Time deadline = absl::Now() + absl::Seconds(7);
  CommandResult forwarded = absl::UnknownError("not completed");
  sequencer_->Submit("alice", command, [&](CommandResult r) { forwarded = std::move(r); }, {.deadline = deadline});
  ASSERT_THAT(forwarded, IsOk());
  EXPECT_EQ(forwarded->lead().lead_id(), "from-the-leader");
  ASSERT_EQ(forwarder.actors.size(), 1u);
  EXPECT_EQ(forwarder.actors[0], "alice");
  EXPECT_EQ(forwarder.commands[0].SerializeAsString(), command.SerializeAsString());
  EXPECT_EQ(forwarder.deadlines[0], deadline);

  CommandResult again = absl::UnknownError("not completed");
  sequencer_->Submit("alice", command, [&](CommandResult r) { again = std::move(r); }, {.may_forward = false});
  EXPECT_EQ(again.status(), refusal);
  EXPECT_EQ(forwarder.actors.size(), 1u);

  ASSERT_TRUE(sequencer_->Follow(refusal, absl::Now() + absl::Seconds(30)));
  EXPECT_THAT(Submit(Identify("L9"))->Get(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("follows")));
  EXPECT_EQ(forwarder.actors.size(), 1u);
  EXPECT_EQ(store_->Head(), base_);  // nothing was written here

  ASSERT_TRUE(sequencer_->Follow(refusal, absl::Now() + absl::Seconds(30), &forwarder));
  auto [state, position, log_time] = views_->Read([](const projections::ViewsState& v) {
    return std::make_tuple(projections::DecidersState(v.core), v.position, v.log_time);
  });
  ASSERT_THAT(sequencer_->Lead(std::move(state), position, log_time), IsOk());
  const LeadReply& led = Submit(Identify("L10"))->Get();
  ASSERT_THAT(led, IsOk());
  EXPECT_GT(led->position(), base_);  // decided and written here
  EXPECT_EQ(led->position(), store_->Head());
  EXPECT_EQ(forwarder.actors.size(), 1u);
}

TEST(StoreOptionsTest, DefaultDurabilityIsFsyncBeforeReply) { EXPECT_TRUE(store::StoreOptions{}.sync); }

}  // namespace
}  // namespace salesops::engine
