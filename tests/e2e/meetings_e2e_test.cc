// Meetings end to end on a real salesopsd: a manager schedules the weekly
// team meeting, agrees action items, records minutes; the next meeting's
// brief is computed from the log as of its start — progress since the
// previous meeting, problems, successes, items carried forward — and a brief
// regenerated after later events is byte for byte the original.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/meetings.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "server/domain/proto_time.h"
#include "tests/e2e/team_e2e_test.h"

namespace salesops {
namespace {

using ::salesops::testing::TeamE2eTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MeetingsE2eTest : public TeamE2eTest {
 protected:
  void SetUp() override {
    StartWithTeam({{"rep1", v1::ROLE_SALES_REP},
                   {"rep2", v1::ROLE_SALES_REP},
                   {"bd1", v1::ROLE_BD_MANAGER},
                   {"sup1", v1::ROLE_SALES_SUPPORT},
                   {"mgr", v1::ROLE_SALES_MANAGER},
                   {"aud1", v1::ROLE_AUDITOR}});
    if (HasFatalFailure()) return;
    meetings_ = v1::Meetings::NewStub(server_->Channel());
  }

  v1::MeetingCommandReply Schedule(const std::string& id, absl::Time starts_at, const std::string& member = "") {
    v1::ScheduleMeetingRequest s;
    s.set_meeting_id(id);
    s.set_title("华东区周例会");
    s.set_member_id(member);
    s.set_cadence(v1::MEETING_CADENCE_WEEKLY);
    *s.mutable_starts_at() = ToProtoTime(starts_at);
    v1::MeetingCommandReply r;
    Ok(meetings_->ScheduleMeeting(Ctx("mgr").get(), s, &r));
    return r;
  }

  absl::StatusOr<v1::MeetingBrief> Brief(const std::string& reader, const std::string& meeting_id) {
    v1::GetMeetingBriefRequest req;
    req.set_meeting_id(meeting_id);
    v1::MeetingBrief brief;
    grpc::Status s = views_->GetMeetingBrief(Ctx(reader).get(), req, &brief);
    if (!s.ok()) return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return brief;
  }

  // Waits until the server's clock (the recorded_at it stamps) has passed
  // `t`: an event written now is recorded after it.
  static absl::Time Later() {
    const absl::Time t = absl::Now();
    while (absl::Now() <= t) {
    }
    return t;
  }

  std::unique_ptr<v1::Meetings::Stub> meetings_;
};

TEST_F(MeetingsE2eTest, ABriefIsComputedAsOfTheMeetingAndRegeneratesByteForByte) {
  // Before the first meeting: one win and one loss.
  Close("w-old", "老客户有限公司", true, 10'000'00);
  Close("l-1", "杭州云启科技", false, 0);
  const absl::Time w1 = Later();
  Schedule("W1", w1);
  // An action item agreed in W1, due before W2: carried forward, overdue.
  v1::AddActionItemRequest item;
  item.set_action_item_id("A1");
  item.set_meeting_id("W1");
  item.set_owner("rep1");
  item.set_title("回访杭州云启，了解丢单细节");
  item.set_due_date("2026-01-05");
  v1::MeetingCommandReply r;
  Ok(meetings_->AddActionItem(Ctx("mgr").get(), item, &r));
  EXPECT_EQ(r.action_item_status(), v1::ACTION_ITEM_STATUS_OPEN);
  // A member adds items for itself only.
  v1::AddActionItemRequest other = item;
  other.set_action_item_id("A2");
  other.set_owner("rep1");
  EXPECT_EQ(meetings_->AddActionItem(Ctx("rep2").get(), other, &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  other.set_owner("rep2");
  other.set_title("整理报价模板");
  other.set_due_date("2099-01-01");
  Ok(meetings_->AddActionItem(Ctx("rep2").get(), other, &r));
  v1::RecordMinutesRequest minutes;
  minutes.set_meeting_id("W1");
  minutes.set_minutes("本周一胜一负。丢单原因：价格。");
  minutes.add_attendees("mgr");
  minutes.add_attendees("rep1");
  Ok(meetings_->RecordMinutes(Ctx("mgr").get(), minutes, &r));
  EXPECT_EQ(r.meeting_status(), v1::MEETING_STATUS_HELD);
  EXPECT_EQ(meetings_->RecordMinutes(Ctx("rep1").get(), minutes, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Between the meetings: a larger win.
  Close("w-new", "上海浦江物流集团", true, 250'000'00);
  const absl::Time w2 = Later();
  Schedule("W2", w2);

  absl::StatusOr<v1::MeetingBrief> brief = Brief("mgr", "W2");
  ASSERT_TRUE(brief.ok()) << brief.status();
  EXPECT_FALSE(brief->provisional());
  EXPECT_TRUE(brief->view().as_of());
  EXPECT_EQ(FromProtoTime(brief->period_from()), w1);  // since the previous meeting
  EXPECT_THAT(brief->input_digest(), ::testing::StartsWith("chain-sha256:"));
  EXPECT_EQ(brief->input_digest().size(), 13u + 64u);
  const v1::MemberBrief* rep1 = nullptr;
  std::vector<std::string> ids;
  for (const v1::MemberBrief& m : brief->members()) {
    ids.push_back(m.member_id());
    if (m.member_id() == "rep1") rep1 = &m;
  }
  // The team brief covers the members holding a work role, by id.
  EXPECT_THAT(ids, ElementsAre("bd1", "rep1", "rep2", "sup1"));
  ASSERT_NE(rep1, nullptr);
  EXPECT_EQ(rep1->display_name(), "王小明");
  ASSERT_EQ(rep1->wins_size(), 1);  // only the win since W1
  EXPECT_EQ(rep1->wins(0).lead_id(), "w-new");
  EXPECT_EQ(rep1->wins(0).company(), "上海浦江物流集团");
  EXPECT_EQ(rep1->wins(0).value().amount_minor(), 250'000'00);
  EXPECT_EQ(rep1->losses_size(), 0);
  ASSERT_EQ(rep1->won_value_size(), 1);
  EXPECT_EQ(rep1->won_value(0).amount_minor(), 250'000'00);
  ASSERT_EQ(rep1->overdue_action_items_size(), 1);
  EXPECT_EQ(rep1->overdue_action_items(0).action_item_id(), "A1");
  // Both open items of W1 are carried into W2, by due date.
  ASSERT_EQ(brief->carried_forward_size(), 2);
  EXPECT_EQ(brief->carried_forward(0).action_item_id(), "A1");
  EXPECT_EQ(brief->carried_forward(1).action_item_id(), "A2");
  std::string original;
  ASSERT_TRUE(brief->SerializeToString(&original));

  // Later events change the present, not W2's brief.
  v1::CompleteActionItemRequest done;
  done.set_action_item_id("A1");
  done.set_note("已回访，客户明年再评估");
  EXPECT_EQ(meetings_->CompleteActionItem(Ctx("rep2").get(), done, &r).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // not the owner
  Ok(meetings_->CompleteActionItem(Ctx("rep1").get(), done, &r));
  EXPECT_EQ(r.action_item_status(), v1::ACTION_ITEM_STATUS_DONE);
  Close("w-later", "南京紫金软件", true, 5'000'00);
  absl::StatusOr<v1::MeetingBrief> again = Brief("mgr", "W2");
  ASSERT_TRUE(again.ok()) << again.status();
  std::string regenerated;
  ASSERT_TRUE(again->SerializeToString(&regenerated));
  EXPECT_EQ(regenerated, original) << again->DebugString();

  // The next meeting no longer carries the completed item.
  const absl::Time w3 = Later();
  Schedule("W3", w3);
  absl::StatusOr<v1::MeetingBrief> third = Brief("mgr", "W3");
  ASSERT_TRUE(third.ok()) << third.status();
  ASSERT_EQ(third->carried_forward_size(), 1);
  EXPECT_EQ(third->carried_forward(0).action_item_id(), "A2");
  EXPECT_NE(third->input_digest(), brief->input_digest());

  // A member who is not a manager reads its own row and its own items.
  absl::StatusOr<v1::MeetingBrief> own = Brief("rep2", "W3");
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_EQ(own->members_size(), 1);
  EXPECT_EQ(own->members(0).member_id(), "rep2");
  ASSERT_EQ(own->carried_forward_size(), 1);
  absl::StatusOr<v1::MeetingBrief> audited = Brief("aud1", "W3");
  ASSERT_TRUE(audited.ok()) << audited.status();
  EXPECT_EQ(audited->members_size(), 4);

  // Another member's one-to-one is refused; a meeting ahead is provisional.
  Schedule("O1", absl::Now() + absl::Hours(24), "rep1");
  EXPECT_EQ(Brief("rep2", "O1").status().code(), absl::StatusCode::kPermissionDenied);
  absl::StatusOr<v1::MeetingBrief> ahead = Brief("rep1", "O1");
  ASSERT_TRUE(ahead.ok()) << ahead.status();
  EXPECT_TRUE(ahead->provisional());
  EXPECT_FALSE(ahead->view().as_of());
  ASSERT_EQ(ahead->members_size(), 1);
  EXPECT_EQ(ahead->members(0).member_id(), "rep1");
  EXPECT_EQ(Brief("mgr", "nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MeetingsE2eTest, MeetingsAreListedNewestFirstWithTheirItems) {
  const absl::Time now = absl::Now();
  Schedule("M1", now - absl::Hours(48));
  Schedule("M2", now - absl::Hours(24));
  Schedule("M3", now + absl::Hours(24), "rep1");
  v1::AddActionItemRequest item;
  item.set_meeting_id("M2");
  item.set_title("更新客户名单");
  item.set_due_date("2099-12-31");
  v1::MeetingCommandReply r;
  Ok(meetings_->AddActionItem(Ctx("rep1").get(), item, &r));  // the owner defaults to the caller
  EXPECT_EQ(r.action_item_id().size(), 16u);                  // generated
  EXPECT_EQ(r.meeting_id(), "M2");

  v1::ListMeetingsRequest list;
  list.set_page_size(2);
  v1::ListMeetingsResponse page;
  Ok(meetings_->ListMeetings(Ctx("rep2").get(), list, &page));
  ASSERT_EQ(page.meetings_size(), 2);
  EXPECT_EQ(page.meetings(0).meeting_id(), "M3");
  EXPECT_EQ(page.meetings(1).meeting_id(), "M2");
  ASSERT_EQ(page.meetings(1).action_items_size(), 1);
  EXPECT_EQ(page.meetings(1).action_items(0).owner(), "rep1");
  EXPECT_EQ(page.meetings(1).action_items(0).title(), "更新客户名单");
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  Ok(meetings_->ListMeetings(Ctx("rep2").get(), list, &page));
  ASSERT_EQ(page.meetings_size(), 1);
  EXPECT_EQ(page.meetings(0).meeting_id(), "M1");
  EXPECT_TRUE(page.next_page_token().empty());
  // A token is for the filters it was issued with.
  list.set_member_id("team");
  EXPECT_THAT(meetings_->ListMeetings(Ctx("rep2").get(), list, &page).error_message(),
              HasSubstr("page_token: belongs to a query with other filters"));
  list.clear_page_token();
  Ok(meetings_->ListMeetings(Ctx("rep2").get(), list, &page));
  EXPECT_EQ(page.meetings_size(), 2);  // M3 is a one-to-one

  v1::GetMeetingRequest get;
  get.set_meeting_id("M3");
  v1::Meeting m;
  Ok(meetings_->GetMeeting(Ctx("rep2").get(), get, &m));
  EXPECT_EQ(m.member_id(), "rep1");
  EXPECT_EQ(m.organizer(), "mgr");
  EXPECT_EQ(m.status(), v1::MEETING_STATUS_SCHEDULED);
  get.set_meeting_id("M9");
  EXPECT_EQ(meetings_->GetMeeting(Ctx("rep2").get(), get, &m).error_code(), grpc::StatusCode::NOT_FOUND);

  // Only a sales manager schedules; a meeting must name its cadence.
  v1::ScheduleMeetingRequest s;
  s.set_title("x");
  s.set_cadence(v1::MEETING_CADENCE_WEEKLY);
  *s.mutable_starts_at() = ToProtoTime(now);
  EXPECT_EQ(meetings_->ScheduleMeeting(Ctx("rep1").get(), s, &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s.clear_cadence();
  EXPECT_THAT(meetings_->ScheduleMeeting(Ctx("mgr").get(), s, &r).error_message(), HasSubstr("cadence:"));
}

TEST_F(MeetingsE2eTest, MeetingsSurviveARestart) {
  Schedule("R1", absl::Now() - absl::Hours(1));
  v1::AddActionItemRequest item;
  item.set_action_item_id("RA");
  item.set_meeting_id("R1");
  item.set_owner("rep1");
  item.set_title("准备季度复盘");
  item.set_due_date("2099-01-01");
  v1::MeetingCommandReply r;
  Ok(meetings_->AddActionItem(Ctx("mgr").get(), item, &r));
  server_->Stop();
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  auto channel = server_->Channel();
  meetings_ = v1::Meetings::NewStub(channel);
  v1::GetMeetingRequest get;
  get.set_meeting_id("R1");
  v1::Meeting m;
  Ok(meetings_->GetMeeting(Ctx("mgr").get(), get, &m));
  ASSERT_EQ(m.action_items_size(), 1);
  EXPECT_EQ(m.action_items(0).title(), "准备季度复盘");
  // The deciders know them too: the item completes, once.
  v1::CompleteActionItemRequest done;
  done.set_action_item_id("RA");
  Ok(meetings_->CompleteActionItem(Ctx("rep1").get(), done, &r));
  EXPECT_EQ(meetings_->CompleteActionItem(Ctx("rep1").get(), done, &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace salesops
