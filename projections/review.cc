#include "projections/review.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/util/time_util.h"
#include "projections/review_totals.h"
#include "server/domain/period.h"
#include "server/domain/proto_time.h"
#include "server/domain/review_metrics.h"
#include "server/domain/team.h"

namespace salesops::projections {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

// The metric values of one role, before weighting.
struct Measured {
  std::map<std::string, std::pair<double, uint64_t>> values;  // metric -> (value, samples); absent = undefined
  void Set(const std::string& metric, double value, uint64_t samples) { values[metric] = {value, samples}; }
  void Count(const std::string& metric, uint64_t n) { Set(metric, static_cast<double>(n), n); }
  // The mean of `n` values summing to `sum`.
  void SetMean(const std::string& metric, double sum, uint64_t n) {
    if (n > 0) Set(metric, sum / static_cast<double>(n), n);
  }
  // The mean of the durations in `d`, in `unit`s.
  void SetMean(const std::string& metric, const DurationSum& d, absl::Duration unit) {
    if (d.n > 0) Set(metric, absl::FDivDuration(d.sum, unit) / static_cast<double>(d.n), d.n);
  }
  void SetRatio(const std::string& metric, uint64_t part, uint64_t whole) {
    if (whole > 0) Set(metric, static_cast<double>(part) / static_cast<double>(whole), whole);
  }
};

const v1::ScoringPolicy* FindPolicy(const domain::TeamState& team, uint32_t version) {
  if (version == 0 || version > team.policies.size()) return nullptr;
  return &team.policies[version - 1];
}

// The policy a review uses: the named version, or the latest set at or
// before the period end.
absl::StatusOr<uint32_t> PolicyFor(const domain::TeamState& team, const v1::ReviewPeriod& period, uint32_t version) {
  if (version != 0) {
    if (version > team.policies.size()) {
      return absl::NotFoundError(absl::StrCat("policy_version: ", version, " does not exist (the latest is ",
                                              team.policies.size(), ")"));
    }
    return version;
  }
  const absl::Time end = FromProtoTime(period.to());
  uint32_t in_force = 0;
  for (const v1::ScoringPolicy& p : team.policies) {
    if (FromProtoTime(p.set_at()) < end) in_force = p.version();
  }
  return in_force;
}

// Everything measured for one member in one period, every role at once.
struct MemberPeriod {
  std::map<v1::Role, Measured> measured;
  v1::RoleReview rep_details;
  v1::RoleReview after_sales_details;
  double training_hours = 0;
  uint32_t training_sessions = 0;
  PositionDigest inputs;
};

const std::vector<Fact>* FactsOf(const ViewsState& state, const std::string& member_id) {
  auto it = state.facts.by_member.find(member_id);
  return it == state.facts.by_member.end() ? nullptr : &it->second;
}

// Calls `visit` for each of `facts` dated in [from, to) (facts are in time
// order).
template <typename Visit>
void ForFactsIn(const std::vector<Fact>& facts, absl::Time from, absl::Time to, Visit visit) {
  auto it = std::lower_bound(facts.begin(), facts.end(), from, [](const Fact& f, absl::Time t) { return f.at < t; });
  for (; it != facts.end() && it->at < to; ++it) visit(*it);
}

// Whether the member has a fact from the event at `position`, dated `at`.
bool HasFactOf(const std::vector<Fact>& facts, absl::Time at, uint64_t position) {
  Fact key;
  key.at = at;
  key.position = position;
  auto it = std::lower_bound(facts.begin(), facts.end(), key, FactBefore);
  return it != facts.end() && it->at == at && it->position == position;
}

MemberPeriod Measure(const ViewsState& state, const std::string& member_id, const v1::ReviewPeriod& period,
                     ReviewSource source) {
  MemberPeriod out;
  const absl::Time from = FromProtoTime(period.from());
  const absl::Time to = FromProtoTime(period.to());
  ReviewTotals totals;
  uint64_t qualified_won = 0, qualified_closed = 0, reopened = 0;
  std::vector<std::pair<uint64_t, absl::Time>> consulted;  // history events read: (position, at)
  // The outcomes known at the period end of a qualification or a resolution.
  const auto outcome = [&](FactKind kind, absl::Time at, uint64_t position, absl::string_view ref) {
    if (kind == FactKind::kQualified) {
      // The lead's last close before the period end.
      auto closes = state.facts.lead_closes.find(ref);
      if (closes == state.facts.lead_closes.end()) return;
      const CloseRecord* last = nullptr;
      for (const CloseRecord& c : closes->second) {
        if (c.at >= at && c.at < to) last = &c;
      }
      if (last != nullptr) {
        ++qualified_closed;
        if (last->won) ++qualified_won;
        consulted.emplace_back(last->position, last->at);
      }
    } else if (kind == FactKind::kResolved) {
      // Reopened after this resolution, before the period end?
      auto reopens = state.facts.ticket_reopens.find(ref);
      if (reopens == state.facts.ticket_reopens.end()) return;
      for (const DatedPosition& r : reopens->second) {
        if (r.position > position && r.at < to) {
          ++reopened;
          consulted.emplace_back(r.position, r.at);
          return;
        }
      }
    }
  };
  const std::vector<Fact>* facts = FactsOf(state, member_id);
  auto days = state.days.by_member.find(member_id);
  if (facts != nullptr) {
    // Whole UTC days inside the period come from the daily totals; the
    // partial days at either end, fact by fact.
    int64_t first_day = DayOf(from);
    if (DayStart(first_day) < from) ++first_day;
    const int64_t end_day = DayOf(to);  // the days before it end by `to`
    const auto add = [&](const Fact& f) { totals.Add(f); };
    if (source == ReviewSource::kFacts || first_day >= end_day || days == state.days.by_member.end()) {
      ForFactsIn(*facts, from, to, [&](const Fact& f) {
        totals.Add(f);
        outcome(f.kind, f.at, f.position, f.ref);
      });
    } else {
      ForFactsIn(*facts, from, DayStart(first_day), add);
      const auto& by_day = days->second.days;
      for (auto it = by_day.lower_bound(first_day); it != by_day.end() && it->first < end_day; ++it) {
        totals.Merge(it->second);
      }
      ForFactsIn(*facts, DayStart(end_day), to, add);
      const std::vector<OutcomeFact>& outcomes = days->second.outcomes;
      auto it = std::lower_bound(outcomes.begin(), outcomes.end(), from,
                                 [](const OutcomeFact& o, absl::Time t) { return o.at < t; });
      for (; it != outcomes.end() && it->at < to; ++it) outcome(it->kind, it->at, it->position, it->ref);
    }
  }
  // The history events consulted count once, and not again when the
  // member's own facts of the period already came from them.
  out.inputs = totals.inputs;
  std::sort(consulted.begin(), consulted.end());
  for (size_t i = 0; i < consulted.size(); ++i) {
    const auto& [position, at] = consulted[i];
    if (i > 0 && consulted[i - 1].first == position) continue;
    if (facts != nullptr && at >= from && at < to && HasFactOf(*facts, at, position)) continue;
    out.inputs.Add(position);
  }

  const auto count = [&](FactKind kind) { return totals.count[static_cast<size_t>(kind)]; };
  const uint64_t won = count(FactKind::kWon), lost = count(FactKind::kLost);
  const uint64_t resolved = count(FactKind::kResolved);
  Measured& rep = out.measured[v1::ROLE_SALES_REP];
  rep.Count("leads_identified", count(FactKind::kIdentified));
  rep.Count("quotes_sent", count(FactKind::kQuoteSent));
  rep.Count("deals_won", won);
  rep.Count("deals_lost", lost);
  rep.SetRatio("win_rate", won, won + lost);
  rep.SetMean("avg_sales_cycle_days", totals.cycle, kDay);
  rep.SetMean("csat", static_cast<double>(totals.owner_survey_sum) / 3.0, totals.owner_surveys);
  rep.SetMean("handoff_delay_hours", totals.handoff[v1::ROLE_SALES_REP], absl::Hours(1));
  for (const auto& [currency, sum] : totals.won) {
    v1::Money* m = out.rep_details.add_won_value();
    m->set_currency(currency);
    m->set_amount_minor(sum.first);
    v1::Money* avg = out.rep_details.add_average_deal_size();
    avg->set_currency(currency);
    avg->set_amount_minor(sum.first / static_cast<int64_t>(sum.second));
  }
  for (const auto& [stage, sum] : totals.stage_time) {
    v1::StageTime* t = out.rep_details.add_time_in_stage();
    t->set_stage(static_cast<v1::Stage>(stage));
    *t->mutable_average() = ToProtoDuration(sum.sum / static_cast<int64_t>(sum.n));
    t->set_samples(sum.n);
  }
  // Targets apply to labelled periods.
  if (!period.label().empty()) {
    double attainment_sum = 0;
    uint64_t attainments = 0;
    for (const auto& [key, target] : state.core.team.targets) {
      if (target.member_id() != member_id || target.period() != period.label()) continue;
      v1::TargetAttainment* t = out.rep_details.add_targets();
      t->set_metric(target.metric());
      t->set_revision(target.revision());
      double achieved = 0, goal = 0;
      if (target.metric() == v1::TARGET_METRIC_WON_VALUE) {
        *t->mutable_target_value() = target.won_value();
        auto it = totals.won.find(target.won_value().currency());
        achieved = it == totals.won.end() ? 0.0 : static_cast<double>(it->second.first);
        goal = static_cast<double>(target.won_value().amount_minor());
      } else {
        t->set_target_count(target.won_count());
        achieved = static_cast<double>(won);
        goal = static_cast<double>(target.won_count());
      }
      if (goal > 0) {
        t->set_attainment_percent(100.0 * achieved / goal);
        attainment_sum += t->attainment_percent();
        ++attainments;
      }
    }
    rep.SetMean("target_attainment_pct", attainment_sum, attainments);
  }

  Measured& bd = out.measured[v1::ROLE_BD_MANAGER];
  bd.Count("leads_qualified", count(FactKind::kQualified));
  bd.Count("leads_disqualified", count(FactKind::kDisqualified));
  bd.SetMean("qualification_turnaround_hours", totals.turnaround, absl::Hours(1));
  bd.Count("needs_analyses", count(FactKind::kNeedsRecorded));
  bd.SetRatio("qualified_win_rate", qualified_won, qualified_closed);
  bd.SetMean("handoff_delay_hours", totals.handoff[v1::ROLE_BD_MANAGER], absl::Hours(1));

  Measured& support = out.measured[v1::ROLE_SALES_SUPPORT];
  support.Count("orders_confirmed", count(FactKind::kConfirmed));
  support.Count("orders_shipped", count(FactKind::kShipped));
  support.Count("orders_delivered", count(FactKind::kDelivered));
  support.SetMean("win_to_delivery_days", totals.delivery, kDay);
  support.SetMean("handoff_delay_hours", totals.handoff[v1::ROLE_SALES_SUPPORT], absl::Hours(1));

  Measured& after = out.measured[v1::ROLE_AFTER_SALES];
  after.Count("tickets_resolved", resolved);
  after.SetMean("avg_resolution_hours", totals.resolution, absl::Hours(1));
  after.SetRatio("reopen_rate", reopened, resolved);
  after.SetMean("csat_product_quality", static_cast<double>(totals.q_sum), totals.resolver_surveys);
  after.SetMean("csat_service_attitude", static_cast<double>(totals.a_sum), totals.resolver_surveys);
  after.SetMean("csat_response_speed", static_cast<double>(totals.s_sum), totals.resolver_surveys);
  after.SetMean("handoff_delay_hours", totals.handoff[v1::ROLE_AFTER_SALES], absl::Hours(1));
  // Training is measured whatever the role (0 hours is a measurement).
  out.training_hours = absl::ToDoubleHours(totals.training);
  out.training_sessions = static_cast<uint32_t>(std::max<int64_t>(totals.training_sessions, 0));
  for (auto& [role, values] : out.measured) values.Set("training_hours", out.training_hours, out.training_sessions);
  for (const auto& [severity, sum] : totals.severity_time) {
    v1::SeverityTime* t = out.after_sales_details.add_resolution_time();
    t->set_severity(static_cast<v1::Severity>(severity));
    *t->mutable_average() = ToProtoDuration(sum.sum / static_cast<int64_t>(sum.n));
    t->set_samples(sum.n);
  }
  return out;
}

// One role's section, weighted by `policy` (null: unscored).
v1::RoleReview Section(v1::Role role, const MemberPeriod& measured, const v1::ScoringPolicy* policy) {
  v1::RoleReview out;
  if (role == v1::ROLE_SALES_REP) out = measured.rep_details;
  if (role == v1::ROLE_AFTER_SALES) out = measured.after_sales_details;
  out.set_role(role);
  const v1::RoleWeights* weights = nullptr;
  if (policy != nullptr) {
    for (const v1::RoleWeights& r : policy->roles()) {
      if (r.role() == role) weights = &r;
    }
  }
  out.set_scored(weights != nullptr);
  const Measured& values = measured.measured.at(role);
  double score = 0;
  for (const domain::MetricDef& def : domain::MetricsOf(role)) {
    v1::MetricValue* m = out.add_metrics();
    m->set_metric(std::string(def.name));
    m->set_unit(std::string(def.unit));
    if (auto it = values.values.find(std::string(def.name)); it != values.values.end()) {
      m->set_defined(true);
      m->set_value(it->second.first);
      m->set_samples(it->second.second);
    }
    if (weights != nullptr) {
      for (const v1::MetricWeight& w : weights->weights()) {
        if (w.metric() == def.name) m->set_weight(w.weight());
      }
    }
    m->set_contribution(m->defined() ? m->weight() * m->value() : 0.0);
    score += m->contribution();
  }
  out.set_score(score);
  return out;
}

absl::Status ValidateReviewedRole(v1::Role role) {
  if (domain::MetricsOf(role).empty()) {
    return absl::InvalidArgumentError("role: must be a reviewed role (SALES_REP, BD_MANAGER, SALES_SUPPORT, AFTER_SALES)");
  }
  return absl::OkStatus();
}

double ScoreOf(const v1::PerformanceReview& review, v1::Role role) {
  for (const v1::RoleReview& r : review.roles()) {
    if (r.role() == role) return r.score();
  }
  return 0;
}

// Ranks (1 = highest score; equal scores share a rank) in the order given,
// which must be by descending score.
std::vector<uint32_t> Ranks(const std::vector<double>& sorted_scores) {
  std::vector<uint32_t> ranks(sorted_scores.size());
  for (size_t i = 0; i < sorted_scores.size(); ++i) {
    ranks[i] = i > 0 && sorted_scores[i] == sorted_scores[i - 1] ? ranks[i - 1] : static_cast<uint32_t>(i + 1);
  }
  return ranks;
}

std::vector<std::string> MembersHolding(const ViewsState& state, v1::Role role) {
  std::vector<std::string> out;
  for (const auto& [id, member] : state.core.team.members) {
    if (member.active() && domain::HasRole(member, role)) out.push_back(id);
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::ReviewPeriod> ResolvePeriod(absl::string_view label, const google::protobuf::Timestamp* from,
                                               const google::protobuf::Timestamp* to) {
  v1::ReviewPeriod out;
  if (!label.empty()) {
    if (from != nullptr || to != nullptr) {
      return absl::InvalidArgumentError("period: give either a period label or from and to, not both");
    }
    const std::optional<domain::NamedPeriod> named = domain::ParsePeriod(label);
    if (!named.has_value()) {
      return absl::InvalidArgumentError("period: must be YYYY-MM or YYYY-Qn (n = 1..4)");
    }
    const absl::CivilMonth start(named->year, named->first_month());
    out.set_label(std::string(label));
    *out.mutable_from() = ToProtoTime(absl::FromCivil(start, absl::UTCTimeZone()));
    *out.mutable_to() = ToProtoTime(absl::FromCivil(start + named->months(), absl::UTCTimeZone()));
    return out;
  }
  if (from == nullptr || to == nullptr) {
    return absl::InvalidArgumentError("period: required (YYYY-MM or YYYY-Qn), or both from and to");
  }
  // google.protobuf.Timestamp's own range: 0001-01-01 to 9999-12-31 UTC.
  using google::protobuf::util::TimeUtil;
  for (const auto& [field, t] : {std::pair("from", from), std::pair("to", to)}) {
    if (t->seconds() < TimeUtil::kTimestampMinSeconds || t->seconds() > TimeUtil::kTimestampMaxSeconds ||
        t->nanos() < 0 || t->nanos() > 999'999'999) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": must be a valid time from 0001-01-01 to 9999-12-31 (nanos 0 to 999999999)"));
    }
  }
  const absl::Time f = FromProtoTime(*from), t = FromProtoTime(*to);
  if (f >= t) return absl::InvalidArgumentError("to: must be after from");
  if (t - f > absl::Hours(24) * kMaxPeriodDays) {
    return absl::InvalidArgumentError(absl::StrCat("to: a period spans at most ", kMaxPeriodDays, " days"));
  }
  *out.mutable_from() = *from;
  *out.mutable_to() = *to;
  return out;
}

absl::StatusOr<v1::PerformanceReview> BuildReview(const ViewsState& state, absl::string_view member_id,
                                                  const v1::ReviewPeriod& period, uint32_t policy_version,
                                                  ReviewSource source) {
  const v1::Member* member = state.core.team.Find(member_id);
  if (member == nullptr) return absl::NotFoundError(absl::StrCat("member '", member_id, "' not found"));
  uint32_t version = 0;
  {
    absl::StatusOr<uint32_t> v = PolicyFor(state.core.team, period, policy_version);
    if (!v.ok()) return v.status();
    version = *v;
  }
  const MemberPeriod measured = Measure(state, std::string(member_id), period, source);
  v1::PerformanceReview out;
  out.set_member_id(std::string(member_id));
  out.set_display_name(member->display_name());
  *out.mutable_period() = period;
  out.set_policy_version(version);
  out.set_input_digest(measured.inputs.ToString());
  out.set_input_events(measured.inputs.count());
  out.set_training_hours(measured.training_hours);
  out.set_training_sessions(measured.training_sessions);
  const v1::ScoringPolicy* policy = FindPolicy(state.core.team, version);
  for (v1::Role role : domain::ReviewedRoles()) {
    if (domain::HasRole(*member, role)) *out.add_roles() = Section(role, measured, policy);
  }
  // The feedback on this review and the goals agreed for it in the previous
  // period's (named periods only: feedback is recorded per named period).
  if (!period.label().empty()) {
    *out.mutable_feedback() = domain::FeedbackStatusOf(state.core.feedback.Find(member_id, period.label()));
    const std::string previous = domain::PreviousPeriod(period.label());
    const v1::ReviewFeedback& earlier = state.core.feedback.Find(member_id, previous);
    if (!earlier.versions().empty()) {
      out.set_previous_period(previous);
      *out.mutable_previous_goals() = earlier.versions(earlier.versions_size() - 1).goals();
    }
  }
  return out;
}

absl::StatusOr<v1::ListPerformanceReviewsResponse> RankReviews(const ViewsState& state, v1::Role role,
                                                               const v1::ReviewPeriod& period,
                                                               uint32_t policy_version) {
  if (absl::Status s = ValidateReviewedRole(role); !s.ok()) return s;
  std::vector<v1::PerformanceReview> reviews;
  for (const std::string& id : MembersHolding(state, role)) {
    absl::StatusOr<v1::PerformanceReview> r = BuildReview(state, id, period, policy_version);
    if (!r.ok()) return r.status();
    reviews.push_back(*std::move(r));
  }
  std::stable_sort(reviews.begin(), reviews.end(), [&](const v1::PerformanceReview& a, const v1::PerformanceReview& b) {
    return ScoreOf(a, role) > ScoreOf(b, role);  // members come ordered by id already
  });
  std::vector<double> scores;
  for (const v1::PerformanceReview& r : reviews) scores.push_back(ScoreOf(r, role));
  const std::vector<uint32_t> ranks = Ranks(scores);
  v1::ListPerformanceReviewsResponse out;
  *out.mutable_period() = period;
  out.set_role(role);
  absl::StatusOr<uint32_t> version = PolicyFor(state.core.team, period, policy_version);
  out.set_policy_version(version.ok() ? *version : 0);
  for (size_t i = 0; i < reviews.size(); ++i) {
    v1::RankedReview* r = out.add_reviews();
    r->set_rank(ranks[i]);
    r->set_score(scores[i]);
    *r->mutable_review() = std::move(reviews[i]);
  }
  return out;
}

absl::StatusOr<v1::CompareReviewsResponse> CompareReviews(const ViewsState& state, v1::Role role,
                                                          const v1::ReviewPeriod& period, uint32_t policy_a,
                                                          uint32_t policy_b) {
  if (policy_a == 0) return absl::InvalidArgumentError("policy_a: required (a scoring policy version)");
  if (policy_b == 0) return absl::InvalidArgumentError("policy_b: required (a scoring policy version)");
  absl::StatusOr<v1::ListPerformanceReviewsResponse> a = RankReviews(state, role, period, policy_a);
  if (!a.ok()) return a.status();
  absl::StatusOr<v1::ListPerformanceReviewsResponse> b = RankReviews(state, role, period, policy_b);
  if (!b.ok()) return b.status();
  std::map<std::string, const v1::RankedReview*> under_a;
  for (const v1::RankedReview& r : a->reviews()) under_a[r.review().member_id()] = &r;
  v1::CompareReviewsResponse out;
  *out.mutable_period() = period;
  out.set_role(role);
  out.set_policy_a(policy_a);
  out.set_policy_b(policy_b);
  for (const v1::RankedReview& rb : b->reviews()) {
    const v1::RankedReview& ra = *under_a.at(rb.review().member_id());
    v1::ReviewComparison* row = out.add_rows();
    row->set_member_id(rb.review().member_id());
    row->set_display_name(rb.review().display_name());
    row->set_score_a(ra.score());
    row->set_rank_a(ra.rank());
    row->set_score_b(rb.score());
    row->set_rank_b(rb.rank());
    row->set_rank_change(static_cast<int32_t>(ra.rank()) - static_cast<int32_t>(rb.rank()));
    row->set_input_digest(rb.review().input_digest());
  }
  return out;
}

}  // namespace salesops::projections
