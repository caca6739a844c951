// The sales and satisfaction analyses on a small history whose numbers are
// worked out by hand in the comments (not taken from the program's output),
// folded by the real sequencer on a real store with a fake clock.
#include "projections/analysis.h"

#include <array>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/review.h"
#include "server/domain/proto_time.h"
#include "server/history/views_replay.h"
#include "tests/projections/views_world.h"

namespace salesops::projections {
namespace {

using ::salesops::testing::ViewsWorld;
using ::salesops::testing::Yuan;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time Day(int month, int day, int hour = 0) {
  return absl::FromCivil(absl::CivilHour(2026, month, day, hour), absl::UTCTimeZone());
}

constexpr absl::Duration kDay = absl::Hours(24);

// The history (2026, UTC; every step of a lead by its owner, qualification
// and needs by bd1):
//
// lead owner source    identified qualified needs  proposed quoted negotiating closed
// A    r1   REFERRAL   05-04      05-05     05-06  05-08    05-09  05-10       won 05-11, 10 000.00 CNY
// B    r1   INBOUND    05-10      05-10 12h 05-11  05-12    05-13  -           lost 05-14 PRICE "价格太高"
// G    r1   INBOUND    05-30      (stays IDENTIFIED)
// C    r2   REFERRAL   05-20      05-21     05-22  05-23    05-24  05-25       won 06-02, 5 000.00 CNY
// D    r2   INBOUND    06-01      06-02     06-03  06-04    06-05  -           lost 06-06 PRICE "价格太高"
// E    r2   REFERRAL   06-10      06-11     06-12  06-13    06-14  -           lost 06-15 COMPETITOR
//                                                                              "选择了竞争对手的方案"
// Products proposed: A 标准版 + 年度维保; B 标准版; C 旗舰版 + 年度维保 (named
// twice); D 旗舰版; E none.
//
// After-sales: ticket TA on A opened 05-15, handed to as1, resolved by as1
// 05-16, survey S1 05-17 (5, 4, 3); ticket TC on C opened 06-03, handed to
// as2, resolved by as2 06-04, survey S2 06-05 (4, 4, 4); survey S3 on C
// without a ticket, recorded by r2 06-06 (2, 3, 1).
class AnalysisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.AddTeam("root", {{"r1", {v1::ROLE_SALES_REP}},
                            {"r2", {v1::ROLE_SALES_REP}},
                            {"bd1", {v1::ROLE_BD_MANAGER}},
                            {"sup1", {v1::ROLE_SALES_SUPPORT}},
                            {"as1", {v1::ROLE_AFTER_SALES}},
                            {"as2", {v1::ROLE_AFTER_SALES}},
                            {"mgr", {v1::ROLE_SALES_MANAGER}}});
    using S = v1::LeadSource;
    Lead("A", "r1", S::LEAD_SOURCE_REFERRAL,
         {Day(5, 4), Day(5, 5), Day(5, 6), Day(5, 8), Day(5, 9), Day(5, 10)}, Day(5, 11),
         Won{Yuan(1'000'000)});
    Lead("B", "r1", S::LEAD_SOURCE_INBOUND, {Day(5, 10), Day(5, 10, 12), Day(5, 11), Day(5, 12), Day(5, 13)},
         Day(5, 14), Lost{v1::LOSS_REASON_PRICE, "价格太高"});
    Lead("G", "r1", S::LEAD_SOURCE_INBOUND, {Day(5, 30)});
    Lead("C", "r2", S::LEAD_SOURCE_REFERRAL,
         {Day(5, 20), Day(5, 21), Day(5, 22), Day(5, 23), Day(5, 24), Day(5, 25)}, Day(6, 2),
         Won{Yuan(500'000)});
    Lead("D", "r2", S::LEAD_SOURCE_INBOUND, {Day(6, 1), Day(6, 2), Day(6, 3), Day(6, 4), Day(6, 5)},
         Day(6, 6), Lost{v1::LOSS_REASON_PRICE, "价格太高"});
    Lead("E", "r2", S::LEAD_SOURCE_REFERRAL, {Day(6, 10), Day(6, 11), Day(6, 12), Day(6, 13), Day(6, 14)},
         Day(6, 15), Lost{v1::LOSS_REASON_COMPETITOR, "选择了竞争对手的方案"});
    Ticket("TA", "A", "as1", Day(5, 15), Day(5, 16), Day(5, 17), {5, 4, 3});
    Ticket("TC", "C", "as2", Day(6, 3), Day(6, 4), Day(6, 5), {4, 4, 4});
    At(Day(6, 6, 1), [this] {
      v1::SupportCommand s;
      s.mutable_survey()->set_lead_id("C");
      s.mutable_survey()->set_product_quality(2);
      s.mutable_survey()->set_service_attitude(3);
      s.mutable_survey()->set_response_speed(1);
      Must(world_.Support("r2", s));
    });
    // Run every step in time order, noting the log position the end of May
    // left.
    At(Day(6, 1) - absl::Seconds(1), [this] { end_of_may_ = world_.store().Head(); });
    for (auto& [t, steps] : steps_) {
      for (auto& step : steps) {
        world_.clock().Set(t);
        step();
      }
    }
    world_.clock().Set(Day(7, 1));
  }

  struct Won {
    v1::Money amount;
  };
  struct Lost {
    v1::LossReason reason;
    std::string note;
  };

  static std::vector<std::string> ProductsOf(const std::string& lead) {
    if (lead == "A") return {"标准版", "年度维保"};
    if (lead == "B") return {"标准版"};
    if (lead == "C") return {"旗舰版", "年度维保", "年度维保"};
    if (lead == "D") return {"旗舰版"};
    return {};
  }

  void At(absl::Time t, std::function<void()> step) { steps_[t].push_back(std::move(step)); }
  void Must(const engine::CommandResult& r) { ASSERT_TRUE(r.ok()) << r.status(); }

  // The lead's steps at `times` (identified, qualified, needs, proposed,
  // quoted, negotiating: as many as given), then the close at `closed`.
  void Lead(const std::string& id, const std::string& owner, v1::LeadSource source,
            std::vector<absl::Time> times, absl::Time closed = absl::InfinitePast(),
            std::variant<std::monostate, Won, Lost> close = {}) {
    for (size_t step = 0; step < times.size(); ++step) {
      At(times[step], [=, this] {
        v1::LeadCommand c;
        std::string actor = owner;
        switch (step) {
          case 0:
            c.mutable_identify()->set_lead_id(id);
            c.mutable_identify()->set_company("杭州云帆科技");
            c.mutable_identify()->mutable_contact()->set_name("周敏");
            c.mutable_identify()->set_source(source);
            break;
          case 1:
            c.mutable_qualify()->set_lead_id(id);
            c.mutable_qualify()->set_score(70);
            actor = "bd1";
            break;
          case 2:
            c.mutable_record_needs()->set_lead_id(id);
            c.mutable_record_needs()->set_requirements("仓储管理");
            actor = "bd1";
            break;
          case 3:
            c.mutable_propose_solution()->set_lead_id(id);
            c.mutable_propose_solution()->set_summary("标准版");
            for (const std::string& p : ProductsOf(id)) c.mutable_propose_solution()->add_products(p);
            *c.mutable_propose_solution()->mutable_value() = Yuan(1'000'000);
            break;
          case 4:
            c.mutable_send_quote()->set_lead_id(id);
            c.mutable_send_quote()->set_quote_id("Q-" + id);
            *c.mutable_send_quote()->mutable_amount() = Yuan(1'000'000);
            c.mutable_send_quote()->set_valid_until("2027-12-31");
            break;
          case 5:
            c.mutable_start_negotiation()->set_lead_id(id);
            break;
        }
        Must(world_.Lead(actor, c));
      });
    }
    if (std::holds_alternative<std::monostate>(close)) return;
    At(closed, [=, this] {
      v1::LeadCommand c;
      if (const Won* won = std::get_if<Won>(&close)) {
        c.mutable_win_deal()->set_lead_id(id);
        *c.mutable_win_deal()->mutable_final_amount() = won->amount;
        c.mutable_win_deal()->set_signed_date("2026-06-01");
      } else {
        const Lost& lost = std::get<Lost>(close);
        c.mutable_lose_deal()->set_lead_id(id);
        c.mutable_lose_deal()->set_reason(lost.reason);
        c.mutable_lose_deal()->set_note(lost.note);
        c.mutable_lose_deal()->set_competitor("某竞品");
      }
      Must(world_.Lead(owner, c));
    });
  }

  void Ticket(const std::string& id, const std::string& lead, const std::string& member, absl::Time opened,
              absl::Time resolved, absl::Time surveyed, std::array<int, 3> scores) {
    At(opened, [=, this] {
      v1::SupportCommand s;
      s.mutable_open()->mutable_options()->set_assign_to(member);
      s.mutable_open()->set_ticket_id(id);
      s.mutable_open()->set_lead_id(lead);
      s.mutable_open()->set_subject("无法登录");
      s.mutable_open()->set_severity(v1::SEVERITY_P2);
      s.mutable_open()->set_channel(v1::CHANNEL_PHONE);
      Must(world_.Support(member, s));
    });
    At(resolved, [=, this] {
      v1::SupportCommand s;
      s.mutable_resolve()->set_ticket_id(id);
      s.mutable_resolve()->set_resolution("重置密码");
      Must(world_.Support(member, s));
    });
    At(surveyed, [=, this] {
      v1::SupportCommand s;
      s.mutable_survey()->set_lead_id(lead);
      s.mutable_survey()->set_ticket_id(id);
      s.mutable_survey()->set_product_quality(scores[0]);
      s.mutable_survey()->set_service_attitude(scores[1]);
      s.mutable_survey()->set_response_speed(scores[2]);
      Must(world_.Support(member, s));
    });
  }

  static v1::ReviewPeriod Period(absl::string_view label) { return *ResolvePeriod(label, nullptr, nullptr); }

  v1::SalesAnalysis Sales(absl::string_view period, v1::SalesGrouping by, absl::string_view only = "") {
    absl::StatusOr<v1::SalesAnalysis> a = world_.views().Read(
        [&](const ViewsState& s) { return BuildSalesAnalysis(s, Period(period), by, only); });
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : v1::SalesAnalysis();
  }

  v1::SatisfactionAnalysis Satisfaction(absl::string_view period, v1::SatisfactionGrouping by,
                                        absl::string_view only = "") {
    absl::StatusOr<v1::SatisfactionAnalysis> a = world_.views().Read(
        [&](const ViewsState& s) { return BuildSatisfactionAnalysis(s, Period(period), by, only); });
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : v1::SatisfactionAnalysis();
  }

  ViewsWorld world_{Day(5, 1)};
  std::map<absl::Time, std::vector<std::function<void()>>> steps_;
  uint64_t end_of_may_ = 0;
};

std::vector<std::string> Keys(const v1::SalesAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& r : a.rows()) out.push_back(r.key());
  return out;
}

std::vector<std::string> Keys(const v1::SatisfactionAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& r : a.rows()) out.push_back(r.key());
  return out;
}

absl::Duration Average(const v1::StageTime& t) { return FromProtoDuration(t.average()); }

TEST_F(AnalysisTest, SalesByOwnerInMayWorkedByHand) {
  const v1::SalesAnalysis a = Sales("2026-05", v1::SALES_GROUPING_OWNER);
  EXPECT_TRUE(a.all_members());
  ASSERT_THAT(Keys(a), ElementsAre("r1", "r2"));
  // r1: identified A, B, G; won A (05-11); lost B (05-14): 1 / 2.
  const v1::SalesFigures& r1 = a.rows(0).figures();
  EXPECT_EQ(a.rows(0).display_name(), "成员 r1");
  EXPECT_EQ(r1.leads_identified(), 3u);
  EXPECT_EQ(r1.won(), 1u);
  EXPECT_EQ(r1.lost(), 1u);
  EXPECT_DOUBLE_EQ(r1.win_rate(), 0.5);
  ASSERT_EQ(r1.won_value_size(), 1);
  EXPECT_EQ(r1.won_value(0).amount_minor(), 1'000'000);
  EXPECT_EQ(r1.won_value(0).currency(), "CNY");
  // A: identified 05-04, won 05-11: 7 days.
  EXPECT_EQ(FromProtoDuration(r1.average_cycle_time()), 7 * kDay);
  // Stages left in May by A and B: IDENTIFIED 1 d and 12 h, QUALIFIED 1 d
  // and 12 h, NEEDS_ANALYZED 2 d and 1 d, SOLUTION_PROPOSED 1 d and 1 d,
  // QUOTED 1 d and 1 d, NEGOTIATING 1 d (A only).
  ASSERT_EQ(r1.time_in_stage_size(), 6);
  EXPECT_EQ(r1.time_in_stage(0).stage(), v1::STAGE_IDENTIFIED);
  EXPECT_EQ(Average(r1.time_in_stage(0)), absl::Hours(18));
  EXPECT_EQ(r1.time_in_stage(0).samples(), 2u);
  EXPECT_EQ(Average(r1.time_in_stage(1)), absl::Hours(18));
  EXPECT_EQ(Average(r1.time_in_stage(2)), absl::Hours(36));
  EXPECT_EQ(Average(r1.time_in_stage(3)), kDay);
  EXPECT_EQ(Average(r1.time_in_stage(4)), kDay);
  EXPECT_EQ(r1.time_in_stage(5).stage(), v1::STAGE_NEGOTIATING);
  EXPECT_EQ(r1.time_in_stage(5).samples(), 1u);
  ASSERT_EQ(r1.loss_reasons_size(), 1);
  EXPECT_EQ(r1.loss_reasons(0).reason(), v1::LOSS_REASON_PRICE);
  EXPECT_EQ(r1.loss_reasons(0).note(), "价格太高");
  // r2 in May: C identified, nothing closed (C is won in June): no rate, no
  // cycle; C left five stages, a day each (NEGOTIATING is left in June).
  const v1::SalesFigures& r2 = a.rows(1).figures();
  EXPECT_EQ(r2.leads_identified(), 1u);
  EXPECT_EQ(r2.won() + r2.lost(), 0u);
  EXPECT_EQ(r2.win_rate(), 0.0);
  EXPECT_FALSE(r2.has_average_cycle_time());
  ASSERT_EQ(r2.time_in_stage_size(), 5);
  for (const v1::StageTime& t : r2.time_in_stage()) EXPECT_EQ(Average(t), kDay) << t.stage();
  // Totals: 4 identified, 1 won of 2 closed.
  EXPECT_EQ(a.totals().leads_identified(), 4u);
  EXPECT_DOUBLE_EQ(a.totals().win_rate(), 0.5);
  // One month: the series is that month, equal to the totals.
  ASSERT_EQ(a.months_size(), 1);
  EXPECT_EQ(a.months(0).month(), "2026-05");
  EXPECT_EQ(a.months(0).figures().SerializeAsString(), a.totals().SerializeAsString());
  ASSERT_EQ(a.rows(0).months_size(), 1);
}

TEST_F(AnalysisTest, SalesByMonthAndSourceOverTheQuarterWorkedByHand) {
  const v1::SalesAnalysis by_month = Sales("2026-Q2", v1::SALES_GROUPING_MONTH);
  // April has nothing: no row, but a month of the series.
  ASSERT_THAT(Keys(by_month), ElementsAre("2026-05", "2026-06"));
  ASSERT_EQ(by_month.months_size(), 3);
  EXPECT_EQ(by_month.months(0).month(), "2026-04");
  EXPECT_EQ(by_month.months(0).figures().leads_identified(), 0u);
  // June: D and E identified; C won (identified 05-20, won 06-02: 13 days);
  // D and E lost: 1 of 3.
  const v1::SalesFigures& june = by_month.rows(1).figures();
  EXPECT_EQ(june.leads_identified(), 2u);
  EXPECT_EQ(june.won(), 1u);
  EXPECT_EQ(june.lost(), 2u);
  EXPECT_DOUBLE_EQ(june.win_rate(), 1.0 / 3);
  EXPECT_EQ(FromProtoDuration(june.average_cycle_time()), 13 * kDay);
  EXPECT_EQ(by_month.rows(1).months_size(), 0) << "a month row has no series of its own";
  // The quarter: 6 identified, 2 won of 5 closed, 15 000.00 CNY, cycle
  // (7 + 13) / 2 = 10 days; "价格太高" twice (B, D) before the competitor (E).
  const v1::SalesFigures& q = by_month.totals();
  EXPECT_EQ(q.leads_identified(), 6u);
  EXPECT_DOUBLE_EQ(q.win_rate(), 0.4);
  EXPECT_EQ(q.won_value(0).amount_minor(), 1'500'000);
  EXPECT_EQ(FromProtoDuration(q.average_cycle_time()), 10 * kDay);
  ASSERT_EQ(q.loss_reasons_size(), 2);
  EXPECT_EQ(q.loss_reasons(0).reason(), v1::LOSS_REASON_PRICE);
  EXPECT_EQ(q.loss_reasons(0).note(), "价格太高");
  EXPECT_EQ(q.loss_reasons(0).count(), 2u);
  EXPECT_EQ(q.loss_reasons(1).reason(), v1::LOSS_REASON_COMPETITOR);
  EXPECT_EQ(q.loss_reasons(1).note(), "选择了竞争对手的方案");
  EXPECT_EQ(q.loss_reasons(1).count(), 1u);

  // By source: REFERRAL A, C, E (won A and C, lost E: 2 / 3); INBOUND B, D,
  // G (lost B and D: 0 / 2).
  const v1::SalesAnalysis by_source = Sales("2026-Q2", v1::SALES_GROUPING_SOURCE);
  ASSERT_THAT(Keys(by_source), ElementsAre("LEAD_SOURCE_INBOUND", "LEAD_SOURCE_REFERRAL"));
  EXPECT_EQ(by_source.rows(0).source(), v1::LEAD_SOURCE_INBOUND);
  EXPECT_EQ(by_source.rows(0).figures().leads_identified(), 3u);
  EXPECT_EQ(by_source.rows(0).figures().lost(), 2u);
  EXPECT_EQ(by_source.rows(0).figures().win_rate(), 0.0);
  EXPECT_EQ(by_source.rows(0).figures().loss_reasons(0).count(), 2u);
  EXPECT_DOUBLE_EQ(by_source.rows(1).figures().win_rate(), 2.0 / 3);
  EXPECT_EQ(by_source.rows(1).figures().won_value(0).amount_minor(), 1'500'000);
  // Each row's series: three months.
  ASSERT_EQ(by_source.rows(1).months_size(), 3);
  EXPECT_EQ(by_source.rows(1).months(1).figures().won(), 1u);  // A in May
  EXPECT_EQ(by_source.rows(1).months(2).figures().won(), 1u);  // C in June
}

TEST_F(AnalysisTest, SalesByProductOverTheQuarterWorkedByHand) {
  const v1::SalesAnalysis by_product = Sales("2026-Q2", v1::SALES_GROUPING_PRODUCT);
  EXPECT_EQ(by_product.group_by(), v1::SALES_GROUPING_PRODUCT);
  // Ordered by key (UTF-8 bytes): "" (E5..., E6 97..., E6 A0...).
  ASSERT_THAT(Keys(by_product), ElementsAre("", "年度维保", "旗舰版", "标准版"));
  // "": what happened before a proposal named products — every
  // identification (6), the stages left before it (IDENTIFIED, QUALIFIED,
  // NEEDS_ANALYZED by A to E), and all of E (no products): E left
  // SOLUTION_PROPOSED and QUOTED and was lost.
  const v1::SalesFigures& none = by_product.rows(0).figures();
  EXPECT_EQ(none.leads_identified(), 6u);
  EXPECT_EQ(none.won(), 0u);
  EXPECT_EQ(none.lost(), 1u);
  EXPECT_EQ(none.loss_reasons(0).reason(), v1::LOSS_REASON_COMPETITOR);
  std::map<v1::Stage, uint64_t> none_samples;
  for (const v1::StageTime& t : none.time_in_stage()) none_samples[t.stage()] = t.samples();
  EXPECT_EQ(none_samples, (std::map<v1::Stage, uint64_t>{{v1::STAGE_IDENTIFIED, 5},
                                                         {v1::STAGE_QUALIFIED, 5},
                                                         {v1::STAGE_NEEDS_ANALYZED, 5},
                                                         {v1::STAGE_SOLUTION_PROPOSED, 1},
                                                         {v1::STAGE_QUOTED, 1}}));
  // 年度维保: A (won 10 000.00 after 7 days) and C (won 5 000.00 after 13,
  // counted once though named twice): 2 of 2, 15 000.00, (7 + 13) / 2 days.
  const v1::SalesFigures& care = by_product.rows(1).figures();
  EXPECT_EQ(care.leads_identified(), 0u) << "no lead has products when it is identified";
  EXPECT_EQ(care.won(), 2u);
  EXPECT_EQ(care.lost(), 0u);
  EXPECT_DOUBLE_EQ(care.win_rate(), 1.0);
  ASSERT_EQ(care.won_value_size(), 1);
  EXPECT_EQ(care.won_value(0).amount_minor(), 1'500'000);
  EXPECT_EQ(FromProtoDuration(care.average_cycle_time()), 10 * kDay);
  // 旗舰版: C won (5 000.00, 13 days), D lost on price: 1 of 2.
  const v1::SalesFigures& flagship = by_product.rows(2).figures();
  EXPECT_EQ(flagship.won(), 1u);
  EXPECT_EQ(flagship.lost(), 1u);
  EXPECT_DOUBLE_EQ(flagship.win_rate(), 0.5);
  EXPECT_EQ(flagship.won_value(0).amount_minor(), 500'000);
  EXPECT_EQ(FromProtoDuration(flagship.average_cycle_time()), 13 * kDay);
  EXPECT_EQ(flagship.loss_reasons(0).note(), "价格太高");
  // 标准版: A won (10 000.00, 7 days), B lost on price; each left
  // SOLUTION_PROPOSED after one day (A 05-08 → 05-09, B 05-12 → 05-13).
  const v1::SalesFigures& standard = by_product.rows(3).figures();
  EXPECT_EQ(standard.won(), 1u);
  EXPECT_EQ(standard.lost(), 1u);
  EXPECT_EQ(standard.won_value(0).amount_minor(), 1'000'000);
  EXPECT_EQ(FromProtoDuration(standard.average_cycle_time()), 7 * kDay);
  ASSERT_GE(standard.time_in_stage_size(), 1);
  EXPECT_EQ(standard.time_in_stage(0).stage(), v1::STAGE_SOLUTION_PROPOSED);
  EXPECT_EQ(standard.time_in_stage(0).samples(), 2u);
  EXPECT_EQ(Average(standard.time_in_stage(0)), kDay);
  // The totals count each fact once: the quarter's 2 won of 5, 15 000.00.
  EXPECT_EQ(by_product.totals().won(), 2u);
  EXPECT_EQ(by_product.totals().lost(), 3u);
  EXPECT_EQ(by_product.totals().won_value(0).amount_minor(), 1'500'000);
  // The series per product: 旗舰版 won in June (C), nothing in May.
  ASSERT_EQ(by_product.rows(2).months_size(), 3);
  EXPECT_EQ(by_product.rows(2).months(1).figures().won(), 0u);
  EXPECT_EQ(by_product.rows(2).months(2).figures().won(), 1u);

  // A rep's own: r1 proposed only 标准版 and 年度维保 (A, B).
  const v1::SalesAnalysis own = Sales("2026-Q2", v1::SALES_GROUPING_PRODUCT, "r1");
  ASSERT_THAT(Keys(own), ElementsAre("", "年度维保", "标准版"));
  EXPECT_EQ(own.rows(1).figures().won_value(0).amount_minor(), 1'000'000);
}

TEST_F(AnalysisTest, ASourceCorrectedLaterDoesNotMoveThePastFacts) {
  // G's source becomes EVENT after the quarter: its identification stays
  // INBOUND (the source when it happened).
  world_.clock().Set(Day(7, 2));
  v1::LeadCommand c;
  c.mutable_update()->set_lead_id("G");
  c.mutable_update()->set_source(v1::LEAD_SOURCE_EVENT);
  const engine::CommandResult r = world_.Lead("r1", c);
  ASSERT_TRUE(r.ok()) << r.status();
  const v1::SalesAnalysis by_source = Sales("2026-Q2", v1::SALES_GROUPING_SOURCE);
  ASSERT_THAT(Keys(by_source), ElementsAre("LEAD_SOURCE_INBOUND", "LEAD_SOURCE_REFERRAL"));
  EXPECT_EQ(by_source.rows(0).figures().leads_identified(), 3u);
}

TEST_F(AnalysisTest, ARepSeesOnlyItsOwnFigures) {
  const v1::SalesAnalysis mine = Sales("2026-Q2", v1::SALES_GROUPING_OWNER, "r1");
  EXPECT_FALSE(mine.all_members());
  ASSERT_THAT(Keys(mine), ElementsAre("r1"));
  EXPECT_EQ(mine.totals().leads_identified(), 3u);  // A, B, G
  EXPECT_EQ(mine.totals().won(), 1u);
  const v1::SalesAnalysis by_source = Sales("2026-Q2", v1::SALES_GROUPING_SOURCE, "r1");
  ASSERT_THAT(Keys(by_source), ElementsAre("LEAD_SOURCE_INBOUND", "LEAD_SOURCE_REFERRAL"));
  EXPECT_EQ(by_source.rows(0).figures().leads_identified(), 2u);  // B, G
  EXPECT_EQ(by_source.rows(1).figures().leads_identified(), 1u);  // A
  // A member without facts sees nothing of the others'.
  EXPECT_EQ(Sales("2026-Q2", v1::SALES_GROUPING_MONTH, "sup1").rows_size(), 0);
}

TEST_F(AnalysisTest, SatisfactionWorkedByHand) {
  // By after-sales member: as1 S1 (5, 4, 3); as2 S2 (4, 4, 4); S3 has no
  // ticket, so no after-sales member: not in these rows nor their total.
  const v1::SatisfactionAnalysis by_as =
      Satisfaction("2026-Q2", v1::SATISFACTION_GROUPING_AFTER_SALES_MEMBER);
  ASSERT_THAT(Keys(by_as), ElementsAre("as1", "as2"));
  EXPECT_EQ(by_as.rows(0).display_name(), "成员 as1");
  EXPECT_EQ(by_as.rows(0).scores().surveys(), 1u);
  EXPECT_DOUBLE_EQ(by_as.rows(0).scores().product_quality(), 5);
  EXPECT_DOUBLE_EQ(by_as.rows(0).scores().response_speed(), 3);
  EXPECT_DOUBLE_EQ(by_as.rows(0).scores().overall(), 4);
  EXPECT_DOUBLE_EQ(by_as.rows(1).scores().overall(), 4);
  EXPECT_EQ(by_as.totals().surveys(), 2u);
  EXPECT_DOUBLE_EQ(by_as.totals().product_quality(), 4.5);
  EXPECT_DOUBLE_EQ(by_as.totals().response_speed(), 3.5);
  // By sales owner: r1 S1; r2 S2 and S3: (4+2)/2 = 3, (4+3)/2 = 3.5,
  // (4+1)/2 = 2.5, overall 18/6 = 3. Total: all three surveys.
  const v1::SatisfactionAnalysis by_owner = Satisfaction("2026-Q2", v1::SATISFACTION_GROUPING_SALES_OWNER);
  ASSERT_THAT(Keys(by_owner), ElementsAre("r1", "r2"));
  const v1::SatisfactionScores& r2 = by_owner.rows(1).scores();
  EXPECT_EQ(r2.surveys(), 2u);
  EXPECT_DOUBLE_EQ(r2.product_quality(), 3);
  EXPECT_DOUBLE_EQ(r2.service_attitude(), 3.5);
  EXPECT_DOUBLE_EQ(r2.response_speed(), 2.5);
  EXPECT_DOUBLE_EQ(r2.overall(), 3);
  EXPECT_EQ(by_owner.totals().surveys(), 3u);
  EXPECT_DOUBLE_EQ(by_owner.totals().product_quality(), 11.0 / 3);
  EXPECT_DOUBLE_EQ(by_owner.totals().overall(), 30.0 / 9);
  // The trend: April none, May S1, June S2 and S3.
  ASSERT_EQ(by_owner.months_size(), 3);
  EXPECT_EQ(by_owner.months(0).scores().surveys(), 0u);
  EXPECT_EQ(by_owner.months(1).scores().surveys(), 1u);
  EXPECT_DOUBLE_EQ(by_owner.months(2).scores().response_speed(), 2.5);
  ASSERT_EQ(by_owner.rows(1).months_size(), 3);
  EXPECT_EQ(by_owner.rows(1).months(1).scores().surveys(), 0u);
  EXPECT_EQ(by_owner.rows(1).months(2).scores().surveys(), 2u);
  const v1::SatisfactionAnalysis by_month = Satisfaction("2026-Q2", v1::SATISFACTION_GROUPING_MONTH);
  ASSERT_THAT(Keys(by_month), ElementsAre("2026-05", "2026-06"));
  EXPECT_DOUBLE_EQ(by_month.rows(1).scores().service_attitude(), 3.5);
}

TEST_F(AnalysisTest, SatisfactionOwnRowsOnlyForOthersThanManagers) {
  const v1::SatisfactionAnalysis as1 =
      Satisfaction("2026-Q2", v1::SATISFACTION_GROUPING_AFTER_SALES_MEMBER, "as1");
  EXPECT_FALSE(as1.all_members());
  ASSERT_THAT(Keys(as1), ElementsAre("as1"));
  EXPECT_EQ(as1.totals().surveys(), 1u);
  // A rep grouping by after-sales member resolved nothing: no rows.
  EXPECT_EQ(Satisfaction("2026-Q2", v1::SATISFACTION_GROUPING_AFTER_SALES_MEMBER, "r2").rows_size(), 0);
  ASSERT_THAT(Keys(Satisfaction("2026-Q2", v1::SATISFACTION_GROUPING_SALES_OWNER, "r2")), ElementsAre("r2"));
  // By month: the surveys of its customers (S2, S3), all in June.
  const v1::SatisfactionAnalysis r2 = Satisfaction("2026-Q2", v1::SATISFACTION_GROUPING_MONTH, "r2");
  ASSERT_THAT(Keys(r2), ElementsAre("2026-06"));
  EXPECT_EQ(r2.totals().surveys(), 2u);
}

TEST_F(AnalysisTest, AsOfTheEndOfMayAndAClosedPeriodDoesNotChange) {
  ASSERT_GT(end_of_may_, 0u);
  absl::StatusOr<ViewsState> then = history::ReplayViews(world_.store(), end_of_may_);
  ASSERT_TRUE(then.ok()) << then.status();
  absl::StatusOr<v1::SalesAnalysis> q2_then =
      BuildSalesAnalysis(*then, Period("2026-Q2"), v1::SALES_GROUPING_MONTH, "");
  ASSERT_TRUE(q2_then.ok());
  // As the log stood at the end of May: no June, C not yet won.
  ASSERT_THAT(Keys(*q2_then), ElementsAre("2026-05"));
  EXPECT_EQ(q2_then->totals().won(), 1u);
  EXPECT_EQ(q2_then->totals().leads_identified(), 4u);
  // May itself, then and now, is the same answer.
  absl::StatusOr<v1::SalesAnalysis> may_then =
      BuildSalesAnalysis(*then, Period("2026-05"), v1::SALES_GROUPING_OWNER, "");
  ASSERT_TRUE(may_then.ok());
  EXPECT_EQ(may_then->SerializeAsString(), Sales("2026-05", v1::SALES_GROUPING_OWNER).SerializeAsString());
  absl::StatusOr<v1::SatisfactionAnalysis> s_then =
      BuildSatisfactionAnalysis(*then, Period("2026-Q2"), v1::SATISFACTION_GROUPING_SALES_OWNER, "");
  ASSERT_TRUE(s_then.ok());
  EXPECT_EQ(s_then->totals().surveys(), 1u);  // S1 only
}

TEST_F(AnalysisTest, UnknownGroupingIsInvalidArgumentNamingTheField) {
  world_.views().Read([](const ViewsState& s) {
    EXPECT_THAT(
        BuildSalesAnalysis(s, Period("2026-05"), static_cast<v1::SalesGrouping>(42), "").status().message(),
        HasSubstr("group_by: must be OWNER, SOURCE, MONTH, PRODUCT or ACCOUNT"));
    EXPECT_EQ(BuildSatisfactionAnalysis(s, Period("2026-05"), static_cast<v1::SatisfactionGrouping>(42), "")
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
    return 0;
  });
}

}  // namespace
}  // namespace salesops::projections
