#include "review_tables.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "duration_text.h"
#include "enum_names.h"
#include "table.h"
#include "time_text.h"
#include "view_text.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;

constexpr absl::string_view kNone = "\u2014";  // —
constexpr size_t kDigestPrefixHex = 12;

std::string MetricValue(const v1::MetricValue& m) {
  if (!m.defined()) return std::string(kNone);
  return m.unit() == "count" ? Fixed(m.value(), 0) : Fixed(m.value(), 2);
}

std::string PolicyText(uint32_t version) {
  return version == 0 ? "no scoring policy in force" : absl::StrCat("scoring policy v", version);
}

// "sha256-sum:0123456789ab…"
std::string ShortDigest(absl::string_view digest) {
  const size_t colon = digest.find(':');
  const size_t keep = (colon == absl::string_view::npos ? 0 : colon + 1) + kDigestPrefixHex;
  return digest.size() > keep ? absl::StrCat(digest.substr(0, keep), "\u2026") : std::string(digest);
}

std::string TargetText(const v1::TargetAttainment& t) {
  const std::string goal = t.metric() == v1::TARGET_METRIC_WON_VALUE
                               ? GroupedMoney(t.target_value())
                               : absl::StrCat(t.target_count(), " deals");
  return absl::StrCat(EnumShortNameOf(*v1::TargetMetric_descriptor(), t.metric()), " ", goal, ": ",
                      Fixed(t.attainment_percent(), 1), "% attained (revision ", t.revision(), ")");
}

std::string RoleSection(const v1::RoleReview& role, uint32_t policy_version) {
  std::string out = absl::StrCat(RoleName(role.role()), " \u00b7 ");
  if (role.scored()) {
    absl::StrAppend(&out, "score ", Fixed(role.score(), 2), "\n");
  } else if (policy_version == 0) {
    absl::StrAppend(&out, "not scored (no policy)\n");
  } else {
    absl::StrAppend(&out, "not scored (policy v", policy_version, " weighs nothing of this role)\n");
  }
  Table table({{"METRIC"},
               {"VALUE", Align::kRight},
               {"UNIT"},
               {"SAMPLES", Align::kRight},
               {"WEIGHT", Align::kRight},
               {"CONTRIBUTION", Align::kRight}});
  for (const v1::MetricValue& m : role.metrics()) {
    const bool weighed = m.weight() != 0;
    table.AddRow({m.metric(), MetricValue(m), m.unit(), absl::StrCat(m.samples()),
                  weighed ? Fixed(m.weight(), 2) : "",
                  weighed ? (m.defined() ? Fixed(m.contribution(), 2) : std::string(kNone)) : ""});
  }
  absl::StrAppend(&out, table.Render());

  std::vector<std::pair<std::string, std::string>> details;
  if (!role.won_value().empty()) details.emplace_back("won value", MoneyList(role.won_value()));
  if (!role.average_deal_size().empty())
    details.emplace_back("average deal size", MoneyList(role.average_deal_size()));
  if (!role.time_in_stage().empty()) {
    std::vector<std::string> stages;
    for (const v1::StageTime& t : role.time_in_stage()) {
      stages.push_back(
          absl::StrCat(StageName(t.stage()), " ", HumanDuration(t.average()), " (", t.samples(), ")"));
    }
    details.emplace_back("time in stage", absl::StrJoin(stages, ", "));
  }
  for (const v1::TargetAttainment& t : role.targets()) details.emplace_back("target", TargetText(t));
  if (!role.resolution_time().empty()) {
    std::vector<std::string> severities;
    for (const v1::SeverityTime& t : role.resolution_time()) {
      severities.push_back(absl::StrCat(EnumShortNameOf(*v1::Severity_descriptor(), t.severity()), " ",
                                        HumanDuration(t.average()), " (", t.samples(), ")"));
    }
    details.emplace_back("resolution time", absl::StrJoin(severities, ", "));
  }
  for (const auto& [name, text] : details) absl::StrAppend(&out, "  ", name, ": ", text, "\n");
  return out;
}

// The section of `review` for `role`, or nullptr.
const v1::RoleReview* SectionOf(const v1::PerformanceReview& review, v1::Role role) {
  for (const v1::RoleReview& r : review.roles()) {
    if (r.role() == role) return &r;
  }
  return nullptr;
}

// "v2, acknowledged", "v2 (v1 acknowledged)", "v1, not acknowledged", "-".
std::string FeedbackText(const v1::ReviewFeedbackStatus& status) {
  if (status.version() == 0) return std::string(kNone);
  if (status.acknowledged()) return absl::StrCat("v", status.version(), ", acknowledged");
  if (status.acknowledged_version() != 0) {
    return absl::StrCat("v", status.version(), " (v", status.acknowledged_version(), " acknowledged)");
  }
  return absl::StrCat("v", status.version(), ", not acknowledged");
}

std::string ChangeText(int32_t change) {
  if (change > 0) return absl::StrCat("\u2191", change);   // ↑: better under B
  if (change < 0) return absl::StrCat("\u2193", -change);  // ↓
  return "=";
}

}  // namespace

std::string RenderReview(const v1::PerformanceReview& review) {
  std::string who = review.display_name().empty()
                        ? review.member_id()
                        : absl::StrCat(review.display_name(), " (", review.member_id(), ")");
  std::string out =
      absl::StrCat("Performance review \u00b7 ", who, " \u00b7 ", PeriodText(review.period()), "\n",
                   ViewLine(review.view()), " \u00b7 ", PolicyText(review.policy_version()), " \u00b7 ",
                   review.input_events(), " input events \u00b7 ", review.input_digest(), "\n");
  if (review.feedback().version() != 0) {
    absl::StrAppend(&out, "feedback: ", FeedbackText(review.feedback()), " (salesctl get-review-feedback)\n");
  }
  if (!review.previous_goals().empty()) {
    absl::StrAppend(&out, "goals agreed for it (feedback on ", review.previous_period(), "):\n");
    for (const std::string& goal : review.previous_goals()) absl::StrAppend(&out, "  - ", goal, "\n");
  }
  if (review.training_sessions() > 0) {
    absl::StrAppend(&out, "training: ", absl::StrFormat("%.1f", review.training_hours()), " h in ",
                    review.training_sessions(), review.training_sessions() == 1 ? " session" : " sessions",
                    " (salesctl list-training-sessions --member_id=", review.member_id(), ")\n");
  }
  if (review.roles().empty())
    absl::StrAppend(&out, "\n(no reviewed role: SALES_REP, BD_MANAGER, SALES_SUPPORT, AFTER_SALES)\n");
  for (const v1::RoleReview& role : review.roles()) {
    absl::StrAppend(&out, "\n", RoleSection(role, review.policy_version()));
  }
  return out;
}

std::string RenderReviewRanking(const v1::ListPerformanceReviewsResponse& response) {
  // The metrics the policy weighs, in the order the role lists them.
  std::vector<std::string> weighed;
  for (const v1::RankedReview& ranked : response.reviews()) {
    const v1::RoleReview* section = SectionOf(ranked.review(), response.role());
    if (section == nullptr) continue;
    for (const v1::MetricValue& m : section->metrics()) {
      if (m.weight() != 0 && std::find(weighed.begin(), weighed.end(), m.metric()) == weighed.end()) {
        weighed.push_back(m.metric());
      }
    }
  }
  std::vector<Column> columns = {{"RANK", Align::kRight}, {"MEMBER"}, {"NAME"}, {"SCORE", Align::kRight}};
  for (const std::string& metric : weighed) columns.push_back({metric, Align::kRight});
  columns.push_back({"INPUTS", Align::kRight});
  columns.push_back({"DIGEST"});
  const bool named = !response.period().label().empty();
  if (named) columns.push_back({"FEEDBACK"});
  Table table(std::move(columns));
  for (const v1::RankedReview& ranked : response.reviews()) {
    const v1::PerformanceReview& review = ranked.review();
    std::vector<std::string> row = {
        response.policy_version() == 0 ? std::string(kNone) : absl::StrCat(ranked.rank()), review.member_id(),
        review.display_name(), response.policy_version() == 0 ? std::string(kNone) : Fixed(ranked.score(), 2)};
    const v1::RoleReview* section = SectionOf(review, response.role());
    for (const std::string& metric : weighed) {
      std::string cell(kNone);
      if (section != nullptr) {
        for (const v1::MetricValue& m : section->metrics()) {
          if (m.metric() == metric) cell = MetricValue(m);
        }
      }
      row.push_back(std::move(cell));
    }
    row.push_back(absl::StrCat(review.input_events()));
    row.push_back(ShortDigest(review.input_digest()));
    if (named) row.push_back(FeedbackText(review.feedback()));
    table.AddRow(std::move(row));
  }
  return absl::StrCat(RoleName(response.role()), " ranking \u00b7 ", PeriodText(response.period()), "\n",
                      ViewLine(response.view()), " \u00b7 ", PolicyText(response.policy_version()), "\n\n",
                      table.Render());
}

std::string NoPolicyHint(const v1::ListScoringPoliciesResponse& policies) {
  if (policies.policies().empty()) {
    return "No scoring policy is set yet, so nobody is scored or ranked. A SALES_MANAGER sets one "
           "(docs/VIEWS.md, \"Scores\"), e.g.:\n"
           "  salesctl team.set-scoring-policy --note='销量优先' "
           "--roles='{\"role\":\"SALES_REP\",\"weights\":[{\"metric\":\"deals_won\",\"weight\":10},"
           "{\"metric\":\"win_rate\",\"weight\":50}]}'\n"
           "It is in force for the periods that end after it is set; any period can be scored under it with "
           "--policy=N.\n";
  }
  const v1::ScoringPolicy& first = policies.policies(0);
  const v1::ScoringPolicy& last = policies.policies(policies.policies_size() - 1);
  std::string out = absl::StrCat("No scoring policy was in force at the end of this period: the first, v",
                                 first.version(), ", was set ", FormatTimestamp(first.set_at(), /*seconds_only=*/true), " by ",
                                 first.set_by());
  if (!first.note().empty()) absl::StrAppend(&out, " (\"", first.note(), "\")");
  absl::StrAppend(&out, ".\nScore this period under a policy with --policy=", last.version());
  if (policies.policies_size() > 1) {
    absl::StrAppend(&out, " (the latest; versions 1..", last.version(), ")", ", or compare two: salesctl compare ",
                    "--policy-a=", first.version(), " --policy-b=", last.version());
  }
  absl::StrAppend(&out, ".\n");
  return out;
}

std::string RenderReviewComparison(const v1::CompareReviewsResponse& response) {
  const std::string a = absl::StrCat("v", response.policy_a());
  const std::string b = absl::StrCat("v", response.policy_b());
  Table table({{"MEMBER"},
               {"NAME"},
               {absl::StrCat("SCORE ", a), Align::kRight},
               {absl::StrCat("RANK ", a), Align::kRight},
               {absl::StrCat("SCORE ", b), Align::kRight},
               {absl::StrCat("RANK ", b), Align::kRight},
               {"CHANGE", Align::kRight}});
  for (const v1::ReviewComparison& row : response.rows()) {
    table.AddRow({row.member_id(), row.display_name(), Fixed(row.score_a(), 2), absl::StrCat(row.rank_a()),
                  Fixed(row.score_b(), 2), absl::StrCat(row.rank_b()), ChangeText(row.rank_change())});
  }
  return absl::StrCat(RoleName(response.role()), " \u00b7 scoring policy ", a, " vs ", b, " \u00b7 ",
                      PeriodText(response.period()), "\n", ViewLine(response.view()), "\n\n", table.Render());
}

}  // namespace salesctl
