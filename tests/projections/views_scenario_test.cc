// The views on a seeded scenario whose numbers are worked out by hand below
// (not taken from the program's output): 200 leads through every path, with
// orders, tickets and surveys, on a real store with a fake clock.
#include <string>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/pipeline.h"
#include "projections/workload.h"
#include "server/domain/proto_time.h"
#include "server/service/views_service.h"
#include "tests/projections/views_world.h"

namespace salesops::projections {
namespace {

using ::salesops::testing::ViewsWorld;
using ::salesops::testing::Yuan;

// T0: when the first lead is identified. Lead i is identified at T0 + i h;
// each later step of its journey comes 10 minutes after the previous one.
const absl::Time kT0 = absl::FromUnixSeconds(1'780'000'000);
const absl::Time kNow = kT0 + absl::Hours(250);  // when the views are read

std::string LeadId(int i) { return absl::StrFormat("L%03d", i); }

// Lead i is worth (i + 1) × 1000.00 in minor units; leads i ≡ 13 (mod 20)
// are valued in USD, the others in CNY.
v1::Money ValueOf(int i) { return Yuan(int64_t{i + 1} * 100'000, i % 20 == 13 ? "USD" : "CNY"); }

// Journeys by i mod 10:
//   0 stays IDENTIFIED            5 NEGOTIATING
//   1 QUALIFIED                   6 WON, order delivered, ticket (i%20==6 resolved + survey; 16 left open, P2)
//   2 NEEDS_ANALYZED              7 LOST from QUOTED
//   3 SOLUTION_PROPOSED           8 DISQUALIFIED from IDENTIFIED
//   4 QUOTED                      9 WON, order left OPEN with sales support
// Owners: r1 for even i, r2 for odd i. Reps act as owners; the BD manager
// the lead was handed to qualifies it and records the needs.
class ViewsScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.AddTeam("root", {{"r1", {v1::ROLE_SALES_REP}},
                            {"r2", {v1::ROLE_SALES_REP}},
                            {"bd1", {v1::ROLE_BD_MANAGER}},
                            {"bd2", {v1::ROLE_BD_MANAGER}},
                            {"sup1", {v1::ROLE_SALES_SUPPORT}},
                            {"as1", {v1::ROLE_AFTER_SALES}},
                            {"as2", {v1::ROLE_AFTER_SALES}}});
    for (int i = 0; i < 200; ++i) Journey(i);
    world_.clock().Set(kNow);
  }

  void Step() { world_.clock().Advance(absl::Minutes(10)); }

  void Must(const engine::CommandResult& r) { ASSERT_TRUE(r.ok()) << r.status(); }

  void Journey(int i) {
    const std::string id = LeadId(i);
    const std::string owner = i % 2 == 0 ? "r1" : "r2";
    const int path = i % 10;
    world_.clock().Set(kT0 + absl::Hours(i));
    v1::LeadCommand c;
    auto* identify = c.mutable_identify();
    identify->set_lead_id(id);
    identify->set_company(absl::StrFormat("深圳第%d科技有限公司", i));
    identify->mutable_contact()->set_name("陈静");
    identify->set_source(i % 3 == 0 ? v1::LEAD_SOURCE_REFERRAL : v1::LEAD_SOURCE_INBOUND);
    *identify->mutable_estimated_value() = ValueOf(i);
    Must(world_.Lead(owner, c));
    if (path == 0) return;
    const std::string bd = world_.ViewOf(id).assignee();
    Step();
    if (path == 8) {
      c.Clear();
      c.mutable_disqualify()->set_lead_id(id);
      c.mutable_disqualify()->set_reason("预算不足");
      Must(world_.Lead(bd, c));
      return;
    }
    c.Clear();
    c.mutable_qualify()->set_lead_id(id);
    c.mutable_qualify()->set_score(60);
    Must(world_.Lead(bd, c));
    if (path == 1) return;
    Step();
    c.Clear();
    c.mutable_record_needs()->set_lead_id(id);
    c.mutable_record_needs()->set_requirements("两百个席位");
    Must(world_.Lead(bd, c));
    if (path == 2) return;
    Step();
    c.Clear();
    c.mutable_propose_solution()->set_lead_id(id);
    c.mutable_propose_solution()->set_summary("标准版");
    c.mutable_propose_solution()->add_products("标准版");
    *c.mutable_propose_solution()->mutable_value() = ValueOf(i);
    Must(world_.Lead(owner, c));
    if (path == 3) return;
    Step();
    c.Clear();
    c.mutable_send_quote()->set_lead_id(id);
    c.mutable_send_quote()->set_quote_id(absl::StrCat("Q-", i));
    *c.mutable_send_quote()->mutable_amount() = ValueOf(i);
    c.mutable_send_quote()->set_valid_until("2027-12-31");
    Must(world_.Lead(owner, c));
    if (path == 4) return;
    Step();
    if (path == 7) {
      c.Clear();
      c.mutable_lose_deal()->set_lead_id(id);
      c.mutable_lose_deal()->set_reason(v1::LOSS_REASON_PRICE);
      Must(world_.Lead(owner, c));
      return;
    }
    c.Clear();
    c.mutable_start_negotiation()->set_lead_id(id);
    Must(world_.Lead(owner, c));
    if (path == 5) return;
    Step();
    c.Clear();
    c.mutable_win_deal()->set_lead_id(id);
    *c.mutable_win_deal()->mutable_final_amount() = ValueOf(i);
    c.mutable_win_deal()->set_signed_date("2026-06-01");
    Must(world_.Lead(owner, c));
    if (path == 9) return;
    // path 6: the order goes all the way; then a ticket.
    for (int step = 0; step < 3; ++step) {
      Step();
      v1::OrderCommand o;
      if (step == 0) o.mutable_confirm()->set_order_id(id);
      if (step == 1) {
        o.mutable_ship()->set_order_id(id);
        o.mutable_ship()->set_carrier("顺丰速运");
        o.mutable_ship()->set_tracking_number(absl::StrCat("SF", i));
      }
      if (step == 2) o.mutable_deliver()->set_order_id(id);
      Must(world_.Order("sup1", o));
    }
    Step();
    const std::string ticket = absl::StrFormat("T%03d", i);
    v1::SupportCommand s;
    s.mutable_open()->set_ticket_id(ticket);
    s.mutable_open()->set_lead_id(id);
    s.mutable_open()->set_subject("无法登录");
    s.mutable_open()->set_severity(v1::SEVERITY_P2);
    s.mutable_open()->set_channel(v1::CHANNEL_PHONE);
    Must(world_.Support("as1", s));
    if (i % 20 == 16) return;
    Step();
    s.Clear();
    s.mutable_resolve()->set_ticket_id(ticket);
    s.mutable_resolve()->set_resolution("重置密码");
    const engine::CommandResult resolved = world_.Support("as1", s);
    if (!resolved.ok()) Must(world_.Support("as2", s));  // the ticket went to as2
    Step();
    s.Clear();
    s.mutable_survey()->set_lead_id(id);
    s.mutable_survey()->set_ticket_id(ticket);
    s.mutable_survey()->set_product_quality(5);
    s.mutable_survey()->set_service_attitude(4);
    s.mutable_survey()->set_response_speed(3);
    Must(world_.Support("as1", s));
  }

  v1::Pipeline Pipeline(v1::GetPipelineRequest request = {}) {
    absl::StatusOr<v1::Pipeline> p =
        world_.views().Read([&](const ViewsState& s) { return BuildPipeline(s, request, kNow); });
    EXPECT_TRUE(p.ok()) << p.status();
    return *p;
  }

  v1::Workload Workload(v1::GetWorkloadRequest request = {}) {
    absl::StatusOr<v1::Workload> w =
        world_.views().Read([&](const ViewsState& s) { return BuildWorkload(s, request, kNow); });
    EXPECT_TRUE(w.ok()) << w.status();
    return *w;
  }

  ViewsWorld world_{kT0};
};

const v1::StageSummary& StageOf(const v1::Pipeline& p, v1::Stage stage) {
  for (const v1::StageSummary& s : p.stages()) {
    if (s.stage() == stage) return s;
  }
  ADD_FAILURE() << "no stage " << stage;
  return p.stages(0);
}

const v1::MemberWorkload& MemberOf(const v1::Workload& w, const std::string& id) {
  for (const v1::MemberWorkload& m : w.members()) {
    if (m.member_id() == id) return m;
  }
  ADD_FAILURE() << "no member " << id;
  return w.members(0);
}

const v1::RoleWorkload& RoleOf(const v1::Workload& w, v1::Role role) {
  for (const v1::RoleWorkload& r : w.roles()) {
    if (r.role() == role) return r;
  }
  ADD_FAILURE() << "no role " << role;
  return w.roles(0);
}

TEST_F(ViewsScenarioTest, StageCountsValuesAndTimes) {
  const v1::Pipeline p = Pipeline();
  // 20 leads per journey; six journeys end in an open stage.
  for (const v1::StageSummary& s : p.stages()) EXPECT_EQ(s.open_leads(), 20u) << s.stage();
  EXPECT_EQ(p.won(), 40u);   // journeys 6 and 9
  EXPECT_EQ(p.lost(), 20u);  // journey 7
  EXPECT_EQ(p.disqualified(), 20u);

  // IDENTIFIED: i = 0, 10, …, 190, all CNY. Σ(i+1) = 10·Σk(k=0..19) + 20 = 1900 + 20 = 1920
  // → 1920 × 100 000 minor; weighted at 5 % → 9 600 000.
  const v1::StageSummary& identified = StageOf(p, v1::STAGE_IDENTIFIED);
  ASSERT_EQ(identified.values_size(), 1);
  EXPECT_EQ(identified.values(0).currency(), "CNY");
  EXPECT_EQ(identified.values(0).leads(), 20u);
  EXPECT_EQ(identified.values(0).total().amount_minor(), 192'000'000);
  EXPECT_EQ(identified.values(0).weighted().amount_minor(), 9'600'000);
  EXPECT_EQ(identified.win_probability_percent(), 5u);
  // Entered at T0 + i h; read at T0 + 250 h: mean of (250 − i) = 250 − 95 = 155 h;
  // the longest is L000 with 250 h.
  EXPECT_EQ(FromProtoDuration(identified.average_time_in_stage()), absl::Hours(155));
  EXPECT_EQ(FromProtoDuration(identified.max_time_in_stage()), absl::Hours(250));
  EXPECT_EQ(identified.oldest_lead_id(), "L000");

  // QUALIFIED: i = 1, 11, …, 191 (mean i = 96), entered 10 min after identification:
  // 250 − 96 h − 10 min = 153 h 50 min.
  const v1::StageSummary& qualified = StageOf(p, v1::STAGE_QUALIFIED);
  EXPECT_EQ(FromProtoDuration(qualified.average_time_in_stage()), absl::Hours(153) + absl::Minutes(50));
  EXPECT_EQ(qualified.oldest_lead_id(), "L001");

  // SOLUTION_PROPOSED: i = 3, 13, …, 193; USD for i = 13, 33, …, 193:
  // Σ(i+1) = Σ(20k + 14, k=0..9) = 900 + 140 = 1040; CNY for i = 3, 23, …, 183:
  // Σ(20k + 4) = 900 + 40 = 940. Weighted at 40 %.
  const v1::StageSummary& proposed = StageOf(p, v1::STAGE_SOLUTION_PROPOSED);
  ASSERT_EQ(proposed.values_size(), 2);
  EXPECT_EQ(proposed.values(0).currency(), "CNY");
  EXPECT_EQ(proposed.values(0).leads(), 10u);
  EXPECT_EQ(proposed.values(0).total().amount_minor(), 94'000'000);
  EXPECT_EQ(proposed.values(0).weighted().amount_minor(), 37'600'000);
  EXPECT_EQ(proposed.values(1).currency(), "USD");
  EXPECT_EQ(proposed.values(1).total().amount_minor(), 104'000'000);
  EXPECT_EQ(proposed.values(1).weighted().amount_minor(), 41'600'000);
}

TEST_F(ViewsScenarioTest, ConversionsAndWinRate) {
  const v1::Pipeline p = Pipeline();
  // Reached at least: IDENTIFIED 200; QUALIFIED all but journeys 0 and 8 = 160;
  // NEEDS_ANALYZED −1 = 140; PROPOSED −2 = 120; QUOTED −3 = 100;
  // NEGOTIATING: journeys 5, 6, 9 = 60; WON: 6 and 9 = 40.
  const uint64_t reached[] = {200, 160, 140, 120, 100, 60, 40};
  ASSERT_EQ(p.conversions_size(), 6);
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(p.conversions(k).reached_from(), reached[k]) << k;
    EXPECT_EQ(p.conversions(k).reached_to(), reached[k + 1]) << k;
    EXPECT_DOUBLE_EQ(p.conversions(k).rate(), static_cast<double>(reached[k + 1]) / reached[k]);
  }
  // Every close happened within the last 90 days: 40 won, 20 lost.
  EXPECT_EQ(p.win_rate().won(), 40u);
  EXPECT_EQ(p.win_rate().lost(), 20u);
  EXPECT_DOUBLE_EQ(p.win_rate().rate(), 40.0 / 60.0);
  // Won, CNY (no won lead is ≡ 13 mod 20): journey 6 Σ(10k + 7) = 1900 + 140,
  // journey 9 Σ(10k + 10) = 1900 + 200 → 4140 × 100 000.
  ASSERT_EQ(p.win_rate().won_value_size(), 1);
  EXPECT_EQ(p.win_rate().won_value(0).amount_minor(), 414'000'000);
  // A window of 5 days (120 h) ending at T0 + 250 h starts at T0 + 130 h.
  // Wins come 6 steps (60 min) after identification, at T0 + i h + 1 h ≥ 130 h
  // for i ≥ 129: journey 6 i = 136, …, 196 (7) and journey 9 i = 129, …, 199
  // (8, L129 exactly at the start, which is inclusive). Losses come after 5
  // steps, at T0 + i h + 50 min: i = 137, …, 197 (7).
  v1::GetPipelineRequest recent;
  recent.set_win_rate_days(5);
  const v1::Pipeline r = Pipeline(recent);
  EXPECT_EQ(r.win_rate().won(), 15u);
  EXPECT_EQ(r.win_rate().lost(), 7u);
}

TEST_F(ViewsScenarioTest, FiltersByOwnerSourceAndIdentificationTime) {
  v1::GetPipelineRequest mine;
  mine.set_owner("r1");  // even i: journeys 0, 2, 4, 6, 8
  const v1::Pipeline p = Pipeline(mine);
  EXPECT_EQ(StageOf(p, v1::STAGE_IDENTIFIED).open_leads(), 20u);
  EXPECT_EQ(StageOf(p, v1::STAGE_QUALIFIED).open_leads(), 0u);
  EXPECT_EQ(StageOf(p, v1::STAGE_NEEDS_ANALYZED).open_leads(), 20u);
  EXPECT_EQ(p.won(), 20u);
  EXPECT_EQ(p.lost(), 0u);

  v1::GetPipelineRequest early;
  *early.mutable_identified_before() = ToProtoTime(kT0 + absl::Hours(100));  // i < 100
  const v1::Pipeline e = Pipeline(early);
  EXPECT_EQ(StageOf(e, v1::STAGE_IDENTIFIED).open_leads(), 10u);
  EXPECT_EQ(e.conversions(0).reached_from(), 100u);

  v1::GetPipelineRequest referral;
  referral.set_source(v1::LEAD_SOURCE_REFERRAL);  // i ≡ 0 (mod 3): 67 of 200
  EXPECT_EQ(Pipeline(referral).conversions(0).reached_from(), 67u);
}

TEST_F(ViewsScenarioTest, WorkloadAgreesWithHandOffs) {
  const v1::Workload w = Workload();
  // Reps carry the leads of journeys 2–5 they own: r1 (even i) journeys 2
  // and 4, r2 journeys 3 and 5, 20 leads each.
  const v1::MemberWorkload& r1 = MemberOf(w, "r1");
  EXPECT_EQ(r1.load(), 40u);
  ASSERT_EQ(r1.leads_by_stage_size(), 2);
  EXPECT_EQ(r1.leads_by_stage(0).stage(), v1::STAGE_NEEDS_ANALYZED);
  EXPECT_EQ(r1.leads_by_stage(0).count(), 20u);
  EXPECT_EQ(r1.leads_by_stage(1).stage(), v1::STAGE_QUOTED);
  EXPECT_EQ(MemberOf(w, "r2").load(), 40u);
  // Rep SLA is 14 days; the oldest (L002, since T0 + 2 h + 20 min) is younger.
  EXPECT_EQ(r1.sla_overdue(), 0u);
  EXPECT_EQ(r1.oldest_item(), "lead-L002");
  EXPECT_EQ(FromProtoDuration(r1.oldest_item_age()), absl::Hours(248) - absl::Minutes(20));

  // BD managers keep journeys 0 and 1 (40 leads). Each new lead goes to the
  // less loaded of the two and only those 40 stay, so they split 20/20; all
  // were handed over more than 48 h before T0 + 250 h (i ≤ 191).
  const v1::MemberWorkload& bd1 = MemberOf(w, "bd1");
  const v1::MemberWorkload& bd2 = MemberOf(w, "bd2");
  EXPECT_EQ(bd1.load(), 20u);
  EXPECT_EQ(bd2.load(), 20u);
  EXPECT_EQ(bd1.sla_overdue() + bd2.sla_overdue(), 40u);
  const v1::RoleWorkload& bd = RoleOf(w, v1::ROLE_BD_MANAGER);
  EXPECT_EQ(bd.members(), 2u);
  EXPECT_EQ(bd.total(), 40u);
  EXPECT_DOUBLE_EQ(bd.mean(), 20.0);
  EXPECT_DOUBLE_EQ(bd.imbalance(), 1.0);

  // Sales support holds the 20 orders of journey 9, all OPEN; SLA 3 days:
  // handed over at T0 + i h + 1 h, overdue when 250 − i − 1 > 72, i.e. i ≤ 169
  // (i = 9, 19, …, 169: 17 orders).
  const v1::MemberWorkload& sup1 = MemberOf(w, "sup1");
  EXPECT_EQ(sup1.load(), 20u);
  ASSERT_EQ(sup1.orders_by_status_size(), 1);
  EXPECT_EQ(sup1.orders_by_status(0).status(), v1::ORDER_STATUS_OPEN);
  EXPECT_EQ(sup1.orders_by_status(0).count(), 20u);
  EXPECT_EQ(sup1.sla_overdue(), 17u);

  // After-sales: 10 tickets left open (i ≡ 16 mod 20), P2, split between as1
  // and as2 as they were handed over; SLA 1 day, all older.
  const v1::MemberWorkload& as1 = MemberOf(w, "as1");
  const v1::MemberWorkload& as2 = MemberOf(w, "as2");
  EXPECT_EQ(as1.load() + as2.load(), 10u);
  EXPECT_EQ(as1.sla_overdue() + as2.sla_overdue(), 10u);
  EXPECT_EQ(RoleOf(w, v1::ROLE_AFTER_SALES).total(), 10u);
  EXPECT_EQ(RoleOf(w, v1::ROLE_AFTER_SALES).unassigned(), 0u);

  // The same load hand-offs compare (domain::LoadOf) for everyone.
  world_.views().Read([&](const ViewsState& s) {
    for (const v1::MemberWorkload& m : w.members()) {
      EXPECT_EQ(m.load(), domain::LoadOf(s.core.workload, m.member_id()).open_items) << m.member_id();
    }
    return 0;
  });
}

TEST_F(ViewsScenarioTest, ListLeadsPagesInOrderWithoutGapsOrRepeats) {
  v1::ListLeadsRequest request;
  request.set_stage(v1::STAGE_IDENTIFIED);
  request.set_page_size(7);
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    absl::StatusOr<v1::ListLeadsResponse> r =
        world_.views().Read([&](const ViewsState& s) { return ListLeads(s, request, kNow); });
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->total(), 20u);
    for (const v1::Lead& lead : r->leads()) seen.push_back(lead.lead_id());
    if (r->next_page_token().empty()) break;
    request.set_page_token(r->next_page_token());
  }
  // Oldest in stage first: L000, L010, …, L190.
  ASSERT_EQ(seen.size(), 20u);
  for (int k = 0; k < 20; ++k) EXPECT_EQ(seen[k], LeadId(10 * k));

  // By value within CNY, stale for at least 200 h: i ≤ 50 of journey 0.
  v1::ListLeadsRequest by_value;
  by_value.set_stage(v1::STAGE_IDENTIFIED);
  by_value.set_order_by(v1::LEAD_ORDER_VALUE);
  by_value.set_currency("CNY");
  *by_value.mutable_stale_for() = ToProtoDuration(absl::Hours(200));
  absl::StatusOr<v1::ListLeadsResponse> r =
      world_.views().Read([&](const ViewsState& s) { return ListLeads(s, by_value, kNow); });
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->leads_size(), 6);
  EXPECT_EQ(r->leads(0).lead_id(), "L050");
  EXPECT_EQ(r->leads(5).lead_id(), "L000");

  // A token only fits the query it came from.
  request.set_stage(v1::STAGE_QUALIFIED);
  EXPECT_EQ(world_.views().Read([&](const ViewsState& s) { return ListLeads(s, request, kNow); }).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ViewsScenarioTest, AsOfAPositionAnswersAsTheLogStoodThen) {
  // Right after L000 was identified (and handed to a BD manager): one lead.
  const uint64_t head = world_.store().Head();
  uint64_t after_first = 0;
  for (uint64_t p = 1; p <= head && after_first == 0; ++p) {
    absl::StatusOr<ViewsState> s = service::ReplayViews(world_.store(), p);
    ASSERT_TRUE(s.ok()) << s.status();
    if (s->leads.contains("L000")) after_first = p;
  }
  absl::StatusOr<ViewsState> then = service::ReplayViews(world_.store(), after_first);
  ASSERT_TRUE(then.ok());
  absl::StatusOr<v1::Pipeline> p = BuildPipeline(*then, {}, kT0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(StageOf(*p, v1::STAGE_IDENTIFIED).open_leads(), 1u);
  EXPECT_EQ(p->conversions(0).reached_from(), 1u);
}

}  // namespace
}  // namespace salesops::projections
