// Feedback and coaching on performance reviews end to end on a real
// salesopsd: a manager writes feedback pinned to the review it read (and is
// refused when the review has changed since), the member acknowledges it,
// the review list shows both, the next period's review shows the agreed
// goals, a retry after the review moved is the same request, and only the
// member, its managers and auditors read the feedback. Training sessions
// and attendance are recorded by managers, read by every member, and count
// in the review of the period they start in.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salesops/v1/coaching.grpc.pb.h"
#include "server/domain/period.h"
#include "server/domain/review_feedback.h"
#include "tests/e2e/team_e2e_test.h"

namespace salesops {
namespace {

using ::salesops::testing::TeamE2eTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class CoachingE2eTest : public TeamE2eTest {
 protected:
  void SetUp() override {
    StartWithTeam({{"rep1", v1::ROLE_SALES_REP},
                   {"rep2", v1::ROLE_SALES_REP},
                   {"bd1", v1::ROLE_BD_MANAGER},
                   {"mgr", v1::ROLE_SALES_MANAGER},
                   {"aud1", v1::ROLE_AUDITOR}});
    if (HasFatalFailure()) return;
    coaching_ = v1::Coaching::NewStub(server_->Channel());
  }

  // A lead of rep1 won now (an input of rep1's review for this month).
  void Win(const std::string& id, int64_t amount) { Close(id, "上海星河贸易", true, amount); }

  v1::PerformanceReview Review(const std::string& reader, const std::string& member, const std::string& period,
                               uint64_t as_of_position = 0) {
    v1::GetPerformanceReviewRequest req;
    req.set_member_id(member);
    req.set_period(period);
    req.mutable_view()->set_as_of_position(as_of_position);
    v1::PerformanceReview review;
    Ok(views_->GetPerformanceReview(Ctx(reader).get(), req, &review));
    return review;
  }

  v1::RecordReviewFeedbackRequest Feedback(const std::string& member, const std::string& digest) {
    v1::RecordReviewFeedbackRequest req;
    req.set_member_id(member);
    req.set_period(period_);
    req.set_strengths("本月赢单节奏稳定，报价及时。");
    req.set_problems("丢单原因记录不全。");
    req.set_guidance("每次丢单后当天写明原因，周会上复盘。");
    req.add_goals("下月赢单 3 个");
    req.add_goals("平均成交周期少于 30 天");
    req.set_input_digest(digest);
    return req;
  }

  grpc::Status Get(const std::string& reader, const std::string& member, v1::ReviewFeedback* out) {
    v1::GetReviewFeedbackRequest req;
    req.set_member_id(member);
    req.set_period(period_);
    return coaching_->GetReviewFeedback(Ctx(reader).get(), req, out);
  }

  std::unique_ptr<v1::Coaching::Stub> coaching_;
  // This month (the server stamps events with its clock) and the next.
  const std::string period_ = absl::FormatTime("%Y-%m", absl::Now(), absl::UTCTimeZone());
};

TEST_F(CoachingE2eTest, FeedbackIsPinnedToTheReviewAcknowledgedAndShownBesideTheNextPeriod) {
  Win("L1", 50'000'00);
  const v1::PerformanceReview read = Review("mgr", "rep1", period_);
  ASSERT_FALSE(read.input_digest().empty());
  EXPECT_EQ(read.feedback().version(), 0u);

  v1::ReviewFeedbackCommandReply reply;
  Ok(coaching_->RecordReviewFeedback(Ctx("mgr").get(), Feedback("rep1", read.input_digest()), &reply));
  EXPECT_EQ(reply.version(), 1u);
  EXPECT_FALSE(reply.acknowledged());

  // Pinned to the review the manager read; that review regenerates as of
  // the pinned position.
  v1::ReviewFeedback feedback;
  Ok(Get("rep1", "rep1", &feedback));
  ASSERT_EQ(feedback.versions_size(), 1);
  const v1::ReviewFeedbackVersion& v1 = feedback.versions(0);
  EXPECT_EQ(v1.review().input_digest(), read.input_digest());
  EXPECT_EQ(v1.review().input_events(), read.input_events());
  EXPECT_EQ(v1.review().as_of_position(), read.view().position());
  EXPECT_EQ(v1.written_by(), "mgr");
  EXPECT_THAT(v1.goals(), ElementsAre("下月赢单 3 个", "平均成交周期少于 30 天"));
  EXPECT_EQ(v1.strengths(), "本月赢单节奏稳定，报价及时。");

  // The review moves on; feedback written about the old numbers is refused
  // and nothing is written.
  Win("L2", 20'000'00);
  const v1::PerformanceReview now = Review("mgr", "rep1", period_);
  ASSERT_NE(now.input_digest(), read.input_digest());
  v1::RecordReviewFeedbackRequest stale = Feedback("rep1", read.input_digest());
  stale.set_correction_reason("补充");
  grpc::Status refused = coaching_->RecordReviewFeedback(Ctx("mgr").get(), stale, &reply);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("input_digest: the review of member 'rep1'"));
  EXPECT_THAT(refused.error_message(), HasSubstr(now.input_digest()));
  Ok(Get("mgr", "rep1", &feedback));
  EXPECT_EQ(feedback.versions_size(), 1);
  EXPECT_EQ(Review("mgr", "rep1", period_, v1.review().as_of_position()).input_digest(), read.input_digest());

  // The ranking shows who has feedback and whether it was acknowledged.
  v1::ListPerformanceReviewsRequest list;
  list.set_role(v1::ROLE_SALES_REP);
  list.set_period(period_);
  v1::ListPerformanceReviewsResponse ranked;
  Ok(views_->ListPerformanceReviews(Ctx("mgr").get(), list, &ranked));
  ASSERT_EQ(ranked.reviews_size(), 2);
  for (const v1::RankedReview& r : ranked.reviews()) {
    const bool rep1 = r.review().member_id() == "rep1";
    EXPECT_EQ(r.review().feedback().version(), rep1 ? 1u : 0u) << r.review().member_id();
    EXPECT_FALSE(r.review().feedback().acknowledged());
  }

  v1::AcknowledgeReviewFeedbackRequest ack;
  ack.set_member_id("rep1");
  ack.set_period(period_);
  ack.set_version(1);
  ack.set_comment("收到，下月改进。");
  Ok(coaching_->AcknowledgeReviewFeedback(Ctx("rep1").get(), ack, &reply));
  EXPECT_TRUE(reply.acknowledged());
  Ok(views_->ListPerformanceReviews(Ctx("mgr").get(), list, &ranked));
  for (const v1::RankedReview& r : ranked.reviews()) {
    EXPECT_EQ(r.review().feedback().acknowledged(), r.review().member_id() == "rep1") << r.review().member_id();
  }
  Ok(Get("rep1", "rep1", &feedback));
  EXPECT_TRUE(feedback.versions(0).has_acknowledged_at());
  EXPECT_EQ(feedback.versions(0).comment(), "收到，下月改进。");

  // A correction is version 2, not yet acknowledged; version 1 keeps its
  // acknowledgement.
  v1::RecordReviewFeedbackRequest fix = Feedback("rep1", "");
  fix.clear_goals();
  fix.add_goals("下月赢单 4 个");
  fix.set_correction_reason("目标与区域经理对齐后上调");
  Ok(coaching_->RecordReviewFeedback(Ctx("root").get(), fix, &reply));  // an ADMIN writes feedback too
  EXPECT_EQ(reply.version(), 2u);
  EXPECT_FALSE(reply.acknowledged());
  Ok(Get("aud1", "rep1", &feedback));
  ASSERT_EQ(feedback.versions_size(), 2);
  EXPECT_TRUE(feedback.versions(0).has_acknowledged_at());
  EXPECT_EQ(feedback.versions(1).review().input_digest(), now.input_digest());
  const v1::PerformanceReview this_month = Review("rep1", "rep1", period_);
  EXPECT_EQ(this_month.feedback().version(), 2u);
  EXPECT_EQ(this_month.feedback().acknowledged_version(), 1u);
  EXPECT_FALSE(this_month.feedback().acknowledged());

  // The next month's review shows the goals in force beside its figures.
  const std::string next = absl::FormatTime(
      "%Y-%m", absl::FromCivil(absl::CivilMonth(absl::ToCivilMonth(absl::Now(), absl::UTCTimeZone())) + 1,
                               absl::UTCTimeZone()),
      absl::UTCTimeZone());
  ASSERT_EQ(domain::PreviousPeriod(next), period_);
  const v1::PerformanceReview next_month = Review("rep1", "rep1", next);
  EXPECT_EQ(next_month.previous_period(), period_);
  EXPECT_THAT(next_month.previous_goals(), ElementsAre("下月赢单 4 个"));
  EXPECT_EQ(next_month.feedback().version(), 0u);
}

TEST_F(CoachingE2eTest, ARetryAfterTheReviewMovedIsTheSameRequest) {
  Win("L1", 50'000'00);
  v1::RecordReviewFeedbackRequest req = Feedback("rep1", "");
  req.mutable_options()->set_request_id("feedback-rep1-1");
  v1::ReviewFeedbackCommandReply first;
  Ok(coaching_->RecordReviewFeedback(Ctx("mgr").get(), req, &first));
  // The review changes, so the service would pin different numbers now; the
  // retry still answers from its record and writes nothing.
  Win("L2", 20'000'00);
  v1::ReviewFeedbackCommandReply again;
  Ok(coaching_->RecordReviewFeedback(Ctx("mgr").get(), req, &again));
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  v1::ReviewFeedback feedback;
  Ok(Get("mgr", "rep1", &feedback));
  EXPECT_EQ(feedback.versions_size(), 1);
}

TEST_F(CoachingE2eTest, OnlyManagersWriteAndOnlyTheMemberItsManagersAndAuditorsRead) {
  Win("L1", 50'000'00);
  const std::string digest = Review("mgr", "rep1", period_).input_digest();
  v1::ReviewFeedbackCommandReply reply;
  // A rep may not write feedback, and learns nothing about the review from
  // the refusal (not even with a wrong digest).
  grpc::Status s = coaching_->RecordReviewFeedback(Ctx("rep2").get(), Feedback("rep1", "sha256-sum:0"), &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("RecordReviewFeedback needs role SALES_MANAGER or ADMIN"));
  EXPECT_THAT(s.error_message(), Not(HasSubstr("sha256")));
  s = coaching_->RecordReviewFeedback(Ctx("aud1").get(), Feedback("rep1", digest), &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Nobody writes feedback on its own review.
  s = coaching_->RecordReviewFeedback(Ctx("mgr").get(), Feedback("mgr", ""), &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("may not write feedback on its own review"));

  Ok(coaching_->RecordReviewFeedback(Ctx("mgr").get(), Feedback("rep1", digest), &reply));
  // Only the member acknowledges.
  v1::AcknowledgeReviewFeedbackRequest ack;
  ack.set_member_id("rep1");
  ack.set_period(period_);
  ack.set_version(1);
  s = coaching_->AcknowledgeReviewFeedback(Ctx("mgr").get(), ack, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("its owner acting for itself ('rep1')"));

  v1::ReviewFeedback feedback;
  s = Get("rep2", "rep1", &feedback);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("Coaching.GetReviewFeedback"));
  Ok(Get("rep1", "", &feedback));  // empty member: the caller's own
  EXPECT_EQ(feedback.member_id(), "rep1");
  Ok(Get("aud1", "rep1", &feedback));
  Ok(Get("root", "rep1", &feedback));
  EXPECT_EQ(Get("rep2", "", &feedback).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::GetReviewFeedbackRequest bad;
  bad.set_period("2026-13");
  s = coaching_->GetReviewFeedback(Ctx("rep1").get(), bad, &feedback);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("period: must be YYYY-MM or YYYY-Qn"));
}

TEST_F(CoachingE2eTest, TrainingIsRecordedListedAndCountedInTheReview) {
  // Two sessions a second apart (never across a month boundary: `base` is a
  // whole minute), both in the past.
  const absl::Time base = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now() - absl::Minutes(2)) / 60 * 60);
  const std::string period = absl::FormatTime("%Y-%m", base, absl::UTCTimeZone());
  const auto session = [&](const std::string& id, absl::Time start, uint32_t minutes, v1::TrainingCategory category,
                           const std::string& caller = "mgr") {
    v1::RecordTrainingSessionRequest req;
    req.set_session_id(id);
    req.set_topic("新品发布：智能网关（第二期）");
    req.set_category(category);
    req.set_trainer("王芳");
    req.mutable_starts_at()->set_seconds(absl::ToUnixSeconds(start));
    req.set_duration_minutes(minutes);
    v1::TrainingCommandReply reply;
    return coaching_->RecordTrainingSession(Ctx(caller).get(), req, &reply);
  };
  const auto attend = [&](const std::string& id, const std::string& member, uint32_t minutes,
                          const std::string& caller = "mgr") {
    v1::RecordTrainingAttendanceRequest req;
    req.set_session_id(id);
    req.set_member_id(member);
    req.set_minutes(minutes);
    v1::TrainingCommandReply reply;
    grpc::Status s = coaching_->RecordTrainingAttendance(Ctx(caller).get(), req, &reply);
    if (s.ok()) {
      EXPECT_EQ(reply.session_id(), id);
      EXPECT_EQ(reply.member_id(), member);
      EXPECT_GT(reply.position(), 0u);
    }
    return s;
  };
  Ok(session("S2", base, 60, v1::TRAINING_CATEGORY_MARKET_TRENDS));
  Ok(session("S1", base + absl::Seconds(1), 90, v1::TRAINING_CATEGORY_PRODUCT_KNOWLEDGE));
  Ok(attend("S1", "rep1", 0));  // the whole session
  Ok(attend("S2", "rep1", 30));
  Ok(attend("S1", "rep2", 45));
  // Refusals: a rep records nothing, a session id is taken once, no more
  // minutes than the session lasted.
  grpc::Status s = attend("S1", "rep1", 90, "rep1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("RecordTrainingAttendance needs role SALES_MANAGER or ADMIN"));
  s = session("S1", base, 30, v1::TRAINING_CATEGORY_OTHER);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  s = attend("S2", "bd1", 61);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("minutes: must be at most the session's duration, 60 (got 61)"));

  // Any member reads the calendar; the text comes back intact.
  v1::GetTrainingSessionRequest get;
  get.set_session_id("S1");
  v1::TrainingSession got;
  Ok(coaching_->GetTrainingSession(Ctx("bd1").get(), get, &got));
  EXPECT_EQ(got.topic(), "新品发布：智能网关（第二期）");
  EXPECT_EQ(got.trainer(), "王芳");
  ASSERT_EQ(got.attendance_size(), 2);
  EXPECT_EQ(got.attendance(0).member_id(), "rep1");
  EXPECT_EQ(got.attendance(0).minutes(), 90u);
  EXPECT_EQ(got.attendance(1).minutes(), 45u);
  get.set_session_id("S9");
  EXPECT_EQ(coaching_->GetTrainingSession(Ctx("bd1").get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::ListTrainingSessionsRequest list;
  list.set_period(period);
  v1::ListTrainingSessionsResponse sessions;
  Ok(coaching_->ListTrainingSessions(Ctx("rep2").get(), list, &sessions));
  ASSERT_EQ(sessions.sessions_size(), 2);
  EXPECT_EQ(sessions.sessions(0).session_id(), "S1");  // newest start first
  EXPECT_EQ(sessions.sessions(1).session_id(), "S2");
  ASSERT_EQ(sessions.hours_size(), 2);
  EXPECT_EQ(sessions.hours(0).member_id(), "rep1");
  EXPECT_DOUBLE_EQ(sessions.hours(0).hours(), 2.0);  // (90 + 30) / 60
  EXPECT_EQ(sessions.hours(0).sessions(), 2u);
  EXPECT_DOUBLE_EQ(sessions.hours(1).hours(), 0.75);
  // One member's sessions; a category; pages that join up.
  list.set_member_id("rep2");
  Ok(coaching_->ListTrainingSessions(Ctx("rep2").get(), list, &sessions));
  ASSERT_EQ(sessions.sessions_size(), 1);
  EXPECT_EQ(sessions.sessions(0).session_id(), "S1");
  ASSERT_EQ(sessions.hours_size(), 1);
  EXPECT_EQ(sessions.hours(0).member_id(), "rep2");
  list.clear_member_id();
  list.set_category(v1::TRAINING_CATEGORY_MARKET_TRENDS);
  Ok(coaching_->ListTrainingSessions(Ctx("rep2").get(), list, &sessions));
  ASSERT_EQ(sessions.sessions_size(), 1);
  EXPECT_EQ(sessions.sessions(0).session_id(), "S2");
  list.clear_category();
  list.set_page_size(1);
  Ok(coaching_->ListTrainingSessions(Ctx("rep2").get(), list, &sessions));
  ASSERT_EQ(sessions.sessions_size(), 1);
  ASSERT_FALSE(sessions.next_page_token().empty());
  list.set_page_token(sessions.next_page_token());
  Ok(coaching_->ListTrainingSessions(Ctx("rep2").get(), list, &sessions));
  ASSERT_EQ(sessions.sessions_size(), 1);
  EXPECT_EQ(sessions.sessions(0).session_id(), "S2");
  EXPECT_TRUE(sessions.next_page_token().empty());
  list.set_member_id("rep1");  // a token belongs to its filters
  s = coaching_->ListTrainingSessions(Ctx("rep2").get(), list, &sessions);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token: belongs to a query with other filters"));

  // The review of the period shows the hours, as a metric of the role too.
  const v1::PerformanceReview review = Review("rep1", "rep1", period);
  EXPECT_DOUBLE_EQ(review.training_hours(), 2.0);
  EXPECT_EQ(review.training_sessions(), 2u);
  ASSERT_EQ(review.roles_size(), 1);
  bool found = false;
  for (const v1::MetricValue& m : review.roles(0).metrics()) {
    if (m.metric() != "training_hours") continue;
    found = true;
    EXPECT_DOUBLE_EQ(m.value(), 2.0);
    EXPECT_EQ(m.weight(), 0);  // no policy names it
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace salesops
