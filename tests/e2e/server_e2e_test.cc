// End-to-end: the real salesopsd on a free loopback port, driven through the
// generated stubs.
#include <atomic>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/orders.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/raw_call.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::kAliceToken;
using ::salesops::testing::kBobToken;
using ::salesops::testing::kCarolToken;
using ::salesops::testing::kDaveToken;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Matches a grpc::Status with `code` and a message matching `message`.
MATCHER_P2(GrpcIs, code, message, "") {
  *result_listener << "status " << arg.error_code() << ": " << arg.error_message();
  return arg.error_code() == code &&
         ::testing::ExplainMatchResult(message, arg.error_message(), result_listener);
}

// The google.rpc details a failed call carries in grpc-status-details-bin.
struct Details {
  std::optional<google::rpc::ErrorInfo> info;
  std::optional<google::rpc::BadRequest> bad_request;
  std::optional<google::rpc::PreconditionFailure> precondition;
  std::optional<google::rpc::ResourceInfo> resource;
  std::optional<google::rpc::RetryInfo> retry;

  std::vector<std::string> fields() const {
    std::vector<std::string> out;
    if (bad_request.has_value()) {
      for (const auto& v : bad_request->field_violations()) out.push_back(v.field());
    }
    return out;
  }
  std::string meta(const std::string& key) const {
    if (!info.has_value()) return "<no ErrorInfo>";
    auto it = info->metadata().find(key);
    return it == info->metadata().end() ? "<missing " + key + ">" : it->second;
  }
};

Details DetailsOf(const grpc::Status& status) {
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details())) << "no google.rpc.Status in the trailer";
  EXPECT_EQ(rpc.code(), static_cast<int>(status.error_code()));
  EXPECT_EQ(rpc.message(), status.error_message());
  Details d;
  for (const google::protobuf::Any& any : rpc.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) any.UnpackTo(&d.info.emplace());
    if (any.Is<google::rpc::BadRequest>()) any.UnpackTo(&d.bad_request.emplace());
    if (any.Is<google::rpc::PreconditionFailure>()) any.UnpackTo(&d.precondition.emplace());
    if (any.Is<google::rpc::ResourceInfo>()) any.UnpackTo(&d.resource.emplace());
    if (any.Is<google::rpc::RetryInfo>()) any.UnpackTo(&d.retry.emplace());
  }
  return d;
}

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartServer();
    // root: ADMIN (bootstrapped), also SALES_REP and BD_MANAGER; alice:
    // SALES_REP + BD_MANAGER; bob: SALES_REP; carol: SALES_MANAGER.
    auto team = v1::Team::NewStub(channel_);
    v1::TeamCommandReply r;
    v1::SetMemberRolesRequest roles;
    roles.set_member_id("root");
    for (v1::Role role : {v1::ROLE_ADMIN, v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER}) roles.add_roles(role);
    ASSERT_TRUE(team->SetMemberRoles(Ctx(kRootToken).get(), roles, &r).ok());
    const std::vector<std::pair<std::string, std::vector<v1::Role>>> members = {
        {"alice", {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER}},
        {"bob", {v1::ROLE_SALES_REP}},
        {"carol", {v1::ROLE_SALES_MANAGER}}};
    for (const auto& [id, member_roles] : members) {
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(id);
      for (v1::Role role : member_roles) add.add_roles(role);
      ASSERT_TRUE(team->AddMember(Ctx(kRootToken).get(), add, &r).ok());
    }
    base_ = r.position();
  }

  void StartServer() {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    channel_ = server_->Channel();
    leads_ = v1::Leads::NewStub(channel_);
    audit_ = v1::Audit::NewStub(channel_);
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const char* token = kAliceToken) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (token != nullptr) ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  v1::IdentifyLeadRequest Identify(const std::string& lead_id) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(lead_id);
    r.set_company("华为技术有限公司");
    r.mutable_contact()->set_name("张伟");
    r.mutable_contact()->set_email("zhang.wei@example.cn");
    r.set_source(v1::LEAD_SOURCE_REFERRAL);
    r.mutable_estimated_value()->set_amount_minor(50'000'000);
    r.mutable_estimated_value()->set_currency("CNY");
    return r;
  }

  static void Must(const grpc::Status& status) {
    EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  }

  // Drives `lead_id` from identification to WON; returns the last reply.
  v1::LeadCommandReply DriveToWon(const std::string& lead_id) {
    v1::LeadCommandReply reply;
    Must(leads_->IdentifyLead(Ctx().get(), Identify(lead_id), &reply));
    v1::QualifyLeadRequest q;
    q.set_lead_id(lead_id);
    q.set_score(80);
    q.set_need("需要新的客户管理系统");
    Must(leads_->QualifyLead(Ctx().get(), q, &reply));
    v1::RecordNeedsRequest n;
    n.set_lead_id(lead_id);
    n.set_requirements("500 个席位，本地部署");
    Must(leads_->RecordNeeds(Ctx().get(), n, &reply));
    v1::ProposeSolutionRequest p;
    p.set_lead_id(lead_id);
    p.set_summary("企业版 + 实施服务");
    p.add_products("企业版");
    p.mutable_value()->set_amount_minor(48'000'000);
    p.mutable_value()->set_currency("CNY");
    Must(leads_->ProposeSolution(Ctx().get(), p, &reply));
    v1::SendQuoteRequest s;
    s.set_lead_id(lead_id);
    s.set_quote_id("Q-1");
    s.mutable_amount()->set_amount_minor(47'000'000);
    s.mutable_amount()->set_currency("CNY");
    s.set_valid_until("2026-12-31");
    Must(leads_->SendQuote(Ctx().get(), s, &reply));
    v1::StartNegotiationRequest g;
    g.set_lead_id(lead_id);
    Must(leads_->StartNegotiation(Ctx().get(), g, &reply));
    s.set_quote_id("Q-2");
    s.set_discount_basis_points(500);
    Must(leads_->SendQuote(Ctx().get(), s, &reply));
    v1::WinDealRequest w;
    w.set_lead_id(lead_id);
    w.mutable_final_amount()->set_amount_minor(44'650'000);
    w.mutable_final_amount()->set_currency("CNY");
    w.set_signed_date("2026-11-27");
    Must(leads_->WinDeal(Ctx().get(), w, &reply));
    return reply;
  }

  void AcknowledgedSurvive(const std::function<void()>& stop_server);

  uint64_t base_ = 0;  // the log head once the team is set up

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  std::unique_ptr<v1::Audit::Stub> audit_;
};

TEST_F(E2eTest, FullLifecycleToWonWithHistory) {
  const v1::LeadCommandReply won = DriveToWon("acme-1");
  EXPECT_EQ(won.stage(), v1::STAGE_WON);
  // 8 actions and 2 hand-offs: to a BD_MANAGER on identification, to the
  // owning rep once the needs are recorded.
  EXPECT_EQ(won.version(), 10u);
  // The identification also opened the customer's account, and the win the
  // order and its hand-off: three more events.
  EXPECT_EQ(won.position(), base_ + 13);

  v1::GetLeadRequest get;
  get.set_lead_id("acme-1");
  v1::Lead lead;
  ASSERT_TRUE(leads_->GetLead(Ctx().get(), get, &lead).ok());
  EXPECT_EQ(lead.stage(), v1::STAGE_WON);
  EXPECT_EQ(lead.company(), "华为技术有限公司");
  EXPECT_EQ(lead.contact().name(), "张伟");
  EXPECT_EQ(lead.owner(), "alice");
  EXPECT_EQ(lead.won_amount().amount_minor(), 44'650'000);
  EXPECT_EQ(lead.quote_revision(), 2u);

  v1::GetLeadHistoryRequest hreq;
  hreq.set_lead_id("acme-1");
  v1::GetLeadHistoryResponse history;
  ASSERT_TRUE(audit_->GetLeadHistory(Ctx(kCarolToken).get(), hreq, &history).ok());
  std::vector<std::string> actions;
  std::vector<std::pair<v1::Stage, v1::Stage>> changes;
  for (const auto& e : history.entries()) {
    actions.push_back(e.action());
    changes.emplace_back(e.from_stage(), e.to_stage());
    EXPECT_EQ(e.actor(), "alice");
    EXPECT_GT(e.recorded_at().seconds(), 0);
  }
  EXPECT_THAT(actions, ElementsAre("LeadIdentified", "LeadAssigned", "LeadQualified", "NeedsRecorded",
                                   "LeadAssigned", "SolutionProposed", "QuoteSent", "NegotiationStarted",
                                   "QuoteSent", "DealWon"));
  EXPECT_EQ(changes[0], std::make_pair(v1::STAGE_UNSPECIFIED, v1::STAGE_IDENTIFIED));
  EXPECT_EQ(changes[8], std::make_pair(v1::STAGE_NEGOTIATING, v1::STAGE_QUOTED));
  EXPECT_EQ(changes[9], std::make_pair(v1::STAGE_QUOTED, v1::STAGE_WON));
  EXPECT_EQ(history.entries(3).details(), "500 个席位，本地部署");
  // BD managers root and alice both had no load: the tie goes to the id.
  const v1::LeadAssigned& to_bd = history.entries(1).event().lead_assigned();
  EXPECT_EQ(to_bd.assignee(), "alice");
  EXPECT_EQ(to_bd.role(), v1::ROLE_BD_MANAGER);
  EXPECT_EQ(to_bd.explanation().candidates_size(), 2);
  const v1::LeadAssigned& to_rep = history.entries(4).event().lead_assigned();
  EXPECT_EQ(to_rep.assignee(), "alice");
  EXPECT_EQ(to_rep.role(), v1::ROLE_SALES_REP);
  EXPECT_EQ(to_rep.explanation().rule(), "owner");
  EXPECT_EQ(lead.assignee(), "");  // closed: nobody acts next on the lead
}

TEST_F(E2eTest, RefusalsNameTheRuleAndAppendNothing) {
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), Identify("l1"), &reply).ok());

  v1::WinDealRequest win;
  win.set_lead_id("l1");
  win.mutable_final_amount()->set_amount_minor(1);
  win.mutable_final_amount()->set_currency("CNY");
  win.set_signed_date("2026-11-27");
  EXPECT_THAT(leads_->WinDeal(Ctx().get(), win, &reply),
              GrpcIs(grpc::StatusCode::FAILED_PRECONDITION,
                     HasSubstr("is in stage IDENTIFIED; WinDeal is allowed only from QUOTED, NEGOTIATING")));

  v1::IdentifyLeadRequest bad = Identify("l2");
  bad.clear_company();
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), bad, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("company: must be 1..200 characters")));
  bad = Identify("l2");
  bad.mutable_estimated_value()->set_currency("rmb");
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), bad, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("estimated_value.currency")));
  bad = Identify("l2");
  bad.mutable_estimated_value()->set_amount_minor(-5);
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), bad, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("estimated_value.amount_minor")));
  bad = Identify("bad id!");
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), bad, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("lead_id: must match")));
  win.set_signed_date("2026-02-30");
  EXPECT_THAT(leads_->WinDeal(Ctx().get(), win, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("signed_date")));
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), Identify("l1"), &reply),
              GrpcIs(grpc::StatusCode::ALREADY_EXISTS, HasSubstr("'l1' already exists")));
  v1::QualifyLeadRequest unknown;
  unknown.set_lead_id("nobody");
  EXPECT_THAT(leads_->QualifyLead(Ctx().get(), unknown, &reply),
              GrpcIs(grpc::StatusCode::NOT_FOUND, HasSubstr("'nobody' not found")));
  v1::GetLeadRequest get;
  get.set_lead_id("nobody");
  v1::Lead lead;
  EXPECT_THAT(leads_->GetLead(Ctx().get(), get, &lead), GrpcIs(grpc::StatusCode::NOT_FOUND, HasSubstr("nobody")));

  // Only the one identification was appended.
  v1::ReadLogRequest log;
  log.set_stream_prefix("lead-");
  v1::ReadLogResponse page;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), log, &page).ok());
  EXPECT_EQ(page.head_position(), base_ + 3);  // and the customer's AccountOpened
  EXPECT_EQ(page.events_size(), 2);  // identified, handed to a BD_MANAGER
}

TEST_F(E2eTest, LeadsOfOneCompanyShareAnAccountOpenedOnceInTheSameBatch) {
  v1::LeadCommandReply reply;
  Must(leads_->IdentifyLead(Ctx().get(), Identify("hw-1"), &reply));  // 华为技术有限公司
  const uint64_t first = reply.position();
  v1::IdentifyLeadRequest again = Identify("hw-2");
  again.set_company(" 华为技术有限公司\u3000");  // spaces differ: the same match key
  Must(leads_->IdentifyLead(Ctx().get(), again, &reply));
  v1::IdentifyLeadRequest referred = Identify("zte-1");
  referred.set_company("中兴通讯");
  referred.set_referred_by_account_id("hw-1");
  Must(leads_->IdentifyLead(Ctx().get(), referred, &reply));

  const auto lead = [&](const std::string& id) {
    v1::GetLeadRequest get;
    get.set_lead_id(id);
    v1::Lead out;
    Must(leads_->GetLead(Ctx().get(), get, &out));
    return out;
  };
  EXPECT_EQ(lead("hw-1").account_id(), "hw-1");
  EXPECT_EQ(lead("hw-2").account_id(), "hw-1");
  EXPECT_EQ(lead("hw-2").company(), " 华为技术有限公司\u3000") << "the lead keeps its name byte for byte";
  EXPECT_EQ(lead("zte-1").account_id(), "zte-1");
  EXPECT_EQ(lead("zte-1").referred_by_account_id(), "hw-1");

  // Two accounts opened, each in its first lead's batch, after the lead's
  // own events.
  v1::ReadLogRequest log;
  log.add_event_types("AccountOpened");
  v1::ReadLogResponse page;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), log, &page).ok());
  ASSERT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.events(0).stream_id(), "account-hw-1");
  EXPECT_EQ(page.events(0).position(), first) << "the last event of the identification's batch (its reply's position)";
  EXPECT_EQ(page.events(0).event().account_opened().company(), "华为技术有限公司");
  EXPECT_EQ(page.events(0).event().account_opened().lead_id(), "hw-1");
  EXPECT_EQ(page.events(0).actor(), "alice");
  EXPECT_EQ(page.events(1).stream_id(), "account-zte-1");

  // A refusal names the field and appends nothing.
  const uint64_t head = reply.position();
  v1::IdentifyLeadRequest unknown = Identify("x-1");
  unknown.set_account_id("no-such-account");
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), unknown, &reply),
              GrpcIs(grpc::StatusCode::NOT_FOUND, HasSubstr("account_id: account 'no-such-account' not found")));
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), v1::ReadLogRequest(), &page).ok());
  EXPECT_EQ(page.head_position(), head);
}

TEST_F(E2eTest, ErrorDetailsListEveryBadFieldAtOnce) {
  v1::IdentifyLeadRequest bad = Identify("ok-id");
  bad.clear_company();
  bad.mutable_contact()->set_email("不是邮箱");
  bad.set_source(v1::LEAD_SOURCE_UNSPECIFIED);
  bad.mutable_estimated_value()->set_currency("rmb");
  bad.mutable_estimated_value()->set_amount_minor(-5);
  v1::LeadCommandReply reply;
  const grpc::Status s = leads_->IdentifyLead(Ctx().get(), bad, &reply);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("company: must be 1..200 characters"));
  EXPECT_THAT(s.error_message(), HasSubstr("; and 4 more (contact.email, source, estimated_value.currency, "
                                           "estimated_value.amount_minor)"));
  const Details d = DetailsOf(s);
  EXPECT_THAT(d.fields(), ElementsAre("company", "contact.email", "source", "estimated_value.currency",
                                      "estimated_value.amount_minor"));
  ASSERT_TRUE(d.info.has_value());
  EXPECT_EQ(d.info->reason(), "FIELD_INVALID");
  EXPECT_EQ(d.info->domain(), "salesops");
  EXPECT_FALSE(d.retry.has_value());  // the same request will fail again
  // Nothing appended.
  v1::ReadLogResponse page;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), v1::ReadLogRequest(), &page).ok());
  EXPECT_EQ(page.head_position(), base_);
}

TEST_F(E2eTest, ErrorDetailsNameTheReasonAProgramActsOn) {
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), Identify("d1"), &reply).ok());

  // STAGE_NOT_ALLOWED: the lead, its stage, the action.
  v1::WinDealRequest win;
  win.set_lead_id("d1");
  win.mutable_final_amount()->set_amount_minor(1);
  win.mutable_final_amount()->set_currency("CNY");
  win.set_signed_date("2026-11-27");
  Details d = DetailsOf(leads_->WinDeal(Ctx().get(), win, &reply));
  ASSERT_TRUE(d.info.has_value());
  EXPECT_EQ(d.info->reason(), "STAGE_NOT_ALLOWED");
  EXPECT_EQ(d.meta("lead_id"), "d1");
  EXPECT_EQ(d.meta("stage"), "IDENTIFIED");
  EXPECT_EQ(d.meta("action"), "WinDeal");
  ASSERT_TRUE(d.precondition.has_value());
  ASSERT_EQ(d.precondition->violations_size(), 1);
  EXPECT_EQ(d.precondition->violations(0).type(), "STAGE");
  EXPECT_EQ(d.precondition->violations(0).subject(), "lead/d1");
  ASSERT_TRUE(d.resource.has_value());
  EXPECT_EQ(d.resource->resource_name(), "d1");

  // VERSION_CONFLICT: expected and actual, and a retry hint.
  v1::UpdateLeadRequest update;
  update.set_lead_id("d1");
  update.set_source(v1::LEAD_SOURCE_EVENT);
  update.mutable_options()->set_expected_version(1);
  const grpc::Status conflict = leads_->UpdateLead(Ctx().get(), update, &reply);
  ASSERT_EQ(conflict.error_code(), grpc::StatusCode::ABORTED) << conflict.error_message();
  d = DetailsOf(conflict);
  EXPECT_EQ(d.info->reason(), "VERSION_CONFLICT");
  EXPECT_EQ(d.meta("expected_version"), "1");
  EXPECT_EQ(d.meta("actual_version"), "2");  // identified, then handed to a BD_MANAGER
  ASSERT_TRUE(d.retry.has_value());

  // REQUEST_ID_REUSED, on the field that carries it.
  v1::IdentifyLeadRequest again = Identify("d2");
  again.mutable_options()->set_request_id("rid-1");
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), again, &reply).ok());
  again.set_company("另一家公司");
  d = DetailsOf(leads_->IdentifyLead(Ctx().get(), again, &reply));
  EXPECT_EQ(d.info->reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(d.meta("request_id"), "rid-1");
  EXPECT_THAT(d.fields(), ElementsAre("options.request_id"));

  // ROLE_REQUIRED: bob is a SALES_REP; ChangeOwner is a SALES_MANAGER's.
  v1::ChangeOwnerRequest owner;
  owner.set_lead_id("d1");
  owner.set_owner("bob");
  owner.set_reason("交接");
  d = DetailsOf(leads_->ChangeOwner(Ctx(kBobToken).get(), owner, &reply));
  EXPECT_EQ(d.info->reason(), "ROLE_REQUIRED");
  EXPECT_EQ(d.meta("required_roles"), "SALES_MANAGER");
  EXPECT_EQ(d.meta("member_id"), "bob");
  EXPECT_EQ(d.meta("action"), "ChangeOwner");

  // NOT_FOUND names the resource.
  v1::QualifyLeadRequest unknown;
  unknown.set_lead_id("nobody");
  d = DetailsOf(leads_->QualifyLead(Ctx().get(), unknown, &reply));
  EXPECT_EQ(d.info->reason(), "NOT_FOUND");
  ASSERT_TRUE(d.resource.has_value());
  EXPECT_EQ(d.resource->resource_type(), "salesops.v1.Lead");
  EXPECT_EQ(d.resource->resource_name(), "nobody");

  // Authentication.
  EXPECT_EQ(DetailsOf(leads_->IdentifyLead(Ctx(nullptr).get(), Identify("x"), &reply)).info->reason(),
            "TOKEN_MISSING");
  EXPECT_EQ(DetailsOf(leads_->IdentifyLead(Ctx("not-a-real-token").get(), Identify("x"), &reply)).info->reason(),
            "TOKEN_UNKNOWN");
}

TEST_F(E2eTest, MissingOrWrongTokenIsUnauthenticated) {
  v1::LeadCommandReply reply;
  EXPECT_THAT(leads_->IdentifyLead(Ctx(nullptr).get(), Identify("x"), &reply),
              GrpcIs(grpc::StatusCode::UNAUTHENTICATED, HasSubstr("missing")));
  EXPECT_THAT(leads_->IdentifyLead(Ctx("not-a-real-token-at-all").get(), Identify("x"), &reply),
              GrpcIs(grpc::StatusCode::UNAUTHENTICATED, HasSubstr("unknown token")));
  v1::ReadLogResponse page;
  EXPECT_THAT(audit_->ReadLog(Ctx(nullptr).get(), v1::ReadLogRequest(), &page),
              GrpcIs(grpc::StatusCode::UNAUTHENTICATED, HasSubstr("missing 'authorization: Bearer <token>' metadata")));
}

TEST_F(E2eTest, ActorIsTheAuthenticatedMember) {
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx(kBobToken).get(), Identify("b1"), &reply).ok());
  v1::ReadLogRequest log;
  log.set_stream_prefix("lead-");
  v1::ReadLogResponse page;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), log, &page).ok());
  ASSERT_EQ(page.events_size(), 2);  // identified, handed to a BD_MANAGER
  EXPECT_EQ(page.events(0).actor(), "bob");
  EXPECT_EQ(page.events(0).actor_role(), v1::ROLE_SALES_REP);
  EXPECT_EQ(page.events(0).event().lead_identified().owner(), "bob");
}

TEST_F(E2eTest, ConcurrentConflictingCommandsOneWinsOthersAborted) {
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), Identify("race"), &reply).ok());
  constexpr int kWriters = 8;
  std::atomic<int> ok{0}, aborted{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      v1::UpdateLeadRequest u;
      u.set_lead_id("race");
      u.mutable_options()->set_expected_version(2);
      u.mutable_contact()->set_name(absl::StrCat("联系人", i));
      v1::LeadCommandReply r;
      const grpc::Status s = leads_->UpdateLead(Ctx().get(), u, &r);
      if (s.ok()) {
        ++ok;
      } else if (s.error_code() == grpc::StatusCode::ABORTED) {
        ++aborted;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), kWriters - 1);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(E2eTest, RetryWithSameRequestIdReturnsTheOriginalReply) {
  v1::IdentifyLeadRequest r = Identify("");  // server-generated id
  r.mutable_options()->set_request_id("req-42");
  v1::LeadCommandReply first, second;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), r, &first).ok());
  EXPECT_FALSE(first.lead_id().empty());
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), r, &second).ok());
  EXPECT_EQ(second.lead_id(), first.lead_id());
  EXPECT_EQ(second.position(), first.position());

  // Same id, different command: refused, nothing appended.
  r.set_company("另一家公司");
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), r, &second),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id: 'req-42' was already used")));
  // Another member's request ids are its own.
  ASSERT_TRUE(leads_->IdentifyLead(Ctx(kBobToken).get(), r, &second).ok());
  EXPECT_NE(second.lead_id(), first.lead_id());

  v1::ReadLogResponse page;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), v1::ReadLogRequest(), &page).ok());
  // Two identifications, each with its hand-off and a new account (two
  // companies).
  EXPECT_EQ(page.head_position(), base_ + 6);
}

TEST_F(E2eTest, CleanRestartKeepsEverything) {
  DriveToWon("keep-1");
  // An idle client connection makes gRPC's graceful shutdown wait for the
  // client's next poll (about 5 s); close ours first, as a departing client would.
  leads_.reset();
  audit_.reset();
  channel_.reset();
  ASSERT_EQ(server_->Stop(), 0) << server_->Log();
  EXPECT_THAT(server_->Log(), HasSubstr("shut down cleanly"));
  StartServer();
  v1::GetLeadRequest get;
  get.set_lead_id("keep-1");
  v1::Lead lead;
  ASSERT_TRUE(leads_->GetLead(Ctx().get(), get, &lead).ok());
  EXPECT_EQ(lead.stage(), v1::STAGE_WON);
  EXPECT_EQ(lead.version(), 10u);
  v1::GetLeadHistoryRequest hreq;
  hreq.set_lead_id("keep-1");
  v1::GetLeadHistoryResponse history;
  ASSERT_TRUE(audit_->GetLeadHistory(Ctx().get(), hreq, &history).ok());
  EXPECT_EQ(history.entries_size(), 10);
  // Positions continue after the restart (the account is known: no new one).
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), Identify("keep-2"), &reply).ok());
  EXPECT_EQ(reply.position(), base_ + 15);
}

// Runs 4 writers identifying leads until at least 200 were acknowledged,
// calls `stop_server` while they are still busy, restarts the server and
// checks that every acknowledged lead is there and the log is gap-free.
void E2eTest::AcknowledgedSurvive(const std::function<void()>& stop_server) {
  constexpr int kWriters = 4;
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  int acked_count = 0;             // guarded by mu
  int writers_running = kWriters;  // guarded by mu
  std::vector<std::vector<std::string>> acked(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        v1::LeadCommandReply r;
        const std::string id = absl::StrCat("k", w, "-", i);
        if (!leads_->IdentifyLead(Ctx().get(), Identify(id), &r).ok()) break;
        acked[w].push_back(id);
        absl::MutexLock lock(&mu);
        ++acked_count;
      }
      absl::MutexLock lock(&mu);
      --writers_running;
    });
  }
  {
    // Event-driven: until enough commands were acknowledged, or every writer
    // stopped on its own (a failure), or 60 s passed.
    absl::MutexLock lock(&mu);
    const auto enough = [&]() { return acked_count >= 200 || writers_running == 0; };
    mu.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(60));
    EXPECT_GE(acked_count, 200) << "writers stopped early; server log:\n" << server_->Log();
  }
  stop_server();
  stop = true;
  for (auto& t : threads) t.join();

  StartServer();
  size_t total = 0;
  for (const auto& ids : acked) {
    for (const std::string& id : ids) {
      v1::GetLeadRequest get;
      get.set_lead_id(id);
      v1::Lead lead;
      ASSERT_TRUE(leads_->GetLead(Ctx().get(), get, &lead).ok()) << "acknowledged lead " << id << " lost";
      ++total;
    }
  }
  EXPECT_GE(total, 200u);
  // The log is gap-free: reading it page by page finds positions 1..head.
  uint64_t expected = 1, from = 1;
  v1::ReadLogResponse page;
  do {
    v1::ReadLogRequest req;
    req.set_from_position(from);
    req.set_limit(1000);
    ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), req, &page).ok());
    for (const auto& e : page.events()) ASSERT_EQ(e.position(), expected++);
    from = page.next_position();
  } while (!page.reached_head());
  EXPECT_EQ(expected - 1, page.head_position());
  EXPECT_GE(page.head_position(), total);
}

TEST_F(E2eTest, KillDashNineLosesNoAcknowledgedCommand) {
  AcknowledgedSurvive([&] { server_->Kill(); });
}

TEST_F(E2eTest, SigtermDrainsInFlightCommandsAndExitsCleanly) {
  AcknowledgedSurvive([&] {
    EXPECT_EQ(server_->Stop(), 0) << server_->Log();
    EXPECT_THAT(server_->Log(), HasSubstr("shut down cleanly"));
  });
}

TEST_F(E2eTest, ASecondServerCannotTakeTheSamePort) {
  TempDir other_dir;
  ServerProcess second(other_dir.path(), {absl::StrCat("--listen=", server_->address())});
  std::string error;
  EXPECT_FALSE(second.Start(&error));
  EXPECT_THAT(error, HasSubstr("cannot listen on"));
}

TEST_F(E2eTest, AsyncDurabilityServesAndRecovers) {
  server_->Stop();
  server_ = std::make_unique<ServerProcess>(dir_.path(), std::vector<std::string>{"--durability=async"});
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  EXPECT_THAT(server_->Log(), HasSubstr("durability async"));
  leads_ = v1::Leads::NewStub(server_->Channel());
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), Identify("a-1"), &reply).ok());
  leads_.reset();
  ASSERT_EQ(server_->Stop(), 0);
  StartServer();
  v1::GetLeadRequest get;
  get.set_lead_id("a-1");
  v1::Lead lead;
  EXPECT_TRUE(leads_->GetLead(Ctx().get(), get, &lead).ok());
}

TEST_F(E2eTest, OccurredAtBackfillIsRecordedAndBounded) {
  v1::IdentifyLeadRequest r = Identify("old-1");
  r.mutable_options()->mutable_occurred_at()->set_seconds(1'700'000'000);  // 2023-11-14
  v1::LeadCommandReply reply;
  EXPECT_THAT(leads_->IdentifyLead(Ctx().get(), r, &reply),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("backfilling business time needs role ADMIN")));
  ASSERT_TRUE(leads_->IdentifyLead(Ctx(kRootToken).get(), r, &reply).ok());
  v1::QualifyLeadRequest q;
  q.set_lead_id("old-1");
  q.mutable_options()->mutable_occurred_at()->set_seconds(1'600'000'000);  // before the previous event
  EXPECT_THAT(leads_->QualifyLead(Ctx(kRootToken).get(), q, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("before the lead's previous event")));
  q.mutable_options()->mutable_occurred_at()->set_seconds(4'000'000'000);  // the future
  EXPECT_THAT(leads_->QualifyLead(Ctx(kRootToken).get(), q, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("in the future")));
  v1::GetLeadHistoryRequest hreq;
  hreq.set_lead_id("old-1");
  v1::GetLeadHistoryResponse history;
  ASSERT_TRUE(audit_->GetLeadHistory(Ctx().get(), hreq, &history).ok());
  ASSERT_EQ(history.entries_size(), 2);  // identified, handed to a BD_MANAGER
  EXPECT_EQ(history.entries(0).occurred_at().seconds(), 1'700'000'000);
  EXPECT_GT(history.entries(0).recorded_at().seconds(), 1'700'000'000);
}

TEST_F(E2eTest, ReadLogFiltersByTypeAndPages) {
  DriveToWon("f1");
  v1::ReadLogRequest req;
  req.add_event_types("QuoteSent");
  v1::ReadLogResponse page;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), req, &page).ok());
  ASSERT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.events(1).event().quote_sent().revision(), 2u);
  req.clear_event_types();
  req.add_event_types("NoSuchEvent");
  EXPECT_THAT(audit_->ReadLog(Ctx(kCarolToken).get(), req, &page),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("event_types: 'NoSuchEvent'")));
  req.clear_event_types();
  req.set_limit(3);
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), req, &page).ok());
  EXPECT_EQ(page.events_size(), 3);
  EXPECT_EQ(page.next_position(), 4u);
}

TEST_F(E2eTest, RolesAreEnforcedAndOverridesAudited) {
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx().get(), Identify("r-1"), &reply).ok());  // alice owns it
  v1::QualifyLeadRequest q;
  q.set_lead_id("r-1");
  q.set_score(60);
  EXPECT_THAT(leads_->QualifyLead(Ctx(kBobToken).get(), q, &reply),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("QualifyLead needs role BD_MANAGER")));
  ASSERT_TRUE(leads_->QualifyLead(Ctx().get(), q, &reply).ok());
  v1::RecordNeedsRequest n;
  n.set_lead_id("r-1");
  n.set_requirements("需求");
  ASSERT_TRUE(leads_->RecordNeeds(Ctx().get(), n, &reply).ok());

  v1::ProposeSolutionRequest p;
  p.set_lead_id("r-1");
  p.set_summary("方案");
  p.mutable_value()->set_amount_minor(100);
  p.mutable_value()->set_currency("CNY");
  // Another rep is not the owner.
  EXPECT_THAT(leads_->ProposeSolution(Ctx(kBobToken).get(), p, &reply),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("owning SALES_REP ('alice')")));
  // A manager needs an explicit override...
  EXPECT_THAT(leads_->ProposeSolution(Ctx(kCarolToken).get(), p, &reply),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("only with options.override_reason")));
  // ... which is recorded and shown in the history.
  p.mutable_options()->set_override_reason("alice 休假，客户催促");
  ASSERT_TRUE(leads_->ProposeSolution(Ctx(kCarolToken).get(), p, &reply).ok());
  // The owner needs no override, and may not give one.
  EXPECT_THAT(leads_->ProposeSolution(Ctx().get(), p, &reply),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("options.override_reason: only for a SALES_MANAGER")));

  v1::GetLeadHistoryRequest hreq;
  hreq.set_lead_id("r-1");
  v1::GetLeadHistoryResponse history;
  ASSERT_TRUE(audit_->GetLeadHistory(Ctx().get(), hreq, &history).ok());
  // identified, handed to BD, qualified, needs, handed to the owner, proposed
  ASSERT_EQ(history.entries_size(), 6);
  EXPECT_EQ(history.entries(2).actor_role(), v1::ROLE_BD_MANAGER);
  EXPECT_EQ(history.entries(5).actor(), "carol");
  EXPECT_EQ(history.entries(5).actor_role(), v1::ROLE_SALES_MANAGER);
  EXPECT_EQ(history.entries(5).override_reason(), "alice 休假，客户催促");

  // A deactivated member can neither write nor read.
  auto team = v1::Team::NewStub(channel_);
  v1::DeactivateMemberRequest d;
  d.set_member_id("bob");
  v1::TeamCommandReply tr;
  EXPECT_THAT(team->DeactivateMember(Ctx().get(), d, &tr),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("DeactivateMember needs role ADMIN")));
  ASSERT_TRUE(team->DeactivateMember(Ctx(kRootToken).get(), d, &tr).ok());
  EXPECT_THAT(leads_->IdentifyLead(Ctx(kBobToken).get(), Identify("r-2"), &reply),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("'bob' is deactivated")));
  v1::GetLeadRequest get;
  get.set_lead_id("r-1");
  v1::Lead lead;
  EXPECT_THAT(leads_->GetLead(Ctx(kBobToken).get(), get, &lead),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("deactivated")));
  v1::ListMembersRequest list;
  v1::ListMembersResponse members;
  ASSERT_TRUE(team->ListMembers(Ctx().get(), list, &members).ok());
  EXPECT_EQ(members.members_size(), 3);  // root, alice, carol: bob is inactive
  list.set_include_inactive(true);
  v1::ListMembersResponse all;
  ASSERT_TRUE(team->ListMembers(Ctx().get(), list, &all).ok());
  EXPECT_EQ(all.members_size(), 4);
}

TEST_F(E2eTest, AWonDealOpensAnOrderThatSalesSupportProcesses) {
  auto orders = v1::Orders::NewStub(channel_);
  // No SALES_SUPPORT yet: the order waits in the unassigned queue...
  DriveToWon("o-0");
  v1::GetOrderRequest get_queued;
  get_queued.set_order_id("o-0");
  v1::Order queued;
  ASSERT_TRUE(orders->GetOrder(Ctx().get(), get_queued, &queued).ok());
  EXPECT_EQ(queued.assignee(), "");

  auto team = v1::Team::NewStub(channel_);
  v1::TeamCommandReply tr;
  v1::AddMemberRequest add;
  add.set_member_id("dave");
  add.set_display_name("刘伟");
  add.add_roles(v1::ROLE_SALES_SUPPORT);
  ASSERT_TRUE(team->AddMember(Ctx(kRootToken).get(), add, &tr).ok());

  // ... until a support member takes it.
  v1::AssignOrderRequest take;
  take.set_order_id("o-0");
  take.set_assignee("dave");
  take.set_reason("从队列领取");
  v1::OrderCommandReply taken;
  ASSERT_TRUE(orders->AssignOrder(Ctx(kDaveToken).get(), take, &taken).ok());
  ASSERT_TRUE(orders->GetOrder(Ctx().get(), get_queued, &queued).ok());
  EXPECT_EQ(queued.assignee(), "dave");

  DriveToWon("o-1");
  v1::GetOrderRequest get;
  get.set_order_id("o-1");
  v1::Order order;
  ASSERT_TRUE(orders->GetOrder(Ctx().get(), get, &order).ok());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_OPEN);
  EXPECT_EQ(order.assignee(), "dave");  // the only SALES_SUPPORT
  EXPECT_EQ(order.owner(), "alice");
  EXPECT_EQ(order.amount().amount_minor(), 44'650'000);

  v1::OrderCommandReply reply;
  v1::ShipOrderRequest ship;
  ship.set_order_id("o-1");
  ship.set_carrier("顺丰速运");
  ship.set_tracking_number("SF1234567890");
  EXPECT_THAT(orders->ShipOrder(Ctx(kDaveToken).get(), ship, &reply),
              GrpcIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("is OPEN; ShipOrder is allowed only when CONFIRMED")));
  v1::ConfirmOrderRequest confirm;
  confirm.set_order_id("o-1");
  EXPECT_THAT(orders->ConfirmOrder(Ctx().get(), confirm, &reply),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("ConfirmOrder needs role SALES_SUPPORT")));
  ASSERT_TRUE(orders->ConfirmOrder(Ctx(kDaveToken).get(), confirm, &reply).ok());
  ASSERT_TRUE(orders->ShipOrder(Ctx(kDaveToken).get(), ship, &reply).ok());
  v1::CancelOrderRequest cancel;
  cancel.set_order_id("o-1");
  cancel.set_reason("客户取消");
  EXPECT_THAT(orders->CancelOrder(Ctx(kDaveToken).get(), cancel, &reply),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("CancelOrder needs role SALES_MANAGER")));
  v1::DeliverOrderRequest deliver;
  deliver.set_order_id("o-1");
  ASSERT_TRUE(orders->DeliverOrder(Ctx(kDaveToken).get(), deliver, &reply).ok());
  EXPECT_EQ(reply.status(), v1::ORDER_STATUS_DELIVERED);
  ASSERT_TRUE(orders->GetOrder(Ctx().get(), get, &order).ok());
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_DELIVERED);
  EXPECT_EQ(order.tracking_number(), "SF1234567890");
  EXPECT_EQ(order.assignee(), "");  // delivered: no longer open work
  EXPECT_THAT(orders->CancelOrder(Ctx(kCarolToken).get(), cancel, &reply),
              GrpcIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("is DELIVERED")));

  // The order's stream in the log: opened, handed to dave, then each step.
  v1::ReadLogRequest log;
  log.set_stream_prefix("order-o-1");
  v1::ReadLogResponse page;
  ASSERT_TRUE(audit_->ReadLog(Ctx(kCarolToken).get(), log, &page).ok());
  std::vector<std::string> types;
  for (const auto& e : page.events()) types.push_back(e.event_type());
  EXPECT_THAT(types, ElementsAre("OrderOpened", "OrderAssigned", "OrderConfirmed", "OrderShipped", "OrderDelivered"));
  EXPECT_EQ(page.events(1).event().order_assigned().explanation().candidates_size(), 1);
}

// grpc.health.v1.Health/Check with an empty request answers SERVING (1),
// encoded as field 1 varint: 0x08 0x01.
TEST_F(E2eTest, AdminPingAnswersAdminsOnly) {
  auto admin = v1::Admin::NewStub(channel_);
  v1::PingResponse pong;
  EXPECT_TRUE(admin->Ping(Ctx(kRootToken).get(), v1::PingRequest(), &pong).ok());
  EXPECT_THAT(admin->Ping(Ctx(kAliceToken).get(), v1::PingRequest(), &pong),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("Admin.Ping needs the role ADMIN")));
  EXPECT_THAT(admin->Ping(Ctx(nullptr).get(), v1::PingRequest(), &pong),
              GrpcIs(grpc::StatusCode::UNAUTHENTICATED, ::testing::_));
}

TEST_F(E2eTest, HealthCheckServes) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const testing::RawReplies replies = testing::CallRaw(channel_, ctx, "/grpc.health.v1.Health/Check", "");
  ASSERT_TRUE(replies.status.ok()) << replies.status.error_message();
  ASSERT_EQ(replies.messages.size(), 1u);
  EXPECT_EQ(replies.messages[0], std::string("\x08\x01", 2));  // status: SERVING
}

// grpc.reflection.v1alpha list_services (field 7, empty string: 0x3A 0x00)
// names our services.
TEST_F(E2eTest, ServerReflectionListsTheServices) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const testing::RawReplies replies = testing::CallRaw(
      channel_, ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", std::string("\x3A\x00", 2));
  ASSERT_TRUE(replies.status.ok()) << replies.status.error_message();
  ASSERT_EQ(replies.messages.size(), 1u);
  const std::string& bytes = replies.messages[0];
  EXPECT_THAT(bytes, HasSubstr("salesops.v1.Leads"));
  EXPECT_THAT(bytes, HasSubstr("salesops.v1.Audit"));
  EXPECT_THAT(bytes, HasSubstr("salesops.v1.Admin"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
}

// SIGHUP reloads the tokens file at once and kills nothing: a removed token
// is refused on its next call, a new one works, and a file that does not
// parse leaves the previous tokens in force (and says why in the log).
TEST_F(E2eTest, SighupReloadsTheTokensFileAndABrokenFileKeepsTheOldTokens) {
  auto admin = v1::Admin::NewStub(channel_);
  v1::PingResponse pong;
  ASSERT_TRUE(admin->Ping(Ctx(kRootToken).get(), v1::PingRequest(), &pong).ok());
  const std::string tokens = absl::StrCat(dir_.path(), "/tokens");
  const std::string fresh_root = "root-token-after-the-reload-1";
  {
    std::ofstream out(tokens, std::ios::trunc);
    out << fresh_root << " root\n";  // the old root token is gone
  }
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForLog("SIGHUP: tokens file", absl::Seconds(10)));
  EXPECT_THAT(admin->Ping(Ctx(kRootToken).get(), v1::PingRequest(), &pong),
              GrpcIs(grpc::StatusCode::UNAUTHENTICATED, HasSubstr("unknown token")));
  ASSERT_TRUE(admin->Ping(Ctx(fresh_root.c_str()).get(), v1::PingRequest(), &pong).ok());

  {
    std::ofstream out(tokens, std::ios::trunc);
    out << "short root\n";  // a token under 16 characters: the file is refused
  }
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForLog("not reloaded, the previous tokens stay in force", absl::Seconds(10)));
  EXPECT_THAT(server_->Log(), HasSubstr("tokens file line 1: a token must be at least 16 characters"));
  EXPECT_TRUE(admin->Ping(Ctx(fresh_root.c_str()).get(), v1::PingRequest(), &pong).ok());
}

// A reload that removes a token while a call made with it is in flight:
// the call finishes as it was authenticated (a parked min_position read,
// completed by a later write), and the token's next call is refused.
TEST_F(E2eTest, AReloadLetsACallInFlightFinishAndRefusesTheRemovedTokenAfter) {
  v1::LeadCommandReply first;
  Must(leads_->IdentifyLead(Ctx().get(), Identify("reload-1"), &first));
  auto views = v1::Views::NewStub(channel_);
  grpc::ClientContext parked_ctx;
  parked_ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
  parked_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::GetPipelineRequest parked_request;
  parked_request.mutable_view()->set_min_position(first.position() + 1);
  v1::Pipeline parked_reply;
  grpc::Status parked_status;
  absl::Notification parked_done;
  views->async()->GetPipeline(&parked_ctx, &parked_request, &parked_reply, [&](grpc::Status s) {
    parked_status = std::move(s);
    parked_done.Notify();
  });
  // A Ping sent after it on the same connection: once it is answered, the
  // server has started the parked call (were it not, the call would be
  // refused below, and the test would fail rather than pass).
  v1::PingResponse pong;
  Must(v1::Admin::NewStub(channel_)->Ping(Ctx(kRootToken).get(), v1::PingRequest(), &pong));
  // A live subscription with the same token: streams re-check access as
  // they go, so it ends once the token is gone.
  grpc::ClientContext follow_ctx;
  follow_ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
  follow_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::SubscribeRequest follow_request;
  follow_request.set_from_now(true);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> follow = audit_->Subscribe(&follow_ctx, follow_request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(follow->Read(&message));  // caught_up: authenticated and live
  const std::string tokens = absl::StrCat(dir_.path(), "/tokens");
  {
    std::ofstream out(tokens, std::ios::trunc);
    out << kAliceToken << " alice\n";  // root's token is gone
  }
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForLog("SIGHUP: tokens file", absl::Seconds(10)));
  EXPECT_FALSE(parked_done.HasBeenNotified());
  v1::LeadCommandReply second;
  Must(leads_->IdentifyLead(Ctx().get(), Identify("reload-2"), &second));  // alice: reaches the position
  ASSERT_TRUE(parked_done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(parked_status.ok()) << parked_status.error_message();
  EXPECT_GE(parked_reply.view().position(), first.position() + 1);
  while (follow->Read(&message)) {
  }
  EXPECT_THAT(follow->Finish(), GrpcIs(grpc::StatusCode::UNAUTHENTICATED, HasSubstr("access re-checked")));
  v1::Pipeline pipeline;
  EXPECT_THAT(views->GetPipeline(Ctx(kRootToken).get(), v1::GetPipelineRequest(), &pipeline),
              GrpcIs(grpc::StatusCode::UNAUTHENTICATED, HasSubstr("unknown token")));
  EXPECT_TRUE(server_->WaitForLog("refused salesops.v1.Views/GetPipeline: UNAUTHENTICATED, member unknown",
                                  absl::Seconds(10)))
      << server_->Log();
  EXPECT_THAT(server_->Log(), HasSubstr(", reason TOKEN_UNKNOWN: unknown token"));
}

// A SIGTERM drain answers calls that arrive meanwhile with UNAVAILABLE
// (retry elsewhere, with the same request_id), never CANCELLED: clients
// calling in a loop while the server stops see only OK, then UNAVAILABLE.
TEST_F(E2eTest, CallsDuringTheDrainGetUnavailable) {
  std::atomic<bool> stop{false};
  std::vector<grpc::Status> endings(4);
  std::vector<std::thread> clients;
  for (size_t c = 0; c < endings.size(); ++c) {
    clients.emplace_back([&, c] {
      auto admin = v1::Admin::NewStub(server_->Channel());
      for (int i = 0; i < 100'000 && !stop.load(); ++i) {
        v1::PingResponse pong;
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        grpc::Status s = admin->Ping(&ctx, v1::PingRequest(), &pong);
        if (!s.ok()) {
          endings[c] = std::move(s);
          return;
        }
      }
    });
  }
  const absl::Time stopping = absl::Now();
  EXPECT_EQ(server_->Stop(), 0);
  // Open client channels do not hold the exit (gRPC's shutdown alone would
  // wait seconds for them).
  EXPECT_LT(absl::Now() - stopping, absl::Seconds(3));
  stop = true;
  for (std::thread& t : clients) t.join();
  for (const grpc::Status& s : endings) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_code() << ": " << s.error_message();
  }
  server_.reset();
}

}  // namespace
}  // namespace salesops
