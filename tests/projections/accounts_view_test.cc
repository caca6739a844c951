// The customer-account views (Views.GetAccount, a lead's customer history,
// repeat and referral wins in the sales analysis, satisfaction by account)
// on a small history whose numbers are worked out by hand in the comments,
// folded by the real sequencer on a real store with a fake clock; then the
// same answers from a fold rebuilt from the log and from a snapshot.
#include "projections/accounts_view.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/analysis.h"
#include "projections/lead_directory.h"
#include "projections/review.h"
#include "projections/views_snapshot.h"
#include "projections/views_state.h"
#include "server/domain/proto_time.h"
#include "server/domain/state.h"
#include "server/history/views_replay.h"
#include "tests/projections/views_world.h"

namespace salesops::projections {
namespace {

using ::salesops::testing::ViewsWorld;
using ::salesops::testing::Yuan;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time Day(int month, int day) {
  return absl::FromCivil(absl::CivilDay(2026, month, day), absl::UTCTimeZone());
}

constexpr absl::Duration kDay = absl::Hours(24);

// The history (2026, UTC):
//
// lead owner company            account          identified  closed
// L1   r1    杭州云帆科技        opens L1 (#1)    03-02       won 03-10, 10 000.00 CNY
// L2   r2    云帆（杭州）        names L1         04-01       won 04-20,  3 000.00 CNY (repeat: L1 won before)
// L4   r2    宁波海曙贸易        opens L4 (#2),   04-03       won 04-28,  8 000.00 CNY (a referral win)
//                                referred by L1
// L3   r1    " 杭州云帆科技"     joins L1 by name 05-05       (open: QUALIFIED)
// L5   r1    宁波海曙贸易        joins L4 by name 05-10       lost 05-20, PRICE
//
// Each win is qualified and needs recorded by bd1, proposed and quoted by
// its owner in the 4 hours before; each opens its order. After-sales: ticket T1 on L1 opened 03-12,
// resolved 03-13 by as1, surveyed 03-14 (5, 4, 4); survey of L2 without a
// ticket 04-25 (3, 3, 2); ticket T4 on L4 opened 05-02 (still open).
class AccountsViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.AddTeam("root", {{"r1", {v1::ROLE_SALES_REP}},
                            {"r2", {v1::ROLE_SALES_REP}},
                            {"bd1", {v1::ROLE_BD_MANAGER}},
                            {"as1", {v1::ROLE_AFTER_SALES}},
                            {"mgr", {v1::ROLE_SALES_MANAGER}}});
    Identify(Day(3, 2), "L1", "r1", "杭州云帆科技");
    Win(Day(3, 10), "L1", "r1", 1'000'000);
    OpenTicket(Day(3, 12), "T1", "L1");
    At(Day(3, 13), [this] {
      v1::SupportCommand s;
      s.mutable_resolve()->set_ticket_id("T1");
      s.mutable_resolve()->set_resolution("重置密码");
      Must(world_.Support("as1", s));
    });
    Survey(Day(3, 14), "L1", "T1", 5, 4, 4);
    Identify(Day(4, 1), "L2", "r2", "云帆（杭州）", [](v1::IdentifyLeadRequest& r) { r.set_account_id("L1"); });
    Identify(Day(4, 3), "L4", "r2", "宁波海曙贸易", [](v1::IdentifyLeadRequest& r) {
      r.set_source(v1::LEAD_SOURCE_REFERRAL);
      r.set_referred_by_account_id("L1");
    });
    Win(Day(4, 20), "L2", "r2", 300'000);
    Survey(Day(4, 25), "L2", "", 3, 3, 2);
    Win(Day(4, 28), "L4", "r2", 800'000);
    OpenTicket(Day(5, 2), "T4", "L4");
    Identify(Day(5, 5), "L3", "r1", " 杭州云帆科技");
    Qualify(Day(5, 6), "L3");
    Identify(Day(5, 10), "L5", "r1", "宁波海曙贸易");
    Qualify(Day(5, 11), "L5");
    At(Day(5, 20), [this] {
      v1::LeadCommand c;
      c.mutable_lose_deal()->set_lead_id("L5");
      c.mutable_lose_deal()->set_reason(v1::LOSS_REASON_PRICE);
      c.mutable_lose_deal()->set_note("价格太高");
      Must(world_.Lead("r1", c));
    });
    for (auto& [t, steps] : steps_) {
      for (auto& step : steps) {
        world_.clock().Set(t);
        step();
      }
    }
    world_.clock().Set(Day(6, 1));
  }

  void At(absl::Time t, std::function<void()> step) { steps_[t].push_back(std::move(step)); }
  void Must(const engine::CommandResult& r) { ASSERT_TRUE(r.ok()) << r.status(); }

  void Identify(absl::Time t, const std::string& id, const std::string& owner, const std::string& company,
                std::function<void(v1::IdentifyLeadRequest&)> more = nullptr) {
    At(t, [=, this] {
      v1::LeadCommand c;
      v1::IdentifyLeadRequest& r = *c.mutable_identify();
      r.set_lead_id(id);
      r.set_company(company);
      r.mutable_contact()->set_name("周敏");
      r.set_source(v1::LEAD_SOURCE_INBOUND);
      *r.mutable_estimated_value() = Yuan(500'000);
      if (more) more(r);
      Must(world_.Lead(owner, c));
    });
  }

  // Qualifies (bd1) 4 hours before `t`, records needs (bd1), proposes and
  // quotes (the owner) an hour apart, and wins at `t`.
  void Win(absl::Time t, const std::string& id, const std::string& owner, int64_t amount) {
    Qualify(t - absl::Hours(4), id);
    At(t - absl::Hours(3), [=, this] {
      v1::LeadCommand c;
      c.mutable_record_needs()->set_lead_id(id);
      c.mutable_record_needs()->set_requirements("仓储管理");
      Must(world_.Lead("bd1", c));
    });
    At(t - absl::Hours(2), [=, this] {
      v1::LeadCommand c;
      c.mutable_propose_solution()->set_lead_id(id);
      c.mutable_propose_solution()->set_summary("标准版");
      *c.mutable_propose_solution()->mutable_value() = Yuan(amount);
      Must(world_.Lead(owner, c));
    });
    At(t - absl::Hours(1), [=, this] {
      v1::LeadCommand c;
      c.mutable_send_quote()->set_lead_id(id);
      c.mutable_send_quote()->set_quote_id("Q-" + id);
      *c.mutable_send_quote()->mutable_amount() = Yuan(amount);
      c.mutable_send_quote()->set_valid_until("2027-12-31");
      Must(world_.Lead(owner, c));
    });
    At(t, [=, this] {
      v1::LeadCommand c;
      c.mutable_win_deal()->set_lead_id(id);
      *c.mutable_win_deal()->mutable_final_amount() = Yuan(amount);
      c.mutable_win_deal()->set_signed_date("2026-03-01");
      Must(world_.Lead(owner, c));
    });
  }

  void Qualify(absl::Time t, const std::string& id) {
    At(t, [=, this] {
      v1::LeadCommand c;
      c.mutable_qualify()->set_lead_id(id);
      c.mutable_qualify()->set_score(60);
      Must(world_.Lead("bd1", c));
    });
  }

  void OpenTicket(absl::Time t, const std::string& id, const std::string& lead) {
    At(t, [=, this] {
      v1::SupportCommand s;
      s.mutable_open()->mutable_options()->set_assign_to("as1");
      s.mutable_open()->set_ticket_id(id);
      s.mutable_open()->set_lead_id(lead);
      s.mutable_open()->set_subject("无法登录");
      s.mutable_open()->set_severity(v1::SEVERITY_P2);
      s.mutable_open()->set_channel(v1::CHANNEL_PHONE);
      Must(world_.Support("as1", s));
    });
  }

  void Survey(absl::Time t, const std::string& lead, const std::string& ticket, int q, int a, int s) {
    At(t, [=, this] {
      v1::SupportCommand c;
      c.mutable_survey()->set_lead_id(lead);
      c.mutable_survey()->set_ticket_id(ticket);
      c.mutable_survey()->set_product_quality(q);
      c.mutable_survey()->set_service_attitude(a);
      c.mutable_survey()->set_response_speed(s);
      Must(world_.Support(ticket.empty() ? "r2" : "as1", c));
    });
  }

  template <typename F>
  auto Read(F f) {
    return world_.views().Read([&](const ViewsState& s) { return f(s); });
  }

  v1::Account Account(const ViewsState& s, const std::string& id) {
    v1::GetAccountRequest r;
    r.set_account_id(id);
    absl::StatusOr<v1::Account> a = BuildAccount(s, r, Day(6, 1));
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : v1::Account();
  }

  static v1::ReviewPeriod Period(absl::string_view label) { return *ResolvePeriod(label, nullptr, nullptr); }

  ViewsWorld world_{Day(3, 1)};
  std::map<absl::Time, std::vector<std::function<void()>>> steps_;
};

std::vector<std::string> LeadIds(const v1::AccountSummary& a) {
  std::vector<std::string> out;
  for (const v1::AccountLead& l : a.latest_leads()) out.push_back(l.lead_id());
  return out;
}

TEST_F(AccountsViewTest, AnAccountWorkedByHand) {
  const v1::Account a = Read([&](const ViewsState& s) { return Account(s, "L1"); });
  const v1::AccountSummary& sum = a.summary();
  EXPECT_EQ(sum.account_id(), "L1");
  EXPECT_EQ(sum.company(), "杭州云帆科技");
  EXPECT_EQ(a.opened_by_lead_id(), "L1");
  EXPECT_EQ(FromProtoTime(a.opened_at()), Day(3, 2));
  // L1, L2 (named it), L3 (matched by name): L3 open, L1 and L2 won.
  EXPECT_EQ(sum.leads(), 3u);
  EXPECT_EQ(sum.open_leads(), 1u);
  EXPECT_EQ(sum.won(), 2u);
  EXPECT_EQ(sum.lost(), 0u);
  ASSERT_EQ(sum.won_value_size(), 1);
  EXPECT_EQ(sum.won_value(0).currency(), "CNY");
  EXPECT_EQ(sum.won_value(0).amount_minor(), 1'300'000);
  // The last purchase: L2 on 04-20, 42 days before 06-01.
  EXPECT_EQ(FromProtoTime(sum.last_purchase_at()), Day(4, 20));
  EXPECT_EQ(FromProtoDuration(a.since_last_purchase()), 42 * kDay);
  // Orders of L1 and L2, neither delivered; T1 resolved.
  EXPECT_EQ(sum.orders(), 2u);
  EXPECT_EQ(sum.open_orders(), 2u);
  EXPECT_EQ(sum.tickets(), 1u);
  EXPECT_EQ(sum.open_tickets(), 0u);
  // Surveys (5, 4, 4) and (3, 3, 2): means 4, 3.5, 3; overall 21 / 6.
  EXPECT_EQ(sum.satisfaction().surveys(), 2u);
  EXPECT_DOUBLE_EQ(sum.satisfaction().product_quality(), 4.0);
  EXPECT_DOUBLE_EQ(sum.satisfaction().service_attitude(), 3.5);
  EXPECT_DOUBLE_EQ(sum.satisfaction().response_speed(), 3.0);
  EXPECT_DOUBLE_EQ(sum.satisfaction().overall(), 3.5);
  // The trend: March (5, 4, 4), April (3, 3, 2).
  ASSERT_EQ(a.satisfaction_trend_size(), 2);
  EXPECT_EQ(a.satisfaction_trend(0).month(), "2026-03");
  EXPECT_DOUBLE_EQ(a.satisfaction_trend(0).scores().overall(), 13.0 / 3);
  EXPECT_EQ(a.satisfaction_trend(1).month(), "2026-04");
  EXPECT_DOUBLE_EQ(a.satisfaction_trend(1).scores().product_quality(), 3.0);
  // It referred L4, which was won.
  EXPECT_EQ(sum.referred_leads(), 1u);
  EXPECT_EQ(sum.referral_wins(), 1u);
  // The latest first, each as its lead gave it.
  ASSERT_THAT(LeadIds(sum), ElementsAre("L3", "L2", "L1"));
  EXPECT_EQ(sum.latest_leads(0).company(), " 杭州云帆科技");
  EXPECT_EQ(sum.latest_leads(0).stage(), v1::STAGE_QUALIFIED);
  EXPECT_FALSE(sum.latest_leads(0).has_closed_at());
  EXPECT_EQ(sum.latest_leads(1).company(), "云帆（杭州）");
  EXPECT_EQ(sum.latest_leads(1).owner(), "r2");
  EXPECT_EQ(sum.latest_leads(1).won_amount().amount_minor(), 300'000);
  EXPECT_EQ(FromProtoTime(sum.latest_leads(1).closed_at()), Day(4, 20));

  // The referred account: L4 won (8 000.00), L5 lost; its ticket T4 open;
  // no surveys, so no trend.
  const v1::Account b = Read([&](const ViewsState& s) { return Account(s, "L4"); });
  EXPECT_EQ(b.summary().company(), "宁波海曙贸易");
  EXPECT_EQ(b.summary().leads(), 2u);
  EXPECT_EQ(b.summary().won(), 1u);
  EXPECT_EQ(b.summary().lost(), 1u);
  EXPECT_EQ(b.summary().won_value(0).amount_minor(), 800'000);
  EXPECT_EQ(b.summary().open_tickets(), 1u);
  EXPECT_EQ(b.summary().satisfaction().surveys(), 0u);
  EXPECT_EQ(b.satisfaction_trend_size(), 0);
  EXPECT_EQ(b.summary().referred_leads(), 0u);
  EXPECT_EQ(FromProtoDuration(b.since_last_purchase()), 34 * kDay);  // 04-28 -> 06-01
}

TEST_F(AccountsViewTest, ARequestOutsideTheRulesIsRefused) {
  Read([&](const ViewsState& s) {
    v1::GetAccountRequest r;
    EXPECT_THAT(BuildAccount(s, r, Day(6, 1)).status().message(), HasSubstr("account_id"));
    r.set_account_id("nobody");
    EXPECT_EQ(BuildAccount(s, r, Day(6, 1)).status().code(), absl::StatusCode::kNotFound);
    r.set_account_id("L1");
    r.set_max_leads(201);
    absl::Status too_many = BuildAccount(s, r, Day(6, 1)).status();
    EXPECT_EQ(too_many.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(too_many.message(), HasSubstr("max_leads: must be at most 200"));
    r.set_max_leads(1);
    absl::StatusOr<v1::Account> one = BuildAccount(s, r, Day(6, 1));
    EXPECT_TRUE(one.ok());
    if (one.ok()) {
      EXPECT_THAT(LeadIds(one->summary()), ElementsAre("L3"));
      EXPECT_EQ(one->summary().leads(), 3u) << "max_leads limits the list, not the counts";
    }
    return 0;
  });
}

TEST_F(AccountsViewTest, AReturningCustomersLeadShowsItsOtherBusiness) {
  Read([&](const ViewsState& s) {
    EXPECT_FALSE(CustomerHistory(s, "nobody").has_value());
    // L3 (the customer came back in May): L1 and L2, both won (13 000.00,
    // the last on 04-20), their orders, T1 resolved, both surveys; the
    // account referred L4, won.
    const std::optional<v1::AccountSummary> l3 = CustomerHistory(s, "L3");
    EXPECT_TRUE(l3.has_value());
    if (!l3.has_value()) return 0;
    EXPECT_EQ(l3->account_id(), "L1");
    EXPECT_EQ(l3->company(), "杭州云帆科技");
    EXPECT_EQ(l3->leads(), 2u);
    EXPECT_EQ(l3->open_leads(), 0u);
    EXPECT_EQ(l3->won(), 2u);
    EXPECT_EQ(l3->won_value_size(), 1);
    if (l3->won_value_size() == 1) {
      EXPECT_EQ(l3->won_value(0).amount_minor(), 1'300'000);
    }
    EXPECT_EQ(FromProtoTime(l3->last_purchase_at()), Day(4, 20));
    EXPECT_EQ(l3->orders(), 2u);
    EXPECT_EQ(l3->tickets(), 1u);
    EXPECT_EQ(l3->open_tickets(), 0u);
    EXPECT_EQ(l3->satisfaction().surveys(), 2u);
    EXPECT_EQ(l3->referred_leads(), 1u);
    EXPECT_EQ(l3->referral_wins(), 1u);
    EXPECT_THAT(LeadIds(*l3), ElementsAre("L2", "L1"));
    // L2: L1 (won 10 000.00 on 03-10, its order, T1 and its survey) and L3
    // (open); L2's own win, order and survey are not its history.
    const std::optional<v1::AccountSummary> l2 = CustomerHistory(s, "L2");
    EXPECT_TRUE(l2.has_value());
    if (!l2.has_value()) return 0;
    EXPECT_EQ(l2->leads(), 2u);
    EXPECT_EQ(l2->open_leads(), 1u);
    EXPECT_EQ(l2->won(), 1u);
    EXPECT_EQ(l2->won_value(0).amount_minor(), 1'000'000);
    EXPECT_EQ(FromProtoTime(l2->last_purchase_at()), Day(3, 10));
    EXPECT_EQ(l2->orders(), 1u);
    EXPECT_EQ(l2->open_orders(), 1u);
    EXPECT_EQ(l2->tickets(), 1u);
    EXPECT_EQ(l2->satisfaction().surveys(), 1u);
    EXPECT_DOUBLE_EQ(l2->satisfaction().product_quality(), 5.0);
    EXPECT_THAT(LeadIds(*l2), ElementsAre("L3", "L1"));
    // L1: L2 (won 3 000.00 on 04-20, its survey) and L3; T1 is L1's own.
    const std::optional<v1::AccountSummary> l1 = CustomerHistory(s, "L1");
    EXPECT_TRUE(l1.has_value());
    if (l1.has_value()) {
      EXPECT_EQ(l1->won_value(0).amount_minor(), 300'000);
      EXPECT_EQ(l1->tickets(), 0u);
      EXPECT_DOUBLE_EQ(l1->satisfaction().response_speed(), 2.0);
    }
    // L5: L4, won, with T4 open. L4: L5, lost — no win, no value, no
    // purchase; T4 is L4's own.
    const std::optional<v1::AccountSummary> l5 = CustomerHistory(s, "L5");
    EXPECT_TRUE(l5.has_value());
    if (l5.has_value()) {
      EXPECT_EQ(l5->account_id(), "L4");
      EXPECT_EQ(l5->won(), 1u);
      EXPECT_EQ(l5->open_tickets(), 1u);
    }
    const std::optional<v1::AccountSummary> l4 = CustomerHistory(s, "L4");
    EXPECT_TRUE(l4.has_value());
    if (l4.has_value()) {
      EXPECT_EQ(l4->leads(), 1u);
      EXPECT_EQ(l4->lost(), 1u);
      EXPECT_EQ(l4->won(), 0u);
      EXPECT_EQ(l4->won_value_size(), 0);
      EXPECT_FALSE(l4->has_last_purchase_at());
      EXPECT_EQ(l4->tickets(), 0u);
    }
    return 0;
  });
  // Leads.GetLead shows it.
  const projections::LeadDirectory leads(&world_.views());
  std::optional<v1::Lead> l3 = leads.Get("L3");
  ASSERT_TRUE(l3.has_value());
  EXPECT_EQ(l3->customer_history().leads(), 2u);
}

TEST_F(AccountsViewTest, ANewCustomersLeadHasNoHistory) {
  Identify(Day(6, 2), "N1", "r1", "温州新客户");
  world_.clock().Set(Day(6, 2));
  steps_.rbegin()->second.back()();
  Read([&](const ViewsState& s) {
    EXPECT_FALSE(CustomerHistory(s, "N1").has_value());
    return 0;
  });
  const projections::LeadDirectory leads(&world_.views());
  std::optional<v1::Lead> n1 = leads.Get("N1");
  ASSERT_TRUE(n1.has_value());
  EXPECT_EQ(n1->account_id(), "N1");
  EXPECT_FALSE(n1->has_customer_history());
}

std::vector<std::string> Keys(const v1::SalesAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& r : a.rows()) out.push_back(r.key());
  return out;
}

TEST_F(AccountsViewTest, RepeatAndReferralWinsByAccountAndOwnerWorkedByHand) {
  const auto sales = [&](absl::string_view period, v1::SalesGrouping by) {
    return Read([&](const ViewsState& s) { return *BuildSalesAnalysis(s, Period(period), by, ""); });
  };
  // March: L1 identified and won, its account's first win: not a repeat.
  // Its identification counts under its account, although the account was
  // opened after it (by the AccountOpened that follows it).
  const v1::SalesAnalysis march = sales("2026-03", v1::SALES_GROUPING_ACCOUNT);
  ASSERT_THAT(Keys(march), ElementsAre("L1"));
  EXPECT_EQ(march.rows(0).display_name(), "杭州云帆科技");
  EXPECT_EQ(march.rows(0).figures().leads_identified(), 1u);
  EXPECT_EQ(march.rows(0).figures().won(), 1u);
  EXPECT_EQ(march.rows(0).figures().repeat_wins(), 0u);
  EXPECT_EQ(march.rows(0).figures().repeat_purchase_rate(), 0.0);
  // Q2 by account: L1 — L2 and L3 identified, L2 won, a repeat (1 of 1);
  // L4 — L4 (referred) and L5 identified, L4 won (a referral win, the
  // account's first: no repeat), L5 lost.
  const v1::SalesAnalysis q2 = sales("2026-Q2", v1::SALES_GROUPING_ACCOUNT);
  ASSERT_THAT(Keys(q2), ElementsAre("L1", "L4"));
  const v1::SalesFigures& l1 = q2.rows(0).figures();
  EXPECT_EQ(l1.leads_identified(), 2u);
  EXPECT_EQ(l1.won(), 1u);
  EXPECT_EQ(l1.repeat_wins(), 1u);
  EXPECT_DOUBLE_EQ(l1.repeat_purchase_rate(), 1.0);
  EXPECT_EQ(l1.referral_leads(), 0u);
  const v1::SalesFigures& l4 = q2.rows(1).figures();
  EXPECT_EQ(q2.rows(1).display_name(), "宁波海曙贸易");
  EXPECT_EQ(l4.leads_identified(), 2u);
  EXPECT_EQ(l4.won(), 1u);
  EXPECT_EQ(l4.lost(), 1u);
  EXPECT_EQ(l4.repeat_wins(), 0u);
  EXPECT_EQ(l4.referral_leads(), 1u);
  EXPECT_EQ(l4.referral_wins(), 1u);
  // Totals: 2 wins, 1 repeat (0.5), 1 referral lead won.
  EXPECT_EQ(q2.totals().won(), 2u);
  EXPECT_EQ(q2.totals().repeat_wins(), 1u);
  EXPECT_DOUBLE_EQ(q2.totals().repeat_purchase_rate(), 0.5);
  EXPECT_EQ(q2.totals().referral_wins(), 1u);
  // Per owner: r2 won L2 (repeat) and L4 (referral); r1 won nothing in Q2.
  const v1::SalesAnalysis by_owner = sales("2026-Q2", v1::SALES_GROUPING_OWNER);
  ASSERT_THAT(Keys(by_owner), ElementsAre("r1", "r2"));
  EXPECT_EQ(by_owner.rows(0).figures().won(), 0u);
  EXPECT_EQ(by_owner.rows(0).figures().repeat_purchase_rate(), 0.0);
  const v1::SalesFigures& r2 = by_owner.rows(1).figures();
  EXPECT_EQ(r2.won(), 2u);
  EXPECT_EQ(r2.repeat_wins(), 1u);
  EXPECT_DOUBLE_EQ(r2.repeat_purchase_rate(), 0.5);
  EXPECT_EQ(r2.referral_leads(), 1u);
  EXPECT_EQ(r2.referral_wins(), 1u);
  // Per month: April holds both wins.
  const v1::SalesAnalysis by_month = sales("2026-Q2", v1::SALES_GROUPING_MONTH);
  ASSERT_THAT(Keys(by_month), ElementsAre("2026-04", "2026-05"));
  EXPECT_EQ(by_month.rows(0).figures().repeat_wins(), 1u);
  EXPECT_EQ(by_month.rows(1).figures().won(), 0u);
}

TEST_F(AccountsViewTest, SatisfactionByAccountWorkedByHand) {
  const auto scores = [&](absl::string_view period, absl::string_view only) {
    return Read([&](const ViewsState& s) {
      return *BuildSatisfactionAnalysis(s, Period(period), v1::SATISFACTION_GROUPING_ACCOUNT, only);
    });
  };
  // Q1: T1's survey (5, 4, 4), account L1.
  const v1::SatisfactionAnalysis q1 = scores("2026-Q1", "");
  ASSERT_EQ(q1.rows_size(), 1);
  EXPECT_EQ(q1.rows(0).key(), "L1");
  EXPECT_EQ(q1.rows(0).display_name(), "杭州云帆科技");
  EXPECT_DOUBLE_EQ(q1.rows(0).scores().overall(), 13.0 / 3);
  // Q2: L2's survey (3, 3, 2), account L1.
  const v1::SatisfactionAnalysis q2 = scores("2026-Q2", "");
  ASSERT_EQ(q2.rows_size(), 1);
  EXPECT_EQ(q2.rows(0).key(), "L1");
  EXPECT_DOUBLE_EQ(q2.rows(0).scores().response_speed(), 2.0);
  // r1 sees only its customers' surveys: in Q2 none (L2 is r2's).
  EXPECT_EQ(scores("2026-Q2", "r1").rows_size(), 0);
  EXPECT_EQ(scores("2026-Q2", "r2").rows_size(), 1);
}

TEST_F(AccountsViewTest, RebuiltAndSnapshotFoldsAnswerAsTheLiveOne) {
  const auto answers = [&](const ViewsState& s) {
    std::string out;
    for (const char* id : {"L1", "L4"}) out += Account(s, id).SerializeAsString();
    for (const char* lead : {"L1", "L2", "L3", "L4", "L5"}) {
      if (std::optional<v1::AccountSummary> h = CustomerHistory(s, lead)) out += h->SerializeAsString();
    }
    v1::ReviewPeriod h1;
    *h1.mutable_from() = ToProtoTime(Day(1, 1));
    *h1.mutable_to() = ToProtoTime(Day(7, 1));
    out += BuildSalesAnalysis(s, h1, v1::SALES_GROUPING_ACCOUNT, "")->SerializeAsString();
    out += BuildSatisfactionAnalysis(s, h1, v1::SATISFACTION_GROUPING_ACCOUNT, "")->SerializeAsString();
    return out;
  };
  const std::string live = Read(answers);
  absl::StatusOr<ViewsState> rebuilt = history::ReplayViews(world_.store(), world_.store().Head());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ(answers(*rebuilt), live);
  absl::StatusOr<ViewsState> loaded = DecodeViewsSnapshot(EncodeViewsSnapshot(*rebuilt));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(answers(*loaded), live);
  EXPECT_TRUE(loaded->index == rebuilt->index);
}

// A restart gives the sequencer its state from the views' snapshot
// (DecidersState): its accounts must be the deciders' own fold of the log,
// without the views' details.
TEST_F(AccountsViewTest, TheDecidersStateFromTheViewsIsTheirOwnFold) {
  domain::State own;
  ASSERT_TRUE(world_.store().Scan(1, [&](const v1::EventEnvelope& e) {
    domain::Evolve(own, e);
    return absl::OkStatus();
  }).ok());
  ASSERT_GT(own.accounts.size(), 0u);
  EXPECT_TRUE(own.accounts.details().empty());
  const domain::State restored = Read([](const ViewsState& s) {
    EXPECT_EQ(s.core.accounts.details().size(), s.core.accounts.in_order().size()) << "the views keep every account's";
    return DecidersState(s.core);
  });
  EXPECT_TRUE(restored.accounts == own.accounts);
  // ... and after a restart, from the views' snapshot.
  const absl::StatusOr<ViewsState> loaded =
      DecodeViewsSnapshot(Read([](const ViewsState& s) { return EncodeViewsSnapshot(s); }));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(DecidersState(loaded->core).accounts == own.accounts);
}

}  // namespace
}  // namespace salesops::projections
