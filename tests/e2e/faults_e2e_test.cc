// salesopsd under faults, end to end: a full disk (a real tmpfs this test
// mounts; root is needed, as in CI) refuses writes with RESOURCE_EXHAUSTED
// while reads and health go on, health reports it per service, and writes
// resume by themselves when space returns.

#include <chrono>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "tests/common/small_disk.h"
#include "tests/common/testing.h"
#include "tests/e2e/raw_call.h"
#include "tests/e2e/server_process.h"
#include "tests/store/tamper.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::SmallDisk;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kReserve = 8 * kMiB;


std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

// grpc.health.v1.Health/Check for `service`: the status byte (1 SERVING,
// 2 NOT_SERVING), or -1 with the call's error.
int HealthOf(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  std::string request;
  if (!service.empty()) request = absl::StrCat(std::string(1, '\x0a'), std::string(1, static_cast<char>(service.size())), service);
  const testing::RawReplies replies = testing::CallRaw(channel, ctx, "/grpc.health.v1.Health/Check", request);
  if (!replies.status.ok() || replies.messages.size() != 1 || replies.messages[0].size() != 2) return -1;
  return replies.messages[0][1];
}

class FaultsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.ok()) GTEST_SKIP() << disk_.error();
    mnt_ = disk_.path();
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Kill();
    server_.reset();
  }

  // Leaves about `left` bytes free on the tmpfs.
  void FillTo(uint64_t left) { ASSERT_TRUE(disk_.FillTo(left)) << "free: " << disk_.Free(); }

  grpc::Status Identify(const std::string& id, v1::LeadCommandReply* reply) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(id);
    r.set_company("深圳前海微众银行股份有限公司");
    r.mutable_contact()->set_name("陈静");
    r.set_source(v1::LEAD_SOURCE_INBOUND);
    return v1::Leads::NewStub(channel_)->IdentifyLead(Ctx().get(), r, reply);
  }

  TempDir dir_;
  SmallDisk disk_{dir_.path(), 64};
  std::string mnt_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(FaultsE2eTest, AFullDiskRefusesWritesKeepsReadsAndHealthAndResumesWhenSpaceReturns) {
  server_ = std::make_unique<ServerProcess>(mnt_, std::vector<std::string>{absl::StrCat("--min-free-bytes=", kReserve),
                                                                           "--scrub-interval=0"});
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  channel_ = server_->Channel();
  v1::SetMemberRolesRequest roles;
  roles.set_member_id("root");
  roles.add_roles(v1::ROLE_ADMIN);
  roles.add_roles(v1::ROLE_SALES_REP);
  v1::TeamCommandReply team_reply;
  ASSERT_TRUE(v1::Team::NewStub(channel_)->SetMemberRoles(Ctx().get(), roles, &team_reply).ok());
  v1::LeadCommandReply reply;
  ASSERT_TRUE(Identify("sz-1", &reply).ok());
  ASSERT_EQ(HealthOf(channel_, "salesops.writes"), 1);

  // Given something else took the disk below the reserve (the server reads
  // the free space at most every 100 ms: the health says when it has),
  FillTo(kReserve - kMiB);
  ASSERT_TRUE(server_->WaitForLog("health: salesops.writes NOT_SERVING", absl::Seconds(10))) << server_->Log();
  // The write services follow; the read services serve on.
  EXPECT_EQ(HealthOf(channel_, "salesops.v1.Leads"), 2);
  EXPECT_EQ(HealthOf(channel_, "salesops.v1.Team"), 2);
  EXPECT_EQ(HealthOf(channel_, "salesops.v1.Views"), 1);
  EXPECT_EQ(HealthOf(channel_, "salesops.v1.Audit"), 1);
  // a write is refused, naming the free space and the reserve, and nothing is written;
  const grpc::Status refused = Identify("sz-2", &reply);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_THAT(refused.error_message(), HasSubstr(absl::StrCat("below the reserve of ", kReserve, " bytes")));
  // reads go on, and the server-wide health stays SERVING, while the
  // writes' health turns NOT_SERVING.
  v1::Pipeline pipeline;
  ASSERT_TRUE(v1::Views::NewStub(channel_)->GetPipeline(Ctx().get(), v1::GetPipelineRequest(), &pipeline).ok());
  EXPECT_EQ(pipeline.stages(0).open_leads(), 1u);
  EXPECT_EQ(HealthOf(channel_, "salesops.writes"), 2);
  EXPECT_EQ(HealthOf(channel_, ""), 1);

  // When space returns, writes resume by themselves: no restart.
  disk_.Unfill();
  ASSERT_TRUE(server_->WaitForLog("health: salesops.writes SERVING", absl::Seconds(10))) << server_->Log();
  EXPECT_EQ(HealthOf(channel_, "salesops.v1.Leads"), 1);
  ASSERT_TRUE(Identify("sz-2", &reply).ok());
  EXPECT_EQ(HealthOf(channel_, "salesops.writes"), 1);
  EXPECT_EQ(server_->Stop(), 0) << server_->Log();
  server_.reset();
}

// A restart on a nearly full disk opens the log read-only instead of
// aborting: reads are served, writes refused.
TEST_F(FaultsE2eTest, ARestartOnANearlyFullDiskServesReadsOnly) {
  server_ = std::make_unique<ServerProcess>(mnt_, std::vector<std::string>{absl::StrCat("--min-free-bytes=", kReserve)});
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  channel_ = server_->Channel();
  ASSERT_EQ(server_->Stop(), 0);
  FillTo(kReserve - kMiB);
  server_ = std::make_unique<ServerProcess>(mnt_, std::vector<std::string>{absl::StrCat("--min-free-bytes=", kReserve)});
  ASSERT_TRUE(server_->Start(&error)) << error;
  channel_ = server_->Channel();
  v1::Pipeline pipeline;
  ASSERT_TRUE(v1::Views::NewStub(channel_)->GetPipeline(Ctx().get(), v1::GetPipelineRequest(), &pipeline).ok());
  v1::AddMemberRequest add;
  add.set_member_id("wang");
  add.set_display_name("王芳");
  add.add_roles(v1::ROLE_SALES_REP);
  v1::TeamCommandReply team_reply;
  const grpc::Status refused = v1::Team::NewStub(channel_)->AddMember(Ctx().get(), add, &team_reply);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_THAT(refused.error_message(), HasSubstr("opened read-only because the disk was nearly full"));
  ASSERT_TRUE(server_->WaitForLog("health: salesops.writes NOT_SERVING", absl::Seconds(10))) << server_->Log();
  EXPECT_EQ(server_->Stop(), 0) << server_->Log();
  server_.reset();
}

// The background scrub finds an event changed outside salesopsd and reports
// it through health ("salesops.integrity") and the log, naming the
// position; reads are still served.
TEST(ScrubE2eTest, AChangedEventTurnsIntegrityNotServingAndIsLogged) {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(dir.path());
  std::string error;
  ASSERT_TRUE(server->Start(&error)) << error;
  auto team = v1::Team::NewStub(server->Channel());
  for (const char* id : {"wang", "li", "zhao"}) {
    v1::AddMemberRequest add;
    add.set_member_id(id);
    add.set_display_name("销售");
    add.add_roles(v1::ROLE_SALES_REP);
    v1::TeamCommandReply reply;
    ASSERT_TRUE(team->AddMember(Ctx().get(), add, &reply).ok());
  }
  ASSERT_EQ(server->Stop(), 0);
  ASSERT_TRUE(testing::FlipEventByte(dir.path() + "/db", 2, 5).ok());

  server = std::make_unique<ServerProcess>(dir.path(), std::vector<std::string>{"--scrub-interval=1h"});
  ASSERT_TRUE(server->Start(&error)) << error;
  ASSERT_TRUE(server->WaitForLog("health: salesops.integrity NOT_SERVING: the scrub found damage at position 2",
                                 absl::Seconds(20)))
      << server->Log();
  EXPECT_EQ(HealthOf(server->Channel(), "salesops.integrity"), 2);
  EXPECT_EQ(HealthOf(server->Channel(), ""), 1);  // reads are served
  v1::ListMembersRequest list;
  v1::ListMembersResponse members;
  EXPECT_TRUE(v1::Team::NewStub(server->Channel())->ListMembers(Ctx().get(), list, &members).ok());
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace salesops
