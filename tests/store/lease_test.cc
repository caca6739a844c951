// The leader's lease (server/store/postgres/lease.h) on a real PostgreSQL:
// taking it, waiting for it, expiry, takeover, renewal noticing the loss,
// and a node's appends fenced once another holder raised the epoch.
#include "server/store/postgres/lease.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/postgres/cluster_log.h"
#include "server/store/postgres/postgres_event_log.h"
#include "tests/common/postgres_cluster.h"
#include "tests/common/testing.h"

namespace salesops::store::postgres {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::PostgresCluster;
using ::salesops::testing::QueryRows;
using ::salesops::testing::StatusIs;
using ::salesops::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LeaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!::salesops::testing::PostgresAvailable().ok()) return;
    pg_ = new PostgresCluster();
    const absl::Status started = pg_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }
  void SetUp() override {
    SALESOPS_SKIP_WITHOUT_POSTGRES();
    ASSERT_NE(pg_, nullptr);
    db_ = absl::AsciiStrToLower(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_THAT(pg_->CreateDatabase(db_), IsOk());
    // The schema (with its lease row).
    ASSERT_THAT(PostgresEventLog::Open({.conninfo = pg_->ConnectionString(db_)}), IsOk());
  }
  LeaseOptions Options(const std::string& holder, absl::Duration duration = absl::Seconds(5),
                       absl::Duration acquire_timeout = absl::Seconds(10)) const {
    return {.conninfo = pg_->ConnectionString(db_),
            .holder = holder,
            .address = absl::StrCat(holder, ":50051"),
            .duration = duration,
            .renew_every = duration / 5,
            .acquire_timeout = acquire_timeout};
  }
  absl::StatusOr<std::vector<std::string>> Sql(absl::string_view sql) const { return pg_->Query(sql, db_); }
  // A cluster node `holder` (a 1 s lease) with its local copy in the
  // test's directory.
  ClusterLogOptions NodeOptions(const std::string& holder) const {
    ClusterLogOptions options;
    options.postgres.conninfo = pg_->ConnectionString(db_);
    options.local.path = absl::StrCat(dir_.path(), "/", holder);
    options.local.min_free_bytes = 0;
    options.lease = Options(holder, absl::Milliseconds(1000));
    return options;
  }

  static PostgresCluster* pg_;
  std::string db_;
  TempDir dir_;
};
PostgresCluster* LeaseTest::pg_ = nullptr;

TEST_F(LeaseTest, OneHolderAtATimeAndTheEpochOnlyGrows) {
  absl::StatusOr<std::unique_ptr<Lease>> a = Lease::Acquire(Options("a"));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ((*a)->epoch(), 1);
  (*a)->Start(nullptr);
  EXPECT_THAT(Lease::Acquire(Options("b", absl::Seconds(5), absl::Milliseconds(300))),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("the lease is held by a (epoch 1, serving a:50051)")));
  // Released: the next holder need not wait out the duration.
  (*a)->Release();
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<Lease>> b = Lease::Acquire(Options("b"));
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ((*b)->epoch(), 2);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_THAT(Sql("SELECT holder FROM salesops_lease"), QueryRows(ElementsAre("b")));
}

// A holder that stops renewing loses the lease once it expires; when it
// tries to renew, it learns so.
TEST_F(LeaseTest, AnExpiredLeaseIsTakenOverAndTheOldHolderLearnsIt) {
  absl::StatusOr<std::unique_ptr<Lease>> a = Lease::Acquire(Options("a", absl::Milliseconds(400)));
  ASSERT_THAT(a, IsOk());  // not renewed: Start is not called yet
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<Lease>> b = Lease::Acquire(Options("b", absl::Milliseconds(400)));
  ASSERT_THAT(b, IsOk());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));  // it waited for the expiry
  EXPECT_EQ((*b)->epoch(), 2);
  absl::Notification lost;
  absl::Status why;
  (*a)->Start([&](const absl::Status& s) {
    why = s;
    lost.Notify();
  });
  ASSERT_TRUE(lost.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_THAT(why, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("taken over by another node")));
  EXPECT_TRUE((*a)->lost());
  // A lost lease is not released: b keeps it.
  (*a)->Release();
  EXPECT_THAT(Sql("SELECT holder, epoch FROM salesops_lease"), QueryRows(ElementsAre("b")));
}

TEST_F(LeaseTest, DurationsMustMakeSense) {
  EXPECT_THAT(Lease::ValidateDurations(absl::Seconds(1), absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--lease-renewal must be shorter than --lease-duration")));
  EXPECT_THAT(Lease::ValidateDurations(absl::ZeroDuration(), absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be positive")));
  EXPECT_THAT(ValidateClusterFlags("not a connection string", absl::Seconds(5), absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--log must be a libpq connection string")));
  EXPECT_THAT(ValidateClusterFlags("postgresql://u@h:5432/db", absl::Seconds(5), absl::Seconds(1)), IsOk());
}

v1::EventEnvelope Event(absl::string_view reason) {
  v1::EventEnvelope e;
  e.mutable_event()->mutable_lead_disqualified()->set_reason(std::string(reason));
  e.set_event_type(domain::EventTypeName(e.event()));
  return e;
}

// A node that leads appends under its epoch; once another holder raised
// the epoch, the node hears of it and its next append writes nothing.
TEST_F(LeaseTest, ANodeDeposedBehindItsBackCannotAppend) {
  ClusterLogOptions options = NodeOptions("node-a");
  // The first renewal comes well after the append below, so that the fence
  // (not the renewal noticing first, as it could on a loaded machine) is
  // what refuses it.
  options.lease->duration = absl::Seconds(3);
  options.lease->renew_every = absl::Milliseconds(2500);
  absl::Notification lost;
  options.on_lease_lost = [&](const absl::Status&) { lost.Notify(); };
  absl::StatusOr<std::unique_ptr<ClusterLog>> node = ClusterLog::Open(options);
  ASSERT_THAT(node, IsOk());
  EXPECT_EQ((*node)->epoch(), 1);
  AppendBatch batch;
  batch.streams = {StreamAppend{"lead-a", 0, {Event("one")}}};
  ASSERT_THAT((*node)->Append(batch), IsOk());
  // Another node takes over (as it would after the expiry).
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = epoch + 1, holder = 'node-b'"), IsOk());
  batch.streams = {StreamAppend{"lead-a", 1, {Event("two")}}};
  EXPECT_THAT((*node)->Append(batch),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("fenced: this node appends under lease epoch 1 "
                                                                        "but the lease is at epoch 2 (held by node-b)")));
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events"), QueryRows(ElementsAre("1")));
  EXPECT_EQ((*node)->Head(), 1u);
  ASSERT_TRUE(lost.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_THAT((*node)->write_state().status,
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("lost the lease")));
}

// Promotion in the running process (ClusterLog::TakeLease, Follow, Lead):
// a follower that took the free lease may lead only once its local copy
// holds everything the last leader committed; then it appends under the
// new epoch from the head, and the old leader, deposed, steps down and
// follows.
TEST_F(LeaseTest, AFollowerLeadsOnlyOnceItHoldsTheWholeLog) {
  ClusterLogOptions a = NodeOptions("node-a");
  a.follow_when_led = true;
  ClusterLogOptions b = NodeOptions("node-b");
  b.follow_when_led = true;
  absl::StatusOr<std::unique_ptr<ClusterLog>> leader = ClusterLog::Open(a);
  ASSERT_THAT(leader, IsOk());
  absl::StatusOr<std::unique_ptr<ClusterLog>> follower = ClusterLog::Open(b);
  ASSERT_THAT(follower, IsOk());
  ASSERT_TRUE((*leader)->leading());
  ASSERT_TRUE((*follower)->following());
  absl::StatusOr<bool> taken = (*follower)->TakeLease();
  ASSERT_THAT(taken, IsOk());
  EXPECT_FALSE(*taken);  // held
  AppendBatch batch;
  batch.streams = {StreamAppend{"lead-a", 0, {Event("one"), Event("two")}}};
  ASSERT_THAT((*leader)->Append(batch), IsOk());

  // The leader goes (its lease released, as at a clean stop): the
  // follower takes the lease but has not copied the last batch.
  (*leader)->StepDown();
  taken = (*follower)->TakeLease();
  ASSERT_THAT(taken, IsOk());
  ASSERT_TRUE(*taken);
  EXPECT_THAT((*follower)->Lead(nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("copy the rest first")));
  EXPECT_FALSE((*follower)->leading());
  absl::StatusOr<std::vector<v1::EventEnvelope>> copied = (*follower)->Follow();
  ASSERT_THAT(copied, IsOk());
  EXPECT_EQ(copied->size(), 2u);
  ASSERT_THAT((*follower)->Lead(nullptr), IsOk());
  EXPECT_TRUE((*follower)->leading());
  EXPECT_EQ((*follower)->epoch(), 2);
  batch.streams = {StreamAppend{"lead-a", 2, {Event("three")}}};
  batch.expected_head = 2;
  ASSERT_THAT((*follower)->Append(batch), IsOk());
  EXPECT_THAT(Sql("SELECT max(position) FROM salesops_events"), QueryRows(ElementsAre("3")));
  // The old leader follows: it copies the new leader's event, and refuses
  // appends naming the new holder.
  ASSERT_THAT((*leader)->Follow(), IsOk());
  EXPECT_EQ((*leader)->Head(), 3u);
  ASSERT_THAT((*leader)->ReadLease(), IsOk());
  EXPECT_THAT(
      (*leader)->write_state().status,
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("this node follows the leader node-b (epoch 2")));
  EXPECT_THAT((*leader)->Append(batch),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("this node follows")));
}

}  // namespace
}  // namespace salesops::store::postgres
