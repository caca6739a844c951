// The review feedback aggregate as given(state) / when(command) /
// then(event or error), decided through the composition (so the
// responsibility table's rows for it are exercised too): who writes and who
// acknowledges, versions and corrections, the pin the service supplies,
// and the fold.
#include "server/domain/review_feedback.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/compose.h"
#include "server/domain/errors.h"
#include "server/domain/proto_time.h"
#include "server/domain/state.h"
#include "tests/common/testing.h"
#include "tests/domain/compose_testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// root (ADMIN), mgr and mgr2 (SALES_MANAGER), rep and rep2 (SALES_REP),
// audit (AUDITOR), gone (SALES_REP, deactivated).
State Team() {
  return TeamOf({{"mgr", v1::ROLE_SALES_MANAGER},
                 {"mgr2", v1::ROLE_SALES_MANAGER},
                 {"rep", v1::ROLE_SALES_REP},
                 {"rep2", v1::ROLE_SALES_REP},
                 {"audit", v1::ROLE_AUDITOR},
                 {"gone", v1::ROLE_SALES_REP}},
                {"gone"});
}

v1::Command Record(const std::string& member, const std::string& period = "2026-10",
                   const std::string& reason = "") {
  v1::Command c;
  v1::RecordReviewFeedbackRequest* r = c.mutable_review_feedback()->mutable_record();
  r->set_member_id(member);
  r->set_period(period);
  r->set_strengths("报价及时，客户反馈好");
  r->set_problems("丢单原因记录不全");
  r->set_guidance("每次丢单后当天写明原因");
  r->add_goals("赢单 3 个");
  r->add_goals("平均周期少于 30 天");
  r->set_correction_reason(reason);
  v1::ReviewPin* pin = c.mutable_review_feedback()->mutable_pin();
  pin->set_policy_version(2);
  pin->set_input_digest("sha256-sum:abc");
  pin->set_input_events(17);
  pin->set_as_of_position(41);
  return c;
}

v1::Command Ack(const std::string& member, uint32_t version, const std::string& period = "2026-10") {
  v1::Command c;
  v1::AcknowledgeReviewFeedbackRequest* r = c.mutable_review_feedback()->mutable_acknowledge();
  r->set_member_id(member);
  r->set_period(period);
  r->set_version(version);
  r->set_comment("收到，下月改进。");
  return c;
}

TEST(ReviewFeedbackTest, AManagerRecordsFeedbackPinnedToTheReview) {
  State state = Team();
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "mgr", Record("rep"));
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->streams.size(), 1u);
  EXPECT_EQ(d->streams[0].stream_id, "feedback-2026-10-rep");
  EXPECT_EQ(d->acted_as, v1::ROLE_SALES_MANAGER);
  const v1::ReviewFeedbackRecorded& e = d->streams[0].events[0].review_feedback_recorded();
  EXPECT_EQ(e.version(), 1u);
  EXPECT_EQ(e.review().input_digest(), "sha256-sum:abc");
  EXPECT_EQ(e.review().as_of_position(), 41u);
  EXPECT_THAT(e.goals(), ElementsAre("赢单 3 个", "平均周期少于 30 天"));
  const v1::ReviewFeedback& f = state.feedback.Find("rep", "2026-10");
  ASSERT_EQ(f.versions_size(), 1);
  EXPECT_EQ(f.versions(0).written_by(), "mgr");
  EXPECT_EQ(f.versions(0).strengths(), "报价及时，客户反馈好");
  EXPECT_FALSE(f.versions(0).has_acknowledged_at());
  EXPECT_EQ(FeedbackStatusOf(f).version(), 1u);
  EXPECT_FALSE(FeedbackStatusOf(f).acknowledged());
  // An ADMIN writes feedback too.
  EXPECT_THAT(DecideAndFold(state, "root", Record("rep2")), IsOk());
}

TEST(ReviewFeedbackTest, RefusalsChangeNothing) {
  struct Case {
    std::string name;
    std::string actor;
    v1::Command command;
    absl::StatusCode code;
    std::string message;
  };
  v1::Command no_text = Record("rep");
  no_text.mutable_review_feedback()->mutable_record()->clear_strengths();
  no_text.mutable_review_feedback()->mutable_record()->clear_problems();
  no_text.mutable_review_feedback()->mutable_record()->clear_guidance();
  no_text.mutable_review_feedback()->mutable_record()->clear_goals();
  v1::Command long_goal = Record("rep");
  long_goal.mutable_review_feedback()->mutable_record()->add_goals(std::string(501, 'x'));
  v1::Command stale = Ack("rep", 1);
  stale.mutable_review_feedback()->mutable_acknowledge()->mutable_options()->set_expected_version(0);
  const std::vector<Case> cases = {
      {"a rep may not write feedback", "rep2", Record("rep"), absl::StatusCode::kPermissionDenied,
       "RecordReviewFeedback needs role SALES_MANAGER or ADMIN"},
      {"an auditor may not write feedback", "audit", Record("rep"), absl::StatusCode::kPermissionDenied,
       "needs role SALES_MANAGER or ADMIN"},
      {"nobody writes feedback on its own review", "mgr", Record("mgr"), absl::StatusCode::kPermissionDenied,
       "may not write feedback on its own review"},
      {"the member must be active", "mgr", Record("gone"), absl::StatusCode::kInvalidArgument,
       "member_id: member 'gone' is not an active member"},
      {"an unknown member", "mgr", Record("nobody"), absl::StatusCode::kInvalidArgument,
       "member_id: member 'nobody'"},
      {"a period is named", "mgr", Record("rep", "2026-13"), absl::StatusCode::kInvalidArgument,
       "period: must be YYYY-MM or YYYY-Qn"},
      {"feedback says something", "mgr", no_text, absl::StatusCode::kInvalidArgument,
       "strengths: at least one of strengths, problems, guidance and goals is required"},
      {"a goal is at most 500 characters", "mgr", long_goal, absl::StatusCode::kInvalidArgument,
       "goals[2]: must be 1..500 characters"},
      {"a first version is no correction", "mgr", Record("rep", "2026-11", "typo"),
       absl::StatusCode::kInvalidArgument, "correction_reason: only for a correction"},
      {"a correction says why", "mgr", Record("rep"), absl::StatusCode::kInvalidArgument,
       "correction_reason: required: feedback version 1 exists"},
      {"only the member acknowledges", "mgr", Ack("rep", 1), absl::StatusCode::kPermissionDenied,
       "its owner acting for itself ('rep')"},
      {"another rep may not acknowledge", "rep2", Ack("rep", 1), absl::StatusCode::kPermissionDenied,
       "AcknowledgeReviewFeedback needs its owner acting for itself ('rep')"},
      {"no feedback to acknowledge", "rep", Ack("rep", 1, "2026-09"), absl::StatusCode::kNotFound,
       "no feedback on the review of member 'rep' for 2026-09"},
      {"acknowledge the latest version", "rep", Ack("rep", 2), absl::StatusCode::kFailedPrecondition,
       "the feedback's latest version is 1, not 2"},
      {"a version is required", "rep", Ack("rep", 0), absl::StatusCode::kInvalidArgument, "version: is required"},
      {"expected_version is checked", "rep", stale, absl::StatusCode::kAborted, "is at version 1, expected_version was 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    State state = Team();
    ASSERT_THAT(DecideAndFold(state, "mgr", Record("rep")), IsOk());
    const v1::ReviewFeedback before = state.feedback.Find("rep", "2026-10");
    EXPECT_THAT(DecideAndFold(state, c.actor, c.command), StatusIs(c.code, HasSubstr(c.message)));
    EXPECT_EQ(state.feedback.Find("rep", "2026-10").SerializeAsString(), before.SerializeAsString());
    EXPECT_EQ(state.feedback.feedback.size(), 1u);
  }
}

TEST(ReviewFeedbackTest, FeedbackOnOnesOwnReviewHasItsOwnReason) {
  State state = Team();
  const absl::StatusOr<CommandDecision> own = DecideAndFold(state, "mgr", Record("mgr"));
  EXPECT_THAT(own, StatusIs(absl::StatusCode::kPermissionDenied,
                            HasSubstr("may not write feedback on its own review")));
  EXPECT_EQ(errors::ReasonOf(own.status()), errors::kSelfReviewFeedback);
  EXPECT_EQ(errors::ReasonOf(DecideAndFold(state, "root", Record("root")).status()),
            errors::kSelfReviewFeedback);
  // Lacking the role is another reason.
  EXPECT_EQ(errors::ReasonOf(DecideAndFold(state, "rep2", Record("rep")).status()), errors::kRoleRequired);
}

TEST(ReviewFeedbackTest, TheMemberAcknowledgesTheLatestVersionOnce) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "mgr", Record("rep")), IsOk());
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "rep", Ack("rep", 1), kNow + absl::Hours(1));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->streams[0].events[0].review_feedback_acknowledged().version(), 1u);
  const v1::ReviewFeedback& f = state.feedback.Find("rep", "2026-10");
  EXPECT_EQ(FromProtoTime(f.versions(0).acknowledged_at()), kNow + absl::Hours(1));
  EXPECT_EQ(f.versions(0).comment(), "收到，下月改进。");
  EXPECT_TRUE(FeedbackStatusOf(f).acknowledged());
  // Twice is refused, with the reason clients match on.
  absl::StatusOr<CommandDecision> again = DecideAndFold(state, "rep", Ack("rep", 1), kNow + absl::Hours(2));
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is already acknowledged")));
  EXPECT_EQ(errors::ReasonOf(again.status()), errors::kFeedbackNotAcknowledgeable);
}

TEST(ReviewFeedbackTest, ACorrectionIsANewVersionAndTheEarlierStays) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "mgr", Record("rep")), IsOk());
  ASSERT_THAT(DecideAndFold(state, "rep", Ack("rep", 1), kNow + absl::Hours(1)), IsOk());
  v1::Command fix = Record("rep", "2026-10", "目标写错了");
  fix.mutable_review_feedback()->mutable_record()->clear_goals();
  fix.mutable_review_feedback()->mutable_record()->add_goals("赢单 4 个");
  ASSERT_THAT(DecideAndFold(state, "mgr2", fix, kNow + absl::Hours(2)), IsOk());
  const v1::ReviewFeedback& f = state.feedback.Find("rep", "2026-10");
  ASSERT_EQ(f.versions_size(), 2);
  EXPECT_EQ(f.stream_version(), 3u);
  EXPECT_THAT(f.versions(0).goals(), ElementsAre("赢单 3 个", "平均周期少于 30 天"));
  EXPECT_TRUE(f.versions(0).has_acknowledged_at());  // the acknowledgement stays with version 1
  EXPECT_EQ(f.versions(1).correction_reason(), "目标写错了");
  EXPECT_EQ(f.versions(1).written_by(), "mgr2");
  EXPECT_THAT(f.versions(1).goals(), ElementsAre("赢单 4 个"));
  const v1::ReviewFeedbackStatus status = FeedbackStatusOf(f);
  EXPECT_EQ(status.version(), 2u);
  EXPECT_FALSE(status.acknowledged());
  EXPECT_EQ(status.acknowledged_version(), 1u);
  // Acknowledging the old version again is refused; the new one is taken.
  EXPECT_THAT(DecideAndFold(state, "rep", Ack("rep", 1), kNow + absl::Hours(3)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("latest version is 2")));
  EXPECT_THAT(DecideAndFold(state, "rep", Ack("rep", 2), kNow + absl::Hours(3)), IsOk());
  EXPECT_TRUE(FeedbackStatusOf(state.feedback.Find("rep", "2026-10")).acknowledged());
}

TEST(ReviewFeedbackTest, StreamIds) {
  EXPECT_EQ(FeedbackStreamId("rep-1", "2026-Q3"), "feedback-2026-Q3-rep-1");
  absl::string_view id;
  const Aggregate* owner = AggregateOfStream("feedback-2026-Q3-rep-1", &id);
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->name, "review_feedback");
  EXPECT_EQ(id, "2026-Q3-rep-1");
}

}  // namespace
}  // namespace salesops::domain
