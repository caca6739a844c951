// The views on a seeded scenario whose numbers are worked out by hand below
// (not taken from the program's output): 200 leads through every path, with
// orders, tickets and surveys, on a real store with a fake clock.
#include <string>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/pipeline.h"
#include "projections/review.h"
#include "projections/workload.h"
#include "server/domain/proto_time.h"
#include "server/history/views_replay.h"
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
                            {"as2", {v1::ROLE_AFTER_SALES}},
                            {"mgr", {v1::ROLE_SALES_MANAGER}}});
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
    absl::StatusOr<ViewsState> s = history::ReplayViews(world_.store(), p);
    ASSERT_TRUE(s.ok()) << s.status();
    if (s->core.leads.contains("L000")) after_first = p;
  }
  absl::StatusOr<ViewsState> then = history::ReplayViews(world_.store(), after_first);
  ASSERT_TRUE(then.ok());
  absl::StatusOr<v1::Pipeline> p = BuildPipeline(*then, {}, kT0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(StageOf(*p, v1::STAGE_IDENTIFIED).open_leads(), 1u);
  EXPECT_EQ(p->conversions(0).reached_from(), 1u);
}

// --- Performance reviews -----------------------------------------------------

v1::ReviewPeriod Whole() {
  v1::ReviewPeriod p;
  *p.mutable_from() = ToProtoTime(kT0);
  *p.mutable_to() = ToProtoTime(kT0 + absl::Hours(300));
  return p;
}

const v1::RoleReview& SectionOf(const v1::PerformanceReview& r, v1::Role role) {
  for (const v1::RoleReview& s : r.roles()) {
    if (s.role() == role) return s;
  }
  ADD_FAILURE() << "no section " << role;
  return r.roles(0);
}

const v1::MetricValue& MetricOf(const v1::RoleReview& r, const std::string& name) {
  for (const v1::MetricValue& m : r.metrics()) {
    if (m.metric() == name) return m;
  }
  ADD_FAILURE() << "no metric " << name;
  return r.metrics(0);
}

class ReviewScenarioTest : public ViewsScenarioTest {
 protected:
  v1::PerformanceReview Review(const std::string& member, const v1::ReviewPeriod& period, uint32_t policy = 0) {
    absl::StatusOr<v1::PerformanceReview> r =
        world_.views().Read([&](const ViewsState& s) { return BuildReview(s, member, period, policy); });
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : v1::PerformanceReview();
  }

  // As mgr: a policy over SALES_REP metrics.
  void SetPolicy(std::vector<std::pair<std::string, double>> weights) {
    v1::TeamCommand c;
    v1::RoleWeights* role = c.mutable_set_scoring_policy()->add_roles();
    role->set_role(v1::ROLE_SALES_REP);
    for (const auto& [metric, weight] : weights) {
      v1::MetricWeight* w = role->add_weights();
      w->set_metric(metric);
      w->set_weight(weight);
    }
    Must(world_.Team("mgr", c));
  }
};

TEST_F(ReviewScenarioTest, SalesRepReviewWorkedByHand) {
  const v1::RoleReview rep = SectionOf(Review("r1", Whole()), v1::ROLE_SALES_REP);
  // r1 owns the even leads: 100 identified; quotes on journeys 4 and 6 (40);
  // wins on journey 6 (20); no losses (journey 7 is odd).
  EXPECT_EQ(MetricOf(rep, "leads_identified").value(), 100);
  EXPECT_EQ(MetricOf(rep, "quotes_sent").value(), 40);
  EXPECT_EQ(MetricOf(rep, "deals_won").value(), 20);
  EXPECT_EQ(MetricOf(rep, "deals_lost").value(), 0);
  EXPECT_EQ(MetricOf(rep, "win_rate").value(), 1.0);
  // Won 6 steps (60 min) after identification: 1/24 day.
  EXPECT_NEAR(MetricOf(rep, "avg_sales_cycle_days").value(), 1.0 / 24, 1e-9);
  // Journey 6 in CNY: Σ(10k + 7) × 100 000 = 2040 × 100 000; 20 deals.
  ASSERT_EQ(rep.won_value_size(), 1);
  EXPECT_EQ(rep.won_value(0).amount_minor(), 204'000'000);
  EXPECT_EQ(rep.average_deal_size(0).amount_minor(), 10'200'000);
  // Surveys on i ≡ 6 (mod 20): 10 of (5 + 4 + 3) / 3 = 4.
  EXPECT_DOUBLE_EQ(MetricOf(rep, "csat").value(), 4.0);
  EXPECT_EQ(MetricOf(rep, "csat").samples(), 10u);
  // Every step, and so every first action after a hand-off, came 10 minutes later.
  EXPECT_NEAR(MetricOf(rep, "handoff_delay_hours").value(), 10.0 / 60, 1e-9);
  for (const v1::StageTime& t : rep.time_in_stage()) {
    EXPECT_EQ(FromProtoDuration(t.average()), absl::Minutes(10)) << t.stage();
  }
  // No policy yet: nothing is scored.
  EXPECT_FALSE(rep.scored());

  // r2: odd leads; wins on journey 9 (20), losses on journey 7 (20).
  const v1::RoleReview rep2 = SectionOf(Review("r2", Whole()), v1::ROLE_SALES_REP);
  EXPECT_EQ(MetricOf(rep2, "deals_lost").value(), 20);
  EXPECT_EQ(MetricOf(rep2, "win_rate").value(), 0.5);
  EXPECT_FALSE(MetricOf(rep2, "csat").defined());  // no survey on journey 9
}

TEST_F(ReviewScenarioTest, OtherRolesWorkedByHand) {
  // BD managers between them: qualified all but journeys 0 and 8 (160),
  // disqualified journey 8 (20), needs on journeys 2–7 and 9 (140); each
  // decision 10 min after the hand-off. Of the qualified, 40 were won and 20
  // lost before the period end.
  const v1::RoleReview bd1 = SectionOf(Review("bd1", Whole()), v1::ROLE_BD_MANAGER);
  const v1::RoleReview bd2 = SectionOf(Review("bd2", Whole()), v1::ROLE_BD_MANAGER);
  const auto both = [&](const std::string& m) { return MetricOf(bd1, m).value() + MetricOf(bd2, m).value(); };
  EXPECT_EQ(both("leads_qualified"), 160);
  EXPECT_EQ(both("leads_disqualified"), 20);
  EXPECT_EQ(both("needs_analyses"), 140);
  EXPECT_NEAR(MetricOf(bd1, "qualification_turnaround_hours").value(), 10.0 / 60, 1e-9);
  EXPECT_EQ(MetricOf(bd1, "qualified_win_rate").samples() + MetricOf(bd2, "qualified_win_rate").samples(), 60u);
  EXPECT_NEAR(MetricOf(bd1, "qualified_win_rate").value() * MetricOf(bd1, "qualified_win_rate").samples() +
                  MetricOf(bd2, "qualified_win_rate").value() * MetricOf(bd2, "qualified_win_rate").samples(),
              40, 1e-9);

  // Sales support: journey 6's 20 orders, delivered 30 min after the win.
  const v1::RoleReview sup = SectionOf(Review("sup1", Whole()), v1::ROLE_SALES_SUPPORT);
  EXPECT_EQ(MetricOf(sup, "orders_confirmed").value(), 20);
  EXPECT_EQ(MetricOf(sup, "orders_delivered").value(), 20);
  EXPECT_NEAR(MetricOf(sup, "win_to_delivery_days").value(), 30.0 / 60 / 24, 1e-9);

  // After-sales: 10 tickets resolved 10 min after opening, P2, never reopened;
  // surveys 5 / 4 / 3.
  const v1::RoleReview as1 = SectionOf(Review("as1", Whole()), v1::ROLE_AFTER_SALES);
  const v1::RoleReview as2 = SectionOf(Review("as2", Whole()), v1::ROLE_AFTER_SALES);
  EXPECT_EQ(MetricOf(as1, "tickets_resolved").value() + MetricOf(as2, "tickets_resolved").value(), 10);
  const v1::RoleReview& busy = MetricOf(as1, "tickets_resolved").value() > 0 ? as1 : as2;
  EXPECT_NEAR(MetricOf(busy, "avg_resolution_hours").value(), 10.0 / 60, 1e-9);
  EXPECT_EQ(MetricOf(busy, "reopen_rate").value(), 0);
  EXPECT_EQ(MetricOf(busy, "csat_product_quality").value(), 5);
  EXPECT_EQ(MetricOf(busy, "csat_service_attitude").value(), 4);
  EXPECT_EQ(MetricOf(busy, "csat_response_speed").value(), 3);
  ASSERT_EQ(busy.resolution_time_size(), 1);
  EXPECT_EQ(busy.resolution_time(0).severity(), v1::SEVERITY_P2);
}

TEST_F(ReviewScenarioTest, TargetsAttainmentInALabelledMonth) {
  // 2026-06 starts at T0 + 75 h 33 min 20 s (T0 = 2026-05-28 20:26:40 UTC).
  // r1's wins come at T0 + i h + 1 h: i = 76, 86, …, 196 fall in June (13).
  v1::TeamCommand target;
  target.mutable_set_target()->set_member_id("r1");
  target.mutable_set_target()->set_period("2026-06");
  target.mutable_set_target()->set_metric(v1::TARGET_METRIC_WON_COUNT);
  target.mutable_set_target()->set_won_count(10);
  Must(world_.Team("mgr", target));
  absl::StatusOr<v1::ReviewPeriod> june = ResolvePeriod("2026-06", nullptr, nullptr);
  ASSERT_TRUE(june.ok());
  const v1::RoleReview rep = SectionOf(Review("r1", *june), v1::ROLE_SALES_REP);
  EXPECT_EQ(MetricOf(rep, "deals_won").value(), 13);
  ASSERT_EQ(rep.targets_size(), 1);
  EXPECT_DOUBLE_EQ(rep.targets(0).attainment_percent(), 130.0);
  EXPECT_DOUBLE_EQ(MetricOf(rep, "target_attainment_pct").value(), 130.0);
}

TEST_F(ReviewScenarioTest, PoliciesScoreAndRankAndOnlyScoresDiffer) {
  SetPolicy({{"deals_won", 1}, {"win_rate", 10}});     // version 1
  SetPolicy({{"quotes_sent", 1}});                     // version 2
  // v1: r1 = 20 + 10 × 1.0 = 30; r2 = 20 + 10 × 0.5 = 25.
  // v2: r1 = 40 quotes; r2 = journeys 5, 7, 9 = 60 quotes.
  absl::StatusOr<v1::CompareReviewsResponse> c =
      world_.views().Read([&](const ViewsState& s) { return CompareReviews(s, v1::ROLE_SALES_REP, Whole(), 1, 2); });
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->rows_size(), 2);
  EXPECT_EQ(c->rows(0).member_id(), "r2");  // first under policy B
  EXPECT_DOUBLE_EQ(c->rows(0).score_a(), 25);
  EXPECT_DOUBLE_EQ(c->rows(0).score_b(), 60);
  EXPECT_EQ(c->rows(0).rank_a(), 2u);
  EXPECT_EQ(c->rows(0).rank_b(), 1u);
  EXPECT_EQ(c->rows(0).rank_change(), 1);
  EXPECT_EQ(c->rows(1).member_id(), "r1");
  EXPECT_DOUBLE_EQ(c->rows(1).score_a(), 30);
  EXPECT_EQ(c->rows(1).rank_change(), -1);

  // The same review under both policies: same inputs and metrics, other score.
  v1::PerformanceReview a = Review("r1", Whole(), 1);
  v1::PerformanceReview b = Review("r1", Whole(), 2);
  EXPECT_EQ(a.input_digest(), b.input_digest());
  EXPECT_EQ(a.policy_version(), 1u);
  EXPECT_EQ(b.policy_version(), 2u);
  for (int i = 0; i < a.roles(0).metrics_size(); ++i) {
    EXPECT_EQ(a.roles(0).metrics(i).value(), b.roles(0).metrics(i).value());
  }
  EXPECT_NE(a.roles(0).score(), b.roles(0).score());
  // Unnamed: the policy in force at the period end (both were set after it,
  // at T0 + 250 h < T0 + 300 h: the later one).
  EXPECT_EQ(Review("r1", Whole()).policy_version(), 2u);
  EXPECT_EQ(world_.views()
                .Read([&](const ViewsState& s) { return BuildReview(s, "r1", Whole(), 3); })
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ReviewScenarioTest, ARegeneratedReviewHasTheSameNumbersAndDigest) {
  v1::ReviewPeriod early;
  *early.mutable_from() = ToProtoTime(kT0);
  *early.mutable_to() = ToProtoTime(kT0 + absl::Hours(150));
  const v1::PerformanceReview before = Review("r1", early);
  const v1::PerformanceReview bd_before = Review("bd1", early);
  EXPECT_GT(before.input_events(), 0u);
  // Later work, including closes of leads identified in the period.
  world_.clock().Set(kT0 + absl::Hours(400));
  for (int i : {50, 54, 70}) {  // journey 0 and 4 leads of r1 (journey 0: IDENTIFIED; 4: QUOTED)
    const std::string id = LeadId(i);
    v1::LeadCommand c;
    if (i % 10 == 0) {
      c.mutable_disqualify()->set_lead_id(id);
      c.mutable_disqualify()->set_reason("客户取消");
      Must(world_.Lead(world_.ViewOf(id).assignee(), c));
    } else {
      c.mutable_lose_deal()->set_lead_id(id);
      c.mutable_lose_deal()->set_reason(v1::LOSS_REASON_NO_BUDGET);
      Must(world_.Lead("r1", c));
    }
  }
  for (int i = 200; i < 210; ++i) Journey(i);  // identified at T0 + 200 h and later
  const v1::PerformanceReview after = Review("r1", early);
  EXPECT_EQ(after.input_digest(), before.input_digest());
  EXPECT_EQ(after.SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(Review("bd1", early).SerializeAsString(), bd_before.SerializeAsString());
  // The whole scenario's review did change.
  EXPECT_NE(Review("r1", Whole()).input_digest(), Review("r1", early).input_digest());
}

TEST_F(ReviewScenarioTest, TrainingHoursCountInTheSessionsPeriodAndWeighOnlyWhenNamed) {
  SetPolicy({{"deals_won", 1}});  // version 1: training not named
  const v1::ReviewPeriod early = [] {
    v1::ReviewPeriod p;
    *p.mutable_from() = ToProtoTime(kT0);
    *p.mutable_to() = ToProtoTime(kT0 + absl::Hours(150));
    return p;
  }();
  // The policy is set now, after `early` ends: name it.
  const v1::PerformanceReview untrained = Review("r1", early, 1);
  EXPECT_EQ(untrained.training_sessions(), 0u);
  EXPECT_EQ(MetricOf(SectionOf(untrained, v1::ROLE_SALES_REP), "training_hours").value(), 0);
  // Sessions start at T0 + 10 h (120 min), T0 + 100 h (60 min) and
  // T0 + 200 h (90 min, after `early`); recorded now, at T0 + 250 h.
  const auto session = [&](const std::string& id, absl::Duration start, uint32_t minutes) {
    v1::Command c;
    v1::RecordTrainingSessionRequest* r = c.mutable_training()->mutable_record_session();
    r->set_session_id(id);
    r->set_topic("谈判技巧");
    r->set_category(v1::TRAINING_CATEGORY_SALES_SKILLS);
    r->set_trainer("mgr");
    *r->mutable_starts_at() = ToProtoTime(kT0 + start);
    r->set_duration_minutes(minutes);
    Must(world_.Run("mgr", std::move(c)));
  };
  const auto attend = [&](const std::string& id, const std::string& member, uint32_t minutes,
                          const std::string& reason = "") {
    v1::Command c;
    v1::RecordTrainingAttendanceRequest* r = c.mutable_training()->mutable_record_attendance();
    r->set_session_id(id);
    r->set_member_id(member);
    r->set_minutes(minutes);
    r->set_correction_reason(reason);
    Must(world_.Run("mgr", std::move(c)));
  };
  session("A", absl::Hours(10), 120);
  session("B", absl::Hours(100), 60);
  session("C", absl::Hours(200), 90);
  attend("A", "r1", 0);             // the whole session: 120 min
  attend("B", "r1", 60);
  attend("B", "r1", 30, "迟到半小时");  // corrected: 30 min
  attend("C", "r1", 90);
  attend("A", "r2", 45);
  attend("A", "r2", 0, "记错了人");      // withdrawn

  const v1::PerformanceReview r1 = Review("r1", early, 1);
  EXPECT_DOUBLE_EQ(r1.training_hours(), 2.5);  // (120 + 30) / 60
  EXPECT_EQ(r1.training_sessions(), 2u);
  const v1::RoleReview rep = SectionOf(r1, v1::ROLE_SALES_REP);
  const v1::MetricValue& hours = MetricOf(rep, "training_hours");
  EXPECT_EQ(hours.unit(), "hours");
  EXPECT_DOUBLE_EQ(hours.value(), 2.5);
  EXPECT_EQ(hours.samples(), 2u);
  // Not named by the policy: weight 0, the score does not move; the inputs
  // now include the four attendance events of r1 in the period.
  EXPECT_EQ(hours.weight(), 0);
  EXPECT_EQ(rep.score(), SectionOf(untrained, v1::ROLE_SALES_REP).score());
  EXPECT_GT(rep.score(), 0);
  EXPECT_EQ(r1.input_events(), untrained.input_events() + 3);  // A, B, B corrected
  EXPECT_DOUBLE_EQ(Review("r1", Whole()).training_hours(), 4.0);
  EXPECT_EQ(Review("r1", Whole()).training_sessions(), 3u);
  // r2: recorded, then withdrawn.
  EXPECT_EQ(Review("r2", Whole()).training_hours(), 0);
  EXPECT_EQ(Review("r2", Whole()).training_sessions(), 0u);

  // A policy that names it weighs it like any metric: 1 × deals + 10 × hours.
  SetPolicy({{"deals_won", 1}, {"training_hours", 10}});  // version 2
  const v1::RoleReview weighed = SectionOf(Review("r1", early, 2), v1::ROLE_SALES_REP);
  EXPECT_DOUBLE_EQ(MetricOf(weighed, "training_hours").contribution(), 25);
  EXPECT_DOUBLE_EQ(weighed.score(), rep.score() + 25);
}

}  // namespace
}  // namespace salesops::projections
