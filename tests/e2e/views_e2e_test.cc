// The Views service over real gRPC on loopback: read-your-writes through
// min_position, as_of replays, validation and access.
#include <chrono>
#include <deque>

#include "absl/synchronization/notification.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "server/domain/proto_time.h"
#include "tests/common/testing.h"
#include "tests/e2e/raw_call.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;
using ::testing::HasSubstr;

MATCHER_P2(GrpcIs, code, message, "") {
  *result_listener << "status " << arg.error_code() << ": " << arg.error_message();
  return arg.error_code() == code && ::testing::ExplainMatchResult(message, arg.error_message(), result_listener);
}

class ViewsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    channel_ = server_->Channel();
    leads_ = v1::Leads::NewStub(channel_);
    views_ = v1::Views::NewStub(channel_);
    auto team = v1::Team::NewStub(channel_);
    for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
             {"rep1", v1::ROLE_SALES_REP}, {"bd1", v1::ROLE_BD_MANAGER}, {"mgr", v1::ROLE_SALES_MANAGER}}) {
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(absl::StrCat("成员", id));
      add.add_roles(role);
      v1::TeamCommandReply r;
      ASSERT_TRUE(team->AddMember(Ctx("root").get(), add, &r).ok()) << id;
    }
  }

  void TearDown() override {
    views_.reset();
    leads_.reset();
    channel_.reset();
    if (server_) {
      EXPECT_EQ(server_->Stop(), 0);
    }
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member, int seconds = 20) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!member.empty()) {
      const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
      ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    return ctx;
  }

  v1::LeadCommandReply Identify(const std::string& id, int64_t value) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(id);
    r.set_company("杭州云栖网络科技有限公司");
    r.mutable_contact()->set_name("刘洋");
    r.set_source(v1::LEAD_SOURCE_EVENT);
    r.mutable_estimated_value()->set_amount_minor(value);
    r.mutable_estimated_value()->set_currency("CNY");
    v1::LeadCommandReply reply;
    const grpc::Status s = leads_->IdentifyLead(Ctx("rep1").get(), r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return reply;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  std::unique_ptr<v1::Views::Stub> views_;
};

TEST_F(ViewsE2eTest, AReplyPositionIsVisibleToTheNextQuery) {
  const v1::LeadCommandReply first = Identify("hz-1", 10'000'00);
  const v1::LeadCommandReply second = Identify("hz-2", 30'000'00);
  v1::GetPipelineRequest request;
  request.mutable_view()->set_min_position(second.position());
  v1::Pipeline pipeline;
  ASSERT_TRUE(views_->GetPipeline(Ctx("mgr").get(), request, &pipeline).ok());
  EXPECT_GE(pipeline.view().position(), second.position());
  EXPECT_FALSE(pipeline.view().as_of());
  ASSERT_EQ(pipeline.stages(0).stage(), v1::STAGE_IDENTIFIED);
  EXPECT_EQ(pipeline.stages(0).open_leads(), 2u);
  ASSERT_EQ(pipeline.stages(0).values_size(), 1);
  EXPECT_EQ(pipeline.stages(0).values(0).total().amount_minor(), 40'000'00);

  // As the log stood right after the first lead's hand-off.
  request.mutable_view()->set_min_position(0);
  request.mutable_view()->set_as_of_position(first.position());
  ASSERT_TRUE(views_->GetPipeline(Ctx("rep1").get(), request, &pipeline).ok());
  EXPECT_TRUE(pipeline.view().as_of());
  EXPECT_EQ(pipeline.view().position(), first.position());
  EXPECT_EQ(pipeline.stages(0).open_leads(), 1u);

  // Before anything was recorded: empty, at position 0.
  request.mutable_view()->clear_as_of_position();
  *request.mutable_view()->mutable_as_of_time() = ToProtoTime(absl::FromUnixSeconds(1'000'000'000));
  ASSERT_TRUE(views_->GetPipeline(Ctx("rep1").get(), request, &pipeline).ok());
  EXPECT_EQ(pipeline.view().position(), 0u);
  EXPECT_EQ(pipeline.stages(0).open_leads(), 0u);
}

// Calls started on the channel without waiting for them; each keeps its
// context, request and reply until it completes.
struct InFlight {
  grpc::ClientContext ctx;
  v1::GetPipelineRequest request;
  v1::Pipeline reply;
  grpc::Status status;
  absl::Notification done;
};

// No handler thread waits (docs/ARCHITECTURE.md, "Threads"): with more calls
// parked on a min_position than gRPC has handler threads (two on this
// machine), and as_of replays in flight, health, Ping and a write still
// answer within a small bound; the write that reaches the parked position
// completes the parked calls.
TEST_F(ViewsE2eTest, ParkedMinPositionCallsAndLongReadsDoNotHoldTheHandlerThreads) {
  const v1::LeadCommandReply first = Identify("hz-1", 100);
  std::deque<InFlight> parked(16), replays(8);
  for (InFlight& call : parked) {
    call.ctx.AddMetadata("authorization", absl::StrCat("Bearer ", TokenOf("rep1")));
    call.ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    call.request.mutable_view()->set_min_position(first.position() + 2);
    views_->async()->GetPipeline(&call.ctx, &call.request, &call.reply, [&call](grpc::Status s) {
      call.status = std::move(s);
      call.done.Notify();
    });
  }
  for (InFlight& call : replays) {
    call.ctx.AddMetadata("authorization", absl::StrCat("Bearer ", TokenOf("mgr")));
    call.ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    call.request.mutable_view()->set_as_of_position(first.position());
    views_->async()->GetPipeline(&call.ctx, &call.request, &call.reply, [&call](grpc::Status s) {
      call.status = std::move(s);
      call.done.Notify();
    });
  }
  // Each of these has 3 s; a blocked handler thread would hold them for 60.
  for (int round = 0; round < 3; ++round) {
    grpc::ClientContext health;
    health.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    const testing::RawReplies replies = testing::CallRaw(channel_, health, "/grpc.health.v1.Health/Check", "");
    ASSERT_TRUE(replies.status.ok()) << replies.status.error_message();
    v1::PingResponse pong;
    ASSERT_TRUE(v1::Admin::NewStub(channel_)->Ping(Ctx("root", 3).get(), v1::PingRequest(), &pong).ok());
  }
  EXPECT_FALSE(parked.front().done.HasBeenNotified());  // still parked: its position is not applied
  // The write that reaches the parked position completes every parked call.
  uint64_t reached = first.position();
  for (int i = 2; reached < first.position() + 2; ++i) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(absl::StrCat("hz-", i));
    r.set_company("杭州云栖网络科技有限公司");
    r.mutable_contact()->set_name("刘洋");
    r.set_source(v1::LEAD_SOURCE_EVENT);
    v1::LeadCommandReply reply;
    const grpc::Status s = leads_->IdentifyLead(Ctx("rep1", 3).get(), r, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    reached = reply.position();
  }
  for (InFlight& call : parked) {
    ASSERT_TRUE(call.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    ASSERT_TRUE(call.status.ok()) << call.status.error_message();
    EXPECT_GE(call.reply.view().position(), first.position() + 2);
  }
  for (InFlight& call : replays) {
    ASSERT_TRUE(call.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    // Four long reads per member may be queued or running; the rest are
    // refused, never left waiting.
    if (call.status.ok()) {
      EXPECT_TRUE(call.reply.view().as_of());
      EXPECT_EQ(call.reply.view().position(), first.position());
    } else {
      EXPECT_THAT(call.status, GrpcIs(grpc::StatusCode::RESOURCE_EXHAUSTED, HasSubstr("member mgr has 4 long-read calls")));
    }
  }
}

// A parked call that the client cancels is released at once: the handler
// threads it would have held serve the next calls.
TEST_F(ViewsE2eTest, ACancelledParkedCallIsReleased) {
  const v1::LeadCommandReply first = Identify("hz-1", 100);
  std::deque<InFlight> parked(4);
  for (InFlight& call : parked) {
    call.ctx.AddMetadata("authorization", absl::StrCat("Bearer ", TokenOf("rep1")));
    call.request.mutable_view()->set_min_position(first.position() + 1'000'000);
    views_->async()->GetPipeline(&call.ctx, &call.request, &call.reply, [&call](grpc::Status s) {
      call.status = std::move(s);
      call.done.Notify();
    });
  }
  for (InFlight& call : parked) call.ctx.TryCancel();
  for (InFlight& call : parked) {
    ASSERT_TRUE(call.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    EXPECT_EQ(call.status.error_code(), grpc::StatusCode::CANCELLED);
  }
  v1::Pipeline pipeline;
  EXPECT_TRUE(views_->GetPipeline(Ctx("rep1", 3).get(), v1::GetPipelineRequest(), &pipeline).ok());
}

TEST_F(ViewsE2eTest, MinPositionNotReachedIsDeadlineExceeded) {
  const v1::LeadCommandReply reply = Identify("hz-1", 100);
  v1::GetWorkloadRequest request;
  request.mutable_view()->set_min_position(reply.position() + 1000);
  v1::Workload workload;
  EXPECT_THAT(views_->GetWorkload(Ctx("rep1", 1).get(), request, &workload),
              GrpcIs(grpc::StatusCode::DEADLINE_EXCEEDED, ::testing::_));
  // The server still answers afterwards.
  request.mutable_view()->set_min_position(reply.position());
  ASSERT_TRUE(views_->GetWorkload(Ctx("rep1").get(), request, &workload).ok());
  bool found = false;
  for (const v1::MemberWorkload& m : workload.members()) {
    if (m.member_id() == "bd1") {
      found = true;
      EXPECT_EQ(m.load(), 1u);  // the new lead was handed to the only BD manager
      EXPECT_EQ(m.display_name(), "成员bd1");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ViewsE2eTest, BadQueriesNameTheFieldAndTheRule) {
  Identify("hz-1", 100);
  v1::Pipeline pipeline;
  v1::GetPipelineRequest both;
  both.mutable_view()->set_as_of_position(1);
  *both.mutable_view()->mutable_as_of_time() = ToProtoTime(absl::Now());
  EXPECT_THAT(views_->GetPipeline(Ctx("rep1").get(), both, &pipeline),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("at most one of as_of_position and as_of_time")));
  v1::GetPipelineRequest beyond;
  beyond.mutable_view()->set_as_of_position(1'000'000'000);
  EXPECT_THAT(views_->GetPipeline(Ctx("rep1").get(), beyond, &pipeline),
              GrpcIs(grpc::StatusCode::OUT_OF_RANGE, HasSubstr("view.as_of_position")));
  v1::ListLeadsRequest list;
  list.set_page_size(501);
  v1::ListLeadsResponse leads;
  EXPECT_THAT(views_->ListLeads(Ctx("rep1").get(), list, &leads),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_size: must be at most 500")));
  list.set_page_size(10);
  list.set_order_by(v1::LEAD_ORDER_VALUE);
  EXPECT_THAT(views_->ListLeads(Ctx("rep1").get(), list, &leads),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("currency: required when order_by is VALUE")));
  list.set_order_by(v1::LEAD_ORDER_AGE);
  list.set_page_token("not-a-token!");
  EXPECT_THAT(views_->ListLeads(Ctx("rep1").get(), list, &leads),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_token")));
  EXPECT_THAT(views_->GetPipeline(Ctx("").get(), v1::GetPipelineRequest(), &pipeline),
              GrpcIs(grpc::StatusCode::UNAUTHENTICATED, ::testing::_));
}

TEST_F(ViewsE2eTest, ListLeadsReturnsTheLeadsOfAStage) {
  for (int i = 0; i < 5; ++i) Identify(absl::StrCat("hz-", i), 100 * (i + 1));
  v1::ListLeadsRequest list;
  list.set_stage(v1::STAGE_IDENTIFIED);
  list.set_order_by(v1::LEAD_ORDER_VALUE);
  list.set_currency("CNY");
  list.set_page_size(3);
  v1::ListLeadsResponse page;
  ASSERT_TRUE(views_->ListLeads(Ctx("bd1").get(), list, &page).ok());
  EXPECT_EQ(page.total(), 5u);
  ASSERT_EQ(page.leads_size(), 3);
  EXPECT_EQ(page.leads(0).lead_id(), "hz-4");
  EXPECT_EQ(page.leads(0).company(), "杭州云栖网络科技有限公司");
  EXPECT_EQ(page.leads(0).assignee(), "bd1");
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(views_->ListLeads(Ctx("bd1").get(), list, &page).ok());
  ASSERT_EQ(page.leads_size(), 2);
  EXPECT_EQ(page.leads(1).lead_id(), "hz-0");
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(ViewsE2eTest, ReviewsAreForTheirMemberAndManagersOnly) {
  Identify("hz-1", 100);
  auto team = v1::Team::NewStub(channel_);
  v1::SetScoringPolicyRequest policy;
  v1::RoleWeights* rep = policy.add_roles();
  rep->set_role(v1::ROLE_SALES_REP);
  rep->add_weights()->set_metric("leads_identified");
  rep->mutable_weights(0)->set_weight(3);
  policy.set_note("按线索数量");
  v1::TeamCommandReply r;
  EXPECT_THAT(team->SetScoringPolicy(Ctx("rep1").get(), policy, &r),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("SALES_MANAGER")));
  ASSERT_TRUE(team->SetScoringPolicy(Ctx("mgr").get(), policy, &r).ok());
  v1::ListScoringPoliciesResponse policies;
  ASSERT_TRUE(team->ListScoringPolicies(Ctx("rep1").get(), v1::ListScoringPoliciesRequest(), &policies).ok());
  ASSERT_EQ(policies.policies_size(), 1);
  EXPECT_EQ(policies.policies(0).version(), 1u);
  EXPECT_EQ(policies.policies(0).note(), "按线索数量");
  EXPECT_EQ(policies.policies(0).set_by(), "mgr");

  // One's own review: anyone. The period: a day either side of now.
  const google::protobuf::Timestamp from = ToProtoTime(absl::Now() - absl::Hours(24));
  const google::protobuf::Timestamp to = ToProtoTime(absl::Now() + absl::Hours(24));
  v1::GetPerformanceReviewRequest own;
  *own.mutable_from() = from;
  *own.mutable_to() = to;
  v1::PerformanceReview review;
  ASSERT_TRUE(views_->GetPerformanceReview(Ctx("rep1").get(), own, &review).ok());
  EXPECT_EQ(review.member_id(), "rep1");
  EXPECT_EQ(review.display_name(), "成员rep1");
  EXPECT_EQ(review.policy_version(), 1u);
  ASSERT_EQ(review.roles_size(), 1);
  EXPECT_EQ(review.roles(0).metrics(0).metric(), "leads_identified");
  EXPECT_EQ(review.roles(0).metrics(0).value(), 1);
  EXPECT_EQ(review.roles(0).score(), 3);
  EXPECT_THAT(review.input_digest(), ::testing::StartsWith("sha256-sum:"));

  // Who may read what: another member's review, rankings and comparisons
  // need SALES_MANAGER or ADMIN.
  v1::GetPerformanceReviewRequest other = own;
  other.set_member_id("bd1");
  v1::ListPerformanceReviewsRequest list;
  list.set_role(v1::ROLE_SALES_REP);
  *list.mutable_from() = from;
  *list.mutable_to() = to;
  v1::CompareReviewsRequest compare;
  compare.set_role(v1::ROLE_SALES_REP);
  *compare.mutable_from() = from;
  *compare.mutable_to() = to;
  compare.set_policy_a(1);
  compare.set_policy_b(1);
  for (const std::string member : {"rep1", "bd1", "mgr", "root"}) {
    const bool manager = member == "mgr" || member == "root";
    const auto expect = [&](const grpc::Status& s, const char* what) {
      if (manager) {
        EXPECT_TRUE(s.ok()) << member << " " << what << ": " << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << member << " " << what;
        EXPECT_THAT(s.error_message(), HasSubstr("SALES_MANAGER or ADMIN")) << member << " " << what;
      }
    };
    v1::PerformanceReview one;
    if (member != "bd1") expect(views_->GetPerformanceReview(Ctx(member).get(), other, &one), "another's review");
    v1::ListPerformanceReviewsResponse ranked;
    expect(views_->ListPerformanceReviews(Ctx(member).get(), list, &ranked), "ListPerformanceReviews");
    v1::CompareReviewsResponse compared;
    expect(views_->CompareReviews(Ctx(member).get(), compare, &compared), "CompareReviews");
  }
  v1::ListPerformanceReviewsResponse ranked;
  ASSERT_TRUE(views_->ListPerformanceReviews(Ctx("mgr").get(), list, &ranked).ok());
  ASSERT_EQ(ranked.reviews_size(), 1);  // rep1 is the only SALES_REP
  EXPECT_EQ(ranked.reviews(0).rank(), 1u);

  v1::GetPerformanceReviewRequest bad;
  bad.set_period("2026-13");
  EXPECT_THAT(views_->GetPerformanceReview(Ctx("rep1").get(), bad, &review),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("period: must be YYYY-MM or YYYY-Qn")));
  v1::GetPerformanceReviewRequest out_of_range;
  out_of_range.mutable_from()->set_seconds(std::numeric_limits<int64_t>::min());
  out_of_range.mutable_to()->set_seconds(0);
  EXPECT_THAT(views_->GetPerformanceReview(Ctx("rep1").get(), out_of_range, &review),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("from: must be a valid time")));
  compare.set_policy_b(9);
  v1::CompareReviewsResponse compared;
  EXPECT_THAT(views_->CompareReviews(Ctx("mgr").get(), compare, &compared),
              GrpcIs(grpc::StatusCode::NOT_FOUND, HasSubstr("policy_version: 9 does not exist")));
}

// What a restart must preserve: every lead row and the pipeline's counts and
// values (durations move with the clock).
std::string Visible(v1::Views::Stub& views, grpc::ClientContext* ctx_pipeline, grpc::ClientContext* ctx_leads) {
  v1::Pipeline pipeline;
  EXPECT_TRUE(views.GetPipeline(ctx_pipeline, v1::GetPipelineRequest(), &pipeline).ok());
  std::string out = absl::StrCat("position ", pipeline.view().position(), "\n");
  for (v1::StageSummary& s : *pipeline.mutable_stages()) {
    s.clear_average_time_in_stage();
    s.clear_max_time_in_stage();
    absl::StrAppend(&out, s.ShortDebugString(), "\n");
  }
  v1::ListLeadsRequest list;
  list.set_page_size(500);
  v1::ListLeadsResponse leads;
  EXPECT_TRUE(views.ListLeads(ctx_leads, list, &leads).ok());
  for (const v1::Lead& lead : leads.leads()) absl::StrAppend(&out, lead.ShortDebugString(), "\n");
  return out;
}

TEST_F(ViewsE2eTest, RestartLoadsTheSnapshotAndARebuildAnswersTheSame) {
  for (int i = 0; i < 4; ++i) Identify(absl::StrCat("hz-", i), 1000 * (i + 1));
  const std::string before = Visible(*views_, Ctx("mgr").get(), Ctx("mgr").get());
  views_.reset();
  leads_.reset();
  channel_.reset();
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_THAT(server_->Log(), HasSubstr("views snapshot at position"));

  const auto restart = [&](std::vector<std::string> flags) {
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::move(flags));
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    channel_ = server_->Channel();
    views_ = v1::Views::NewStub(channel_);
    leads_ = v1::Leads::NewStub(channel_);
  };
  restart({});
  // The snapshot holds everything: nothing is replayed.
  EXPECT_THAT(server_->Log(), HasSubstr("recovered 0 events after position"));
  EXPECT_EQ(Visible(*views_, Ctx("mgr").get(), Ctx("mgr").get()), before);
  // Writes continue from the restored state.
  Identify("hz-9", 5);
  const std::string after_write = Visible(*views_, Ctx("mgr").get(), Ctx("mgr").get());
  views_.reset();
  leads_.reset();
  channel_.reset();
  ASSERT_EQ(server_->Stop(), 0);

  restart({"--rebuild-projections"});
  EXPECT_THAT(server_->Log(), HasSubstr("--rebuild-projections: replaying the whole log"));
  EXPECT_THAT(server_->Log(), HasSubstr("after position 0"));
  EXPECT_EQ(Visible(*views_, Ctx("mgr").get(), Ctx("mgr").get()), after_write);
}

TEST_F(ViewsE2eTest, AdminRebuildsTheViewsWhileServing) {
  for (int i = 0; i < 3; ++i) Identify(absl::StrCat("hz-", i), 1000 * (i + 1));
  const std::string before = Visible(*views_, Ctx("mgr").get(), Ctx("mgr").get());
  auto admin = v1::Admin::NewStub(channel_);
  v1::RebuildProjectionsResponse rebuilt;
  EXPECT_THAT(admin->RebuildProjections(Ctx("mgr").get(), v1::RebuildProjectionsRequest(), &rebuilt),
              GrpcIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("ADMIN")));
  ASSERT_TRUE(admin->RebuildProjections(Ctx("root").get(), v1::RebuildProjectionsRequest(), &rebuilt).ok());
  v1::Pipeline pipeline;
  ASSERT_TRUE(views_->GetPipeline(Ctx("mgr").get(), v1::GetPipelineRequest(), &pipeline).ok());
  EXPECT_EQ(rebuilt.replayed_to(), pipeline.view().position());
  EXPECT_EQ(Visible(*views_, Ctx("mgr").get(), Ctx("mgr").get()), before);
}

// The analyses over gRPC: every member's figures for SALES_MANAGER, ADMIN
// and AUDITOR; only one's own for everyone else; as_of; bad input.
TEST_F(ViewsE2eTest, AnalysesShowEveryMembersFiguresOnlyToManagersAdminsAndAuditors) {
  auto team = v1::Team::NewStub(channel_);
  for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
           {"rep2", v1::ROLE_SALES_REP}, {"aud1", v1::ROLE_AUDITOR}}) {
    v1::AddMemberRequest add;
    add.set_member_id(id);
    add.set_display_name(absl::StrCat("成员", id));
    add.add_roles(role);
    v1::TeamCommandReply r;
    ASSERT_TRUE(team->AddMember(Ctx("root").get(), add, &r).ok()) << id;
  }
  const v1::LeadCommandReply first = Identify("an-1", 10'000'00);  // rep1's
  v1::IdentifyLeadRequest second;
  second.set_lead_id("an-2");
  second.set_company("苏州工业园区某公司");
  second.mutable_contact()->set_name("李娜");
  second.set_source(v1::LEAD_SOURCE_REFERRAL);
  v1::LeadCommandReply reply;
  ASSERT_TRUE(leads_->IdentifyLead(Ctx("rep2").get(), second, &reply).ok());

  v1::GetSalesAnalysisRequest sales;
  *sales.mutable_from() = ToProtoTime(absl::Now() - absl::Hours(24));
  *sales.mutable_to() = ToProtoTime(absl::Now() + absl::Hours(24));
  sales.mutable_view()->set_min_position(reply.position());
  v1::GetSatisfactionAnalysisRequest satisfaction;
  *satisfaction.mutable_from() = sales.from();
  *satisfaction.mutable_to() = sales.to();
  for (const std::string member : {"rep1", "rep2", "bd1", "mgr", "root", "aud1"}) {
    const bool all = member == "mgr" || member == "root" || member == "aud1";
    v1::SalesAnalysis analysis;
    const grpc::Status s = views_->GetSalesAnalysis(Ctx(member).get(), sales, &analysis);
    ASSERT_TRUE(s.ok()) << member << ": " << s.error_message();
    EXPECT_EQ(analysis.all_members(), all) << member;
    std::vector<std::string> rows;
    for (const v1::SalesAnalysisRow& row : analysis.rows()) rows.push_back(row.key());
    if (all) {
      EXPECT_THAT(rows, ::testing::ElementsAre("rep1", "rep2")) << member;
      EXPECT_EQ(analysis.totals().leads_identified(), 2u) << member;
    } else if (member == "bd1") {
      EXPECT_THAT(rows, ::testing::IsEmpty());
    } else {
      EXPECT_THAT(rows, ::testing::ElementsAre(member));
      EXPECT_EQ(analysis.totals().leads_identified(), 1u) << member;
    }
    v1::SatisfactionAnalysis scores;
    ASSERT_TRUE(views_->GetSatisfactionAnalysis(Ctx(member).get(), satisfaction, &scores).ok()) << member;
    EXPECT_EQ(scores.all_members(), all) << member;
  }

  // As the log stood after rep1's lead: rep2's is not there yet.
  v1::GetSalesAnalysisRequest then = sales;
  then.mutable_view()->set_min_position(0);
  then.mutable_view()->set_as_of_position(first.position());
  then.set_group_by(v1::SALES_GROUPING_SOURCE);
  v1::SalesAnalysis analysis;
  ASSERT_TRUE(views_->GetSalesAnalysis(Ctx("mgr").get(), then, &analysis).ok());
  EXPECT_TRUE(analysis.view().as_of());
  ASSERT_EQ(analysis.rows_size(), 1);
  EXPECT_EQ(analysis.rows(0).source(), v1::LEAD_SOURCE_EVENT);

  v1::GetSalesAnalysisRequest no_period;
  EXPECT_THAT(views_->GetSalesAnalysis(Ctx("mgr").get(), no_period, &analysis),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("period: required")));
  v1::GetSalesAnalysisRequest bad_group = sales;
  bad_group.set_group_by(static_cast<v1::SalesGrouping>(42));
  EXPECT_THAT(views_->GetSalesAnalysis(Ctx("mgr").get(), bad_group, &analysis),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("group_by: must be OWNER, SOURCE, MONTH, PRODUCT or ACCOUNT")));
  v1::GetSatisfactionAnalysisRequest bad_period;
  bad_period.set_period("2026-13");
  v1::SatisfactionAnalysis scores;
  EXPECT_THAT(views_->GetSatisfactionAnalysis(Ctx("rep1").get(), bad_period, &scores),
              GrpcIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("period: must be YYYY-MM or YYYY-Qn")));
}

}  // namespace
}  // namespace salesops
