// The ticket decider as given(status) / when(command) / then(event or error).
#include "server/domain/ticket.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

using S = v1::SupportCommand;

S Cmd(S::CommandCase which) {
  S c;
  switch (which) {
    case S::kOpen:
      c.mutable_open()->set_lead_id("L1");
      c.mutable_open()->set_subject("无法登录");
      c.mutable_open()->set_severity(v1::SEVERITY_P1);
      c.mutable_open()->set_channel(v1::CHANNEL_EMAIL);
      break;
    case S::kAssign:
      c.mutable_assign()->set_ticket_id("T1");
      c.mutable_assign()->set_assignee("as2");
      c.mutable_assign()->set_reason("专长匹配");
      break;
    case S::kResolve:
      c.mutable_resolve()->set_ticket_id("T1");
      c.mutable_resolve()->set_resolution("重置密码");
      break;
    case S::kClose: c.mutable_close()->set_ticket_id("T1"); break;
    case S::kReopen:
      c.mutable_reopen()->set_ticket_id("T1");
      c.mutable_reopen()->set_reason("问题复现");
      break;
    default: break;
  }
  return c;
}

v1::Ticket At(v1::TicketStatus status) {
  v1::Ticket t;
  t.set_ticket_id("T1");
  t.set_lead_id("L1");
  t.set_status(status);
  t.set_version(2);
  t.set_assignee(status == v1::TICKET_STATUS_OPEN ? "as1" : "");
  return t;
}

struct Row {
  S::CommandCase command;
  std::vector<v1::TicketStatus> allowed;
  v1::TicketStatus to;  // UNSPECIFIED: the status does not change
};

const Row kTable[] = {
    {S::kAssign, {v1::TICKET_STATUS_OPEN}, v1::TICKET_STATUS_UNSPECIFIED},
    {S::kResolve, {v1::TICKET_STATUS_OPEN}, v1::TICKET_STATUS_RESOLVED},
    {S::kClose, {v1::TICKET_STATUS_RESOLVED}, v1::TICKET_STATUS_CLOSED},
    {S::kReopen, {v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_CLOSED}, v1::TICKET_STATUS_OPEN},
};

TEST(TicketDeciderTest, EveryCommandFromEveryStatus) {
  for (const Row& row : kTable) {
    for (v1::TicketStatus status : {v1::TICKET_STATUS_OPEN, v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_CLOSED}) {
      SCOPED_TRACE(absl::StrCat(row.command, " from ", TicketStatusName(status)));
      auto events = DecideTicket(At(status), Cmd(row.command), v1::STAGE_WON, "T1");
      if (std::find(row.allowed.begin(), row.allowed.end(), status) == row.allowed.end()) {
        EXPECT_THAT(events, StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr(absl::StrCat("is ", TicketStatusName(status), ";"))));
        continue;
      }
      ASSERT_THAT(events, IsOk());
      v1::Ticket after = At(status);
      v1::EventEnvelope e;
      e.set_stream_version(3);
      *e.mutable_event() = (*events)[0];
      EvolveTicket(after, e);
      EXPECT_EQ(after.status(), row.to == v1::TICKET_STATUS_UNSPECIFIED ? status : row.to);
      if (row.command == S::kReopen) {
        EXPECT_EQ(after.reopen_count(), 1u);
      }
      if (row.command == S::kResolve) {
        EXPECT_EQ(after.assignee(), "");  // no longer open work
      }
      if (row.command == S::kAssign) {
        EXPECT_EQ(after.assignee(), "as2");
      }
    }
  }
}

TEST(TicketDeciderTest, OpeningNeedsAWonCustomerAndAFreeId) {
  const S open = Cmd(S::kOpen);
  auto opened = DecideTicket(v1::Ticket(), open, v1::STAGE_WON, "T9");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ((*opened)[0].ticket_opened().ticket_id(), "T9");
  EXPECT_EQ((*opened)[0].ticket_opened().severity(), v1::SEVERITY_P1);
  EXPECT_THAT(DecideTicket(v1::Ticket(), open, v1::STAGE_NEGOTIATING, "T9"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("in stage NEGOTIATING")));
  EXPECT_THAT(DecideTicket(v1::Ticket(), open, v1::STAGE_UNSPECIFIED, "T9"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("unknown")));
  EXPECT_THAT(DecideTicket(At(v1::TICKET_STATUS_OPEN), open, v1::STAGE_WON, "T1"),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("'T1'")));
  EXPECT_THAT(DecideTicket(v1::Ticket(), Cmd(S::kResolve), v1::STAGE_WON, "T1"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("'T1'")));
}

TEST(TicketDeciderTest, ValidationNamesTheField) {
  S c = Cmd(S::kOpen);
  c.mutable_open()->set_severity(v1::SEVERITY_UNSPECIFIED);
  EXPECT_THAT(ValidateSupportCommand(c), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("severity:")));
  c = Cmd(S::kOpen);
  c.mutable_open()->clear_subject();
  EXPECT_THAT(ValidateSupportCommand(c), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subject:")));
  c = Cmd(S::kOpen);
  c.mutable_open()->set_channel(v1::CHANNEL_UNSPECIFIED);
  EXPECT_THAT(ValidateSupportCommand(c), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("channel:")));
  S survey;
  survey.mutable_survey()->set_lead_id("L1");
  survey.mutable_survey()->set_product_quality(5);
  survey.mutable_survey()->set_service_attitude(0);
  survey.mutable_survey()->set_response_speed(3);
  EXPECT_THAT(ValidateSupportCommand(survey),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("service_attitude: must be between 1 and 5")));
  S resolve = Cmd(S::kResolve);
  resolve.mutable_resolve()->clear_resolution();
  EXPECT_THAT(ValidateSupportCommand(resolve), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("resolution:")));
}

}  // namespace
}  // namespace salesops::domain
