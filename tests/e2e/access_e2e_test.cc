// The access matrix over real gRPC: every role-restricted read (the table in
// server/domain/read_policy.cc) called by every kind of member.
#include <chrono>
#include <functional>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

TEST(AccessE2eTest, EveryRestrictedReadByEveryKindOfMember) {
  TempDir dir;
  ServerProcess server(dir.path());
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto channel = server.Channel();
  auto team = v1::Team::NewStub(channel);
  auto leads = v1::Leads::NewStub(channel);
  auto audit = v1::Audit::NewStub(channel);
  auto admin = v1::Admin::NewStub(channel);

  // root: ADMIN only (bootstrapped). mgr: SALES_MANAGER. aud1: AUDITOR (a
  // service account). rep1 owns the lead, bd1 is assigned it, rep2 and bd2
  // are bystanders.
  for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{{"mgr", v1::ROLE_SALES_MANAGER},
                                                                             {"aud1", v1::ROLE_AUDITOR},
                                                                             {"rep1", v1::ROLE_SALES_REP},
                                                                             {"rep2", v1::ROLE_SALES_REP},
                                                                             {"bd1", v1::ROLE_BD_MANAGER}}) {
    v1::AddMemberRequest add;
    add.set_member_id(id);
    add.set_display_name(id);
    add.add_roles(role);
    v1::TeamCommandReply r;
    ASSERT_TRUE(team->AddMember(Ctx("root").get(), add, &r).ok()) << id;
  }
  v1::IdentifyLeadRequest identify;
  identify.set_lead_id("sz-1");
  identify.set_company("深圳某某电子有限公司");
  identify.mutable_contact()->set_name("林芳");
  identify.set_source(v1::LEAD_SOURCE_INBOUND);
  v1::LeadCommandReply identified;
  ASSERT_TRUE(leads->IdentifyLead(Ctx("rep1").get(), identify, &identified).ok());
  // bd1 is the only BD_MANAGER, so the new lead awaits it.
  v1::GetLeadRequest get;
  get.set_lead_id("sz-1");
  v1::Lead lead;
  ASSERT_TRUE(leads->GetLead(Ctx("rep1").get(), get, &lead).ok());
  ASSERT_EQ(lead.owner(), "rep1");
  ASSERT_EQ(lead.assignee(), "bd1");

  using Call = std::function<grpc::Status(const std::string&)>;
  const std::vector<std::pair<std::string, Call>> calls = {
      {"Audit.ReadLog",
       [&](const std::string& m) {
         v1::ReadLogResponse r;
         return audit->ReadLog(Ctx(m).get(), v1::ReadLogRequest(), &r);
       }},
      {"Audit.VerifyLog",
       [&](const std::string& m) {
         v1::VerifyLogResponse r;
         return audit->VerifyLog(Ctx(m).get(), v1::VerifyLogRequest(), &r);
       }},
      {"Audit.GetLogDigest",
       [&](const std::string& m) {
         v1::GetLogDigestResponse r;
         return audit->GetLogDigest(Ctx(m).get(), v1::GetLogDigestRequest(), &r);
       }},
      {"Audit.GetLeadHistory",
       [&](const std::string& m) {
         v1::GetLeadHistoryRequest q;
         q.set_lead_id("sz-1");
         v1::GetLeadHistoryResponse r;
         return audit->GetLeadHistory(Ctx(m).get(), q, &r);
       }},
      {"Admin.Ping",
       [&](const std::string& m) {
         v1::PingResponse r;
         return admin->Ping(Ctx(m).get(), v1::PingRequest(), &r);
       }},
  };
  const std::vector<std::string> members = {"root", "mgr", "aud1", "rep1", "bd1", "rep2"};
  // Who may: the audit trail for ADMIN, SALES_MANAGER, AUDITOR; a lead's
  // history also for its owner and assignee; Admin.* for ADMIN.
  const std::map<std::string, std::set<std::string>> allowed = {
      {"Audit.ReadLog", {"root", "mgr", "aud1"}},
      {"Audit.VerifyLog", {"root", "mgr", "aud1"}},
      {"Audit.GetLogDigest", {"root", "mgr", "aud1"}},
      {"Audit.GetLeadHistory", {"root", "mgr", "aud1", "rep1", "bd1"}},
      {"Admin.Ping", {"root"}},
  };
  for (const auto& [rpc, call] : calls) {
    for (const std::string& member : members) {
      SCOPED_TRACE(absl::StrCat(rpc, " by ", member));
      const grpc::Status status = call(member);
      if (allowed.at(rpc).contains(member)) {
        EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
        EXPECT_THAT(status.error_message(), ::testing::HasSubstr(rpc));
      }
    }
  }
  // A member not in the team is refused before any rule (as1 has a token).
  v1::ReadLogResponse page;
  EXPECT_EQ(audit->ReadLog(Ctx("as1").get(), v1::ReadLogRequest(), &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace salesops
