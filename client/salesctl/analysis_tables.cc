#include "analysis_tables.h"

#include "absl/strings/str_cat.h"
#include "duration_text.h"
#include "enum_names.h"
#include "table.h"
#include "time_text.h"
#include "view_text.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;

constexpr absl::string_view kNone = "\u2014";  // —

std::string WinRate(const v1::SalesFigures& f) {
  return f.won() + f.lost() == 0 ? std::string(kNone) : Percent(f.win_rate());
}

std::string Cycle(const v1::SalesFigures& f) {
  return f.has_average_cycle_time() ? HumanDuration(f.average_cycle_time()) : std::string(kNone);
}

std::string Value(const v1::SalesFigures& f) {
  return f.won_value().empty() ? std::string(kNone) : MoneyList(f.won_value());
}

// Wins of returning customers, with their share of the wins.
std::string Repeat(const v1::SalesFigures& f) {
  return f.won() == 0 ? std::string(kNone)
                      : absl::StrCat(f.repeat_wins(), " (", Percent(f.repeat_purchase_rate()), ")");
}

// Referred leads identified / referred leads won.
std::string Referrals(const v1::SalesFigures& f) {
  return f.referral_leads() + f.referral_wins() == 0 ? std::string(kNone)
                                                     : absl::StrCat(f.referral_leads(), "/", f.referral_wins());
}

std::vector<std::string> SalesCells(std::string label, const v1::SalesFigures& f) {
  return {std::move(label),
          absl::StrCat(f.leads_identified()),
          absl::StrCat(f.won()),
          absl::StrCat(f.lost()),
          WinRate(f),
          Value(f),
          Cycle(f),
          Repeat(f),
          Referrals(f)};
}

Table SalesTable(absl::string_view first) {
  return Table({{std::string(first)},
                {"LEADS", Align::kRight},
                {"WON", Align::kRight},
                {"LOST", Align::kRight},
                {"WIN RATE", Align::kRight},
                {"WON VALUE", Align::kRight},
                {"AVG CYCLE", Align::kRight},
                {"REPEAT WON", Align::kRight},
                {"REFERRED/WON", Align::kRight}});
}

std::string Scope(bool all_members) { return all_members ? "every member" : "your own figures only"; }

std::string Score(const v1::SatisfactionScores& s, double value) {
  return s.surveys() == 0 ? std::string(kNone) : Fixed(value, 2);
}

std::vector<std::string> ScoreCells(std::string label, const v1::SatisfactionScores& s) {
  return {std::move(label),
          absl::StrCat(s.surveys()),
          Score(s, s.product_quality()),
          Score(s, s.service_attitude()),
          Score(s, s.response_speed()),
          Score(s, s.overall())};
}

Table ScoreTable(absl::string_view first) {
  return Table({{std::string(first)},
                {"SURVEYS", Align::kRight},
                {"PRODUCT", Align::kRight},
                {"SERVICE", Align::kRight},
                {"SPEED", Align::kRight},
                {"OVERALL", Align::kRight}});
}

std::string RowLabel(const std::string& key, const std::string& display_name) {
  return display_name.empty() ? key : absl::StrCat(display_name, " (", key, ")");
}

}  // namespace

std::string RenderSalesAnalysis(const v1::SalesAnalysis& a) {
  const std::string grouping = EnumShortNameOf(*v1::SalesGrouping_descriptor(), a.group_by());
  std::string out = absl::StrCat("Sales analysis \u00b7 ", PeriodText(a.period()), " \u00b7 by ", grouping,
                                 " \u00b7 ", Scope(a.all_members()), "\n", ViewLine(a.view()), "\n\n");
  Table rows = SalesTable(grouping);
  for (const v1::SalesAnalysisRow& row : a.rows()) {
    std::string label;
    if (a.group_by() == v1::SALES_GROUPING_SOURCE) {
      label = EnumShortNameOf(*v1::LeadSource_descriptor(), row.source());
    } else if (a.group_by() == v1::SALES_GROUPING_PRODUCT && row.key().empty()) {
      label = "(no products proposed)";
    } else if (a.group_by() == v1::SALES_GROUPING_ACCOUNT && row.key().empty()) {
      label = "(no account)";
    } else {
      label = RowLabel(row.key(), row.display_name());
    }
    rows.AddRow(SalesCells(label, row.figures()));
  }
  rows.AddRow(SalesCells("TOTAL", a.totals()));
  absl::StrAppend(&out, rows.Render());
  if (a.group_by() == v1::SALES_GROUPING_PRODUCT) {
    absl::StrAppend(&out,
                    "\nA lead counts under each product its latest proposal named: the rows may add up to more "
                    "than TOTAL.\n");
  }
  absl::StrAppend(&out,
                  "\nREPEAT WON: wins of customers that had bought before (share of WON). REFERRED/WON: leads "
                  "a customer referred, identified / won.\n");
  if (a.months_size() > 1 && a.group_by() != v1::SALES_GROUPING_MONTH) {
    Table months = SalesTable("MONTH");
    for (const v1::SalesMonth& m : a.months()) months.AddRow(SalesCells(m.month(), m.figures()));
    absl::StrAppend(&out, "\nTrend (every row together):\n", months.Render());
  }
  if (!a.totals().time_in_stage().empty()) {
    Table stages({{"STAGE LEFT"}, {"AVG TIME", Align::kRight}, {"LEADS", Align::kRight}});
    for (const v1::StageTime& t : a.totals().time_in_stage()) {
      stages.AddRow({StageName(t.stage()), HumanDuration(t.average()), absl::StrCat(t.samples())});
    }
    absl::StrAppend(&out, "\nTime per stage (every row together):\n", stages.Render());
  }
  if (!a.totals().loss_reasons().empty()) {
    Table losses({{"LOSS REASON"}, {"NOTE", Align::kLeft, 60}, {"DEALS", Align::kRight}});
    for (const v1::LossReasonCount& c : a.totals().loss_reasons()) {
      losses.AddRow({EnumShortNameOf(*v1::LossReason_descriptor(), c.reason()),
                     c.note().empty() ? std::string(kNone) : c.note(), absl::StrCat(c.count())});
    }
    absl::StrAppend(&out, "\nLoss reasons (every row together):\n", losses.Render());
  }
  return out;
}

std::string RenderSatisfactionAnalysis(const v1::SatisfactionAnalysis& a) {
  const std::string grouping = EnumShortNameOf(*v1::SatisfactionGrouping_descriptor(), a.group_by());
  std::string out = absl::StrCat("Satisfaction analysis \u00b7 ", PeriodText(a.period()), " \u00b7 by ",
                                 grouping, " \u00b7 ", Scope(a.all_members()), "\n", ViewLine(a.view()),
                                 "\nScores 1-5: mean per dimension; OVERALL = mean of the three.\n\n");
  Table rows = ScoreTable(grouping);
  for (const v1::SatisfactionRow& row : a.rows()) {
    const bool no_account = a.group_by() == v1::SATISFACTION_GROUPING_ACCOUNT && row.key().empty();
    rows.AddRow(ScoreCells(no_account ? "(no account)" : RowLabel(row.key(), row.display_name()), row.scores()));
  }
  rows.AddRow(ScoreCells("TOTAL", a.totals()));
  absl::StrAppend(&out, rows.Render());
  if (a.months_size() > 1 && a.group_by() != v1::SATISFACTION_GROUPING_MONTH) {
    Table months = ScoreTable("MONTH");
    for (const v1::SatisfactionMonth& m : a.months()) months.AddRow(ScoreCells(m.month(), m.scores()));
    absl::StrAppend(&out, "\nTrend (every survey in scope):\n", months.Render());
  }
  return out;
}

std::string RenderAccount(const v1::Account& account) {
  const v1::AccountSummary& a = account.summary();
  std::string out = absl::StrCat("Account ", a.account_id(), " \u00b7 ", a.company(), " \u00b7 opened ",
                                 FormatTimestamp(account.opened_at(), true), " by lead ", account.opened_by_lead_id(),
                                 "\n", ViewLine(account.view()), "\n\n");
  Table figures({{"LEADS", Align::kRight},
                 {"OPEN", Align::kRight},
                 {"WON", Align::kRight},
                 {"LOST", Align::kRight},
                 {"WON VALUE", Align::kRight},
                 {"LAST PURCHASE", Align::kRight},
                 {"SINCE", Align::kRight}});
  figures.AddRow({absl::StrCat(a.leads()), absl::StrCat(a.open_leads()), absl::StrCat(a.won()), absl::StrCat(a.lost()),
                  a.won_value().empty() ? std::string(kNone) : MoneyList(a.won_value()),
                  a.has_last_purchase_at() ? FormatTimestamp(a.last_purchase_at(), true) : std::string(kNone),
                  account.has_since_last_purchase() ? HumanDuration(account.since_last_purchase())
                                                    : std::string(kNone)});
  absl::StrAppend(&out, figures.Render());
  absl::StrAppend(&out, "\nOrders ", a.orders(), " (", a.open_orders(), " open) \u00b7 tickets ", a.tickets(), " (",
                  a.open_tickets(), " open) \u00b7 referred ", a.referred_leads(), " leads, ", a.referral_wins(),
                  " won\n");
  Table scores = ScoreTable("SATISFACTION");
  scores.AddRow(ScoreCells("all surveys", a.satisfaction()));
  for (const v1::SatisfactionMonth& m : account.satisfaction_trend()) scores.AddRow(ScoreCells(m.month(), m.scores()));
  absl::StrAppend(&out, "\n", scores.Render());
  if (!a.latest_leads().empty()) {
    Table leads({{"LEAD"}, {"COMPANY", Align::kLeft, 30}, {"STAGE"}, {"OWNER"}, {"IDENTIFIED"},
                 {"VALUE", Align::kRight}});
    for (const v1::AccountLead& l : a.latest_leads()) {
      const v1::Money& value = l.has_won_amount() ? l.won_amount() : l.estimated_value();
      leads.AddRow({l.lead_id(), l.company(), StageName(l.stage()), l.owner(),
                    l.has_identified_at() ? FormatTimestamp(l.identified_at(), true) : std::string(kNone),
                    value.currency().empty() ? std::string(kNone) : GroupedMoney(value)});
    }
    absl::StrAppend(&out, "\nLatest leads (VALUE: won amount, else estimated):\n", leads.Render());
  }
  return out;
}

}  // namespace salesctl
