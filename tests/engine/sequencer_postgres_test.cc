// The same commands through the sequencer make the same log on every
// EventLog: the embedded RocksDB log, the PostgreSQL log, and a cluster
// node's log (PostgreSQL plus its local copy) — the same replies, positions
// and chain digest (what Audit.GetLogDigest reports).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/lead_directory.h"
#include "projections/views.h"
#include "server/domain/events.h"
#include "server/engine/sequencer.h"
#include "server/store/event_store.h"
#include "server/store/postgres/cluster_log.h"
#include "server/store/postgres/postgres_event_log.h"
#include "tests/common/postgres_cluster.h"
#include "tests/common/testing.h"

namespace salesops::engine {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::PostgresCluster;
using ::salesops::testing::TempDir;

v1::Command Team(bool bootstrap, const std::string& id) {
  v1::Command c;
  if (bootstrap) {
    c.mutable_team()->mutable_bootstrap()->set_member_id(id);
  } else {
    auto* add = c.mutable_team()->mutable_add_member();
    add->set_member_id(id);
    add->set_display_name(absl::StrCat(id, " 王"));
    add->add_roles(v1::ROLE_SALES_REP);
    add->add_roles(v1::ROLE_BD_MANAGER);
  }
  return c;
}

v1::Command Identify(const std::string& lead_id) {
  v1::Command c;
  auto* r = c.mutable_lead()->mutable_identify();
  r->set_lead_id(lead_id);
  r->set_company("上海某某贸易有限公司");
  r->mutable_contact()->set_name("李娜");
  r->set_source(v1::LEAD_SOURCE_INBOUND);
  r->mutable_estimated_value()->set_amount_minor(100'000);
  r->mutable_estimated_value()->set_currency("CNY");
  r->mutable_options()->set_request_id(absl::StrCat("r-", lead_id));
  return c;
}

v1::Command Qualify(const std::string& lead_id) {
  v1::Command c;
  auto* q = c.mutable_lead()->mutable_qualify();
  q->set_lead_id(lead_id);
  q->set_score(70);
  q->set_need("新的客户管理系统");
  q->mutable_options()->set_request_id(absl::StrCat("q-", lead_id));
  return c;
}

struct Outcome {
  std::vector<std::string> replies;  // each reply, serialized, or its error
  uint64_t head = 0;
  std::string digest;  // the chain digest at the head
};

// Runs the commands one by one through a sequencer on `log`, with a fake
// clock and sequential ids, and returns what came back.
Outcome RunCommands(store::EventLog& log) {
  FakeClock clock(absl::FromUnixSeconds(1'790'000'000));
  SequentialIdGenerator ids("gen");
  projections::Views views;
  absl::StatusOr<std::unique_ptr<Sequencer>> sequencer = Sequencer::Start(&log, {&views}, &clock, &ids);
  EXPECT_THAT(sequencer, IsOk());
  Outcome out;
  if (!sequencer.ok()) return out;
  const auto run = [&](const std::string& actor, v1::Command command) {
    absl::Notification done;
    (*sequencer)->Submit(actor, std::move(command), [&](CommandResult r) {
      out.replies.push_back(r.ok() ? r->SerializeAsString() : r.status().ToString());
      done.Notify();
    });
    done.WaitForNotification();
    clock.Advance(absl::Seconds(7));
  };
  run(std::string(domain::kSystemActor), Team(true, "root"));
  run("root", Team(false, "alice"));
  for (int i = 0; i < 20; ++i) run("alice", Identify(absl::StrCat("lead-", i)));
  run("alice", Identify("lead-3"));  // a retry: the recorded reply, nothing appended
  for (int i = 0; i < 20; i += 3) run("alice", Qualify(absl::StrCat("lead-", i)));
  run("alice", Qualify("lead-0"));  // a retry
  run("alice", Qualify("lead-1"));
  run("alice", Identify("lead-0"));  // a retry of an old request id
  (*sequencer)->Stop();
  out.head = log.Head();
  out.digest = *log.ChainDigest(out.head);
  return out;
}

TEST(SequencerPostgresTest, TheSameCommandsMakeTheSameLogOnEveryEngine) {
  SALESOPS_SKIP_WITHOUT_POSTGRES();
  PostgresCluster pg;
  ASSERT_THAT(pg.Start(), IsOk());
  ASSERT_THAT(pg.CreateDatabase("plain"), IsOk());
  ASSERT_THAT(pg.CreateDatabase("node"), IsOk());
  TempDir dir;

  absl::StatusOr<std::unique_ptr<store::EventStore>> rocks = store::EventStore::Open({dir.path() + "/rocks", true});
  ASSERT_THAT(rocks, IsOk());
  const Outcome embedded = RunCommands(**rocks);

  absl::StatusOr<std::unique_ptr<store::postgres::PostgresEventLog>> postgres =
      store::postgres::PostgresEventLog::Open({.conninfo = pg.ConnectionString("plain")});
  ASSERT_THAT(postgres, IsOk());
  const Outcome in_postgres = RunCommands(**postgres);

  store::postgres::ClusterLogOptions node_options;
  node_options.postgres.conninfo = pg.ConnectionString("node");
  node_options.local.path = dir.path() + "/node";
  node_options.local.min_free_bytes = 0;
  absl::StatusOr<std::unique_ptr<store::postgres::ClusterLog>> node = store::postgres::ClusterLog::Open(node_options);
  ASSERT_THAT(node, IsOk());
  const Outcome on_node = RunCommands(**node);

  EXPECT_EQ(embedded.head, 51u);  // with the one customer account
  EXPECT_EQ(embedded.replies.size(), 33u);
  for (const Outcome* other : {&in_postgres, &on_node}) {
    EXPECT_EQ(other->head, embedded.head);
    EXPECT_EQ(other->replies, embedded.replies);
    EXPECT_EQ(other->digest, embedded.digest);
  }
  EXPECT_EQ(*(*node)->postgres().ChainDigest(embedded.head), embedded.digest);
}

}  // namespace
}  // namespace salesops::engine
