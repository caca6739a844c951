// The tamper-evident log end to end: digests and verification over gRPC, and
// a server started on a log changed behind its back.
#include <chrono>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"
#include "tests/store/tamper.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;
using ::testing::HasSubstr;

class AuditE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Start();
    auto team = v1::Team::NewStub(channel_);
    for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
             {"rep1", v1::ROLE_SALES_REP}, {"bd1", v1::ROLE_BD_MANAGER}, {"mgr", v1::ROLE_AUDITOR}}) {
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(id);
      add.add_roles(role);
      v1::TeamCommandReply r;
      ASSERT_TRUE(team->AddMember(Ctx("root").get(), add, &r).ok()) << id;
    }
  }

  void Start() {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    channel_ = server_->Channel();
    audit_ = v1::Audit::NewStub(channel_);
    leads_ = v1::Leads::NewStub(channel_);
  }

  void Stop() {
    audit_.reset();
    leads_.reset();
    channel_.reset();
    ASSERT_EQ(server_->Stop(), 0);
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  grpc::Status Identify(const std::string& id, v1::LeadCommandReply* reply) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(id);
    r.set_company("南京某某软件有限公司");
    r.mutable_contact()->set_name("徐静");
    r.set_source(v1::LEAD_SOURCE_OTHER);
    return leads_->IdentifyLead(Ctx("rep1").get(), r, reply);
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::Leads::Stub> leads_;
};

TEST_F(AuditE2eTest, DigestsStayAndVerifyOverGrpc) {
  v1::LeadCommandReply reply;
  ASSERT_TRUE(Identify("nj-1", &reply).ok());
  v1::GetLogDigestRequest at;
  at.set_position(reply.position());
  v1::GetLogDigestResponse recorded;
  ASSERT_TRUE(audit_->GetLogDigest(Ctx("mgr").get(), at, &recorded).ok());
  EXPECT_EQ(recorded.digest().size(), 64u);
  // More events later do not change an earlier digest.
  for (int i = 2; i < 6; ++i) ASSERT_TRUE(Identify(absl::StrCat("nj-", i), &reply).ok());
  v1::GetLogDigestResponse again;
  ASSERT_TRUE(audit_->GetLogDigest(Ctx("root").get(), at, &again).ok());
  EXPECT_EQ(again.digest(), recorded.digest());
  v1::VerifyLogResponse verified;
  ASSERT_TRUE(audit_->VerifyLog(Ctx("mgr").get(), v1::VerifyLogRequest(), &verified).ok());
  EXPECT_TRUE(verified.ok());
  EXPECT_EQ(verified.to_position(), reply.position());
  v1::GetLogDigestResponse head;
  ASSERT_TRUE(audit_->GetLogDigest(Ctx("mgr").get(), v1::GetLogDigestRequest(), &head).ok());
  EXPECT_EQ(verified.digest(), head.digest());
  // Reps may not.
  EXPECT_EQ(audit_->VerifyLog(Ctx("rep1").get(), v1::VerifyLogRequest(), &verified).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuditE2eTest, AChangedLogIsNamedAndRefusesWrites) {
  v1::LeadCommandReply reply;
  ASSERT_TRUE(Identify("nj-1", &reply).ok());
  const uint64_t changed = reply.position() - 2;  // the LeadIdentified (then the hand-off and the new AccountOpened)
  ASSERT_TRUE(Identify("nj-2", &reply).ok());
  Stop();
  ASSERT_TRUE(salesops::testing::FlipEventByte(dir_.path() + "/db", changed, 10).ok());
  Start();
  EXPECT_THAT(server_->Log(), HasSubstr(absl::StrCat("hash chain breaks at position ", changed)));
  v1::VerifyLogResponse verified;
  ASSERT_TRUE(audit_->VerifyLog(Ctx("mgr").get(), v1::VerifyLogRequest(), &verified).ok());
  EXPECT_FALSE(verified.ok());
  EXPECT_EQ(verified.first_broken_position(), changed);
  // Reads still work; writes are refused, naming the break.
  v1::GetLeadRequest get;
  get.set_lead_id("nj-2");
  v1::Lead lead;
  EXPECT_TRUE(leads_->GetLead(Ctx("rep1").get(), get, &lead).ok());
  const grpc::Status refused = Identify("nj-3", &reply);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr(absl::StrCat("breaks at position ", changed)));
}

}  // namespace
}  // namespace salesops
