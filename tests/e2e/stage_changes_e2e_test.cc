// Audit.ListStageChanges over real gRPC: filters, paging, a manager's
// override and its reason, the hand-off each change recorded, and who may
// ask.
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

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;
using ::testing::HasSubstr;

constexpr char kReason[] = "客户要求月底签约，rep1 出差";

class StageChangesE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    auto channel = server_->Channel();
    audit_ = v1::Audit::NewStub(channel);
    leads_ = v1::Leads::NewStub(channel);
    auto team = v1::Team::NewStub(channel);
    for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
             {"rep1", v1::ROLE_SALES_REP},
             {"rep2", v1::ROLE_SALES_REP},
             {"bd1", v1::ROLE_BD_MANAGER},
             {"mgr", v1::ROLE_SALES_MANAGER},
             {"sup1", v1::ROLE_SALES_SUPPORT},
             {"aud1", v1::ROLE_AUDITOR}}) {
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(id);
      add.add_roles(role);
      v1::TeamCommandReply r;
      ASSERT_TRUE(team->AddMember(Ctx("root").get(), add, &r).ok()) << id;
    }
    // wx-1: to WON, the win by the manager as a recorded override.
    Qualified("wx-1");
    v1::LeadCommandReply reply;
    v1::RecordNeedsRequest n;
    n.set_lead_id("wx-1");
    n.set_requirements("两百个席位");
    Must(leads_->RecordNeeds(Ctx("bd1").get(), n, &reply));
    v1::ProposeSolutionRequest p;
    p.set_lead_id("wx-1");
    p.set_summary("专业版");
    p.mutable_value()->set_amount_minor(9'000'000);
    p.mutable_value()->set_currency("CNY");
    Must(leads_->ProposeSolution(Ctx("rep1").get(), p, &reply));
    v1::SendQuoteRequest s;
    s.set_lead_id("wx-1");
    s.set_quote_id("Q-1");
    s.mutable_amount()->set_amount_minor(8'800'000);
    s.mutable_amount()->set_currency("CNY");
    s.set_valid_until("2026-12-31");
    Must(leads_->SendQuote(Ctx("rep1").get(), s, &reply));
    s.set_quote_id("Q-2");  // a revision: QUOTED -> QUOTED is no stage change
    Must(leads_->SendQuote(Ctx("rep1").get(), s, &reply));
    v1::WinDealRequest w;
    w.set_lead_id("wx-1");
    w.mutable_final_amount()->set_amount_minor(8'500'000);
    w.mutable_final_amount()->set_currency("CNY");
    w.set_signed_date("2026-11-27");
    w.mutable_options()->set_override_reason(kReason);
    Must(leads_->WinDeal(Ctx("mgr").get(), w, &reply));
    won_position_ = reply.position();
    Qualified("wx-2");
    Qualified("wx-3");
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  static void Must(const grpc::Status& status) {
    ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  }

  // Identified by rep1 (handed to bd1), qualified by bd1.
  void Qualified(const std::string& lead_id) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(lead_id);
    r.set_company("无锡某某机械有限公司");
    r.mutable_contact()->set_name("钱伟");
    r.set_source(v1::LEAD_SOURCE_REFERRAL);
    v1::LeadCommandReply reply;
    Must(leads_->IdentifyLead(Ctx("rep1").get(), r, &reply));
    v1::QualifyLeadRequest q;
    q.set_lead_id(lead_id);
    q.set_score(70);
    Must(leads_->QualifyLead(Ctx("bd1").get(), q, &reply));
  }

  grpc::Status List(const std::string& member, const v1::ListStageChangesRequest& request,
                    v1::ListStageChangesResponse* reply) {
    return audit_->ListStageChanges(Ctx(member).get(), request, reply);
  }

  // Every row, following page tokens.
  std::vector<v1::StageChange> All(v1::ListStageChangesRequest request) {
    std::vector<v1::StageChange> rows;
    for (;;) {
      v1::ListStageChangesResponse page;
      const grpc::Status status = List("aud1", request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) return rows;
      rows.insert(rows.end(), page.changes().begin(), page.changes().end());
      if (page.next_page_token().empty()) return rows;
      request.set_page_token(page.next_page_token());
    }
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  uint64_t won_position_ = 0;
};

TEST_F(StageChangesE2eTest, WhoMovedTheDealToWonAndWhy) {
  v1::ListStageChangesRequest request;
  request.set_to_stage(v1::STAGE_WON);
  const std::vector<v1::StageChange> rows = All(request);
  ASSERT_EQ(rows.size(), 1u);
  const v1::StageChange& won = rows[0];
  EXPECT_EQ(won.lead_id(), "wx-1");
  EXPECT_EQ(won.actor(), "mgr");
  EXPECT_EQ(won.actor_role(), v1::ROLE_SALES_MANAGER);
  EXPECT_EQ(won.from_stage(), v1::STAGE_QUOTED);
  EXPECT_EQ(won.action(), "DealWon");
  EXPECT_TRUE(won.override());
  EXPECT_EQ(won.override_reason(), kReason);  // UTF-8, intact
  EXPECT_TRUE(won.has_recorded_at());
  EXPECT_TRUE(won.has_occurred_at());
  // The won deal's order went to the only SALES_SUPPORT member, with why.
  EXPECT_EQ(won.handed_to(), "sup1");
  EXPECT_EQ(won.hand_off().role(), v1::ROLE_SALES_SUPPORT);
  EXPECT_FALSE(won.hand_off().rule().empty());
  ASSERT_EQ(won.hand_off().candidates_size(), 1);
  EXPECT_EQ(won.hand_off().candidates(0).member_id(), "sup1");
}

TEST_F(StageChangesE2eTest, FiltersCombine) {
  const std::vector<v1::StageChange> all = All({});
  // wx-1: →IDENTIFIED, →QUALIFIED, →NEEDS_ANALYZED, →SOLUTION_PROPOSED,
  // →QUOTED, →WON (the revised quote is not a change); wx-2, wx-3: two each.
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].position(), all[i].position());
  EXPECT_EQ(all[0].from_stage(), v1::STAGE_UNSPECIFIED);
  EXPECT_EQ(all[0].to_stage(), v1::STAGE_IDENTIFIED);
  EXPECT_EQ(all[0].handed_to(), "bd1");  // the new lead's hand-off and its explanation
  EXPECT_EQ(all[0].hand_off().role(), v1::ROLE_BD_MANAGER);

  v1::ListStageChangesRequest by_actor;
  by_actor.set_actor("bd1");
  EXPECT_EQ(All(by_actor).size(), 4u);  // three qualifications, one needs analysis
  v1::ListStageChangesRequest by_role;
  by_role.set_role(v1::ROLE_SALES_REP);
  EXPECT_EQ(All(by_role).size(), 5u);  // three identifications, a proposal, a quote
  v1::ListStageChangesRequest by_lead;
  by_lead.set_lead_id("wx-2");
  const std::vector<v1::StageChange> wx2 = All(by_lead);
  ASSERT_EQ(wx2.size(), 2u);
  EXPECT_EQ(wx2[1].to_stage(), v1::STAGE_QUALIFIED);
  v1::ListStageChangesRequest from_identified;
  from_identified.set_from_stage(v1::STAGE_IDENTIFIED);
  from_identified.set_actor("bd1");
  EXPECT_EQ(All(from_identified).size(), 3u);
  v1::ListStageChangesRequest overrides;
  overrides.set_overrides_only(true);
  ASSERT_EQ(All(overrides).size(), 1u);
  // Time: everything was recorded before now + 1 h and after an hour ago.
  const auto now = std::chrono::system_clock::now();
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  v1::ListStageChangesRequest later;
  later.mutable_from_time()->set_seconds(now_s + 3600);
  EXPECT_TRUE(All(later).empty());
  v1::ListStageChangesRequest window;
  window.mutable_from_time()->set_seconds(now_s - 3600);
  window.mutable_to_time()->set_seconds(now_s + 3600);
  EXPECT_EQ(All(window).size(), all.size());
}

TEST_F(StageChangesE2eTest, PagesAreBoundToTheirFilters) {
  const std::vector<v1::StageChange> all = All({});
  v1::ListStageChangesRequest paged;
  paged.set_page_size(3);
  const std::vector<v1::StageChange> pages = All(paged);
  ASSERT_EQ(pages.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(pages[i].position(), all[i].position());

  v1::ListStageChangesResponse first;
  ASSERT_TRUE(List("aud1", paged, &first).ok());
  ASSERT_EQ(first.changes_size(), 3);
  ASSERT_FALSE(first.next_page_token().empty());
  v1::ListStageChangesRequest other = paged;
  other.set_actor("bd1");
  other.set_page_token(first.next_page_token());
  v1::ListStageChangesResponse reply;
  grpc::Status status = List("aud1", other, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_token: belongs to a query with other filters"));
  other.set_page_token("not-a-token");
  EXPECT_EQ(List("aud1", other, &reply).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListStageChangesRequest too_big;
  too_big.set_page_size(1001);
  status = List("aud1", too_big, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("page_size: must be at most 1000"));
  v1::ListStageChangesRequest bad_range;
  bad_range.mutable_from_time()->set_seconds(2'000'000'000);
  bad_range.mutable_to_time()->set_seconds(1'000'000'000);
  status = List("aud1", bad_range, &reply);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("to_time"));
}

TEST_F(StageChangesE2eTest, OwnersReadTheirLeadOthersNeedAnAuditRole) {
  v1::ListStageChangesResponse reply;
  v1::ListStageChangesRequest mine;
  mine.set_lead_id("wx-1");
  EXPECT_TRUE(List("rep1", mine, &reply).ok());  // the owner
  EXPECT_EQ(reply.changes_size(), 6);
  EXPECT_TRUE(List("mgr", v1::ListStageChangesRequest(), &reply).ok());
  EXPECT_TRUE(List("root", v1::ListStageChangesRequest(), &reply).ok());
  const grpc::Status whole = List("rep1", v1::ListStageChangesRequest(), &reply);
  EXPECT_EQ(whole.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(whole.error_message(), HasSubstr("Audit.ListStageChanges needs the role"));
  EXPECT_EQ(List("rep2", mine, &reply).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace salesops
