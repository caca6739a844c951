// The Views tables, from fixed replies to the exact text: column widths by
// display width (Chinese names take two columns each), bars, money with
// thousands separators, durations, and the lines around the tables.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "display_width.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "analysis_tables.h"
#include "pipeline_tables.h"
#include "review_tables.h"
#include "salesops/v1/views.pb.h"
#include "view_commands.h"
#include "workload_table.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;

// 2026-11-28T10:00:00Z, and the month around it.
constexpr int64_t kNow = 1795860000;
constexpr int64_t kNovember = 1793491200;  // 2026-11-01T00:00:00Z
constexpr int64_t kDecember = 1796083200;  // 2026-12-01T00:00:00Z

void SetView(v1::ViewInfo* view) {
  view->set_position(120);
  view->mutable_now()->set_seconds(kNow);
}

void SetPeriod(v1::ReviewPeriod* period) {
  period->set_label("2026-11");
  period->mutable_from()->set_seconds(kNovember);
  period->mutable_to()->set_seconds(kDecember);
}

v1::Money Money(int64_t minor, const char* currency) {
  v1::Money m;
  m.set_amount_minor(minor);
  m.set_currency(currency);
  return m;
}

v1::StageSummary* AddStage(v1::Pipeline* p, v1::Stage stage, uint64_t open, uint32_t percent, int64_t avg_seconds,
                           int64_t max_seconds, const char* oldest) {
  v1::StageSummary* s = p->add_stages();
  s->set_stage(stage);
  s->set_open_leads(open);
  s->set_win_probability_percent(percent);
  s->mutable_average_time_in_stage()->set_seconds(avg_seconds);
  s->mutable_max_time_in_stage()->set_seconds(max_seconds);
  s->set_oldest_lead_id(oldest);
  return s;
}

void AddValue(v1::StageSummary* s, int64_t total, int64_t weighted, const char* currency) {
  v1::CurrencyValue* v = s->add_values();
  v->set_currency(currency);
  *v->mutable_total() = Money(total, currency);
  *v->mutable_weighted() = Money(weighted, currency);
}

void AddConversion(v1::Pipeline* p, v1::Stage from, v1::Stage to, uint64_t reached_from, uint64_t reached_to) {
  v1::StageConversion* c = p->add_conversions();
  c->set_from_stage(from);
  c->set_to_stage(to);
  c->set_reached_from(reached_from);
  c->set_reached_to(reached_to);
  c->set_rate(reached_from == 0 ? 0 : static_cast<double>(reached_to) / static_cast<double>(reached_from));
}

// The `rows` lines after the first line starting with `header` are as wide
// on a terminal as the header: the table aligns by display width.
void ExpectAligned(const std::string& text, absl::string_view header, size_t rows) {
  const std::vector<std::string> lines = absl::StrSplit(text, '\n');
  size_t i = 0;
  while (i < lines.size() && !absl::StartsWith(lines[i], header)) ++i;
  ASSERT_LT(i + rows, lines.size()) << header;
  for (size_t row = i + 1; row <= i + rows; ++row) {
    EXPECT_EQ(DisplayWidth(lines[row]), DisplayWidth(lines[i])) << lines[row];
  }
}

TEST(ViewTablesTest, PipelineFunnel) {
  v1::Pipeline p;
  SetView(p.mutable_view());
  p.set_probability_table_version(1);
  v1::StageSummary* identified = AddStage(&p, v1::STAGE_IDENTIFIED, 4, 5, 2 * 86400 + 4 * 3600, 5 * 86400, "hz-1");
  AddValue(identified, 30000000, 1500000, "CNY");
  identified->set_without_value(1);
  v1::StageSummary* qualified = AddStage(&p, v1::STAGE_QUALIFIED, 2, 15, 25 * 60, 90 * 60, "sh-2");
  AddValue(qualified, 100000000, 15000000, "CNY");
  AddValue(qualified, 5000000, 750000, "USD");
  AddStage(&p, v1::STAGE_NEEDS_ANALYZED, 0, 25, 0, 0, "");
  v1::StageSummary* proposed = AddStage(&p, v1::STAGE_SOLUTION_PROPOSED, 1, 40, 3 * 86400, 3 * 86400, "gz-3");
  AddValue(proposed, 48000000, 19200000, "CNY");
  AddConversion(&p, v1::STAGE_IDENTIFIED, v1::STAGE_QUALIFIED, 10, 8);
  AddConversion(&p, v1::STAGE_QUALIFIED, v1::STAGE_NEEDS_ANALYZED, 8, 5);
  AddConversion(&p, v1::STAGE_NEEDS_ANALYZED, v1::STAGE_SOLUTION_PROPOSED, 5, 3);
  AddConversion(&p, v1::STAGE_SOLUTION_PROPOSED, v1::STAGE_QUOTED, 3, 0);
  p.set_won(3);
  p.set_lost(2);
  p.set_disqualified(1);
  v1::WinRate* w = p.mutable_win_rate();
  w->mutable_from()->set_seconds(kNow - 90 * 86400);
  w->mutable_to()->set_seconds(kNow);
  w->set_won(3);
  w->set_lost(2);
  w->set_rate(0.6);
  *w->add_won_value() = Money(123456789, "CNY");
  *w->add_won_value() = Money(2000000, "USD");

  const std::string text = RenderPipeline(p);
  EXPECT_EQ(text,
      "Pipeline · log position 120 · 2026-11-28T10:00:00Z · win probabilities v1\n"
      "\n"
      "STAGE              OPEN  FUNNEL                WIN %             VALUE        WEIGHTED  AVG IN STAGE  MAX IN STAGE  OLDEST LEAD       TO NEXT\n"
      "IDENTIFIED            4  ████████████████████     5%    300,000.00 CNY   15,000.00 CNY  2d 4h         5d            hz-1         80.0% (8/10)\n"
      "                                                      +1 without value                                                                       \n"
      "QUALIFIED             2  ██████████              15%  1,000,000.00 CNY  150,000.00 CNY  25m           1h 30m        sh-2          62.5% (5/8)\n"
      "                                                         50,000.00 USD    7,500.00 USD                                                       \n"
      "NEEDS_ANALYZED        0                          25%                 —               —                                            60.0% (3/5)\n"
      "SOLUTION_PROPOSED     1  █████                   40%    480,000.00 CNY  192,000.00 CNY  3d            3d            gz-3           0.0% (0/3)\n"
      "\n"
      "closed: WON 3 · LOST 2 · DISQUALIFIED 1\n"
      "win rate, last 90 days (2026-08-30 → 2026-11-28): 3 won, 2 lost = 60.0% · won value 1,234,567.89 CNY, 20,000.00 USD\n");
  ExpectAligned(text, "STAGE", 6);
  EXPECT_EQ(RenderView(p), text);
}

TEST(ViewTablesTest, LeadListCutsLongChineseNamesByColumns) {
  v1::ListLeadsResponse r;
  SetView(r.mutable_view());
  r.set_total(3);
  r.set_next_page_token("abc");
  v1::Lead* a = r.add_leads();
  a->set_lead_id("hz-1");
  a->set_company("杭州云帆科技有限公司");
  a->set_stage(v1::STAGE_IDENTIFIED);
  a->mutable_stage_entered_at()->set_seconds(kNow - 5 * 86400);
  *a->mutable_estimated_value() = Money(30000000, "CNY");
  a->set_owner("wang_fang");
  a->set_assignee("zhao_lei");
  a->set_awaiting_role(v1::ROLE_BD_MANAGER);
  a->set_source(v1::LEAD_SOURCE_REFERRAL);
  v1::Lead* b = r.add_leads();
  b->set_lead_id("sh-2");
  b->set_company("上海华信信息技术股份有限公司华东分公司（浦东）");
  b->set_stage(v1::STAGE_QUALIFIED);
  b->mutable_stage_entered_at()->set_seconds(kNow - 90 * 60);
  *b->mutable_estimated_value() = Money(5000000, "USD");
  b->set_owner("li_qiang");
  b->set_awaiting_role(v1::ROLE_BD_MANAGER);  // no assignee: waiting in the queue
  b->set_source(v1::LEAD_SOURCE_EVENT);
  v1::Lead* c = r.add_leads();
  c->set_lead_id("gz-3");
  c->set_company("Acme Ltd");
  c->set_stage(v1::STAGE_SOLUTION_PROPOSED);
  c->mutable_stage_entered_at()->set_seconds(kNow - 3 * 86400);
  c->set_owner("zhang_wei");
  c->set_assignee("zhang_wei");
  c->set_awaiting_role(v1::ROLE_SALES_REP);
  c->set_source(v1::LEAD_SOURCE_INBOUND);

  const std::string text = RenderLeadList(r);
  EXPECT_EQ(text,
      "Leads · log position 120 · 2026-11-28T10:00:00Z · 3 leads match\n"
      "\n"
      "LEAD  COMPANY                      STAGE              IN STAGE           VALUE  OWNER      ASSIGNEE             SOURCE  \n"
      "hz-1  杭州云帆科技有限公司         IDENTIFIED         5d        300,000.00 CNY  wang_fang  zhao_lei             REFERRAL\n"
      "sh-2  上海华信信息技术股份有限公…  QUALIFIED          1h 30m     50,000.00 USD  li_qiang   (queue: BD_MANAGER)  EVENT   \n"
      "gz-3  Acme Ltd                     SOLUTION_PROPOSED  3d                     —  zhang_wei  zhang_wei            INBOUND \n"
      "\n"
      "next page: the same flags and --page_token=abc\n");
  ExpectAligned(text, "LEAD", 3);
}

TEST(ViewTablesTest, WorkloadBarsShareOneScale) {
  v1::Workload w;
  SetView(w.mutable_view());
  w.set_sla_table_version(1);
  v1::MemberWorkload* li = w.add_members();
  li->set_member_id("li_qiang");
  li->set_display_name("李强");
  li->add_roles(v1::ROLE_SALES_REP);
  li->set_active(true);
  li->set_capacity(40);
  li->set_load(10);
  li->set_load_ratio(0.25);
  for (const auto& [stage, count] : {std::pair{v1::STAGE_QUOTED, 4}, std::pair{v1::STAGE_NEGOTIATING, 6}}) {
    v1::StageCount* s = li->add_leads_by_stage();
    s->set_stage(stage);
    s->set_count(count);
  }
  li->set_oldest_item("lead-sh-2");
  li->mutable_oldest_item_age()->set_seconds(12 * 86400 + 3 * 3600);
  li->set_sla_overdue(2);
  li->set_open_action_items(2);  // meetings' action items: one of them past its due date
  li->set_overdue_action_items(1);
  v1::MemberWorkload* xu = w.add_members();
  xu->set_member_id("xu_ming");
  xu->set_display_name("徐明");
  xu->add_roles(v1::ROLE_AFTER_SALES);
  xu->add_roles(v1::ROLE_SALES_SUPPORT);
  xu->set_active(false);  // still carrying work
  xu->set_load(3);        // capacity 0: no limit
  v1::OrderStatusCount* shipped = xu->add_orders_by_status();
  shipped->set_status(v1::ORDER_STATUS_SHIPPED);
  shipped->set_count(1);
  for (v1::Severity severity : {v1::SEVERITY_P1, v1::SEVERITY_P3}) {
    v1::SeverityCount* s = xu->add_tickets_by_severity();
    s->set_severity(severity);
    s->set_count(1);
  }
  xu->set_oldest_item("ticket-t9");
  xu->mutable_oldest_item_age()->set_seconds(5 * 3600);
  xu->set_sla_overdue(1);
  v1::MemberWorkload* zhao = w.add_members();
  zhao->set_member_id("zhao_lei");
  zhao->set_display_name("赵磊");
  zhao->add_roles(v1::ROLE_BD_MANAGER);
  zhao->set_active(true);
  zhao->set_capacity(20);
  zhao->set_open_action_items(1);
  const auto add_role = [&](v1::Role role, uint32_t members, uint32_t total, double mean, uint32_t max,
                            double imbalance, uint32_t unassigned, std::vector<std::string> items) {
    v1::RoleWorkload* r = w.add_roles();
    r->set_role(role);
    r->set_members(members);
    r->set_total(total);
    r->set_mean(mean);
    r->set_max(max);
    r->set_imbalance(imbalance);
    r->set_unassigned(unassigned);
    for (std::string& item : items) r->add_unassigned_items(std::move(item));
  };
  add_role(v1::ROLE_SALES_REP, 6, 48, 8, 12, 1.5, 0, {});
  add_role(v1::ROLE_BD_MANAGER, 3, 9, 3, 5, 5.0 / 3.0, 2, {"lead-a", "lead-b"});
  add_role(v1::ROLE_AFTER_SALES, 3, 0, 0, 0, 0, 3, {"ticket-x", "ticket-y"});  // only the first items listed

  const std::string text = RenderWorkload(w);
  EXPECT_EQ(text,
      "Workload · log position 120 · 2026-11-28T10:00:00Z · SLA table v1\n"
      "\n"
      "MEMBER    NAME             ROLES                        LOAD  USE                          %  OLDEST ITEM  AGE     SLA OVERDUE     ACTIONS  OPEN WORK                            \n"
      "li_qiang  李强             SALES_REP                   10/40  █████░░░░░░░░░░░░░░░       25%  lead-sh-2    12d 3h            2  2 (1 late)  leads QUOTED 4, NEGOTIATING 6        \n"
      "xu_ming   徐明 (inactive)  AFTER_SALES, SALES_SUPPORT      3  ██                    no limit  ticket-t9    5h                1              orders SHIPPED 1 · tickets P1 1, P3 1\n"
      "zhao_lei  赵磊             BD_MANAGER                   0/20  ░░░░░░░░░░                  0%                                 0           1                                       \n"
      "\n"
      "ROLE         MEMBERS  OPEN  MEAN  MAX  IMBALANCE  UNASSIGNED\n"
      "SALES_REP          6    48   8.0   12       1.50           0\n"
      "BD_MANAGER         3     9   3.0    5       1.67           2\n"
      "AFTER_SALES        3     0   0.0    0       0.00           3\n"
      "\n"
      "waiting for BD_MANAGER: lead-a, lead-b\n"
      "waiting for AFTER_SALES: ticket-x, ticket-y, …\n");
  ExpectAligned(text, "MEMBER", 3);
  ExpectAligned(text, "ROLE ", 3);
}

v1::MetricValue* AddMetric(v1::RoleReview* role, const char* name, const char* unit, bool defined, double value,
                           uint64_t samples, double weight) {
  v1::MetricValue* m = role->add_metrics();
  m->set_metric(name);
  m->set_unit(unit);
  m->set_defined(defined);
  m->set_value(value);
  m->set_samples(samples);
  m->set_weight(weight);
  m->set_contribution(defined ? weight * value : 0);
  return m;
}

TEST(ViewTablesTest, ReviewPerRoleWithDetails) {
  v1::PerformanceReview r;
  SetView(r.mutable_view());
  r.set_member_id("wang_fang");
  r.set_display_name("王芳");
  SetPeriod(r.mutable_period());
  r.set_policy_version(2);
  r.set_input_digest("sha256:0123456789abcdef0123");
  r.set_input_events(37);
  v1::RoleReview* rep = r.add_roles();
  rep->set_role(v1::ROLE_SALES_REP);
  rep->set_scored(true);
  rep->set_score(42);
  AddMetric(rep, "leads_identified", "count", true, 12, 12, 1);
  AddMetric(rep, "win_rate", "ratio", true, 0.75, 8, 40);
  AddMetric(rep, "avg_sales_cycle_days", "days", false, 0, 0, -0.5);
  AddMetric(rep, "csat", "score 1-5", true, 13.0 / 3.0, 3, 0);
  *rep->add_won_value() = Money(123456789, "CNY");
  *rep->add_average_deal_size() = Money(24691358, "CNY");
  v1::StageTime* identified = rep->add_time_in_stage();
  identified->set_stage(v1::STAGE_IDENTIFIED);
  identified->mutable_average()->set_seconds(2 * 86400 + 4 * 3600);
  identified->set_samples(5);
  v1::StageTime* quoted = rep->add_time_in_stage();
  quoted->set_stage(v1::STAGE_QUOTED);
  quoted->mutable_average()->set_seconds(6 * 86400);
  quoted->set_samples(2);
  v1::TargetAttainment* value = rep->add_targets();
  value->set_metric(v1::TARGET_METRIC_WON_VALUE);
  *value->mutable_target_value() = Money(100000000, "CNY");
  value->set_attainment_percent(123.456);
  value->set_revision(1);
  v1::TargetAttainment* count = rep->add_targets();
  count->set_metric(v1::TARGET_METRIC_WON_COUNT);
  count->set_target_count(6);
  count->set_attainment_percent(500.0 / 6.0);
  count->set_revision(2);
  v1::RoleReview* after_sales = r.add_roles();
  after_sales->set_role(v1::ROLE_AFTER_SALES);
  AddMetric(after_sales, "tickets_resolved", "count", true, 4, 4, 0);
  v1::SeverityTime* p2 = after_sales->add_resolution_time();
  p2->set_severity(v1::SEVERITY_P2);
  p2->mutable_average()->set_seconds(5 * 3600);
  p2->set_samples(3);

  const std::string text = RenderReview(r);
  EXPECT_EQ(text,
      "Performance review · 王芳 (wang_fang) · 2026-11 [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)\n"
      "log position 120 · 2026-11-28T10:00:00Z · scoring policy v2 · 37 input events · sha256:0123456789abcdef0123\n"
      "\n"
      "SALES_REP · score 42.00\n"
      "METRIC                VALUE  UNIT       SAMPLES  WEIGHT  CONTRIBUTION\n"
      "leads_identified         12  count           12    1.00         12.00\n"
      "win_rate               0.75  ratio            8   40.00         30.00\n"
      "avg_sales_cycle_days      —  days             0   -0.50             —\n"
      "csat                   4.33  score 1-5        3                      \n"
      "  won value: 1,234,567.89 CNY\n"
      "  average deal size: 246,913.58 CNY\n"
      "  time in stage: IDENTIFIED 2d 4h (5), QUOTED 6d (2)\n"
      "  target: WON_VALUE 1,000,000.00 CNY: 123.5% attained (revision 1)\n"
      "  target: WON_COUNT 6 deals: 83.3% attained (revision 2)\n"
      "\n"
      "AFTER_SALES · not scored (policy v2 weighs nothing of this role)\n"
      "METRIC            VALUE  UNIT   SAMPLES  WEIGHT  CONTRIBUTION\n"
      "tickets_resolved      4  count        4                      \n"
      "  resolution time: P2 5h (3)\n");
  ExpectAligned(text, "METRIC", 4);
}

TEST(ViewTablesTest, ReviewWithoutPolicyOrRoles) {
  v1::PerformanceReview r;
  SetView(r.mutable_view());
  r.set_member_id("admin");
  SetPeriod(r.mutable_period());
  r.set_input_digest("sha256:e3b0");
  EXPECT_EQ(RenderReview(r),
            "Performance review \u00b7 admin \u00b7 2026-11 [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)\n"
            "log position 120 \u00b7 2026-11-28T10:00:00Z \u00b7 no scoring policy in force \u00b7 0 input events "
            "\u00b7 sha256:e3b0\n"
            "\n"
            "(no reviewed role: SALES_REP, BD_MANAGER, SALES_SUPPORT, AFTER_SALES)\n");
}

v1::RankedReview* AddRanked(v1::ListPerformanceReviewsResponse* r, uint32_t rank, double score, const char* id,
                            const char* name, int deals, int quotes, uint64_t inputs, const char* digest) {
  v1::RankedReview* ranked = r->add_reviews();
  ranked->set_rank(rank);
  ranked->set_score(score);
  v1::PerformanceReview* review = ranked->mutable_review();
  review->set_member_id(id);
  review->set_display_name(name);
  review->set_input_events(inputs);
  review->set_input_digest(digest);
  v1::RoleReview* role = review->add_roles();
  role->set_role(v1::ROLE_SALES_REP);
  role->set_scored(true);
  role->set_score(score);
  AddMetric(role, "deals_won", "count", true, deals, deals, 10);
  AddMetric(role, "quotes_sent", "count", true, quotes, quotes, 2);
  AddMetric(role, "win_rate", "ratio", true, 0.5, 4, 0);  // not weighed: no column
  return ranked;
}

TEST(ViewTablesTest, RankingShowsTheWeighedMetrics) {
  v1::ListPerformanceReviewsResponse r;
  SetView(r.mutable_view());
  SetPeriod(r.mutable_period());
  r.set_role(v1::ROLE_SALES_REP);
  r.set_policy_version(1);
  AddRanked(&r, 1, 52, "liu_yang", "刘洋", 5, 1, 40, "sha256:aaaaaaaaaaaaaaaaaaaa");
  AddRanked(&r, 2, 50, "ouyang", "欧阳娜娜", 5, 0, 12, "sha256:bbbbbbbbbbbbbbbbbbbb");
  AddRanked(&r, 2, 50, "zhang_wei", "张伟", 4, 5, 31, "sha256:cccc");
  // Feedback: acknowledged; corrected after the first was acknowledged; none.
  v1::ReviewFeedbackStatus* f = r.mutable_reviews(0)->mutable_review()->mutable_feedback();
  f->set_version(1);
  f->set_acknowledged(true);
  f->set_acknowledged_version(1);
  f = r.mutable_reviews(2)->mutable_review()->mutable_feedback();
  f->set_version(2);
  f->set_acknowledged_version(1);

  const std::string text = RenderReviewRanking(r);
  EXPECT_EQ(text,
      "SALES_REP ranking · 2026-11 [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)\n"
      "log position 120 · 2026-11-28T10:00:00Z · scoring policy v1\n"
      "\n"
      "RANK  MEMBER     NAME      SCORE  deals_won  quotes_sent  INPUTS  DIGEST                FEEDBACK            \n"
      "   1  liu_yang   刘洋      52.00          5            1      40  sha256:aaaaaaaaaaaa…  v1, acknowledged    \n"
      "   2  ouyang     欧阳娜娜  50.00          5            0      12  sha256:bbbbbbbbbbbb…  —                   \n"
      "   2  zhang_wei  张伟      50.00          4            5      31  sha256:cccc           v2 (v1 acknowledged)\n");
  ExpectAligned(text, "RANK", 3);
}

TEST(ViewTablesTest, ComparisonShowsRankChanges) {
  v1::CompareReviewsResponse r;
  SetView(r.mutable_view());
  SetPeriod(r.mutable_period());
  r.set_role(v1::ROLE_SALES_REP);
  r.set_policy_a(1);
  r.set_policy_b(2);
  const auto add = [&](const char* id, const char* name, double a, uint32_t rank_a, double b, uint32_t rank_b) {
    v1::ReviewComparison* row = r.add_rows();
    row->set_member_id(id);
    row->set_display_name(name);
    row->set_score_a(a);
    row->set_rank_a(rank_a);
    row->set_score_b(b);
    row->set_rank_b(rank_b);
    row->set_rank_change(static_cast<int32_t>(rank_a) - static_cast<int32_t>(rank_b));
  };
  add("liu_yang", "刘洋", 52.5, 1, 61.25, 1);
  add("chen_chen", "陈晨", 30, 3, 45, 2);
  add("zhang_wei", "张伟", 50, 2, 20.1, 3);

  const std::string text = RenderReviewComparison(r);
  EXPECT_EQ(text,
      "SALES_REP · scoring policy v1 vs v2 · 2026-11 [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)\n"
      "log position 120 · 2026-11-28T10:00:00Z\n"
      "\n"
      "MEMBER     NAME  SCORE v1  RANK v1  SCORE v2  RANK v2  CHANGE\n"
      "liu_yang   刘洋     52.50        1     61.25        1       =\n"
      "chen_chen  陈晨     30.00        3     45.00        2      ↑1\n"
      "zhang_wei  张伟     50.00        2     20.10        3      ↓1\n");
  ExpectAligned(text, "MEMBER", 3);
}

// Every line of each table block has the same display width: Chinese
// names and loss notes take two columns a character and still line up.
void ExpectAlignedBlocks(const std::string& text) {
  for (absl::string_view block : absl::StrSplit(text, "\n\n")) {
    std::vector<absl::string_view> lines = absl::StrSplit(block, '\n', absl::SkipEmpty());
    // A block's first lines may be a title ending in ':' (not a table row).
    while (!lines.empty() && (absl::EndsWith(lines.front(), ":") || absl::StrContains(lines.front(), "\u00b7") ||
                              absl::StartsWith(lines.front(), "Scores") || absl::StartsWith(lines.front(), "log"))) {
      lines.erase(lines.begin());
    }
    for (absl::string_view line : lines) {
      EXPECT_EQ(DisplayWidth(line), DisplayWidth(lines.front())) << "\n" << block;
    }
  }
}

TEST(AnalysisTablesTest, SalesRowsTotalTrendStagesAndLossNotesAligned) {
  v1::SalesAnalysis a;
  SetView(a.mutable_view());
  SetPeriod(a.mutable_period());
  a.set_group_by(v1::SALES_GROUPING_OWNER);
  a.set_all_members(true);
  v1::SalesAnalysisRow* row = a.add_rows();
  row->set_key("wang_fang");
  row->set_display_name("王芳");
  v1::SalesFigures* f = row->mutable_figures();
  f->set_leads_identified(3);
  f->set_won(1);
  f->set_lost(1);
  f->set_win_rate(0.5);
  *f->add_won_value() = Money(1'000'000, "CNY");
  f->mutable_average_cycle_time()->set_seconds(7 * 86400);
  v1::StageTime* t = f->add_time_in_stage();
  t->set_stage(v1::STAGE_QUOTED);
  t->mutable_average()->set_seconds(86400);
  t->set_samples(2);
  v1::LossReasonCount* loss = f->add_loss_reasons();
  loss->set_reason(v1::LOSS_REASON_PRICE);
  loss->set_note("价格太高");
  loss->set_count(2);
  v1::LossReasonCount* other = f->add_loss_reasons();
  other->set_reason(v1::LOSS_REASON_TIMING);
  other->set_count(1);
  *a.mutable_totals() = *f;
  v1::SalesAnalysisRow* empty = a.add_rows();
  empty->set_key("li_qiang");
  empty->set_display_name("李强");
  for (const char* month : {"2026-10", "2026-11"}) {
    v1::SalesMonth* m = a.add_months();
    m->set_month(month);
    *m->mutable_figures() = *f;
  }
  const std::string text = RenderSalesAnalysis(a);
  EXPECT_THAT(text, ::testing::HasSubstr("Sales analysis \u00b7 2026-11"));
  EXPECT_THAT(text, ::testing::HasSubstr("every member"));
  EXPECT_THAT(text, ::testing::HasSubstr("王芳 (wang_fang)"));
  EXPECT_THAT(text, ::testing::HasSubstr("50.0%"));
  EXPECT_THAT(text, ::testing::HasSubstr("价格太高"));
  EXPECT_THAT(text, ::testing::HasSubstr("Trend"));
  EXPECT_THAT(text, ::testing::HasSubstr("QUOTED"));
  ExpectAlignedBlocks(text);
  a.set_all_members(false);
  EXPECT_THAT(RenderSalesAnalysis(a), ::testing::HasSubstr("your own figures only"));
}

TEST(AnalysisTablesTest, ProductRowsNameTheNoProductRowAndSayTheyOverlap) {
  v1::SalesAnalysis a;
  SetView(a.mutable_view());
  SetPeriod(a.mutable_period());
  a.set_group_by(v1::SALES_GROUPING_PRODUCT);
  a.set_all_members(true);
  for (const char* product : {"", "旗舰版", "年度维保 Annual care"}) {
    v1::SalesAnalysisRow* row = a.add_rows();
    row->set_key(product);
    row->mutable_figures()->set_won(1);
  }
  a.mutable_totals()->set_won(2);
  const std::string text = RenderSalesAnalysis(a);
  EXPECT_THAT(text, ::testing::HasSubstr("by PRODUCT"));
  EXPECT_THAT(text, ::testing::HasSubstr("(no products proposed)"));
  EXPECT_THAT(text, ::testing::HasSubstr("年度维保 Annual care"));
  EXPECT_THAT(text, ::testing::HasSubstr("add up to more than TOTAL"));
  ExpectAlignedBlocks(text);
}

TEST(AnalysisTablesTest, AccountRowsShowRepeatAndReferralWins) {
  v1::SalesAnalysis a;
  SetView(a.mutable_view());
  SetPeriod(a.mutable_period());
  a.set_group_by(v1::SALES_GROUPING_ACCOUNT);
  a.set_all_members(true);
  v1::SalesAnalysisRow* none = a.add_rows();
  none->mutable_figures()->set_leads_identified(2);
  v1::SalesAnalysisRow* row = a.add_rows();
  row->set_key("demo-0007");
  row->set_display_name("杭州云帆科技有限公司");
  v1::SalesFigures* f = row->mutable_figures();
  f->set_leads_identified(3);
  f->set_won(2);
  f->set_repeat_wins(1);
  f->set_repeat_purchase_rate(0.5);
  f->set_referral_leads(4);
  f->set_referral_wins(1);
  *a.mutable_totals() = *f;
  const std::string text = RenderSalesAnalysis(a);
  EXPECT_THAT(text, ::testing::HasSubstr("by ACCOUNT"));
  EXPECT_THAT(text, ::testing::HasSubstr("(no account)"));
  EXPECT_THAT(text, ::testing::HasSubstr("杭州云帆科技有限公司 (demo-0007)"));
  EXPECT_THAT(text, ::testing::HasSubstr("1 (50.0%)"));
  EXPECT_THAT(text, ::testing::HasSubstr("4/1"));
  EXPECT_THAT(text, ::testing::HasSubstr("REPEAT WON: wins of customers that had bought before"));
  ExpectAlignedBlocks(text);
}

TEST(AnalysisTablesTest, AnAccountWithItsTrendAndLatestLeadsAligned) {
  v1::Account account;
  SetView(account.mutable_view());
  account.set_opened_by_lead_id("demo-0007");
  account.mutable_opened_at()->set_seconds(1'780'000'000);
  v1::AccountSummary* a = account.mutable_summary();
  a->set_account_id("demo-0007");
  a->set_company("杭州云帆科技有限公司");
  a->set_leads(3);
  a->set_open_leads(1);
  a->set_won(2);
  *a->add_won_value() = Money(1'300'000, "CNY");
  a->mutable_last_purchase_at()->set_seconds(1'785'000'000);
  account.mutable_since_last_purchase()->set_seconds(42 * 86400);
  a->set_orders(2);
  a->set_open_orders(1);
  a->set_tickets(1);
  a->set_referred_leads(1);
  a->set_referral_wins(1);
  a->mutable_satisfaction()->set_surveys(2);
  a->mutable_satisfaction()->set_product_quality(4);
  a->mutable_satisfaction()->set_overall(3.5);
  v1::SatisfactionMonth* m = account.add_satisfaction_trend();
  m->set_month("2026-03");
  m->mutable_scores()->set_surveys(1);
  m->mutable_scores()->set_overall(4.33);
  for (const char* company : {"杭州云帆科技有限公司", "云帆（杭州）"}) {
    v1::AccountLead* l = a->add_latest_leads();
    l->set_lead_id(absl::StrCat("L-", company == std::string("云帆（杭州）") ? 2 : 1));
    l->set_company(company);
    l->set_stage(v1::STAGE_WON);
    l->set_owner("wang_fang");
    l->mutable_identified_at()->set_seconds(1'781'000'000);
    *l->mutable_won_amount() = Money(300'000, "CNY");
  }
  const std::string text = RenderAccount(account);
  EXPECT_THAT(text, ::testing::HasSubstr("Account demo-0007 \u00b7 杭州云帆科技有限公司"));
  EXPECT_THAT(text, ::testing::HasSubstr("by lead demo-0007"));
  EXPECT_THAT(text, ::testing::HasSubstr("13,000.00"));
  EXPECT_THAT(text, ::testing::HasSubstr("42d"));
  EXPECT_THAT(text, ::testing::HasSubstr("Orders 2 (1 open)"));
  EXPECT_THAT(text, ::testing::HasSubstr("referred 1 leads, 1 won"));
  EXPECT_THAT(text, ::testing::HasSubstr("2026-03"));
  EXPECT_THAT(text, ::testing::HasSubstr("云帆（杭州）"));
  ExpectAlignedBlocks(text);
}

TEST(AnalysisTablesTest, SatisfactionRowsAndTrendAligned) {
  v1::SatisfactionAnalysis a;
  SetView(a.mutable_view());
  SetPeriod(a.mutable_period());
  a.set_group_by(v1::SATISFACTION_GROUPING_AFTER_SALES_MEMBER);
  a.set_all_members(true);
  v1::SatisfactionRow* row = a.add_rows();
  row->set_key("zhao_lei");
  row->set_display_name("赵磊");
  v1::SatisfactionScores* s = row->mutable_scores();
  s->set_surveys(3);
  s->set_product_quality(4.5);
  s->set_service_attitude(4);
  s->set_response_speed(3.25);
  s->set_overall(3.92);
  *a.mutable_totals() = *s;
  for (const char* month : {"2026-10", "2026-11"}) {
    v1::SatisfactionMonth* m = a.add_months();
    m->set_month(month);
  }
  const std::string text = RenderSatisfactionAnalysis(a);
  EXPECT_THAT(text, ::testing::HasSubstr("赵磊 (zhao_lei)"));
  EXPECT_THAT(text, ::testing::HasSubstr("4.50"));
  EXPECT_THAT(text, ::testing::HasSubstr("Trend"));
  ExpectAlignedBlocks(text);
}

}  // namespace
}  // namespace salesctl
