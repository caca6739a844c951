#include "tests/e2e/team_e2e_test.h"

#include <chrono>

#include "absl/strings/str_cat.h"

namespace salesops::testing {

void TeamE2eTest::StartWithTeam(const std::vector<std::pair<std::string, v1::Role>>& members) {
  server_ = std::make_unique<ServerProcess>(dir_.path());
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  auto channel = server_->Channel();
  leads_ = v1::Leads::NewStub(channel);
  team_ = v1::Team::NewStub(channel);
  views_ = v1::Views::NewStub(channel);
  for (const auto& [id, role] : members) {
    v1::AddMemberRequest add;
    add.set_member_id(id);
    add.set_display_name(id == "rep1" ? "王小明" : id);
    add.add_roles(role);
    v1::TeamCommandReply r;
    ASSERT_TRUE(team_->AddMember(Ctx("root").get(), add, &r).ok()) << id;
  }
}

std::unique_ptr<grpc::ClientContext> TeamE2eTest::Ctx(const std::string& member) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

void TeamE2eTest::Close(const std::string& id, const std::string& company, bool won, int64_t amount) {
  v1::LeadCommandReply r;
  v1::IdentifyLeadRequest identify;
  identify.set_lead_id(id);
  identify.set_company(company);
  identify.mutable_contact()->set_name("李雷");
  identify.set_source(v1::LEAD_SOURCE_REFERRAL);
  Ok(leads_->IdentifyLead(Ctx("rep1").get(), identify, &r));
  v1::QualifyLeadRequest qualify;
  qualify.set_lead_id(id);
  qualify.set_score(80);
  Ok(leads_->QualifyLead(Ctx("bd1").get(), qualify, &r));
  v1::RecordNeedsRequest needs;
  needs.set_lead_id(id);
  needs.set_requirements("CRM 集成");
  Ok(leads_->RecordNeeds(Ctx("bd1").get(), needs, &r));
  v1::ProposeSolutionRequest propose;
  propose.set_lead_id(id);
  propose.set_summary("标准版");
  propose.mutable_value()->set_amount_minor(amount);
  propose.mutable_value()->set_currency("CNY");
  Ok(leads_->ProposeSolution(Ctx("rep1").get(), propose, &r));
  if (!won) {
    v1::LoseDealRequest lose;
    lose.set_lead_id(id);
    lose.set_reason(v1::LOSS_REASON_PRICE);
    lose.set_note("客户选择了更便宜的方案");
    Ok(leads_->LoseDeal(Ctx("rep1").get(), lose, &r));
    return;
  }
  v1::SendQuoteRequest quote;
  quote.set_lead_id(id);
  quote.set_quote_id(absl::StrCat("Q-", id));
  *quote.mutable_amount() = propose.value();
  quote.set_valid_until("2027-12-31");
  Ok(leads_->SendQuote(Ctx("rep1").get(), quote, &r));
  v1::WinDealRequest win;
  win.set_lead_id(id);
  *win.mutable_final_amount() = propose.value();
  win.set_signed_date("2026-11-28");
  Ok(leads_->WinDeal(Ctx("rep1").get(), win, &r));
}

}  // namespace salesops::testing
