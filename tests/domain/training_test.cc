// The training aggregate as given(state) / when(command) / then(event or
// error), decided through the composition (so the responsibility table's
// rows for it are exercised too): who records sessions and attendance,
// whole-session and partial minutes, corrections, and the fold.
#include "server/domain/training.h"

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
using ::testing::HasSubstr;

// root (ADMIN), mgr (SALES_MANAGER), rep and rep2 (SALES_REP), gone
// (SALES_REP, deactivated).
State Team() {
  return TeamOf({{"mgr", v1::ROLE_SALES_MANAGER}, {"rep", v1::ROLE_SALES_REP}, {"rep2", v1::ROLE_SALES_REP},
                 {"gone", v1::ROLE_SALES_REP}},
                {"gone"});
}

v1::Command Session(const std::string& id, uint32_t minutes = 90) {
  v1::Command c;
  v1::RecordTrainingSessionRequest* r = c.mutable_training()->mutable_record_session();
  r->set_session_id(id);
  r->set_topic("新产品线：智能网关");
  r->set_category(v1::TRAINING_CATEGORY_PRODUCT_KNOWLEDGE);
  r->set_trainer("李工（产品部）");
  *r->mutable_starts_at() = ToProtoTime(kNow - absl::Hours(48));
  r->set_duration_minutes(minutes);
  r->set_notes("讲义见共享盘");
  return c;
}

v1::Command Attend(const std::string& session, const std::string& member, uint32_t minutes,
                   const std::string& reason = "") {
  v1::Command c;
  v1::RecordTrainingAttendanceRequest* r = c.mutable_training()->mutable_record_attendance();
  r->set_session_id(session);
  r->set_member_id(member);
  r->set_minutes(minutes);
  r->set_correction_reason(reason);
  return c;
}

TEST(TrainingTest, AManagerRecordsASessionAndWhoAttended) {
  State state = Team();
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "mgr", Session("t-1"));
  ASSERT_THAT(d, IsOk());
  ASSERT_EQ(d->streams.size(), 1u);
  EXPECT_EQ(d->streams[0].stream_id, "training-t-1");
  EXPECT_EQ(d->acted_as, v1::ROLE_SALES_MANAGER);
  EXPECT_EQ(d->streams[0].events[0].training_session_recorded().topic(), "新产品线：智能网关");
  // 0 minutes on a first record: the whole session.
  d = DecideAndFold(state, "mgr", Attend("t-1", "rep", 0));
  ASSERT_THAT(d, IsOk());
  const v1::TrainingAttendanceRecorded& e = d->streams[0].events[0].training_attendance_recorded();
  EXPECT_EQ(e.minutes(), 90u);
  EXPECT_EQ(e.revision(), 1u);
  // An ADMIN records too; part of a session.
  ASSERT_THAT(DecideAndFold(state, "root", Attend("t-1", "mgr", 45)), IsOk());
  const v1::TrainingSession& s = state.training.Find("t-1");
  EXPECT_EQ(s.stream_version(), 3u);
  EXPECT_EQ(s.recorded_by(), "mgr");
  ASSERT_EQ(s.attendance_size(), 2);
  EXPECT_EQ(s.attendance(0).member_id(), "mgr");  // by member id
  EXPECT_EQ(s.attendance(0).minutes(), 45u);
  EXPECT_EQ(s.attendance(0).recorded_by(), "root");
  EXPECT_EQ(s.attendance(1).member_id(), "rep");
  EXPECT_EQ(s.attendance(1).minutes(), 90u);
}

TEST(TrainingTest, ACorrectionReplacesTheMinutesAndSaysWhy) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "mgr", Session("t-1")), IsOk());
  ASSERT_THAT(DecideAndFold(state, "mgr", Attend("t-1", "rep", 90)), IsOk());
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "mgr", Attend("t-1", "rep", 30, "提前离场"), kNow + absl::Hours(1));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->streams[0].events[0].training_attendance_recorded().revision(), 2u);
  const v1::TrainingAttendance& a = state.training.Find("t-1").attendance(0);
  EXPECT_EQ(a.minutes(), 30u);
  EXPECT_EQ(a.revision(), 2u);
  EXPECT_EQ(a.correction_reason(), "提前离场");
  // 0 on a correction withdraws the attendance (it is not the whole session).
  ASSERT_THAT(DecideAndFold(state, "mgr", Attend("t-1", "rep", 0, "记错了人"), kNow + absl::Hours(2)), IsOk());
  EXPECT_EQ(state.training.Find("t-1").attendance(0).minutes(), 0u);
  EXPECT_EQ(state.training.Find("t-1").attendance(0).revision(), 3u);
}

TEST(TrainingTest, RefusalsChangeNothing) {
  struct Case {
    std::string name;
    std::string actor;
    v1::Command command;
    absl::StatusCode code;
    std::string message;
  };
  v1::Command no_topic = Session("t-2");
  no_topic.mutable_training()->mutable_record_session()->clear_topic();
  v1::Command no_category = Session("t-2");
  no_category.mutable_training()->mutable_record_session()->clear_category();
  v1::Command no_start = Session("t-2");
  no_start.mutable_training()->mutable_record_session()->clear_starts_at();
  v1::Command far_start = Session("t-2");
  *far_start.mutable_training()->mutable_record_session()->mutable_starts_at() =
      ToProtoTime(kNow + absl::Hours(24 * 400));
  v1::Command stale = Attend("t-1", "rep2", 60);
  stale.mutable_training()->mutable_record_attendance()->mutable_options()->set_expected_version(0);
  const std::vector<Case> cases = {
      {"a rep may not record a session", "rep", Session("t-2"), absl::StatusCode::kPermissionDenied,
       "RecordTrainingSession needs role SALES_MANAGER or ADMIN"},
      {"a rep may not record attendance, even its own", "rep", Attend("t-1", "rep2", 60),
       absl::StatusCode::kPermissionDenied, "RecordTrainingAttendance needs role SALES_MANAGER or ADMIN"},
      {"a session id once", "mgr", Session("t-1"), absl::StatusCode::kAlreadyExists,
       "training session 't-1' already exists"},
      {"a topic is required", "mgr", no_topic, absl::StatusCode::kInvalidArgument, "topic: must be 1..200"},
      {"a category is required", "mgr", no_category, absl::StatusCode::kInvalidArgument,
       "category: is required: PRODUCT_KNOWLEDGE"},
      {"a start is required", "mgr", no_start, absl::StatusCode::kInvalidArgument, "starts_at: is required"},
      {"a start within a year", "mgr", far_start, absl::StatusCode::kInvalidArgument,
       "starts_at: must be within 366 days of now"},
      {"a duration is required", "mgr", Session("t-2", 0), absl::StatusCode::kInvalidArgument,
       "duration_minutes: must be 1..1440 (got 0)"},
      {"a duration is at most a day", "mgr", Session("t-2", 1441), absl::StatusCode::kInvalidArgument,
       "duration_minutes: must be 1..1440 (got 1441)"},
      {"an unknown session", "mgr", Attend("t-9", "rep2", 60), absl::StatusCode::kNotFound,
       "training session 't-9' not found"},
      {"the member must be active", "mgr", Attend("t-1", "gone", 60), absl::StatusCode::kInvalidArgument,
       "member_id: member 'gone' is not an active member"},
      {"no more than the session lasted", "mgr", Attend("t-1", "rep2", 91), absl::StatusCode::kInvalidArgument,
       "minutes: must be at most the session's duration, 90 (got 91)"},
      {"a correction says why", "mgr", Attend("t-1", "rep", 60), absl::StatusCode::kInvalidArgument,
       "correction_reason: required: the attendance of member 'rep' at training session 't-1' was recorded"},
      {"a first record is no correction", "mgr", Attend("t-1", "rep2", 60, "why"),
       absl::StatusCode::kInvalidArgument, "correction_reason: only for a correction"},
      {"expected_version is checked", "mgr", stale, absl::StatusCode::kAborted,
       "is at version 2, expected_version was 0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    State state = Team();
    ASSERT_THAT(DecideAndFold(state, "mgr", Session("t-1")), IsOk());
    ASSERT_THAT(DecideAndFold(state, "mgr", Attend("t-1", "rep", 90)), IsOk());
    const std::string before = state.training.Find("t-1").SerializeAsString();
    EXPECT_THAT(DecideAndFold(state, c.actor, c.command), StatusIs(c.code, HasSubstr(c.message)));
    EXPECT_EQ(state.training.Find("t-1").SerializeAsString(), before);
    EXPECT_EQ(state.training.sessions.size(), 1u);
  }
}

TEST(TrainingTest, StreamsAndNames) {
  EXPECT_EQ(TrainingStreamId("t-1"), "training-t-1");
  absl::string_view id;
  const Aggregate* owner = AggregateOfStream("training-t-1", &id);
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->name, "training");
  EXPECT_EQ(id, "t-1");
  EXPECT_EQ(TrainingCategoryName(v1::TRAINING_CATEGORY_MARKET_TRENDS), "MARKET_TRENDS");
}

}  // namespace
}  // namespace salesops::domain
