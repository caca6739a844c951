// The division of labour end to end: a team of 2 reps, 2 BD managers, 1 sales
// support and 2 after-sales members; one lead walked from identification to a
// delivered order and a resolved ticket with a survey, checking at each step
// who holds the work and why.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/orders.grpc.pb.h"
#include "salesops/v1/support.grpc.pb.h"
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

class DivisionOfLabourTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    auto channel = server_->Channel();
    leads_ = v1::Leads::NewStub(channel);
    orders_ = v1::Orders::NewStub(channel);
    support_ = v1::Support::NewStub(channel);
    team_ = v1::Team::NewStub(channel);
    const std::vector<std::pair<std::string, v1::Role>> members = {
        {"rep1", v1::ROLE_SALES_REP},     {"rep2", v1::ROLE_SALES_REP},   {"bd1", v1::ROLE_BD_MANAGER},
        {"bd2", v1::ROLE_BD_MANAGER},     {"sup1", v1::ROLE_SALES_SUPPORT}, {"as1", v1::ROLE_AFTER_SALES},
        {"as2", v1::ROLE_AFTER_SALES},    {"mgr", v1::ROLE_SALES_MANAGER}};
    for (const auto& [id, role] : members) {
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(id);
      add.add_roles(role);
      v1::TeamCommandReply r;
      ASSERT_TRUE(team_->AddMember(Ctx("root").get(), add, &r).ok()) << id;
    }
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  v1::Lead Lead(const std::string& id) {
    v1::GetLeadRequest get;
    get.set_lead_id(id);
    v1::Lead lead;
    EXPECT_TRUE(leads_->GetLead(Ctx("mgr").get(), get, &lead).ok());
    return lead;
  }

  static void Ok(const grpc::Status& s) { ASSERT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message(); }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  std::unique_ptr<v1::Orders::Stub> orders_;
  std::unique_ptr<v1::Support::Stub> support_;
  std::unique_ptr<v1::Team::Stub> team_;
};

TEST_F(DivisionOfLabourTest, OneLeadThroughEveryRole) {
  v1::LeadCommandReply r;
  // A lead bd1 already carries, so the journey's lead goes to bd2.
  v1::IdentifyLeadRequest other;
  other.set_lead_id("other");
  other.set_company("其他公司");
  other.mutable_contact()->set_name("孙七");
  other.set_source(v1::LEAD_SOURCE_INBOUND);
  Ok(leads_->IdentifyLead(Ctx("rep2").get(), other, &r));
  EXPECT_EQ(Lead("other").assignee(), "bd1");

  v1::IdentifyLeadRequest identify;
  identify.set_lead_id("j-1");
  identify.set_company("深圳前海数据服务有限公司");
  identify.mutable_contact()->set_name("黄蕾");
  identify.set_source(v1::LEAD_SOURCE_SOCIAL_NETWORK);
  Ok(leads_->IdentifyLead(Ctx("rep1").get(), identify, &r));
  v1::Lead lead = Lead("j-1");
  EXPECT_EQ(lead.owner(), "rep1");
  EXPECT_EQ(lead.assignee(), "bd2");  // least loaded BD manager
  EXPECT_EQ(lead.awaiting_role(), v1::ROLE_BD_MANAGER);

  // bd1 may qualify (holds the role) but the work sits with bd2, who does it.
  v1::QualifyLeadRequest qualify;
  qualify.set_lead_id("j-1");
  qualify.set_score(85);
  Ok(leads_->QualifyLead(Ctx("bd2").get(), qualify, &r));
  EXPECT_EQ(Lead("j-1").assignee(), "bd2");  // kept: same role next
  v1::RecordNeedsRequest needs;
  needs.set_lead_id("j-1");
  needs.set_requirements("数据中台，三期");
  Ok(leads_->RecordNeeds(Ctx("bd2").get(), needs, &r));
  lead = Lead("j-1");
  EXPECT_EQ(lead.assignee(), "rep1");  // the owning rep
  EXPECT_EQ(lead.awaiting_role(), v1::ROLE_SALES_REP);

  // rep2 is a rep but not the owner.
  v1::ProposeSolutionRequest propose;
  propose.set_lead_id("j-1");
  propose.set_summary("私有化部署");
  propose.mutable_value()->set_amount_minor(90'000'000);
  propose.mutable_value()->set_currency("CNY");
  EXPECT_EQ(leads_->ProposeSolution(Ctx("rep2").get(), propose, &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Ok(leads_->ProposeSolution(Ctx("rep1").get(), propose, &r));
  v1::SendQuoteRequest quote;
  quote.set_lead_id("j-1");
  quote.set_quote_id("Q-J1");
  *quote.mutable_amount() = propose.value();
  quote.set_valid_until("2026-12-31");
  Ok(leads_->SendQuote(Ctx("rep1").get(), quote, &r));
  v1::WinDealRequest win;
  win.set_lead_id("j-1");
  *win.mutable_final_amount() = propose.value();
  win.set_signed_date("2026-11-28");
  Ok(leads_->WinDeal(Ctx("rep1").get(), win, &r));
  EXPECT_EQ(Lead("j-1").assignee(), "");  // the lead is done; the order carries the work

  v1::GetOrderRequest get_order;
  get_order.set_order_id("j-1");
  v1::Order order;
  Ok(orders_->GetOrder(Ctx("mgr").get(), get_order, &order));
  EXPECT_EQ(order.assignee(), "sup1");
  v1::OrderCommandReply o;
  v1::ConfirmOrderRequest confirm;
  confirm.set_order_id("j-1");
  Ok(orders_->ConfirmOrder(Ctx("sup1").get(), confirm, &o));
  v1::ShipOrderRequest ship;
  ship.set_order_id("j-1");
  ship.set_carrier("京东物流");
  ship.set_tracking_number("JD0001");
  Ok(orders_->ShipOrder(Ctx("sup1").get(), ship, &o));
  v1::DeliverOrderRequest deliver;
  deliver.set_order_id("j-1");
  Ok(orders_->DeliverOrder(Ctx("sup1").get(), deliver, &o));
  EXPECT_EQ(o.status(), v1::ORDER_STATUS_DELIVERED);

  // After-sales: a ticket goes to the least-loaded after-sales member.
  v1::OpenTicketRequest open;
  open.set_ticket_id("t-1");
  open.set_lead_id("j-1");
  open.set_subject("报表导出失败");
  open.set_severity(v1::SEVERITY_P2);
  open.set_channel(v1::CHANNEL_PHONE);
  v1::TicketCommandReply t;
  Ok(support_->OpenTicket(Ctx("as2").get(), open, &t));
  v1::GetTicketRequest get_ticket;
  get_ticket.set_ticket_id("t-1");
  v1::Ticket ticket;
  Ok(support_->GetTicket(Ctx("mgr").get(), get_ticket, &ticket));
  EXPECT_EQ(ticket.assignee(), "as1");  // tie: both idle, never assigned: by id
  EXPECT_EQ(ticket.status(), v1::TICKET_STATUS_OPEN);
  v1::RecordSurveyRequest survey;
  survey.set_lead_id("j-1");
  survey.set_ticket_id("t-1");
  survey.set_product_quality(4);
  survey.set_service_attitude(5);
  survey.set_response_speed(3);
  survey.set_comment("响应还可以更快");
  EXPECT_THAT(support_->RecordSurvey(Ctx("as1").get(), survey, &t).error_message(),
              HasSubstr("a survey follows its resolution"));
  v1::ResolveTicketRequest resolve;
  resolve.set_ticket_id("t-1");
  resolve.set_resolution("升级到 3.2.1 修复");
  Ok(support_->ResolveTicket(Ctx("as1").get(), resolve, &t));
  Ok(support_->RecordSurvey(Ctx("as1").get(), survey, &t));
  EXPECT_EQ(support_->RecordSurvey(Ctx("as1").get(), survey, &t).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // That survey came before any follow-up threshold: nothing followed.
  get_ticket.set_ticket_id("followup-t-1");
  EXPECT_EQ(support_->GetTicket(Ctx("mgr").get(), get_ticket, &ticket).error_code(), grpc::StatusCode::NOT_FOUND);
  // A manager closes the satisfaction loop: from now on a survey scoring
  // below 4 opens a follow-up for after-sales, with the reason.
  v1::SetScoringPolicyRequest policy;
  v1::RoleWeights* weights = policy.add_roles();
  weights->set_role(v1::ROLE_AFTER_SALES);
  weights->add_weights()->set_metric("tickets_resolved");
  weights->mutable_weights(0)->set_weight(1);
  policy.set_follow_up_below(4);
  v1::TeamCommandReply policy_reply;
  Ok(team_->SetScoringPolicy(Ctx("mgr").get(), policy, &policy_reply));
  // The deal's own survey (no ticket) may come from the owning rep, once.
  survey.clear_ticket_id();
  EXPECT_EQ(support_->RecordSurvey(Ctx("rep2").get(), survey, &t).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Ok(support_->RecordSurvey(Ctx("rep1").get(), survey, &t));
  get_ticket.set_ticket_id("followup-j-1");
  v1::Ticket followup;
  Ok(support_->GetTicket(Ctx("mgr").get(), get_ticket, &followup));
  EXPECT_EQ(followup.status(), v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(followup.lead_id(), "j-1");
  EXPECT_THAT(followup.assignee(), ::testing::AnyOf("as1", "as2"));
  EXPECT_EQ(followup.follow_up_reason(),
            "survey of deal 'j-1' scored product quality 4, service attitude 5, response speed 3; below 4 "
            "(follow_up_below of scoring policy v1)");
  get_ticket.set_ticket_id("t-1");
  EXPECT_EQ(support_->RecordSurvey(Ctx("rep1").get(), survey, &t).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  survey.set_product_quality(6);
  EXPECT_THAT(support_->RecordSurvey(Ctx("as1").get(), survey, &t).error_message(),
              HasSubstr("product_quality: must be between 1 and 5"));

  Ok(support_->GetTicket(Ctx("mgr").get(), get_ticket, &ticket));
  EXPECT_EQ(ticket.status(), v1::TICKET_STATUS_RESOLVED);
  EXPECT_TRUE(ticket.survey_recorded());
  EXPECT_EQ(ticket.assignee(), "");  // resolved: no longer open work

  // Targets: a manager's job; a later one supersedes, the log keeps both.
  v1::SetTargetRequest target;
  target.set_member_id("rep1");
  target.set_period("2026-Q4");
  target.set_metric(v1::TARGET_METRIC_WON_VALUE);
  target.mutable_won_value()->set_amount_minor(500'000'000);
  target.mutable_won_value()->set_currency("CNY");
  v1::TeamCommandReply tr;
  EXPECT_EQ(team_->SetTarget(Ctx("rep1").get(), target, &tr).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Ok(team_->SetTarget(Ctx("mgr").get(), target, &tr));
  target.mutable_won_value()->set_amount_minor(600'000'000);
  Ok(team_->SetTarget(Ctx("mgr").get(), target, &tr));
  v1::ListTargetsRequest list;
  list.set_member_id("rep1");
  v1::ListTargetsResponse targets;
  Ok(team_->ListTargets(Ctx("rep1").get(), list, &targets));
  ASSERT_EQ(targets.targets_size(), 1);
  EXPECT_EQ(targets.targets(0).won_value().amount_minor(), 600'000'000);
  EXPECT_EQ(targets.targets(0).revision(), 2u);
  EXPECT_EQ(targets.targets(0).set_by(), "mgr");

  // A ticket for a lead that is not won is refused.
  open.set_ticket_id("t-2");
  open.set_lead_id("other");
  EXPECT_THAT(support_->OpenTicket(Ctx("as1").get(), open, &t).error_message(),
              HasSubstr("tickets are opened for WON customers only"));
}

}  // namespace
}  // namespace salesops
