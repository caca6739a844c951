#include "tests/fuzz/fuzz_world.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"
#include "server/domain/team.h"

namespace salesops::fuzz {

const std::vector<std::string>& Actors() {
  static const std::vector<std::string>* const actors = new std::vector<std::string>{
      ids::kAdmin, ids::kManager, ids::kRep,        ids::kOtherRep,
      ids::kBd,    ids::kSupport, ids::kAfterSales, ids::kAuditor,
      ids::kMulti, ids::kGone,    ids::kStranger,   std::string(domain::kSystemActor)};
  return *actors;
}

std::vector<v1::EventEnvelope> Envelopes(const v1::Command& command, const domain::CommandDecision& decision,
                                         absl::string_view actor, uint64_t first_position,
                                         absl::Time recorded_at) {
  // As Sequencer::DecideOne fills them (server/engine/sequencer.cc).
  const v1::CommandOptions& options = domain::OptionsOf(command);
  std::vector<v1::EventEnvelope> out;
  uint64_t position = first_position;
  for (const domain::StreamDecision& stream : decision.streams) {
    uint64_t version = stream.expected_version;
    for (const v1::Event& event : stream.events) {
      v1::EventEnvelope& e = out.emplace_back();
      e.set_envelope_version(1);
      e.set_position(position++);
      e.set_stream_id(stream.stream_id);
      e.set_stream_version(++version);
      e.set_event_type(domain::EventTypeName(event));
      *e.mutable_recorded_at() = ToProtoTime(recorded_at);
      *e.mutable_occurred_at() = ToProtoTime(decision.occurred_at);
      e.set_actor(std::string(actor));
      e.set_actor_role(decision.acted_as);
      e.set_override_reason(decision.override_reason);
      e.set_request_id(options.request_id());
      e.set_correlation_id(options.correlation_id());
      *e.mutable_event() = event;
    }
  }
  return out;
}

namespace {

v1::Money Yuan(int64_t amount_minor) {
  v1::Money m;
  m.set_amount_minor(amount_minor);
  m.set_currency("CNY");
  return m;
}

v1::Command Lead(v1::LeadCommand lead) {
  v1::Command c;
  *c.mutable_lead() = std::move(lead);
  return c;
}
v1::Command Team(v1::TeamCommand team) {
  v1::Command c;
  *c.mutable_team() = std::move(team);
  return c;
}
v1::Command Order(v1::OrderCommand order) {
  v1::Command c;
  *c.mutable_order() = std::move(order);
  return c;
}
v1::Command Support(v1::SupportCommand support) {
  v1::Command c;
  *c.mutable_support() = std::move(support);
  return c;
}

// One builder per command kind, with valid fields.
v1::Command Identify(const std::string& lead_id, const std::string& owner) {
  v1::LeadCommand c;
  v1::IdentifyLeadRequest* r = c.mutable_identify();
  r->set_lead_id(lead_id);
  r->set_company("成都某某科技有限公司");
  r->mutable_contact()->set_name("杨帆");
  r->mutable_contact()->set_email("yang@example.cn");
  r->mutable_contact()->set_phone("+86 28 1234 5678");
  r->set_source(v1::LEAD_SOURCE_REFERRAL);
  *r->mutable_estimated_value() = Yuan(12'000'000);
  r->set_owner(owner);
  return Lead(std::move(c));
}
v1::Command Qualify(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_qualify()->set_lead_id(lead_id);
  *c.mutable_qualify()->mutable_budget() = Yuan(15'000'000);
  c.mutable_qualify()->set_authority("采购总监");
  c.mutable_qualify()->set_need("ERP upgrade");
  c.mutable_qualify()->set_timeline("Q3");
  c.mutable_qualify()->set_score(80);
  return Lead(std::move(c));
}
v1::Command Disqualify(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_disqualify()->set_lead_id(lead_id);
  c.mutable_disqualify()->set_reason("no budget this year");
  return Lead(std::move(c));
}
v1::Command RecordNeeds(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_record_needs()->set_lead_id(lead_id);
  c.mutable_record_needs()->set_requirements("200 seats\nSSO");
  return Lead(std::move(c));
}
v1::Command Propose(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_propose_solution()->set_lead_id(lead_id);
  c.mutable_propose_solution()->set_summary("hosted ERP, 3-year plan");
  c.mutable_propose_solution()->add_products("ERP");
  c.mutable_propose_solution()->add_products("培训");
  *c.mutable_propose_solution()->mutable_value() = Yuan(11'000'000);
  return Lead(std::move(c));
}
v1::Command Quote(const std::string& lead_id, const std::string& quote_id) {
  v1::LeadCommand c;
  c.mutable_send_quote()->set_lead_id(lead_id);
  c.mutable_send_quote()->set_quote_id(quote_id);
  *c.mutable_send_quote()->mutable_amount() = Yuan(10'500'000);
  c.mutable_send_quote()->set_valid_until("2024-06-30");
  c.mutable_send_quote()->set_discount_basis_points(500);
  return Lead(std::move(c));
}
v1::Command Negotiate(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_start_negotiation()->set_lead_id(lead_id);
  c.mutable_start_negotiation()->set_note("payment terms");
  return Lead(std::move(c));
}
v1::Command Win(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_win_deal()->set_lead_id(lead_id);
  *c.mutable_win_deal()->mutable_final_amount() = Yuan(10'000'000);
  c.mutable_win_deal()->set_signed_date("2024-03-02");
  return Lead(std::move(c));
}
v1::Command Lose(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_lose_deal()->set_lead_id(lead_id);
  c.mutable_lose_deal()->set_reason(v1::LOSS_REASON_COMPETITOR);
  c.mutable_lose_deal()->set_competitor("某竞争对手");
  c.mutable_lose_deal()->set_note("lower price");
  return Lead(std::move(c));
}
v1::Command Reopen(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_reopen()->set_lead_id(lead_id);
  c.mutable_reopen()->set_reason("budget approved after all");
  return Lead(std::move(c));
}
v1::Command Update(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_update()->set_lead_id(lead_id);
  c.mutable_update()->mutable_contact()->set_name("王芳");
  *c.mutable_update()->mutable_estimated_value() = Yuan(9'000'000);
  c.mutable_update()->set_source(v1::LEAD_SOURCE_EVENT);
  return Lead(std::move(c));
}
v1::Command AssignLead(const std::string& lead_id, const std::string& assignee) {
  v1::LeadCommand c;
  c.mutable_assign()->set_lead_id(lead_id);
  c.mutable_assign()->set_assignee(assignee);
  c.mutable_assign()->set_reason("knows the customer");
  return Lead(std::move(c));
}
v1::Command ChangeOwner(const std::string& lead_id, const std::string& owner) {
  v1::LeadCommand c;
  c.mutable_change_owner()->set_lead_id(lead_id);
  c.mutable_change_owner()->set_owner(owner);
  c.mutable_change_owner()->set_reason("territory change");
  return Lead(std::move(c));
}
v1::Command Bootstrap(const std::string& member_id) {
  v1::TeamCommand c;
  c.mutable_bootstrap()->set_member_id(member_id);
  return Team(std::move(c));
}
v1::Command AddMember(const std::string& member_id, std::vector<v1::Role> roles, uint32_t capacity = 0) {
  v1::TeamCommand c;
  c.mutable_add_member()->set_member_id(member_id);
  c.mutable_add_member()->set_display_name(absl::StrCat("成员 ", member_id));
  for (v1::Role r : roles) c.mutable_add_member()->add_roles(r);
  c.mutable_add_member()->set_capacity(capacity);
  return Team(std::move(c));
}
v1::Command SetRoles(const std::string& member_id, std::vector<v1::Role> roles) {
  v1::TeamCommand c;
  c.mutable_set_roles()->set_member_id(member_id);
  for (v1::Role r : roles) c.mutable_set_roles()->add_roles(r);
  c.mutable_set_roles()->set_capacity(30);
  return Team(std::move(c));
}
v1::Command Deactivate(const std::string& member_id) {
  v1::TeamCommand c;
  c.mutable_deactivate()->set_member_id(member_id);
  c.mutable_deactivate()->set_reason("left the company");
  return Team(std::move(c));
}
v1::Command Reactivate(const std::string& member_id) {
  v1::TeamCommand c;
  c.mutable_reactivate()->set_member_id(member_id);
  return Team(std::move(c));
}
v1::Command SetTarget(const std::string& member_id) {
  v1::TeamCommand c;
  c.mutable_set_target()->set_member_id(member_id);
  c.mutable_set_target()->set_period("2024-03");
  c.mutable_set_target()->set_metric(v1::TARGET_METRIC_WON_VALUE);
  *c.mutable_set_target()->mutable_won_value() = Yuan(50'000'000);
  return Team(std::move(c));
}
v1::Command SetScoringPolicy() {
  v1::TeamCommand c;
  v1::RoleWeights* rep = c.mutable_set_scoring_policy()->add_roles();
  rep->set_role(v1::ROLE_SALES_REP);
  v1::MetricWeight* won = rep->add_weights();
  won->set_metric("deals_won");
  won->set_weight(2.0);
  v1::MetricWeight* rate = rep->add_weights();
  rate->set_metric("win_rate");
  rate->set_weight(1.5);
  c.mutable_set_scoring_policy()->set_note("Q1 policy");
  c.mutable_set_scoring_policy()->set_follow_up_below(3);  // a low survey opens a follow-up
  return Team(std::move(c));
}
v1::Command Confirm(const std::string& order_id) {
  v1::OrderCommand c;
  c.mutable_confirm()->set_order_id(order_id);
  c.mutable_confirm()->set_note("PO received");
  return Order(std::move(c));
}
v1::Command Ship(const std::string& order_id) {
  v1::OrderCommand c;
  c.mutable_ship()->set_order_id(order_id);
  c.mutable_ship()->set_carrier("顺丰速运");
  c.mutable_ship()->set_tracking_number("SF1234567890");
  return Order(std::move(c));
}
v1::Command Deliver(const std::string& order_id) {
  v1::OrderCommand c;
  c.mutable_deliver()->set_order_id(order_id);
  c.mutable_deliver()->set_note("signed by reception");
  return Order(std::move(c));
}
v1::Command Cancel(const std::string& order_id) {
  v1::OrderCommand c;
  c.mutable_cancel()->set_order_id(order_id);
  c.mutable_cancel()->set_reason("customer withdrew");
  return Order(std::move(c));
}
v1::Command AssignOrder(const std::string& order_id, const std::string& assignee) {
  v1::OrderCommand c;
  c.mutable_assign()->set_order_id(order_id);
  c.mutable_assign()->set_assignee(assignee);
  c.mutable_assign()->set_reason("warehouse contact");
  return Order(std::move(c));
}
v1::Command OpenTicket(const std::string& ticket_id, const std::string& lead_id) {
  v1::SupportCommand c;
  c.mutable_open()->set_ticket_id(ticket_id);
  c.mutable_open()->set_lead_id(lead_id);
  c.mutable_open()->set_subject("登录失败");
  c.mutable_open()->set_description("SSO login fails since the update");
  c.mutable_open()->set_severity(v1::SEVERITY_P2);
  c.mutable_open()->set_channel(v1::CHANNEL_PHONE);
  return Support(std::move(c));
}
v1::Command AssignTicket(const std::string& ticket_id, const std::string& assignee) {
  v1::SupportCommand c;
  c.mutable_assign()->set_ticket_id(ticket_id);
  c.mutable_assign()->set_assignee(assignee);
  c.mutable_assign()->set_reason("SSO expert");
  return Support(std::move(c));
}
v1::Command Resolve(const std::string& ticket_id) {
  v1::SupportCommand c;
  c.mutable_resolve()->set_ticket_id(ticket_id);
  c.mutable_resolve()->set_resolution("certificate renewed");
  return Support(std::move(c));
}
v1::Command Close(const std::string& ticket_id) {
  v1::SupportCommand c;
  c.mutable_close()->set_ticket_id(ticket_id);
  return Support(std::move(c));
}
v1::Command ReopenTicket(const std::string& ticket_id) {
  v1::SupportCommand c;
  c.mutable_reopen()->set_ticket_id(ticket_id);
  c.mutable_reopen()->set_reason("fails again");
  return Support(std::move(c));
}
v1::Command Survey(const std::string& lead_id, const std::string& ticket_id) {
  v1::SupportCommand c;
  c.mutable_survey()->set_lead_id(lead_id);
  c.mutable_survey()->set_ticket_id(ticket_id);
  c.mutable_survey()->set_product_quality(5);
  c.mutable_survey()->set_service_attitude(4);
  c.mutable_survey()->set_response_speed(3);
  c.mutable_survey()->set_comment("快");
  return Support(std::move(c));
}

const absl::Time kMeetingsStart = absl::FromCivil(absl::CivilSecond(2024, 3, 1, 10, 0, 0), absl::UTCTimeZone());

v1::Command ScheduleMeeting(const std::string& meeting_id, const std::string& member_id) {
  v1::Command c;
  v1::ScheduleMeetingRequest* r = c.mutable_meeting()->mutable_schedule();
  r->set_meeting_id(meeting_id);
  r->set_title("周例会");
  r->set_member_id(member_id);
  r->set_cadence(member_id.empty() ? v1::MEETING_CADENCE_WEEKLY : v1::MEETING_CADENCE_MONTHLY);
  *r->mutable_starts_at() = ToProtoTime(kMeetingsStart);
  return c;
}
v1::Command Minutes(const std::string& meeting_id) {
  v1::Command c;
  v1::RecordMinutesRequest* r = c.mutable_meeting()->mutable_minutes();
  r->set_meeting_id(meeting_id);
  r->set_minutes("回顾本周赢单。\n下周：跟进报价。");
  r->add_attendees(ids::kRep);
  r->add_attendees(ids::kManager);
  return c;
}
v1::Command CancelMeeting(const std::string& meeting_id) {
  v1::Command c;
  c.mutable_meeting()->mutable_cancel()->set_meeting_id(meeting_id);
  c.mutable_meeting()->mutable_cancel()->set_reason("改期");
  return c;
}
v1::Command AddItem(const std::string& item_id, const std::string& meeting_id, const std::string& owner) {
  v1::Command c;
  v1::AddActionItemRequest* r = c.mutable_action_item()->mutable_add();
  r->set_action_item_id(item_id);
  r->set_meeting_id(meeting_id);
  r->set_owner(owner);
  r->set_title("回访客户");
  r->set_due_date("2024-03-08");
  r->set_lead_id("quoted");
  return c;
}
v1::Command CompleteItem(const std::string& item_id) {
  v1::Command c;
  c.mutable_action_item()->mutable_complete()->set_action_item_id(item_id);
  c.mutable_action_item()->mutable_complete()->set_note("已完成");
  return c;
}
v1::Command CancelItem(const std::string& item_id) {
  v1::Command c;
  c.mutable_action_item()->mutable_cancel()->set_action_item_id(item_id);
  c.mutable_action_item()->mutable_cancel()->set_reason("不需要了");
  return c;
}
v1::Command Feedback(const std::string& member_id, const std::string& correction_reason = "") {
  v1::Command c;
  v1::RecordReviewFeedbackRequest* r = c.mutable_review_feedback()->mutable_record();
  r->set_member_id(member_id);
  r->set_period("2024-02");
  r->set_strengths("报价及时");
  r->set_problems("丢单原因记录不全");
  r->set_guidance("当天写明原因");
  r->add_goals("赢单 3 个");
  r->set_correction_reason(correction_reason);
  v1::ReviewPin* pin = c.mutable_review_feedback()->mutable_pin();
  pin->set_policy_version(1);
  pin->set_input_digest("sha256-sum:0000000000000000000000000000000000000000000000000000000000000000");
  pin->set_as_of_position(3);
  return c;
}
v1::Command AcknowledgeFeedback(const std::string& member_id, uint32_t version) {
  v1::Command c;
  v1::AcknowledgeReviewFeedbackRequest* r = c.mutable_review_feedback()->mutable_acknowledge();
  r->set_member_id(member_id);
  r->set_period("2024-02");
  r->set_version(version);
  r->set_comment("收到");
  return c;
}

v1::Command TrainingSession(const std::string& session_id) {
  v1::Command c;
  v1::RecordTrainingSessionRequest* r = c.mutable_training()->mutable_record_session();
  r->set_session_id(session_id);
  r->set_topic("产品知识：网关");
  r->set_category(v1::TRAINING_CATEGORY_PRODUCT_KNOWLEDGE);
  r->set_trainer("李工");
  *r->mutable_starts_at() = ToProtoTime(kMeetingsStart);
  r->set_duration_minutes(90);
  return c;
}
v1::Command Attend(const std::string& session_id, const std::string& member_id, uint32_t minutes,
                   const std::string& correction_reason = "") {
  v1::Command c;
  v1::RecordTrainingAttendanceRequest* r = c.mutable_training()->mutable_record_attendance();
  r->set_session_id(session_id);
  r->set_member_id(member_id);
  r->set_minutes(minutes);
  r->set_correction_reason(correction_reason);
  return c;
}

// Builds the world one command at a time, as the sequencer would.
class Builder {
 public:
  Builder() : now_(absl::FromCivil(absl::CivilSecond(2024, 3, 1, 9, 0, 0), absl::UTCTimeZone())) {}

  void Run(absl::string_view actor, const v1::Command& command) {
    now_ += absl::Hours(1);
    domain::DecideContext context{now_, std::string(actor), ""};
    if (domain::NeedsNewLeadId(command) || domain::NeedsNewTicketId(command)) context.new_lead_id = kNewId;
    absl::StatusOr<domain::CommandDecision> decision = domain::Decide(world_.views.core, command, context);
    if (!decision.ok()) {
      InvariantBroken(absl::StrCat("building the fuzz world: ", actor, " ", command.ShortDebugString(), ": ",
                                   decision.status().ToString()));
    }
    for (v1::EventEnvelope& e : Envelopes(command, *decision, actor, world_.log.size() + 1, now_)) {
      projections::EvolveViews(world_.views, e);
      world_.log.push_back(std::move(e));
    }
  }

  World Finish() && {
    world_.now = now_ + absl::Hours(1);
    return std::move(world_);
  }

 private:
  absl::Time now_;
  World world_;
};

// A lead owned by `owner`, taken from identification to `stage` (LOST from
// NEGOTIATING, DISQUALIFIED from IDENTIFIED).
void LeadTo(Builder& b, const std::string& lead_id, const std::string& owner, v1::Stage stage) {
  b.Run(owner, Identify(lead_id, owner));
  if (stage == v1::STAGE_DISQUALIFIED) return b.Run(ids::kBd, Disqualify(lead_id));
  if (stage == v1::STAGE_IDENTIFIED) return;
  b.Run(ids::kBd, Qualify(lead_id));
  if (stage == v1::STAGE_QUALIFIED) return;
  b.Run(ids::kBd, RecordNeeds(lead_id));
  if (stage == v1::STAGE_NEEDS_ANALYZED) return;
  b.Run(owner, Propose(lead_id));
  if (stage == v1::STAGE_SOLUTION_PROPOSED) return;
  b.Run(owner, Quote(lead_id, absl::StrCat("Q-", lead_id)));
  if (stage == v1::STAGE_QUOTED) return;
  b.Run(owner, Negotiate(lead_id));
  if (stage == v1::STAGE_NEGOTIATING) return;
  b.Run(owner, stage == v1::STAGE_WON ? Win(lead_id) : Lose(lead_id));
}

World Build() {
  Builder b;
  b.Run(domain::kSystemActor, Bootstrap(ids::kAdmin));
  b.Run(ids::kAdmin, AddMember(ids::kManager, {v1::ROLE_SALES_MANAGER}));
  b.Run(ids::kAdmin, AddMember(ids::kRep, {v1::ROLE_SALES_REP}, 30));
  b.Run(ids::kAdmin, AddMember(ids::kOtherRep, {v1::ROLE_SALES_REP}));
  b.Run(ids::kAdmin, AddMember(ids::kBd, {v1::ROLE_BD_MANAGER}));
  b.Run(ids::kAdmin, AddMember(ids::kSupport, {v1::ROLE_SALES_SUPPORT}));
  b.Run(ids::kAdmin, AddMember(ids::kAfterSales, {v1::ROLE_AFTER_SALES}));
  b.Run(ids::kAdmin, AddMember(ids::kAuditor, {v1::ROLE_AUDITOR}));
  b.Run(ids::kAdmin, AddMember(ids::kMulti, {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER}, 2));
  b.Run(ids::kAdmin, AddMember(ids::kGone, {v1::ROLE_SALES_REP}));
  b.Run(ids::kAdmin, Deactivate(ids::kGone));
  b.Run(ids::kManager, SetTarget(ids::kRep));
  b.Run(ids::kManager, SetScoringPolicy());

  // A lead in every stage (lead ids name them), most owned by rep1.
  LeadTo(b, "identified", ids::kRep, v1::STAGE_IDENTIFIED);
  LeadTo(b, "qualified", ids::kOtherRep, v1::STAGE_QUALIFIED);
  LeadTo(b, "needs", ids::kRep, v1::STAGE_NEEDS_ANALYZED);
  LeadTo(b, "proposed", ids::kMulti, v1::STAGE_SOLUTION_PROPOSED);
  LeadTo(b, "quoted", ids::kRep, v1::STAGE_QUOTED);
  LeadTo(b, "negotiating", ids::kRep, v1::STAGE_NEGOTIATING);
  LeadTo(b, "lost", ids::kRep, v1::STAGE_LOST);
  LeadTo(b, "disqualified", ids::kOtherRep, v1::STAGE_DISQUALIFIED);
  // Won deals, their orders in several states.
  LeadTo(b, "won", ids::kRep, v1::STAGE_WON);  // order OPEN
  LeadTo(b, "confirmed", ids::kRep, v1::STAGE_WON);
  b.Run(ids::kSupport, Confirm("confirmed"));
  LeadTo(b, "shipped", ids::kOtherRep, v1::STAGE_WON);
  b.Run(ids::kSupport, Confirm("shipped"));
  b.Run(ids::kSupport, Ship("shipped"));
  LeadTo(b, "delivered", ids::kRep, v1::STAGE_WON);
  b.Run(ids::kSupport, Confirm("delivered"));
  b.Run(ids::kSupport, Ship("delivered"));
  b.Run(ids::kSupport, Deliver("delivered"));
  // Tickets on the delivered deal: open, resolved, closed with its survey.
  b.Run(ids::kAfterSales, OpenTicket("t-open", "delivered"));
  b.Run(ids::kAfterSales, OpenTicket("t-resolved", "delivered"));
  b.Run(ids::kAfterSales, Resolve("t-resolved"));
  b.Run(ids::kAfterSales, OpenTicket("t-closed", "delivered"));
  b.Run(ids::kAfterSales, Resolve("t-closed"));
  b.Run(ids::kAfterSales, Close("t-closed"));
  b.Run(ids::kAfterSales, Survey("delivered", "t-closed"));
  // A lost lead reopened, a reassigned one, an owner change.
  LeadTo(b, "reopened", ids::kRep, v1::STAGE_LOST);
  b.Run(ids::kManager, Reopen("reopened"));
  b.Run(ids::kManager, AssignLead("qualified", ids::kMulti));
  b.Run(ids::kManager, ChangeOwner("needs", ids::kOtherRep));
  // Meetings: a team meeting held, a one-to-one ahead, one cancelled; items
  // open, done and cancelled; feedback on a review, acknowledged, and a
  // corrected version on another's.
  b.Run(ids::kManager, ScheduleMeeting("m-held", ""));
  b.Run(ids::kManager, Minutes("m-held"));
  b.Run(ids::kManager, ScheduleMeeting("m-1on1", ids::kRep));
  b.Run(ids::kManager, ScheduleMeeting("m-cancelled", ""));
  b.Run(ids::kManager, CancelMeeting("m-cancelled"));
  b.Run(ids::kManager, AddItem("a-open", "m-held", ids::kRep));
  b.Run(ids::kRep, AddItem("a-done", "m-held", ids::kRep));
  b.Run(ids::kRep, CompleteItem("a-done"));
  b.Run(ids::kManager, AddItem("a-cancelled", "m-held", ids::kOtherRep));
  b.Run(ids::kManager, CancelItem("a-cancelled"));
  b.Run(ids::kManager, Feedback(ids::kRep));
  b.Run(ids::kRep, AcknowledgeFeedback(ids::kRep, 1));
  b.Run(ids::kManager, Feedback(ids::kOtherRep));
  b.Run(ids::kAdmin, Feedback(ids::kOtherRep, "目标更正"));
  // A training session attended by two, one attendance corrected.
  b.Run(ids::kManager, TrainingSession("t-1"));
  b.Run(ids::kManager, Attend("t-1", ids::kRep, 0));
  b.Run(ids::kManager, Attend("t-1", ids::kOtherRep, 60));
  b.Run(ids::kAdmin, Attend("t-1", ids::kOtherRep, 30, "提前离场"));
  return std::move(b).Finish();
}

}  // namespace

const World& TheWorld() {
  static const World* const world = new World(Build());
  return *world;
}

std::vector<ActedCommand> CommandsForEveryKind() {
  using namespace ids;  // NOLINT: the member ids read better unqualified here
  std::vector<ActedCommand> out = {
      {"identify_lead", kRep, Identify("new-lead", kRep)},
      {"identify_lead_generated_id", kManager, Identify("", kOtherRep)},
      {"qualify_lead", kBd, Qualify("identified")},
      {"disqualify_lead", kBd, Disqualify("identified")},
      {"record_needs", kMulti, RecordNeeds("qualified")},
      {"propose_solution", kOtherRep, Propose("needs")},
      {"send_quote", kMulti, Quote("proposed", "Q-1")},
      {"send_quote_revision", kRep, Quote("quoted", "Q-quoted")},
      {"start_negotiation", kRep, Negotiate("quoted")},
      {"win_deal", kRep, Win("negotiating")},
      {"lose_deal", kRep, Lose("negotiating")},
      {"reopen_lead", kManager, Reopen("lost")},
      {"update_lead", kRep, Update("identified")},
      {"assign_lead", kManager, AssignLead("identified", kMulti)},
      {"change_owner", kManager, ChangeOwner("quoted", kOtherRep)},
      // Refused (the team is not empty) but the only way to reach BootstrapAdmin.
      {"bootstrap_admin", std::string(domain::kSystemActor), Bootstrap("admin2"), false},
      {"add_member", kAdmin, AddMember("newbie", {v1::ROLE_SALES_REP, v1::ROLE_AFTER_SALES}, 5)},
      {"set_member_roles", kAdmin, SetRoles(kOtherRep, {v1::ROLE_SALES_REP, v1::ROLE_SALES_MANAGER})},
      {"deactivate_member", kAdmin, Deactivate(kOtherRep)},
      {"reactivate_member", kAdmin, Reactivate(kGone)},
      {"set_target", kManager, SetTarget(kOtherRep)},
      {"set_scoring_policy", kManager, SetScoringPolicy()},
      {"confirm_order", kSupport, Confirm("won")},
      {"ship_order", kSupport, Ship("confirmed")},
      {"deliver_order", kSupport, Deliver("shipped")},
      {"cancel_order", kManager, Cancel("won")},
      {"assign_order", kManager, AssignOrder("won", kSupport)},
      {"open_ticket", kAfterSales, OpenTicket("t-new", "shipped")},
      {"open_ticket_generated_id", kAfterSales, OpenTicket("", "delivered")},
      {"assign_ticket", kManager, AssignTicket("t-open", kAfterSales)},
      {"resolve_ticket", kAfterSales, Resolve("t-open")},
      {"close_ticket", kAfterSales, Close("t-resolved")},
      {"reopen_ticket", kAfterSales, ReopenTicket("t-resolved")},
      {"record_survey", kAfterSales, Survey("delivered", "t-resolved")},
      {"record_survey_without_ticket", kRep, Survey("delivered", "")},
      {"schedule_meeting", kManager, ScheduleMeeting("m-new", "")},
      {"record_minutes", kManager, Minutes("m-1on1")},
      {"cancel_meeting", kManager, CancelMeeting("m-1on1")},
      {"add_action_item", kRep, AddItem("a-new", "m-held", kRep)},
      {"complete_action_item", kRep, CompleteItem("a-open")},
      {"cancel_action_item", kManager, CancelItem("a-open")},
      {"record_review_feedback", kManager, Feedback(kMulti)},
      {"correct_review_feedback", kManager, Feedback(kRep, "更正")},
      {"acknowledge_review_feedback", kOtherRep, AcknowledgeFeedback(kOtherRep, 2)},
      {"record_training_session", kManager, TrainingSession("t-new")},
      {"record_training_attendance", kManager, Attend("t-1", kMulti, 45)},
      {"correct_training_attendance", kAdmin, Attend("t-1", kRep, 0, "未到场")},
  };
  // The options every command may carry, on a few of them.
  v1::CommandOptions* options = domain::MutableOptionsOf(out[2].command);
  options->set_request_id("req-0001");
  options->set_correlation_id("corr-7");
  options->set_expected_version(TheWorld().views.core.Lead("identified").version);
  domain::MutableOptionsOf(out[3].command)->set_override_reason("manager decision");
  out[3].actor = kManager;
  domain::MutableOptionsOf(out[8].command)->set_assign_to(kMulti);
  return out;
}

}  // namespace salesops::fuzz
