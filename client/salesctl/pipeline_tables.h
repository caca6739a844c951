// Tables for Views.GetPipeline and Views.ListLeads (docs/VIEWS.md defines
// every number; docs/CLI.md shows the output). Aligned by display width
// (table.h), so Chinese company names line up. Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_PIPELINE_TABLES_H_
#define SALESOPS_CLIENT_SALESCTL_PIPELINE_TABLES_H_

#include <cstddef>
#include <string>

#include "salesops/v1/views.pb.h"

namespace salesctl {

// Width of the funnel bar of the stage with the most open leads.
inline constexpr size_t kFunnelBarWidth = 20;
// Widest COMPANY cell of the lead list; longer names end in "…".
inline constexpr size_t kMaxCompanyWidth = 28;

// A header line (ViewLine and the probability table version), then the
// stage funnel
//   STAGE  OPEN  FUNNEL  WIN%  VALUE  WEIGHTED  AVG IN STAGE  MAX IN STAGE
//   OLDEST LEAD  TO NEXT
// one row per stage in the reply's order (a further row per extra currency,
// and one saying how many open leads have no value; VALUE "—" when none
// has one), FUNNEL a bar
// proportional to OPEN, TO NEXT the conversion from the stage to the next
// ("80.0% (4/5)"); then the leads now won, lost and disqualified, and the
// win rate over its window with the won value per currency.
std::string RenderPipeline(const salesops::v1::Pipeline& pipeline);

// A header line (ViewLine and the number of matching leads), then
//   LEAD  COMPANY  STAGE  IN STAGE  VALUE  OWNER  ASSIGNEE  SOURCE
// (IN STAGE measured to the view's now; ASSIGNEE "(queue: ROLE)" for a lead
// waiting in a role's unassigned queue), then, when there is a next page,
// the --page_token flag that fetches it (with the same filters).
std::string RenderLeadList(const salesops::v1::ListLeadsResponse& response);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_PIPELINE_TABLES_H_
