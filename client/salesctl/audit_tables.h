// Tables for the Audit service's replies (table.h aligns them by display
// width, so Chinese actors and details line up).
// Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_AUDIT_TABLES_H_
#define SALESOPS_CLIENT_SALESCTL_AUDIT_TABLES_H_

#include <string>

#include "salesops/v1/audit.pb.h"

namespace salesctl {

// Widest DETAILS cell of the history table; longer details end in "…".
inline constexpr size_t kMaxDetailsWidth = 40;

// "lead: <id>", then a table
//   POS  VER  OCCURRED  ACTOR  ACTION  STAGE  DETAILS
// with OCCURRED in RFC 3339 UTC to the second (recorded_at when occurred_at
// is unset), STAGE as "QUALIFIED → NEEDS_ANALYZED" ("→ IDENTIFIED" for a new
// lead, empty when the entry did not change the stage), DETAILS cut to
// kMaxDetailsWidth columns, then "next_version: N" when there is more.
std::string RenderLeadHistory(const salesops::v1::GetLeadHistoryResponse& response);

// A table
//   POS  STREAM  VER  TYPE  OCCURRED  ACTOR
// followed by "next_position: N  head_position: M" (next_position 0 means
// the page reached the head of the log).
std::string RenderLogPage(const salesops::v1::ReadLogResponse& response);

// A table
//   POS  RECORDED  LEAD  ACTOR  ROLE  STAGE  OVERRIDE  HAND-OFF
// RECORDED in RFC 3339 UTC to the second; STAGE as in the history;
// OVERRIDE the manager's reason (empty when none); HAND-OFF "who: rule"
// ("(queue): rule" for the unassigned queue), cut to kMaxDetailsWidth.
// Then "next_page_token: T" when there is more.
std::string RenderStageChanges(const salesops::v1::ListStageChangesResponse& response);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_AUDIT_TABLES_H_
