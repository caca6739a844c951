#include "projections/analysis.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "server/domain/lead_details.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {
namespace {


// Visits the facts of `facts` (FactBefore order) dated in [from, to).
template <typename Visit>
void ForFactsIn(const std::vector<Fact>& facts, absl::Time from, absl::Time to, Visit visit) {
  auto it = std::lower_bound(facts.begin(), facts.end(), from,
                             [](const Fact& f, absl::Time t) { return f.at < t; });
  for (; it != facts.end() && it->at < to; ++it) visit(*it);
}

std::string DisplayName(const ViewsState& state, const std::string& member) {
  auto it = state.core.team.members.find(member);
  return it == state.core.team.members.end() ? std::string() : it->second.display_name();
}

// An account's company as its first lead gave it ("" for none).
std::string CompanyOf(const ViewsState& state, const std::string& account_id) {
  const domain::AccountDetails* d = state.core.accounts.DetailsOf(state.core.accounts.OrdinalOf(account_id));
  return d == nullptr ? std::string() : std::string(d->company);
}

// --- Sales ---------------------------------------------------------------

struct DurationMean {
  absl::Duration sum;
  uint64_t n = 0;
  void Add(absl::Duration d) {
    if (d == absl::InfiniteDuration()) return;  // not measured
    sum += d;
    ++n;
  }
  absl::Duration Mean() const { return n == 0 ? absl::ZeroDuration() : sum / static_cast<int64_t>(n); }
};

struct SalesSums {
  uint64_t identified = 0, won = 0, lost = 0;
  uint64_t repeat_wins = 0, referral_leads = 0, referral_wins = 0;
  std::map<std::string, int64_t> won_value;  // by currency
  DurationMean cycle;
  std::map<int32_t, DurationMean> stage_time;                  // by stage left
  std::map<std::pair<int32_t, std::string>, uint64_t> losses;  // (reason, note)

  void Add(const Fact& f) {
    switch (f.kind) {
      case FactKind::kIdentified:
        ++identified;
        if (f.flags & kReferral) ++referral_leads;
        break;
      case FactKind::kWon:
        ++won;
        if (f.flags & kRepeatWin) ++repeat_wins;
        if (f.flags & kReferral) ++referral_wins;
        won_value[f.currency.str()] += f.amount_minor;
        cycle.Add(f.duration);
        break;
      case FactKind::kLost:
        ++lost;
        ++losses[{f.code, f.ref.str()}];
        break;
      case FactKind::kStageTime:
        stage_time[f.code].Add(f.duration);
        break;
      default:
        break;
    }
  }

  void ToProto(v1::SalesFigures& out) const {
    out.set_leads_identified(identified);
    out.set_won(won);
    out.set_lost(lost);
    out.set_win_rate(won + lost == 0 ? 0.0 : static_cast<double>(won) / static_cast<double>(won + lost));
    out.set_repeat_wins(repeat_wins);
    out.set_repeat_purchase_rate(won == 0 ? 0.0 : static_cast<double>(repeat_wins) / static_cast<double>(won));
    out.set_referral_leads(referral_leads);
    out.set_referral_wins(referral_wins);
    for (const auto& [currency, minor] : won_value) {
      v1::Money* m = out.add_won_value();
      m->set_currency(currency);
      m->set_amount_minor(minor);
    }
    if (cycle.n > 0) *out.mutable_average_cycle_time() = ToProtoDuration(cycle.Mean());
    for (const auto& [stage, mean] : stage_time) {
      if (mean.n == 0) continue;
      v1::StageTime* t = out.add_time_in_stage();
      t->set_stage(static_cast<v1::Stage>(stage));
      *t->mutable_average() = ToProtoDuration(mean.Mean());
      t->set_samples(mean.n);
    }
    std::vector<std::pair<const std::pair<int32_t, std::string>*, uint64_t>> rows;
    for (const auto& [key, count] : losses) rows.emplace_back(&key, count);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [key, count] : rows) {
      v1::LossReasonCount* c = out.add_loss_reasons();
      c->set_reason(static_cast<v1::LossReason>(key->first));
      c->set_note(key->second);
      c->set_count(count);
    }
  }
};

bool IsSalesFact(FactKind kind) {
  return kind == FactKind::kIdentified || kind == FactKind::kWon || kind == FactKind::kLost ||
         kind == FactKind::kStageTime;
}

// --- Satisfaction ----------------------------------------------------------

// Rows keyed by a string, each with its sums and its sums per month.
template <typename Sums>
struct Grouped {
  struct Row {
    Sums all;
    std::map<std::string, Sums> by_month;
  };
  std::map<std::string, Row> rows;
  Sums totals;
  std::map<std::string, Sums> months;
};

}  // namespace

std::string MonthOf(absl::Time t) {
  const absl::CivilMonth m = absl::ToCivilMonth(t, absl::UTCTimeZone());
  return absl::StrFormat("%04d-%02d", m.year(), m.month());
}

std::vector<std::string> MonthsOf(absl::Time from, absl::Time to) {
  std::vector<std::string> out;
  const absl::CivilMonth last = absl::ToCivilMonth(to - absl::Nanoseconds(1), absl::UTCTimeZone());
  for (absl::CivilMonth m = absl::ToCivilMonth(from, absl::UTCTimeZone()); m <= last; ++m) {
    out.push_back(absl::StrFormat("%04d-%02d", m.year(), m.month()));
  }
  return out;
}

void ScoreSums::ToProto(v1::SatisfactionScores& out) const {
  out.set_surveys(n);
  if (n == 0) return;
  const double d = static_cast<double>(n);
  out.set_product_quality(static_cast<double>(q) / d);
  out.set_service_attitude(static_cast<double>(a) / d);
  out.set_response_speed(static_cast<double>(s) / d);
  out.set_overall(static_cast<double>(q + a + s) / (3.0 * d));
}

absl::StatusOr<v1::SalesAnalysis> BuildSalesAnalysis(const ViewsState& state, const v1::ReviewPeriod& period,
                                                     v1::SalesGrouping group_by,
                                                     absl::string_view only_member) {
  if (group_by == v1::SALES_GROUPING_UNSPECIFIED) group_by = v1::SALES_GROUPING_OWNER;
  if (group_by != v1::SALES_GROUPING_OWNER && group_by != v1::SALES_GROUPING_SOURCE &&
      group_by != v1::SALES_GROUPING_MONTH && group_by != v1::SALES_GROUPING_PRODUCT &&
      group_by != v1::SALES_GROUPING_ACCOUNT) {
    return absl::InvalidArgumentError(absl::StrCat("group_by: must be OWNER, SOURCE, MONTH, PRODUCT or ACCOUNT (got ",
                                                   static_cast<int>(group_by), ")"));
  }
  const absl::Time from = FromProtoTime(period.from()), to = FromProtoTime(period.to());
  Grouped<SalesSums> g;
  for (const auto& [member, facts] : state.facts.by_member) {
    if (!only_member.empty() && member != only_member) continue;
    ForFactsIn(facts, from, to, [&, &member = member](const Fact& f) {
      if (!IsSalesFact(f.kind)) return;
      const std::string month = MonthOf(f.at);
      const auto add_to = [&](const std::string& key) {
        auto& row = g.rows[key];
        row.all.Add(f);
        if (group_by != v1::SALES_GROUPING_MONTH) row.by_month[month].Add(f);
      };
      switch (group_by) {
        case v1::SALES_GROUPING_SOURCE:
          add_to(v1::LeadSource_Name(static_cast<v1::LeadSource>(f.source)));
          break;
        case v1::SALES_GROUPING_MONTH:
          add_to(month);
          break;
        case v1::SALES_GROUPING_PRODUCT: {
          // Under each product the proposal named (once, if named twice),
          // the whole fact each time: a proposal has no price per product.
          std::vector<absl::string_view> products = domain::UnpackProducts(f.products.str());
          std::sort(products.begin(), products.end());
          products.erase(std::unique(products.begin(), products.end()), products.end());
          if (products.empty()) add_to("");
          for (absl::string_view product : products) add_to(std::string(product));
          break;
        }
        case v1::SALES_GROUPING_ACCOUNT:
          add_to(std::string(state.core.accounts.IdOf(f.account)));
          break;
        default:
          add_to(member);
          break;
      }
      g.totals.Add(f);
      g.months[month].Add(f);
    });
  }
  v1::SalesAnalysis out;
  *out.mutable_period() = period;
  out.set_group_by(group_by);
  out.set_all_members(only_member.empty());
  const std::vector<std::string> months = MonthsOf(from, to);
  const auto series = [&](const std::map<std::string, SalesSums>& by_month, auto add) {
    static const SalesSums kNone;
    for (const std::string& month : months) {
      auto it = by_month.find(month);
      v1::SalesMonth* m = add();
      m->set_month(month);
      (it == by_month.end() ? kNone : it->second).ToProto(*m->mutable_figures());
    }
  };
  for (const auto& [key, row] : g.rows) {
    v1::SalesAnalysisRow* r = out.add_rows();
    r->set_key(key);
    if (group_by == v1::SALES_GROUPING_OWNER) r->set_display_name(DisplayName(state, key));
    if (group_by == v1::SALES_GROUPING_ACCOUNT) r->set_display_name(CompanyOf(state, key));
    if (group_by == v1::SALES_GROUPING_SOURCE) {
      v1::LeadSource source = v1::LEAD_SOURCE_UNSPECIFIED;
      (void)v1::LeadSource_Parse(key, &source);
      r->set_source(source);
    }
    row.all.ToProto(*r->mutable_figures());
    if (group_by != v1::SALES_GROUPING_MONTH) series(row.by_month, [r] { return r->add_months(); });
  }
  g.totals.ToProto(*out.mutable_totals());
  series(g.months, [&out] { return out.add_months(); });
  return out;
}

absl::StatusOr<v1::SatisfactionAnalysis> BuildSatisfactionAnalysis(const ViewsState& state,
                                                                   const v1::ReviewPeriod& period,
                                                                   v1::SatisfactionGrouping group_by,
                                                                   absl::string_view only_member) {
  if (group_by == v1::SATISFACTION_GROUPING_UNSPECIFIED)
    group_by = v1::SATISFACTION_GROUPING_AFTER_SALES_MEMBER;
  if (group_by != v1::SATISFACTION_GROUPING_AFTER_SALES_MEMBER &&
      group_by != v1::SATISFACTION_GROUPING_SALES_OWNER && group_by != v1::SATISFACTION_GROUPING_MONTH &&
      group_by != v1::SATISFACTION_GROUPING_ACCOUNT) {
    return absl::InvalidArgumentError(absl::StrCat("group_by: must be AFTER_SALES_MEMBER, SALES_OWNER, MONTH or ACCOUNT (got ",
                                                   static_cast<int>(group_by), ")"));
  }
  const absl::Time from = FromProtoTime(period.from()), to = FromProtoTime(period.to());
  // Every survey has one owner fact (its deal's owner); a survey of a ticket
  // also has a resolver fact at the same position (the ticket's last
  // resolver).
  struct Survey {
    const Fact* fact;
    const std::string* owner;
    const std::string* resolver = nullptr;
  };
  std::map<uint64_t, Survey> surveys;  // by position: each once, in log order
  std::vector<std::pair<uint64_t, const std::string*>> resolvers;
  for (const auto& [member, facts] : state.facts.by_member) {
    ForFactsIn(facts, from, to, [&, &member = member](const Fact& f) {
      if (f.kind == FactKind::kOwnerSurvey) surveys.emplace(f.position, Survey{&f, &member});
      if (f.kind == FactKind::kResolverSurvey) resolvers.emplace_back(f.position, &member);
    });
  }
  for (const auto& [position, member] : resolvers) {
    if (auto it = surveys.find(position); it != surveys.end()) it->second.resolver = member;
  }
  Grouped<ScoreSums> g;
  for (const auto& [position, survey] : surveys) {
    const bool resolved_by_me = survey.resolver != nullptr && *survey.resolver == only_member;
    const bool my_customer = *survey.owner == only_member;
    std::string key;
    const std::string month = MonthOf(survey.fact->at);
    switch (group_by) {
      case v1::SATISFACTION_GROUPING_SALES_OWNER:
        if (!only_member.empty() && !my_customer) continue;
        key = *survey.owner;
        break;
      case v1::SATISFACTION_GROUPING_MONTH:
        if (!only_member.empty() && !my_customer && !resolved_by_me) continue;
        key = month;
        break;
      case v1::SATISFACTION_GROUPING_ACCOUNT:
        if (!only_member.empty() && !my_customer && !resolved_by_me) continue;
        key = std::string(state.core.accounts.IdOf(survey.fact->account));
        break;
      default:  // a survey without a ticket has no after-sales member
        if (survey.resolver == nullptr || (!only_member.empty() && !resolved_by_me)) continue;
        key = *survey.resolver;
        break;
    }
    auto& row = g.rows[key];
    row.all.Add(survey.fact->q, survey.fact->a, survey.fact->s);
    if (group_by != v1::SATISFACTION_GROUPING_MONTH) row.by_month[month].Add(survey.fact->q, survey.fact->a, survey.fact->s);
    g.totals.Add(survey.fact->q, survey.fact->a, survey.fact->s);
    g.months[month].Add(survey.fact->q, survey.fact->a, survey.fact->s);
  }
  v1::SatisfactionAnalysis out;
  *out.mutable_period() = period;
  out.set_group_by(group_by);
  out.set_all_members(only_member.empty());
  const std::vector<std::string> months = MonthsOf(from, to);
  const auto series = [&](const std::map<std::string, ScoreSums>& by_month, auto add) {
    static const ScoreSums kNone;
    for (const std::string& month : months) {
      auto it = by_month.find(month);
      v1::SatisfactionMonth* m = add();
      m->set_month(month);
      (it == by_month.end() ? kNone : it->second).ToProto(*m->mutable_scores());
    }
  };
  for (const auto& [key, row] : g.rows) {
    v1::SatisfactionRow* r = out.add_rows();
    r->set_key(key);
    if (group_by != v1::SATISFACTION_GROUPING_MONTH) {
      r->set_display_name(group_by == v1::SATISFACTION_GROUPING_ACCOUNT ? CompanyOf(state, key)
                                                                        : DisplayName(state, key));
      series(row.by_month, [r] { return r->add_months(); });
    }
    row.all.ToProto(*r->mutable_scores());
  }
  g.totals.ToProto(*out.mutable_totals());
  series(g.months, [&out] { return out.add_months(); });
  return out;
}

}  // namespace salesops::projections
