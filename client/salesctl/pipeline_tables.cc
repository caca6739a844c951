#include "pipeline_tables.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "duration_text.h"
#include "enum_names.h"
#include "table.h"
#include "time_text.h"
#include "view_text.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string Conversion(const v1::StageConversion& c) {
  return absl::StrCat(Percent(c.rate()), " (", c.reached_to(), "/", c.reached_from(), ")");
}

std::string DateOf(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d", ToTime(t), absl::UTCTimeZone());
}

}  // namespace

std::string RenderPipeline(const v1::Pipeline& pipeline) {
  std::map<int, const v1::StageConversion*> conversion_from;
  for (const v1::StageConversion& c : pipeline.conversions()) conversion_from[c.from_stage()] = &c;
  uint64_t most_open = 0;
  for (const v1::StageSummary& s : pipeline.stages()) most_open = std::max(most_open, s.open_leads());

  Table table({{"STAGE"},
               {"OPEN", Align::kRight},
               {"FUNNEL"},
               {"WIN %", Align::kRight},
               {"VALUE", Align::kRight},
               {"WEIGHTED", Align::kRight},
               {"AVG IN STAGE"},
               {"MAX IN STAGE"},
               {"OLDEST LEAD"},
               {"TO NEXT", Align::kRight}});
  for (const v1::StageSummary& s : pipeline.stages()) {
    const auto conversion = conversion_from.find(s.stage());
    const bool has_leads = s.open_leads() > 0;
    table.AddRow({
        StageName(s.stage()),
        absl::StrCat(s.open_leads()),
        Bar(static_cast<double>(s.open_leads()), static_cast<double>(most_open), kFunnelBarWidth),
        absl::StrCat(s.win_probability_percent(), "%"),
        s.values().empty() ? "\u2014" : GroupedMoney(s.values(0).total()),
        s.values().empty() ? "\u2014" : GroupedMoney(s.values(0).weighted()),
        has_leads ? HumanDuration(s.average_time_in_stage()) : "",
        has_leads ? HumanDuration(s.max_time_in_stage()) : "",
        s.oldest_lead_id(),
        conversion == conversion_from.end() ? "" : Conversion(*conversion->second),
    });
    // Currencies are never added together: one line each.
    for (int i = 1; i < s.values_size(); ++i) {
      table.AddRow({"", "", "", "", GroupedMoney(s.values(i).total()), GroupedMoney(s.values(i).weighted())});
    }
    if (s.without_value() > 0) {
      table.AddRow({"", "", "", "", absl::StrCat("+", s.without_value(), " without value")});
    }
  }

  std::string out = absl::StrCat("Pipeline \u00b7 ", ViewLine(pipeline.view()), " \u00b7 win probabilities v",
                                 pipeline.probability_table_version(), "\n\n", table.Render(), "\n");
  absl::StrAppend(&out, "closed: WON ", pipeline.won(), " \u00b7 LOST ", pipeline.lost(),
                  " \u00b7 DISQUALIFIED ", pipeline.disqualified(), "\n");
  const v1::WinRate& w = pipeline.win_rate();
  if (w.has_from() && w.has_to()) {
    const int64_t days = absl::ToInt64Hours(ToTime(w.to()) - ToTime(w.from())) / 24;
    absl::StrAppend(&out, "win rate, last ", days, " days (", DateOf(w.from()), " \u2192 ", DateOf(w.to()),
                    "): ", w.won(), " won, ", w.lost(), " lost = ", Percent(w.rate()), " \u00b7 won value ",
                    MoneyList(w.won_value()), "\n");
  }
  return out;
}

std::string RenderLeadList(const v1::ListLeadsResponse& response) {
  Table table({{"LEAD"},
               {"COMPANY", Align::kLeft, kMaxCompanyWidth},
               {"STAGE"},
               {"IN STAGE"},
               {"VALUE", Align::kRight},
               {"OWNER"},
               {"ASSIGNEE"},
               {"SOURCE"}});
  const absl::Time now = ToTime(response.view().now());
  for (const v1::Lead& lead : response.leads()) {
    std::string assignee = lead.assignee();
    if (assignee.empty() && lead.awaiting_role() != v1::ROLE_UNSPECIFIED) {
      assignee = absl::StrCat("(queue: ", RoleName(lead.awaiting_role()), ")");
    }
    table.AddRow({
        lead.lead_id(),
        lead.company(),
        StageName(lead.stage()),
        lead.has_stage_entered_at() && response.view().has_now()
            ? HumanDuration(std::max(absl::ZeroDuration(), now - ToTime(lead.stage_entered_at())))
            : "",
        lead.has_estimated_value() ? GroupedMoney(lead.estimated_value()) : "\u2014",
        lead.owner(),
        assignee,
        EnumShortNameOf(*v1::LeadSource_descriptor(), lead.source()),
    });
  }
  std::string out =
      absl::StrCat("Leads \u00b7 ", ViewLine(response.view()), " \u00b7 ", response.total(),
                   response.total() == 1 ? " lead matches" : " leads match", "\n\n", table.Render());
  if (!response.next_page_token().empty()) {
    absl::StrAppend(&out, "\nnext page: the same flags and --page_token=", response.next_page_token(), "\n");
  }
  return out;
}

}  // namespace salesctl
