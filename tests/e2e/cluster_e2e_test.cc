// Cluster mode end to end (docs/CLUSTER.md): the real salesopsd with
// --log on a private PostgreSQL the test starts. Every acknowledged event
// comes back from PostgreSQL on a node with a fresh data directory; a node
// deposed behind its back cannot append; one node leads at a time.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <utility>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/internal.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "client/tls/channel.h"
#include "tests/common/postgres_cluster.h"
#include "tests/common/test_certs.h"
#include "tests/common/testing.h"
#include "tests/e2e/raw_call.h"
#include "tests/e2e/run_program.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::kRootToken;
using ::salesops::testing::PostgresCluster;
using ::salesops::testing::QueryRows;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::CertifiedKey;
using ::salesops::testing::TempDir;
using ::salesops::testing::TestCa;
using ::salesops::testing::WriteTextFile;
using ::salesops::testing::TokenOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

v1::IdentifyLeadRequest Identify(const std::string& lead_id) {
  v1::IdentifyLeadRequest r;
  r.set_lead_id(lead_id);
  r.set_company("杭州某某科技有限公司");
  r.mutable_contact()->set_name("陈静");
  r.set_source(v1::LEAD_SOURCE_REFERRAL);
  r.mutable_estimated_value()->set_amount_minor(250'000);
  r.mutable_estimated_value()->set_currency("CNY");
  r.mutable_options()->set_request_id(absl::StrCat("req-", lead_id));
  return r;
}

v1::GetLogDigestResponse Digest(ServerProcess& server) {
  v1::GetLogDigestResponse digest;
  const grpc::Status s = v1::Audit::NewStub(server.Channel())->GetLogDigest(Ctx("root").get(), {}, &digest);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return digest;
}

// Polls `condition` until it holds (true) or `timeout` passes (false).
bool PollUntil(absl::Duration timeout, const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (absl::Now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// grpc.health.v1.Health/Check of `service` answers `status` (1 SERVING,
// 2 NOT_SERVING).
enum HealthStatus { kServing = 1, kNotServing = 2 };
bool HealthIs(ServerProcess& node, const std::string& service, HealthStatus status) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const std::string request =
      absl::StrCat("\x0a", std::string(1, static_cast<char>(service.size())), service);
  const testing::RawReplies replies =
      testing::CallRaw(node.Channel(), ctx, "/grpc.health.v1.Health/Check", request);
  return replies.status.ok() && replies.messages.size() == 1 &&
         replies.messages[0] == std::string({'\x08', static_cast<char>(status)});
}

// A write to `node` is refused UNAVAILABLE with `text` in its message,
// within `timeout` (the node changes its role by itself).
bool WriteRefusedNaming(ServerProcess& node, const std::string& text, absl::Duration timeout) {
  auto leads = v1::Leads::NewStub(node.Channel());
  std::string last;
  const bool refused = PollUntil(timeout, [&] {
    v1::LeadCommandReply reply;
    const grpc::Status s = leads->IdentifyLead(Ctx("rep1").get(), Identify("refused-write"), &reply);
    last = s.error_message();
    return s.error_code() == grpc::StatusCode::UNAVAILABLE && absl::StrContains(s.error_message(), text);
  });
  EXPECT_TRUE(refused) << "last refusal: " << last;
  return refused;
}

// The same pipeline, but for what is measured to each call's now.
void ExpectSamePipeline(v1::Pipeline a, v1::Pipeline b) {
  for (v1::Pipeline* p : {&a, &b}) {
    p->clear_view();
    p->mutable_win_rate()->clear_from();
    p->mutable_win_rate()->clear_to();
    for (v1::StageSummary& stage : *p->mutable_stages()) {
      stage.clear_average_time_in_stage();
      stage.clear_max_time_in_stage();
    }
  }
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b))
      << a.DebugString() << " vs " << b.DebugString();
}

class ClusterE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SALESOPS_SKIP_WITHOUT_POSTGRES();
    ASSERT_THAT(pg_.Start(), IsOk());
    ASSERT_THAT(pg_.CreateDatabase("salesops"), IsOk());
  }
  // A node on `dir` with --log (the URI form, over TCP) and `flags`.
  std::unique_ptr<ServerProcess> Node(const TempDir& dir, std::vector<std::string> flags = {}) const {
    flags.push_back(absl::StrCat("--log=", pg_.Uri("salesops")));
    return std::make_unique<ServerProcess>(dir.path(), std::move(flags));
  }
  // On the log of record: pg_, or the standby promoted in its place.
  absl::StatusOr<std::vector<std::string>> Sql(absl::string_view sql) const {
    return record_->Query(sql, "salesops");
  }

  // Adds rep1 and writes `leads` leads through `node`; returns the replies.
  std::vector<v1::LeadCommandReply> Write(ServerProcess& node, int leads) {
    auto team = v1::Team::NewStub(node.Channel());
    v1::AddMemberRequest add;
    add.set_member_id("rep1");
    add.set_display_name("王芳");
    add.add_roles(v1::ROLE_SALES_REP);
    add.add_roles(v1::ROLE_BD_MANAGER);
    v1::TeamCommandReply added;
    EXPECT_TRUE(team->AddMember(Ctx("root").get(), add, &added).ok());
    auto stub = v1::Leads::NewStub(node.Channel());
    std::vector<v1::LeadCommandReply> out;
    for (int i = 0; i < leads; ++i) {
      v1::LeadCommandReply reply;
      const grpc::Status s = stub->IdentifyLead(Ctx("rep1").get(), Identify(absl::StrCat("lead-", i)), &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
      out.push_back(reply);
    }
    for (int i = 0; i < leads; i += 4) {
      v1::QualifyLeadRequest q;
      q.set_lead_id(absl::StrCat("lead-", i));
      q.set_score(75);
      q.set_need("客户管理系统");
      v1::LeadCommandReply reply;
      const grpc::Status s = stub->QualifyLead(Ctx("rep1").get(), q, &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return out;
  }

  PostgresCluster pg_;
  const PostgresCluster* record_ = &pg_;
};

// Every acknowledged event is in PostgreSQL: a node started on an empty
// data directory copies it back, with the same digest, the leads and the
// idempotency records, and goes on at the next position.
TEST_F(ClusterE2eTest, EveryAcknowledgedEventComesBackFromPostgresOnAFreshNode) {
  TempDir first_dir;
  std::unique_ptr<ServerProcess> first = Node(first_dir);
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  EXPECT_TRUE(first->WaitForLog("cluster mode: leading with lease epoch 1", absl::Seconds(5))) << first->Log();
  const std::vector<v1::LeadCommandReply> replies = Write(*first, 40);
  const v1::GetLogDigestResponse before = Digest(*first);
  EXPECT_GT(before.position(), 40u);
  EXPECT_THAT(Sql("SELECT position FROM salesops_head"),
              QueryRows(ElementsAre(absl::StrCat(before.position()))));
  EXPECT_THAT(Sql("SELECT encode(chain, 'hex') FROM salesops_head"), QueryRows(ElementsAre(before.digest())));
  EXPECT_EQ(first->Stop(), 0) << first->Log();
  // A clean stop releases the lease: the next node need not wait for it.
  EXPECT_THAT(first->Log(), HasSubstr("released the lease (epoch 1)"));

  TempDir fresh_dir;
  std::unique_ptr<ServerProcess> second = Node(fresh_dir);
  const absl::Time start = absl::Now();
  ASSERT_TRUE(second->Start(&error)) << error;
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  EXPECT_THAT(second->Log(), HasSubstr(absl::StrCat(before.position(), " events copied")));
  EXPECT_THAT(second->Log(), HasSubstr("leading with lease epoch 2"));
  const v1::GetLogDigestResponse after = Digest(*second);
  EXPECT_EQ(after.position(), before.position());
  EXPECT_EQ(after.digest(), before.digest());
  v1::VerifyLogResponse verified;
  ASSERT_TRUE(v1::Audit::NewStub(second->Channel())->VerifyLog(Ctx("root").get(), {}, &verified).ok());
  EXPECT_TRUE(verified.ok()) << verified.detail();
  auto leads = v1::Leads::NewStub(second->Channel());
  v1::GetLeadRequest get;
  get.set_lead_id("lead-39");
  v1::Lead lead;
  ASSERT_TRUE(leads->GetLead(Ctx("rep1").get(), get, &lead).ok());
  EXPECT_EQ(lead.company(), "杭州某某科技有限公司");
  // A retry of an acknowledged request gets its original reply (the
  // idempotency records came back too) and appends nothing.
  v1::LeadCommandReply retried;
  ASSERT_TRUE(leads->IdentifyLead(Ctx("rep1").get(), Identify("lead-7"), &retried).ok());
  EXPECT_EQ(retried.position(), replies[7].position());
  EXPECT_EQ(Digest(*second).position(), before.position());
  // New writes continue the same sequence and chain, in PostgreSQL first.
  v1::LeadCommandReply next;
  ASSERT_TRUE(leads->IdentifyLead(Ctx("rep1").get(), Identify("lead-new"), &next).ok());
  EXPECT_GT(next.position(), before.position());
  EXPECT_THAT(Sql("SELECT min(position), max(position) FROM salesops_events WHERE stream_id = 'lead-lead-new'"),
              QueryRows(ElementsAre(absl::StrCat(before.position() + 1))));
  EXPECT_THAT(Sql("SELECT position FROM salesops_head"), QueryRows(ElementsAre(absl::StrCat(next.position()))));
  EXPECT_EQ(second->Stop(), 0) << second->Log();
}

// The fence: another node raises the epoch behind this node's back (its
// renewal is too slow to notice first); the node's next append fails and
// writes nothing, and the node steps down: it follows, refusing writes
// naming the new holder, and still serves reads.
TEST_F(ClusterE2eTest, ANodeDeposedBehindItsBackCannotAppend) {
  TempDir dir;
  std::unique_ptr<ServerProcess> node = Node(dir, {"--lease-duration=60s", "--lease-renewal=30s"});
  std::string error;
  ASSERT_TRUE(node->Start(&error)) << error;
  Write(*node, 3);
  const v1::GetLogDigestResponse before = Digest(*node);
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = epoch + 1, holder = 'another-node'"), IsOk());

  v1::LeadCommandReply reply;
  const grpc::Status refused =
      v1::Leads::NewStub(node->Channel())->IdentifyLead(Ctx("rep1").get(), Identify("after-fence"), &reply);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-after-fence'"),
              QueryRows(ElementsAre("0")));
  EXPECT_THAT(Sql("SELECT position FROM salesops_head"), QueryRows(ElementsAre(absl::StrCat(before.position()))));
  EXPECT_TRUE(node->WaitForLog("fenced: this node appends under lease epoch 1 but the lease is at epoch 2",
                               absl::Seconds(10)))
      << node->Log();
  EXPECT_TRUE(node->WaitForLog("cluster: stepping down to follow", absl::Seconds(10))) << node->Log();
  // A follower now: writes refused naming the holder, reads served.
  EXPECT_TRUE(
      WriteRefusedNaming(*node, "this node follows the leader another-node (epoch 2", absl::Seconds(10)));
  EXPECT_EQ(Digest(*node).digest(), before.digest());
  EXPECT_EQ(node->Stop(), 0) << node->Log();
}

// A node whose renewal finds another holder steps down by itself, and
// once that holder's lease is free (it never renews), leads again under a
// new epoch in the same process.
TEST_F(ClusterE2eTest, ANodeThatLosesItsLeaseStepsDownAndLeadsAgainOnceItIsFree) {
  TempDir dir;
  std::unique_ptr<ServerProcess> node = Node(dir, {"--lease-duration=1s", "--lease-renewal=200ms"});
  std::string error;
  ASSERT_TRUE(node->Start(&error)) << error;
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = epoch + 1, holder = 'another-node'"), IsOk());
  EXPECT_TRUE(node->WaitForLog("was taken over by another node", absl::Seconds(10))) << node->Log();
  EXPECT_TRUE(node->WaitForLog("cluster: stepping down to follow", absl::Seconds(10))) << node->Log();
  EXPECT_TRUE(node->WaitForLog("this node leads with lease epoch 3", absl::Seconds(10))) << node->Log();
  Write(*node, 2);
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE event_type = 'LeadIdentified'"),
              QueryRows(ElementsAre("2")));
  EXPECT_EQ(node->Stop(), 0) << node->Log();
}

// One leader at a time: a second node follows while the first leads — it
// copies every event, serves reads after min_position with the same
// digest, and refuses writes naming the leader. Once the leader is killed
// and its lease expired, the follower takes over in its running process
// with every acknowledged event, and serves writes.
// Admin.GetClusterStatus answers the same on every node, from the nodes'
// heartbeats in PostgreSQL: who leads with which epoch, each node's role,
// applied position and lag. A follower that cannot reach PostgreSQL stops
// serving reads (salesops.reads) and goes stale in the others' answers; it
// serves again once it reaches PostgreSQL.
TEST_F(ClusterE2eTest, EveryNodeReportsTheClusterAndAFollowerCutOffStopsServingReads) {
  TempDir first_dir, second_dir;
  std::unique_ptr<ServerProcess> first =
      Node(first_dir, {"--lease-duration=1s", "--lease-renewal=200ms", "--node-id=北京-1"});
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  Write(*first, 3);
  // The follower logs in as a role of its own, so that the test can cut
  // it off from PostgreSQL alone.
  ASSERT_THAT(Sql("CREATE ROLE follower LOGIN; GRANT USAGE, CREATE ON SCHEMA public TO follower; "
                  "GRANT ALL ON ALL TABLES IN SCHEMA public TO follower"),
              IsOk());
  std::string follower_uri = pg_.Uri("salesops");
  follower_uri.replace(follower_uri.find("://") + 3, follower_uri.find('@') - follower_uri.find("://") - 3, "follower");
  auto second = std::make_unique<ServerProcess>(
      second_dir.path(), std::vector<std::string>{absl::StrCat("--log=", follower_uri), "--lease-duration=1s",
                                                  "--lease-renewal=200ms", "--node-id=shanghai-2",
                                                  "--metrics-listen=127.0.0.1:0"});
  ASSERT_TRUE(second->Start(&error)) << error;
  const int metrics_port = testing::NumberAfter(second->Log(), "bound port ");
  ASSERT_GT(metrics_port, 0) << second->Log();
  const auto metrics = [metrics_port] {
    httplib::Client http("127.0.0.1", metrics_port);
    const httplib::Result got = http.Get("/metrics");
    return got ? got->body : std::string();
  };
  const uint64_t head = Digest(*first).position();

  v1::GetClusterStatusResponse status;
  const auto status_from = [&status](ServerProcess& node) {
    status.Clear();
    const grpc::Status s = v1::Admin::NewStub(node.Channel())->GetClusterStatus(Ctx("root").get(), {}, &status);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok();
  };
  const auto both_caught_up = [&] {
    return status.nodes_size() == 2 && status.nodes(0).applied_position() == head &&
           status.nodes(1).applied_position() == head;
  };
  // Nodes sorted by id, bytewise: "shanghai-2" before "北京-1".
  for (ServerProcess* node : {second.get(), first.get()}) {
    ASSERT_TRUE(PollUntil(absl::Seconds(10), [&] { return status_from(*node) && both_caught_up(); }))
        << status.DebugString();
    EXPECT_EQ(status.mode(), v1::CLUSTER_MODE_POSTGRESQL);
    EXPECT_EQ(status.answered_by(), node == first.get() ? "北京-1" : "shanghai-2");
    EXPECT_EQ(status.leader_id(), "北京-1");
    EXPECT_EQ(status.leader_address(), absl::StrCat("127.0.0.1:", first->port()));
    EXPECT_EQ(status.epoch(), 1);
    EXPECT_EQ(status.head_position(), head);
    EXPECT_TRUE(status.has_lease_expires_at());
    const v1::ClusterNode& follower = status.nodes(0);
    const v1::ClusterNode& leader = status.nodes(1);
    EXPECT_EQ(follower.node_id(), "shanghai-2");
    EXPECT_FALSE(follower.leading());
    EXPECT_EQ(follower.epoch(), 0);
    EXPECT_EQ(follower.address(), absl::StrCat("127.0.0.1:", second->port()));
    EXPECT_EQ(leader.node_id(), "北京-1");
    EXPECT_TRUE(leader.leading());
    EXPECT_EQ(leader.epoch(), 1);
    for (const v1::ClusterNode& n : status.nodes()) {
      EXPECT_EQ(n.lag_events(), 0u) << n.node_id();
      EXPECT_TRUE(n.serving()) << n.node_id();
      EXPECT_FALSE(n.stale()) << n.node_id();
      EXPECT_LT(n.since_heartbeat().seconds(), 1) << n.node_id();
      EXPECT_TRUE(n.has_started_at()) << n.node_id();
    }
  }
  EXPECT_TRUE(HealthIs(*second, "salesops.reads", kServing));
  EXPECT_TRUE(HealthIs(*second, "salesops.v1.Views", kServing));
  const std::string scraped = metrics();
  EXPECT_THAT(scraped, HasSubstr("salesops_cluster_leading 0\n"));
  EXPECT_THAT(scraped, HasSubstr("salesops_cluster_lag_events 0\n"));
  EXPECT_THAT(scraped, HasSubstr("salesops_reads_serving 1\n"));
  // What an operator types: the same answer as a table.
  const testing::CliRun cli =
      testing::RunProgram({SALESCTL_PATH, absl::StrCat("--server=127.0.0.1:", second->port()),
                           absl::StrCat("--token=", kRootToken), "get-cluster-status"},
                          second_dir.path());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_THAT(cli.out, HasSubstr(absl::StrCat("mode: postgresql  leader: 北京-1 at 127.0.0.1:", first->port(),
                                              "  epoch: 1")));
  EXPECT_THAT(cli.out, HasSubstr(absl::StrCat("\nhead: ", head, "  answered by: shanghai-2")));
  EXPECT_THAT(cli.out, HasSubstr("北京-1      leader (epoch 1)"));
  EXPECT_THAT(cli.out, HasSubstr("shanghai-2  follower        "));

  // Cut the follower off: its logins refused, its connections ended.
  ASSERT_THAT(Sql("ALTER ROLE follower NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE usename = 'follower'"),
              IsOk());
  EXPECT_TRUE(PollUntil(absl::Seconds(10), [&] { return HealthIs(*second, "salesops.reads", kNotServing); }));
  EXPECT_TRUE(HealthIs(*second, "salesops.v1.Views", kNotServing));
  EXPECT_THAT(metrics(), HasSubstr("salesops_reads_serving 0\n"));
  EXPECT_TRUE(second->WaitForLog("health: salesops.reads NOT_SERVING: this follower has not read the log of "
                                 "record's head for",
                                 absl::Seconds(5)))
      << second->Log();
  ASSERT_TRUE(PollUntil(absl::Seconds(10), [&] { return status_from(*first) && status.nodes(0).stale(); }))
      << status.DebugString();
  EXPECT_FALSE(status.nodes(1).stale());
  // The follower itself cannot answer: it cannot read PostgreSQL.
  grpc::Status cut = v1::Admin::NewStub(second->Channel())->GetClusterStatus(Ctx("root").get(), {}, &status);
  EXPECT_EQ(cut.error_code(), grpc::StatusCode::UNAVAILABLE) << cut.error_message();

  // Let it in again: it reads the head, serves, and its heartbeats resume.
  ASSERT_THAT(Sql("ALTER ROLE follower LOGIN"), IsOk());
  EXPECT_TRUE(PollUntil(absl::Seconds(10), [&] { return HealthIs(*second, "salesops.reads", kServing); }));
  EXPECT_TRUE(PollUntil(absl::Seconds(10), [&] { return status_from(*first) && !status.nodes(0).stale(); }))
      << status.DebugString();
  EXPECT_EQ(second->Stop(), 0) << second->Log();
  EXPECT_EQ(first->Stop(), 0) << first->Log();
}

// An embedded server answers Admin.GetClusterStatus about itself: the only
// node, leading, at its head.
TEST(ClusterStatusE2eTest, AnEmbeddedServerIsItsOwnCluster) {
  TempDir dir;
  ServerProcess server(dir.path(), {"--node-id=单机"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  v1::GetClusterStatusResponse status;
  const grpc::Status s = v1::Admin::NewStub(server.Channel())->GetClusterStatus(Ctx("root").get(), {}, &status);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(status.mode(), v1::CLUSTER_MODE_EMBEDDED);
  EXPECT_EQ(status.answered_by(), "单机");
  EXPECT_EQ(status.leader_id(), "单机");
  EXPECT_EQ(status.leader_address(), absl::StrCat("127.0.0.1:", server.port()));
  EXPECT_FALSE(status.has_lease_expires_at());
  EXPECT_EQ(status.head_position(), Digest(server).position());
  ASSERT_EQ(status.nodes_size(), 1);
  EXPECT_TRUE(status.nodes(0).leading());
  EXPECT_EQ(status.nodes(0).applied_position(), status.head_position());
  EXPECT_TRUE(status.nodes(0).serving());
  // Only ADMIN may ask (alice has a token, and no role).
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", testing::kAliceToken));
  EXPECT_EQ(v1::Admin::NewStub(server.Channel())->GetClusterStatus(&ctx, {}, &status).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server.Stop(), 0) << server.Log();
}

TEST_F(ClusterE2eTest, ASecondNodeFollowsAndTakesOverOnlyAfterTheLeaseExpires) {
  TempDir first_dir, second_dir;
  const std::vector<std::string> lease = {"--lease-duration=1s", "--lease-renewal=200ms"};
  std::unique_ptr<ServerProcess> first = Node(first_dir, lease);
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  Write(*first, 10);

  // This follower refuses writes instead of forwarding them.
  std::vector<std::string> follower_flags = lease;
  follower_flags.push_back("--forward-writes=false");
  std::unique_ptr<ServerProcess> second = Node(second_dir, follower_flags);
  ASSERT_TRUE(second->Start(&error)) << error;
  EXPECT_THAT(second->Log(), HasSubstr("cluster mode: following"));
  // Writes made after the follower started reach it too.
  auto leads = v1::Leads::NewStub(first->Channel());
  v1::LeadCommandReply last;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(leads->IdentifyLead(Ctx("rep1").get(), Identify(absl::StrCat("later-", i)), &last).ok());
  }
  const v1::GetLogDigestResponse before = Digest(*first);
  v1::GetPipelineRequest pipeline;
  pipeline.mutable_view()->set_min_position(before.position());
  v1::Pipeline on_follower, on_leader;
  ASSERT_TRUE(v1::Views::NewStub(second->Channel())->GetPipeline(Ctx("root").get(), pipeline, &on_follower).ok());
  ASSERT_TRUE(v1::Views::NewStub(first->Channel())->GetPipeline(Ctx("root").get(), pipeline, &on_leader).ok());
  EXPECT_EQ(on_follower.view().position(), before.position());
  EXPECT_EQ(on_leader.view().position(), before.position());
  ExpectSamePipeline(on_follower, on_leader);
  EXPECT_EQ(on_follower.stages(0).open_leads(), 12u);  // 15 identified, 3 of them qualified
  const v1::GetLogDigestResponse followed = Digest(*second);
  EXPECT_EQ(followed.position(), before.position());
  EXPECT_EQ(followed.digest(), before.digest());
  v1::GetLeadRequest get;
  get.set_lead_id("later-4");
  v1::Lead lead;
  EXPECT_TRUE(v1::Leads::NewStub(second->Channel())->GetLead(Ctx("rep1").get(), get, &lead).ok());
  EXPECT_TRUE(WriteRefusedNaming(*second, "this node follows the leader", absl::Seconds(1)));
  EXPECT_TRUE(HealthIs(*second, "salesops.writes", kNotServing));

  first->Kill();  // no release: the lease must expire
  EXPECT_TRUE(second->WaitForLog("this node leads with lease epoch 2", absl::Seconds(10))) << second->Log();
  const v1::GetLogDigestResponse after = Digest(*second);
  EXPECT_EQ(after.position(), before.position());
  EXPECT_EQ(after.digest(), before.digest());
  v1::LeadCommandReply next;
  ASSERT_TRUE(v1::Leads::NewStub(second->Channel())
                  ->IdentifyLead(Ctx("rep1").get(), Identify("after-failover"), &next)
                  .ok());
  // The same sequence goes on, without a gap.
  EXPECT_THAT(Sql("SELECT min(position) FROM salesops_events WHERE stream_id = 'lead-after-failover'"),
              QueryRows(ElementsAre(absl::StrCat(before.position() + 1))));
  EXPECT_TRUE(PollUntil(absl::Seconds(3), [&] { return HealthIs(*second, "salesops.writes", kServing); }));
  EXPECT_EQ(second->Stop(), 0) << second->Log();
}

// The reason and metadata of a refusal's ErrorInfo ("" when it has none).
std::pair<std::string, std::map<std::string, std::string>> ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return {};
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return {info.reason(), {info.metadata().begin(), info.metadata().end()}};
  }
  return {};
}

// Write forwarding (docs/CLUSTER.md): a client may send commands to any
// node. A follower forwards each to the leader as the member it
// authenticated, request_id and all: the reply is the leader's (the same
// request sent to the leader again gets the same reply), the event names
// the caller, a read on the follower right after the reply sees the
// write, and refusals come back with their details. A caller without a
// token is refused by the follower itself, and the leader takes forwarded
// commands only from a node that shows the cluster's node secret.
TEST_F(ClusterE2eTest, AFollowerForwardsWritesToTheLeaderAsTheCaller) {
  TempDir first_dir, second_dir;
  const std::vector<std::string> lease = {"--lease-duration=1s", "--lease-renewal=200ms"};
  std::unique_ptr<ServerProcess> first = Node(first_dir, lease);
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  Write(*first, 1);  // rep1 (SALES_REP, BD_MANAGER) and lead-0
  std::unique_ptr<ServerProcess> second = Node(second_dir, lease);
  ASSERT_TRUE(second->Start(&error)) << error;
  ASSERT_THAT(second->Log(), HasSubstr("cluster mode: following"));

  // A team command and a lead command, both through the follower.
  v1::AddMemberRequest add;
  add.set_member_id("rep2");
  add.set_display_name("李雷");
  add.add_roles(v1::ROLE_SALES_REP);
  v1::TeamCommandReply added;
  grpc::Status s = v1::Team::NewStub(second->Channel())->AddMember(Ctx("root").get(), add, &added);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto via_follower = v1::Leads::NewStub(second->Channel());
  const v1::IdentifyLeadRequest identify = Identify("via-follower");
  v1::LeadCommandReply reply;
  s = via_follower->IdentifyLead(Ctx("rep1").get(), identify, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.lead_id(), "via-follower");
  ASSERT_GT(reply.position(), added.position());
  // Read on the follower right after, without min_position: every time
  // (the follower polls every 20 ms, so without the reply's wait some of
  // these reads would come first).
  auto reads = v1::Leads::NewStub(second->Channel());
  v1::GetLeadRequest get;
  v1::Lead lead;
  int unseen = 0;
  for (int i = 0; i < 30; ++i) {
    v1::LeadCommandReply written;
    s = via_follower->IdentifyLead(Ctx("rep1").get(), Identify(absl::StrCat("ryw-", i)), &written);
    ASSERT_TRUE(s.ok()) << s.error_message();
    get.set_lead_id(absl::StrCat("ryw-", i));
    if (!reads->GetLead(Ctx("rep1").get(), get, &lead).ok()) ++unseen;
  }
  EXPECT_EQ(unseen, 0) << "reads on the follower that missed the write just acknowledged";
  get.set_lead_id("via-follower");
  s = reads->GetLead(Ctx("rep1").get(), get, &lead);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(lead.company(), "杭州某某科技有限公司");
  // The event names the caller, not a node.
  v1::ReadLogRequest read;
  read.set_from_position(reply.position() - 1);
  read.set_limit(2);
  v1::ReadLogResponse events;
  s = v1::Audit::NewStub(second->Channel())->ReadLog(Ctx("root").get(), read, &events);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(events.events_size(), 2);
  EXPECT_EQ(events.events(0).actor(), "rep1");
  EXPECT_EQ(events.events(0).stream_id(), "lead-via-follower");
  // The same request on the leader: a retry, answered with the first reply.
  v1::LeadCommandReply retried;
  s = v1::Leads::NewStub(first->Channel())->IdentifyLead(Ctx("rep1").get(), identify, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retried.position(), reply.position());
  const v1::GetLogDigestResponse head = Digest(*first);

  // Refusals: the leader's, with its details, as the caller (rep2 lacks
  // BD_MANAGER); the follower's own for a caller without a token.
  v1::QualifyLeadRequest qualify;
  qualify.set_lead_id("via-follower");
  qualify.set_score(60);
  qualify.set_need("CRM");
  s = via_follower->QualifyLead(Ctx("rep2").get(), qualify, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  const auto [reason, metadata] = ReasonOf(s);
  EXPECT_EQ(reason, "ROLE_REQUIRED");
  EXPECT_EQ(metadata.count("member_id") ? metadata.at("member_id") : "", "rep2");
  grpc::ClientContext anonymous;
  s = via_follower->QualifyLead(&anonymous, qualify, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();

  // The leader's Cluster service: without the node secret, or with a wrong
  // one, nothing is decided, whatever token the caller has; with the
  // secret from PostgreSQL the command is decided as the named member.
  v1::ForwardedCommand forged;
  forged.set_actor("rep1");
  *forged.mutable_command()->mutable_lead()->mutable_identify() = Identify("forged");
  auto cluster = v1::Cluster::NewStub(first->Channel());
  v1::CommandReply forged_reply;
  std::unique_ptr<grpc::ClientContext> no_secret = Ctx("root");
  s = cluster->ForwardCommand(no_secret.get(), forged, &forged_reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(ReasonOf(s).first, "NODE_SECRET_REQUIRED");
  std::unique_ptr<grpc::ClientContext> wrong_secret = Ctx("root");
  wrong_secret->AddMetadata("salesops-node-secret", std::string(64, 'a'));
  s = cluster->ForwardCommand(wrong_secret.get(), forged, &forged_reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-forged'"),
              QueryRows(ElementsAre("0")));
  EXPECT_EQ(Digest(*first).position(), head.position());
  EXPECT_TRUE(first->WaitForLog("NODE_SECRET_REQUIRED", absl::Seconds(5))) << first->Log();
  const absl::StatusOr<std::vector<std::string>> secret = Sql("SELECT secret FROM salesops_node_secret");
  ASSERT_THAT(secret, IsOk());
  ASSERT_EQ(secret->size(), 1u);
  grpc::ClientContext with_secret;
  with_secret.AddMetadata("salesops-node-secret", (*secret)[0]);
  s = cluster->ForwardCommand(&with_secret, forged, &forged_reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(forged_reply.lead().position(), head.position() + 2);
  // A node that does not lead never forwards a forwarded command again.
  grpc::ClientContext to_follower;
  to_follower.AddMetadata("salesops-node-secret", (*secret)[0]);
  *forged.mutable_command()->mutable_lead()->mutable_identify() = Identify("twice");
  s = v1::Cluster::NewStub(second->Channel())->ForwardCommand(&to_follower, forged, &forged_reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("this node follows the leader"));
  EXPECT_EQ(first->Stop(), 0) << first->Log();
  EXPECT_EQ(second->Stop(), 0) << second->Log();
}

// The leader wakes its followers: with a poll far longer than the test
// (--follower-poll=1h; the follower still reads the lease, and copies,
// every 500 ms), a follower has applied writes on the leader within 300 ms
// of their acknowledgement: at least 18 of 20 (a loaded machine may delay
// one or two). Without the wake-up each would wait for the next 500 ms
// round, and about half would miss (10 of 20, tried).
TEST_F(ClusterE2eTest, TheLeaderWakesAFollowerThatWouldPollOnlyHourly) {
  TempDir first_dir, second_dir;
  std::unique_ptr<ServerProcess> first = Node(first_dir);
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  std::unique_ptr<ServerProcess> second = Node(second_dir, {"--follower-poll=1h"});
  ASSERT_TRUE(second->Start(&error)) << error;
  ASSERT_THAT(second->Log(), HasSubstr("cluster mode: following"));
  Write(*first, 3);
  auto views = v1::Views::NewStub(second->Channel());
  int missed = 0;
  for (int i = 0; i < 20; ++i) {
    v1::LeadCommandReply reply;
    ASSERT_TRUE(v1::Leads::NewStub(first->Channel())
                    ->IdentifyLead(Ctx("rep1").get(), Identify(absl::StrCat("woken-", i)), &reply)
                    .ok());
    v1::GetPipelineRequest pipeline;
    pipeline.mutable_view()->set_min_position(reply.position());
    v1::Pipeline answer;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    const grpc::Status s = views->GetPipeline(&ctx, pipeline, &answer);
    if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      ++missed;
      continue;
    }
    ASSERT_TRUE(s.ok()) << "write " << i << ": " << s.error_message();
    EXPECT_GE(answer.view().position(), reply.position());
  }
  EXPECT_LE(missed, 2) << "writes the follower had not applied 300 ms after their acknowledgement";
  EXPECT_EQ(first->Stop(), 0) << first->Log();
  EXPECT_EQ(second->Stop(), 0) << second->Log();
}

// Write forwarding over TLS: the follower verifies the leader against
// --tls-peer-ca; a follower that trusts another CA cannot deliver (the
// handshake fails), says so, and nothing is written.
TEST_F(ClusterE2eTest, AFollowerForwardsOverTlsOnlyToALeaderItsPeerCaSigned) {
  TempDir certs;
  const TestCa ca("salesops cluster CA");
  const TestCa other_ca("an unrelated CA");
  const std::string dir = certs.path();
  WriteTextFile(dir + "/ca.pem", ca.cert_pem());
  WriteTextFile(dir + "/other-ca.pem", other_ca.cert_pem());
  const CertifiedKey node = ca.IssueServer();  // localhost and 127.0.0.1: every node's
  WriteTextFile(dir + "/node.pem", node.cert_pem);
  WriteTextFile(dir + "/node.key", node.key_pem);
  const auto flags = [&](const std::string& peer_ca) {
    return std::vector<std::string>{"--lease-duration=1s", "--lease-renewal=200ms", "--tls-cert=" + dir + "/node.pem",
                                    "--tls-key=" + dir + "/node.key", "--tls-peer-ca=" + dir + "/" + peer_ca};
  };
  TempDir first_dir, second_dir, third_dir;
  std::unique_ptr<ServerProcess> first = Node(first_dir, flags("ca.pem"));
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  std::unique_ptr<ServerProcess> second = Node(second_dir, flags("ca.pem"));
  ASSERT_TRUE(second->Start(&error)) << error;
  std::unique_ptr<ServerProcess> third = Node(third_dir, flags("other-ca.pem"));
  ASSERT_TRUE(third->Start(&error)) << error;
  ASSERT_THAT(third->Log(), HasSubstr("cluster mode: following"));

  client::ChannelSecurity tls;
  tls.ca_file = dir + "/ca.pem";
  const auto channel = [&](ServerProcess& to) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> c = client::NewChannel(to.address(), tls);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? *c : nullptr;
  };
  v1::AddMemberRequest add;
  add.set_member_id("rep1");
  add.set_display_name("王芳");
  add.add_roles(v1::ROLE_SALES_REP);
  v1::TeamCommandReply added;
  grpc::Status s = v1::Team::NewStub(channel(*second))->AddMember(Ctx("root").get(), add, &added);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::LeadCommandReply reply;
  s = v1::Leads::NewStub(channel(*second))->IdentifyLead(Ctx("rep1").get(), Identify("over-tls"), &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-over-tls'"),
              QueryRows(ElementsAre("2")));

  s = v1::Leads::NewStub(channel(*third))->IdentifyLead(Ctx("rep1").get(), Identify("untrusted"), &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(ReasonOf(s).first, "LEADER_UNREACHABLE") << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("could not be reached"));
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-untrusted'"),
              QueryRows(ElementsAre("0")));
  EXPECT_EQ(first->Stop(), 0) << first->Log();
  EXPECT_EQ(second->Stop(), 0) << second->Log();
  EXPECT_EQ(third->Stop(), 0) << third->Log();
}

// Mutual TLS between the nodes: every node requires a client certificate
// signed by the cluster's CA (--tls-client-ca, required). A follower
// presents its own certificate (serverAuth and clientAuth) when it
// forwards, and the leader takes the command; a node whose certificate
// another CA signed cannot forward (its handshake is refused: nothing is
// written) though it trusts the leader.
TEST_F(ClusterE2eTest, AFollowerForwardsToALeaderRequiringClientCertificatesOnlyWithOneItsCaSigned) {
  TempDir certs;
  const TestCa ca("salesops cluster CA");
  const TestCa other_ca("an unrelated CA");
  const std::string dir = certs.path();
  WriteTextFile(dir + "/ca.pem", ca.cert_pem());
  WriteTextFile(dir + "/other-ca.pem", other_ca.cert_pem());
  const auto node_cert = [](const TestCa& by) {
    return by.Issue({.common_name = "salesops node", .dns_names = {"localhost"}, .loopback_ip = true,
                     .server = true, .also_client = true});
  };
  const CertifiedKey node = node_cert(ca);
  WriteTextFile(dir + "/node.pem", node.cert_pem);
  WriteTextFile(dir + "/node.key", node.key_pem);
  const CertifiedKey stranger = node_cert(other_ca);
  WriteTextFile(dir + "/stranger.pem", stranger.cert_pem);
  WriteTextFile(dir + "/stranger.key", stranger.key_pem);
  const CertifiedKey client_cert = ca.IssueClient("salesops test client");
  WriteTextFile(dir + "/client.pem", client_cert.cert_pem);
  WriteTextFile(dir + "/client.key", client_cert.key_pem);
  const auto flags = [&](const std::string& cert, const std::string& client_ca) {
    return std::vector<std::string>{"--lease-duration=1s",
                                    "--lease-renewal=200ms",
                                    "--tls-cert=" + dir + "/" + cert + ".pem",
                                    "--tls-key=" + dir + "/" + cert + ".key",
                                    "--tls-peer-ca=" + dir + "/ca.pem",
                                    "--tls-client-ca=" + dir + "/" + client_ca,
                                    "--tls-client-certificates=required"};
  };
  TempDir first_dir, second_dir, third_dir;
  std::unique_ptr<ServerProcess> first = Node(first_dir, flags("node", "ca.pem"));
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  std::unique_ptr<ServerProcess> second = Node(second_dir, flags("node", "ca.pem"));
  ASSERT_TRUE(second->Start(&error)) << error;
  std::unique_ptr<ServerProcess> third = Node(third_dir, flags("stranger", "ca.pem"));
  ASSERT_TRUE(third->Start(&error)) << error;
  ASSERT_THAT(third->Log(), HasSubstr("cluster mode: following"));

  const auto channel = [&](ServerProcess& to, const std::string& server_ca) {
    client::ChannelSecurity tls;
    tls.ca_file = dir + "/" + server_ca;
    tls.cert_file = dir + "/client.pem";
    tls.key_file = dir + "/client.key";
    absl::StatusOr<std::shared_ptr<grpc::Channel>> c = client::NewChannel(to.address(), tls);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? *c : nullptr;
  };
  v1::AddMemberRequest add;
  add.set_member_id("rep1");
  add.set_display_name("王芳");
  add.add_roles(v1::ROLE_SALES_REP);
  v1::TeamCommandReply added;
  grpc::Status s = v1::Team::NewStub(channel(*second, "ca.pem"))->AddMember(Ctx("root").get(), add, &added);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::LeadCommandReply reply;
  s = v1::Leads::NewStub(channel(*second, "ca.pem"))->IdentifyLead(Ctx("rep1").get(), Identify("mutual"), &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-mutual'"),
              QueryRows(ElementsAre("2")));

  s = v1::Leads::NewStub(channel(*third, "other-ca.pem"))
          ->IdentifyLead(Ctx("rep1").get(), Identify("stranger"), &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(ReasonOf(s).first, "LEADER_UNREACHABLE") << s.error_message();
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-stranger'"),
              QueryRows(ElementsAre("0")));
  EXPECT_EQ(first->Stop(), 0) << first->Log();
  EXPECT_EQ(second->Stop(), 0) << second->Log();
  EXPECT_EQ(third->Stop(), 0) << third->Log();
}

// Clients writing to a cluster as a careful client does: each command (a
// new lead with a request_id of its own) goes to the node that took the
// last write, and while it is refused UNAVAILABLE (or the call fails
// DEADLINE_EXCEEDED) it is sent again, with the same request_id, to the
// next node, until acknowledged. Records every acknowledgement.
class Burst {
 public:
  explicit Burst(std::vector<std::shared_ptr<grpc::Channel>> channels) : channels_(std::move(channels)) {}
  ~Burst() { Stop(); }

  void Start(int clients) {
    stop_ = false;
    {
      absl::MutexLock lock(&mu_);
      stopped_ = false;
    }
    for (int c = 0; c < clients; ++c) threads_.emplace_back([this, c] { Run(c); });
  }
  void Stop() {
    stop_ = true;
    {
      absl::MutexLock lock(&mu_);
      stopped_ = true;
    }
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  // A restarted node listens on a new port.
  void SetChannel(size_t node, std::shared_ptr<grpc::Channel> channel) {
    absl::MutexLock lock(&mu_);
    channels_[node] = std::move(channel);
  }
  // Acknowledged leads and their positions; commands that were refused
  // otherwise (should be none).
  std::map<std::string, uint64_t> acked() const {
    absl::MutexLock lock(&mu_);
    return acked_;
  }
  std::vector<std::string> errors() const {
    absl::MutexLock lock(&mu_);
    return errors_;
  }
  size_t acked_count() const {
    absl::MutexLock lock(&mu_);
    return acked_.size();
  }
  // The first acknowledgement at or after `t`, InfiniteFuture when none.
  absl::Time FirstAckAfter(absl::Time t) const {
    absl::MutexLock lock(&mu_);
    absl::Time first = absl::InfiniteFuture();
    for (absl::Time at : ack_times_) {
      if (at >= t) first = std::min(first, at);
    }
    return first;
  }

 private:
  void Run(int client) {
    size_t node = static_cast<size_t>(client);
    for (int n = 0; !stop_; ++n) {
      const std::string lead_id = absl::StrCat("c", client, "-", round_.load(), "-", n);
      const absl::Time give_up = absl::Now() + absl::Seconds(20);
      for (;;) {
        std::shared_ptr<grpc::Channel> channel;
        {
          absl::MutexLock lock(&mu_);
          channel = channels_[node % channels_.size()];
        }
        auto ctx = Ctx("rep1");
        ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
        v1::LeadCommandReply reply;
        const grpc::Status s =
            v1::Leads::NewStub(channel)->IdentifyLead(ctx.get(), Identify(lead_id), &reply);
        absl::MutexLock lock(&mu_);
        if (s.ok()) {
          acked_[lead_id] = reply.position();
          ack_times_.push_back(absl::Now());
          break;
        }
        if ((s.error_code() != grpc::StatusCode::UNAVAILABLE &&
             s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) ||
            absl::Now() >= give_up) {
          errors_.push_back(absl::StrCat(lead_id, ": ", s.error_code(), " ", s.error_message()));
          break;
        }
        ++node;  // try the next node
        mu_.AwaitWithTimeout(absl::Condition(&stopped_), absl::Milliseconds(10));
      }
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> round_{0};
  std::vector<std::thread> threads_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> acked_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> ack_times_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;  // wakes a client's pause between retries
};

class ClusterFailoverE2eTest : public ClusterE2eTest {
 protected:
  static std::vector<std::string> ShortLease() { return {"--lease-duration=1s", "--lease-renewal=200ms"}; }

  // A node with the short lease on each of `dirs`, started in order (the
  // first one leads), into `nodes`. Use under ASSERT_NO_FATAL_FAILURE.
  template <size_t N>
  void StartNodes(const TempDir (&dirs)[N], std::vector<std::unique_ptr<ServerProcess>>& nodes) const {
    for (const TempDir& dir : dirs) {
      nodes.push_back(Node(dir, ShortLease()));
      std::string error;
      ASSERT_TRUE(nodes.back()->Start(&error)) << error;
    }
  }

  // A leader on `first_dir` with rep1 and `leads` leads, then a follower
  // on `second_dir` (both with a short lease); nulls after a failure.
  // `first_flags` go to the first node (the leader) too.
  std::pair<std::unique_ptr<ServerProcess>, std::unique_ptr<ServerProcess>> LeaderAndFollower(
      const TempDir& first_dir, const TempDir& second_dir, int leads, std::vector<std::string> first_flags = {}) {
    std::vector<std::string> flags = ShortLease();
    flags.insert(flags.end(), first_flags.begin(), first_flags.end());
    std::unique_ptr<ServerProcess> first = Node(first_dir, flags);
    std::string error;
    if (!first->Start(&error)) {
      ADD_FAILURE() << error;
      return {};
    }
    Write(*first, leads);
    std::unique_ptr<ServerProcess> second = Node(second_dir, ShortLease());
    if (!second->Start(&error)) {
      ADD_FAILURE() << error;
      return {};
    }
    EXPECT_THAT(second->Log(), HasSubstr("cluster mode: following"));
    return {std::move(first), std::move(second)};
  }

  // Waits until `node` has applied PostgreSQL's head, then checks that its
  // digest is PostgreSQL's and that its log verifies.
  void ExpectCaughtUpAndVerified(ServerProcess& node) {
    const absl::StatusOr<std::vector<std::string>> head =
        Sql("SELECT position || '|' || encode(chain, 'hex') FROM salesops_head");
    ASSERT_THAT(head, IsOk());
    const uint64_t position = std::stoull((*head)[0].substr(0, (*head)[0].find('|')));
    EXPECT_TRUE(PollUntil(absl::Seconds(10), [&] { return Digest(node).position() >= position; }));
    v1::GetLogDigestRequest at;
    at.set_position(position);
    v1::GetLogDigestResponse digest;
    ASSERT_TRUE(v1::Audit::NewStub(node.Channel())->GetLogDigest(Ctx("root").get(), at, &digest).ok());
    EXPECT_EQ(absl::StrCat(position, "|", digest.digest()), (*head)[0]);
    v1::VerifyLogResponse verified;
    ASSERT_TRUE(v1::Audit::NewStub(node.Channel())->VerifyLog(Ctx("root").get(), {}, &verified).ok());
    EXPECT_TRUE(verified.ok()) << verified.detail();
  }

  // Every acknowledged lead was identified in PostgreSQL exactly once, its
  // command ending at the position its reply named (its stream's last
  // event, or the AccountOpened after it when the lead opened an account,
  // whose stream then bears the lead's id); the positions are 1..head
  // without a gap.
  void ExpectEveryAcknowledgedCommandOnce(const std::map<std::string, uint64_t>& acked) {
    const absl::StatusOr<std::vector<std::string>> rows =
        Sql("SELECT stream_id || '|' || count(*) FILTER (WHERE event_type = 'LeadIdentified') || '|' || "
            "max(position) FROM salesops_events GROUP BY stream_id");
    ASSERT_THAT(rows, IsOk());
    std::map<std::string, std::string> found;
    for (const std::string& row : *rows) {
      const size_t bar = row.find('|');
      found[row.substr(0, bar)] = row.substr(bar + 1);
    }
    size_t missing = 0;
    for (const auto& [lead_id, position] : acked) {
      const auto it = found.find(absl::StrCat("lead-", lead_id));
      const auto account = found.find(absl::StrCat("account-", lead_id));
      const bool ends_at_reply =
          it != found.end() && absl::StartsWith(it->second, "1|") &&
          (it->second == absl::StrCat("1|", position) ||
           (account != found.end() && account->second == absl::StrCat("0|", position)));
      if (!ends_at_reply) {
        ++missing;
        ADD_FAILURE() << "acknowledged " << lead_id << " at " << position
                      << ", in PostgreSQL: " << (it == found.end() ? "absent" : it->second);
      }
    }
    EXPECT_EQ(missing, 0u);
    EXPECT_THAT(Sql("SELECT count(*) = max(position) AND min(position) = 1 FROM salesops_events"),
                QueryRows(ElementsAre("t")));
  }
};

// Kill -9 of the leader during a burst of writes from several clients,
// five times over on a three-node cluster: every acknowledged command is
// in the log exactly once, the positions have no gap, another node serves
// writes within the lease + 2 s each time, and every node verifies its log
// and holds PostgreSQL's digest.
TEST_F(ClusterFailoverE2eTest, KillingTheLeaderDuringABurstLosesNothingAndAnotherNodeLeads) {
  constexpr int kNodes = 3, kRounds = 5;
  std::vector<std::unique_ptr<TempDir>> dirs;
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::string error;
  for (int i = 0; i < kNodes; ++i) {
    dirs.push_back(std::make_unique<TempDir>());
    nodes.push_back(Node(*dirs.back(), ShortLease()));
    ASSERT_TRUE(nodes.back()->Start(&error)) << error;
    channels.push_back(nodes.back()->Channel());
  }
  Write(*nodes[0], 0);  // rep1
  const auto leader = [&]() -> int {
    const absl::StatusOr<std::vector<std::string>> holder = Sql("SELECT holder FROM salesops_lease");
    for (int i = 0; i < kNodes && holder.ok() && !holder->empty(); ++i) {
      // The default --node-id of a node on port 0: HOSTNAME/pid-PID.
      if (absl::EndsWith((*holder)[0], absl::StrCat("/pid-", nodes[i]->pid()))) return i;
    }
    return -1;
  };
  Burst burst(channels);
  burst.Start(4);
  absl::Duration worst;
  for (int round = 0; round < kRounds; ++round) {
    const int killed = leader();
    ASSERT_GE(killed, 0);
    // Some writes acknowledged by this leader first.
    const size_t before = burst.acked_count();
    ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] { return burst.acked_count() >= before + 30; }))
        << burst.acked_count() << " acknowledged; errors: " << burst.errors().size();
    nodes[killed]->Kill();
    const absl::Time killed_at = absl::Now();
    // The first write acknowledged after the kill (a reply the dead leader
    // sent just before it is counted at most 500 ms late: no other node
    // can lead that soon, the lease lasts 1 s) comes within the lease +
    // 2 s.
    const absl::Time cutoff = killed_at + absl::Milliseconds(500);
    ASSERT_TRUE(
        PollUntil(absl::Seconds(10), [&] { return burst.FirstAckAfter(cutoff) < absl::InfiniteFuture(); }))
        << "round " << round << ": no write acknowledged after the kill; errors: " << burst.errors().size();
    const absl::Duration failover = burst.FirstAckAfter(cutoff) - killed_at;
    EXPECT_LE(failover, absl::Seconds(3)) << "round " << round;
    EXPECT_NE(leader(), killed);
    worst = std::max(worst, failover);
    // The killed node comes back, on its own data directory, and follows.
    nodes[killed] = Node(*dirs[killed], ShortLease());
    ASSERT_TRUE(nodes[killed]->Start(&error)) << "round " << round << ": " << error;
    burst.SetChannel(killed, nodes[killed]->Channel());
  }
  burst.Stop();
  std::cerr << "failover (kill -9 to the first write acknowledged after the lease), worst of " << kRounds
            << ": " << absl::FormatDuration(worst) << "; " << burst.acked_count()
            << " commands acknowledged\n";
  EXPECT_THAT(burst.errors(), ::testing::IsEmpty());
  ExpectEveryAcknowledgedCommandOnce(burst.acked());
  for (auto& node : nodes) ExpectCaughtUpAndVerified(*node);
  for (auto& node : nodes) EXPECT_EQ(node->Stop(), 0) << node->Log();
}

// A leader paused past its lease (SIGSTOP) while another node takes over
// cannot append once it runs again (SIGCONT): the write it was sent while
// paused fails UNAVAILABLE and is nowhere in PostgreSQL; the node steps
// down, follows the new leader, and its log equals the new leader's.
TEST_F(ClusterFailoverE2eTest, APausedLeaderCannotAppendAfterItsLeaseAndFollows) {
  TempDir first_dir, second_dir;
  // Without forwarding, so that the write sent to it can only be its own
  // append (forwarded, the new leader would take it).
  auto [first, second] = LeaderAndFollower(first_dir, second_dir, 5, {"--forward-writes=false"});
  ASSERT_NE(second, nullptr);
  first->Signal(SIGSTOP);
  ASSERT_TRUE(second->WaitForLog("this node leads with lease epoch 2", absl::Seconds(10))) << second->Log();
  // Sent to the paused leader: read by it only once it runs again.
  grpc::Status paused_write;
  std::thread writer([&] {
    v1::LeadCommandReply reply;
    paused_write =
        v1::Leads::NewStub(first->Channel())->IdentifyLead(Ctx("rep1").get(), Identify("paused"), &reply);
  });
  // (The new leader appends nothing meanwhile: the paused leader's batch
  // then continues PostgreSQL's head, and only the epoch can stop it.)
  first->Signal(SIGCONT);
  writer.join();
  v1::LeadCommandReply reply;
  EXPECT_EQ(paused_write.error_code(), grpc::StatusCode::UNAVAILABLE) << paused_write.error_message();
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-paused'"),
              QueryRows(ElementsAre("0")));
  EXPECT_TRUE(first->WaitForLog("cluster: stepping down to follow", absl::Seconds(10))) << first->Log();
  EXPECT_TRUE(WriteRefusedNaming(*first, "this node follows the leader", absl::Seconds(10)));
  ASSERT_TRUE(
      v1::Leads::NewStub(second->Channel())->IdentifyLead(Ctx("rep1").get(), Identify("later"), &reply).ok());
  ExpectCaughtUpAndVerified(*first);
  ExpectCaughtUpAndVerified(*second);
  EXPECT_EQ(first->Stop(), 0) << first->Log();
  EXPECT_EQ(second->Stop(), 0) << second->Log();
}

// Three nodes on one PostgreSQL, each sent commands (the followers forward
// theirs): every node holds the same log (digest at the head, VerifyLog),
// and answers the pipeline, the workload and a performance review the
// same — live after min_position, and byte for byte as of one moment.
TEST_F(ClusterFailoverE2eTest, ThreeNodesSentCommandsEachAgreeOnTheLogAndEveryView) {
  TempDir dirs[3];
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  ASSERT_NO_FATAL_FAILURE(StartNodes(dirs, nodes));
  ASSERT_THAT(nodes[1]->Log(), HasSubstr("cluster mode: following"));
  ASSERT_THAT(nodes[2]->Log(), HasSubstr("cluster mode: following"));
  Write(*nodes[1], 12);  // rep1 and twelve leads (every fourth qualified), through a follower
  uint64_t last = 0;
  for (int i = 0; i < 12; ++i) {
    ServerProcess& node = *nodes[i % 3];
    auto leads = v1::Leads::NewStub(node.Channel());
    v1::LeadCommandReply reply;
    grpc::Status s = leads->IdentifyLead(Ctx("rep1").get(), Identify(absl::StrCat("n", i % 3, "-", i)), &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (i % 2 == 0) {
      v1::QualifyLeadRequest q;
      q.set_lead_id(absl::StrCat("lead-", i));
      q.set_score(50 + i);
      q.set_need("客户管理系统");
      s = leads->QualifyLead(Ctx("rep1").get(), q, &reply);
      if (i % 4 != 0) {  // every fourth was qualified already
        ASSERT_TRUE(s.ok()) << s.error_message();
      }
    }
    if (i % 3 == 2) {
      v1::DisqualifyLeadRequest d;
      d.set_lead_id(absl::StrCat("n2-", i));
      d.set_reason("预算不足");
      s = leads->DisqualifyLead(Ctx("rep1").get(), d, &reply);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    last = std::max(last, reply.position());
  }
  const v1::GetLogDigestResponse leader = Digest(*nodes[0]);
  ASSERT_GE(leader.position(), last);
  const absl::Time moment = absl::Now();
  google::protobuf::Timestamp as_of;
  as_of.set_seconds(absl::ToUnixSeconds(moment));
  as_of.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(moment - absl::FromUnixSeconds(as_of.seconds()))));
  for (std::unique_ptr<ServerProcess>& node : nodes) {
    ASSERT_TRUE(PollUntil(absl::Seconds(10), [&] { return Digest(*node).position() >= leader.position(); }));
    EXPECT_EQ(Digest(*node).digest(), leader.digest());
    v1::VerifyLogResponse verified;
    const grpc::Status s = v1::Audit::NewStub(node->Channel())->VerifyLog(Ctx("root").get(), {}, &verified);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(verified.ok()) << verified.DebugString();
  }
  // Every answer of every node, live after min_position and as of `moment`.
  const auto answers = [&](ServerProcess& node) {
    auto views = v1::Views::NewStub(node.Channel());
    std::vector<std::string> out;
    for (const bool fixed : {false, true}) {
      v1::ViewOptions view;
      view.set_min_position(leader.position());
      if (fixed) *view.mutable_as_of_time() = as_of;
      v1::GetPipelineRequest pipeline;
      *pipeline.mutable_view() = view;
      v1::Pipeline p;
      EXPECT_TRUE(views->GetPipeline(Ctx("root").get(), pipeline, &p).ok());
      v1::GetWorkloadRequest workload;
      *workload.mutable_view() = view;
      v1::Workload w;
      EXPECT_TRUE(views->GetWorkload(Ctx("root").get(), workload, &w).ok());
      v1::GetPerformanceReviewRequest review;
      *review.mutable_view() = view;
      review.set_member_id("rep1");
      review.set_period(absl::FormatTime("%Y-%m", moment, absl::UTCTimeZone()));
      v1::PerformanceReview r;
      const grpc::Status s = views->GetPerformanceReview(Ctx("root").get(), review, &r);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!fixed) {  // live: the moment each is measured to differs
        p.clear_view();
        p.mutable_win_rate()->clear_from();
        p.mutable_win_rate()->clear_to();
        for (v1::StageSummary& stage : *p.mutable_stages()) {
          stage.clear_average_time_in_stage();
          stage.clear_max_time_in_stage();
        }
        w.clear_view();
        for (v1::MemberWorkload& m : *w.mutable_members()) m.clear_oldest_item_age();
        r.clear_view();
      }
      EXPECT_GT(p.stages_size(), 0);
      out.push_back(p.SerializeAsString());
      out.push_back(w.SerializeAsString());
      out.push_back(r.SerializeAsString());
    }
    return out;
  };
  const std::vector<std::string> expected = answers(*nodes[0]);
  for (size_t i = 1; i < nodes.size(); ++i) {
    const std::vector<std::string> got = answers(*nodes[i]);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t k = 0; k < got.size(); ++k) EXPECT_TRUE(got[k] == expected[k]) << "node " << i << ", answer " << k;
  }
  for (std::unique_ptr<ServerProcess>& node : nodes) EXPECT_EQ(node->Stop(), 0) << node->Log();
}

// PostgreSQL's primary killed during a burst of writes from several
// clients, its synchronous standby promoted: the nodes, whose --log names
// both hosts with target_session_attrs=read-write, reconnect to the
// promoted standby and go on; the leader resolves the batch its lost
// connection left unknown by reading it back. No acknowledged command is
// lost or doubled, the positions have no gap, and every node verifies its
// log and holds the promoted standby's digest.
TEST_F(ClusterFailoverE2eTest, APostgresPrimaryKilledDuringABurstLosesNothingOnceItsStandbyIsPromoted) {
  PostgresCluster standby;
  // (A standby notices the promotion between its retries to reach the
  // primary: 5 s by default.)
  ASSERT_THAT(standby.StartStandby(pg_, "salesops_standby", {"wal_retrieve_retry_interval=100ms"}), IsOk());
  ASSERT_THAT(pg_.Query("ALTER SYSTEM SET synchronous_standby_names = 'salesops_standby'"), IsOk());
  ASSERT_THAT(pg_.Query("SELECT pg_reload_conf()"), IsOk());
  ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] {
    const absl::StatusOr<std::vector<std::string>> state =
        pg_.Query("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'salesops_standby'");
    return state.ok() && state->size() == 1 && (*state)[0] == "sync";
  })) << standby.Log();
  const std::vector<std::string> flags = {
      absl::StrCat("--log=host=", pg_.dir(), ",", standby.dir(), " port=", pg_.port(), ",", standby.port(),
                   " user=postgres dbname=salesops target_session_attrs=read-write connect_timeout=2"),
      "--lease-duration=3s", "--lease-renewal=500ms"};
  std::vector<std::unique_ptr<TempDir>> dirs;
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::string error;
  for (int i = 0; i < 3; ++i) {
    dirs.push_back(std::make_unique<TempDir>());
    nodes.push_back(std::make_unique<ServerProcess>(dirs.back()->path(), flags));
    ASSERT_TRUE(nodes.back()->Start(&error)) << error;
    channels.push_back(nodes.back()->Channel());
  }
  ASSERT_THAT(nodes[0]->Log(), HasSubstr("cluster mode: leading"));
  Write(*nodes[0], 0);  // rep1
  Burst burst(channels);
  burst.Start(4);
  ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] { return burst.acked_count() >= 100; })) << burst.acked_count();
  pg_.Kill();
  const absl::Time killed_at = absl::Now();
  ASSERT_THAT(standby.Promote(), IsOk());
  const absl::Time promoted_at = absl::Now();
  record_ = &standby;
  ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] { return burst.FirstAckAfter(promoted_at) < absl::InfiniteFuture(); }))
      << "no write acknowledged after the promotion; errors: " << burst.errors().size();
  const size_t after = burst.acked_count();
  ASSERT_TRUE(PollUntil(absl::Seconds(20), [&] { return burst.acked_count() >= after + 100; }));
  burst.Stop();
  std::cerr << "primary killed, standby promoted in " << absl::FormatDuration(promoted_at - killed_at)
            << ", first write acknowledged " << absl::FormatDuration(burst.FirstAckAfter(promoted_at) - promoted_at)
            << " after; " << burst.acked_count() << " commands acknowledged\n";
  EXPECT_THAT(burst.errors(), ::testing::IsEmpty());
  // The leader lost its connection with a batch to write and read it back.
  EXPECT_THAT(nodes[0]->Log(), HasSubstr("storage: reconnected: positions "));
  for (absl::string_view line : absl::StrSplit(nodes[0]->Log(), '\n')) {
    if (absl::StrContains(line, "storage: reconnected")) std::cerr << line << "\n";
  }
  ExpectEveryAcknowledgedCommandOnce(burst.acked());
  for (auto& node : nodes) ExpectCaughtUpAndVerified(*node);
  for (auto& node : nodes) EXPECT_EQ(node->Stop(), 0) << node->Log();
}

// Every node serves the same subscription: a live one opened on each node
// before the writes (sent to every node) and a catch-up one opened after
// them deliver the same envelopes, byte for byte, in the same order, up to
// the head.
TEST_F(ClusterFailoverE2eTest, EveryNodeStreamsTheSameSubscription) {
  TempDir dirs[3];
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  ASSERT_NO_FATAL_FAILURE(StartNodes(dirs, nodes));
  struct Stream {
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<v1::Audit::Stub> stub;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader;
  };
  const auto subscribe = [](ServerProcess& node) {
    Stream s;
    s.context = Ctx("root");
    s.context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    s.stub = v1::Audit::NewStub(node.Channel());
    v1::SubscribeRequest request;
    request.set_from_position(1);
    s.reader = s.stub->Subscribe(s.context.get(), request);
    return s;
  };
  // Reads `s` until it delivered position `head`: every envelope, serialized.
  const auto read_to = [](Stream& s, uint64_t head) {
    std::vector<std::string> out;
    v1::SubscribeResponse message;
    uint64_t reached = 0;
    while (reached < head && s.reader->Read(&message)) {
      if (message.has_event()) {
        reached = message.event().position();
        out.push_back(message.event().SerializeAsString());
      }
    }
    s.context->TryCancel();
    return out;
  };
  std::vector<Stream> live;
  for (auto& node : nodes) live.push_back(subscribe(*node));
  Write(*nodes[2], 6);  // rep1 and six leads through a follower
  for (int i = 0; i < 6; ++i) {
    v1::LeadCommandReply reply;
    const grpc::Status s = v1::Leads::NewStub(nodes[i % 3]->Channel())
                               ->IdentifyLead(Ctx("rep1").get(), Identify(absl::StrCat("sub-", i)), &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const uint64_t head = Digest(*nodes[0]).position();
  std::vector<std::vector<std::string>> delivered;
  for (Stream& s : live) delivered.push_back(read_to(s, head));
  for (auto& node : nodes) {
    Stream catch_up = subscribe(*node);
    delivered.push_back(read_to(catch_up, head));
  }
  ASSERT_EQ(delivered[0].size(), head);
  for (size_t i = 1; i < delivered.size(); ++i) {
    EXPECT_TRUE(delivered[i] == delivered[0]) << "subscription " << i << " delivered " << delivered[i].size()
                                              << " envelopes, not the leader's " << delivered[0].size();
  }
  for (auto& node : nodes) EXPECT_EQ(node->Stop(), 0) << node->Log();
}

// A follower stopped while the leader takes 100 000 events (50 000
// commands from 32 clients) catches up when it starts again, and its
// views equal the leader's.
TEST_F(ClusterFailoverE2eTest, AFollowerRestartedAfterMissingManyEventsCatchesUp) {
  TempDir first_dir, second_dir;
  auto [first, second] = LeaderAndFollower(first_dir, second_dir, 3);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->Stop(), 0) << second->Log();

  Burst burst({first->Channel()});
  burst.Start(32);
  const absl::Time burst_start = absl::Now();
  ASSERT_TRUE(PollUntil(absl::Seconds(240), [&] { return burst.acked_count() >= 50'000; }))
      << burst.acked_count();
  std::cerr << burst.acked_count() << " commands in " << absl::FormatDuration(absl::Now() - burst_start)
            << "\n";
  burst.Stop();
  EXPECT_THAT(burst.errors(), ::testing::IsEmpty());
  const v1::GetLogDigestResponse head = Digest(*first);
  ASSERT_GE(head.position(), 100'000u);  // each command: the lead and its account

  std::string error;
  second = Node(second_dir, ShortLease());
  const absl::Time restart = absl::Now();
  ASSERT_TRUE(second->Start(&error)) << error;
  EXPECT_THAT(second->Log(), HasSubstr("cluster mode: following"));
  ExpectCaughtUpAndVerified(*second);
  std::cerr << "the follower started and caught up with " << head.position() << " events in "
            << absl::FormatDuration(absl::Now() - restart) << "\n";
  v1::GetPipelineRequest pipeline;
  pipeline.mutable_view()->set_min_position(head.position());
  v1::Pipeline on_follower, on_leader;
  ASSERT_TRUE(
      v1::Views::NewStub(second->Channel())->GetPipeline(Ctx("root").get(), pipeline, &on_follower).ok());
  ASSERT_TRUE(
      v1::Views::NewStub(first->Channel())->GetPipeline(Ctx("root").get(), pipeline, &on_leader).ok());
  ExpectSamePipeline(on_follower, on_leader);
  EXPECT_GE(on_follower.stages(0).open_leads(), 50'000u);
  v1::GetWorkloadRequest workload;
  workload.mutable_view()->set_min_position(head.position());
  v1::Workload follower_load, leader_load;
  ASSERT_TRUE(
      v1::Views::NewStub(second->Channel())->GetWorkload(Ctx("root").get(), workload, &follower_load).ok());
  ASSERT_TRUE(
      v1::Views::NewStub(first->Channel())->GetWorkload(Ctx("root").get(), workload, &leader_load).ok());
  for (v1::Workload* w : {&follower_load, &leader_load}) {
    w->clear_view();
    for (v1::MemberWorkload& m : *w->mutable_members())
      m.clear_oldest_item_age();  // measured to each call's now
  }
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(follower_load, leader_load))
      << follower_load.ShortDebugString() << " vs " << leader_load.ShortDebugString();
  EXPECT_EQ(second->Stop(), 0) << second->Log();
  EXPECT_EQ(first->Stop(), 0) << first->Log();
}

TEST(ClusterFlagsE2eTest, BadClusterFlagsAreRefusedNamingTheFlag) {
  TempDir dir;
  ServerProcess bad_log(dir.path(), {"--log=nonsense"});
  std::string error;
  EXPECT_FALSE(bad_log.Start(&error));
  EXPECT_THAT(error, HasSubstr("--log must be a libpq connection string or URI"));
  ServerProcess bad_lease(dir.path(), {"--log=postgresql://u@127.0.0.1:1/db", "--lease-duration=1s",
                                       "--lease-renewal=2s"});
  EXPECT_FALSE(bad_lease.Start(&error));
  EXPECT_THAT(error, HasSubstr("--lease-renewal must be shorter than --lease-duration"));
}

}  // namespace
}  // namespace salesops
