// Cluster mode end to end (docs/CLUSTER.md): the real salesopsd with
// --log on a private PostgreSQL the test starts. Every acknowledged event
// comes back from PostgreSQL on a node with a fresh data directory; a node
// deposed behind its back cannot append; one node leads at a time.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "tests/common/postgres_cluster.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::kRootToken;
using ::salesops::testing::PostgresCluster;
using ::salesops::testing::QueryRows;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
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
  absl::StatusOr<std::vector<std::string>> Sql(absl::string_view sql) const { return pg_.Query(sql, "salesops"); }

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
// renewal is too slow to notice first); the node's next append fails,
// writes nothing, and the node stops (exit status 3).
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
  EXPECT_EQ(node->Stop(), 3) << node->Log();
}

// A node whose renewal finds another holder steps down by itself.
TEST_F(ClusterE2eTest, ANodeThatLosesItsLeaseStops) {
  TempDir dir;
  std::unique_ptr<ServerProcess> node = Node(dir, {"--lease-duration=2s", "--lease-renewal=200ms"});
  std::string error;
  ASSERT_TRUE(node->Start(&error)) << error;
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = epoch + 1, holder = 'another-node'"), IsOk());
  EXPECT_TRUE(node->WaitForLog("was taken over by another node", absl::Seconds(10))) << node->Log();
  EXPECT_TRUE(node->WaitForLog("stopping after a failed write to the event log or a lost lease", absl::Seconds(10)))
      << node->Log();
  EXPECT_EQ(node->Stop(), 3) << node->Log();
}

// One leader at a time: a second node follows while the first leads — it
// copies every event, serves reads after min_position with the same
// digest, and refuses writes naming the leader. Once the leader is killed
// and its lease expired, the follower stops, and restarted it leads with
// every acknowledged event.
TEST_F(ClusterE2eTest, ASecondNodeFollowsAndTakesOverOnlyAfterTheLeaseExpires) {
  TempDir first_dir, second_dir;
  const std::vector<std::string> lease = {"--lease-duration=1s", "--lease-renewal=200ms"};
  std::unique_ptr<ServerProcess> first = Node(first_dir, lease);
  std::string error;
  ASSERT_TRUE(first->Start(&error)) << error;
  Write(*first, 10);

  std::unique_ptr<ServerProcess> second = Node(second_dir, lease);
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
  // The same pipeline, but for what is measured to each call's now.
  for (v1::Pipeline* p : {&on_follower, &on_leader}) {
    p->clear_view();
    p->mutable_win_rate()->clear_from();
    p->mutable_win_rate()->clear_to();
    for (v1::StageSummary& stage : *p->mutable_stages()) {
      stage.clear_average_time_in_stage();
      stage.clear_max_time_in_stage();
    }
  }
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(on_follower, on_leader))
      << on_follower.DebugString() << " vs " << on_leader.DebugString();
  EXPECT_EQ(on_follower.stages(0).open_leads(), 12u);  // 15 identified, 3 of them qualified
  const v1::GetLogDigestResponse followed = Digest(*second);
  EXPECT_EQ(followed.position(), before.position());
  EXPECT_EQ(followed.digest(), before.digest());
  v1::GetLeadRequest get;
  get.set_lead_id("later-4");
  v1::Lead lead;
  EXPECT_TRUE(v1::Leads::NewStub(second->Channel())->GetLead(Ctx("rep1").get(), get, &lead).ok());
  v1::LeadCommandReply refused;
  const grpc::Status write = v1::Leads::NewStub(second->Channel())
                                 ->IdentifyLead(Ctx("rep1").get(), Identify("to-the-follower"), &refused);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(write.error_message(), HasSubstr("this node follows the leader"));

  first->Kill();  // no release: the lease must expire
  EXPECT_TRUE(second->WaitForLog("this follower stops so that, restarted, it takes the lease", absl::Seconds(10)))
      << second->Log();
  EXPECT_EQ(second->Stop(), 3);
  std::unique_ptr<ServerProcess> third = Node(second_dir, lease);
  ASSERT_TRUE(third->Start(&error)) << error;
  EXPECT_THAT(third->Log(), HasSubstr("leading with lease epoch 2"));
  const v1::GetLogDigestResponse after = Digest(*third);
  EXPECT_EQ(after.position(), before.position());
  EXPECT_EQ(after.digest(), before.digest());
  v1::LeadCommandReply next;
  ASSERT_TRUE(v1::Leads::NewStub(third->Channel())->IdentifyLead(Ctx("rep1").get(), Identify("after-failover"), &next)
                  .ok());
  EXPECT_GT(next.position(), before.position());
  EXPECT_EQ(third->Stop(), 0) << third->Log();
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
