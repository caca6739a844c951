// The customer-account views (docs/ACCOUNTS.md, "Reads") over a ViewsState:
// Views.GetAccount, and a returning customer's history on its new lead
// (Leads.GetLead's customer_history). Pure. From the running counts of the
// account index (AccountIndex, view_index.h): GetAccount costs the leads it
// lists and the account's surveys (the trend); a customer history the 5
// leads it lists and the lead's own tickets and surveys — never the
// account's other leads, nor the length of the log.
#ifndef SALESOPS_PROJECTIONS_ACCOUNTS_VIEW_H_
#define SALESOPS_PROJECTIONS_ACCOUNTS_VIEW_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/leads.pb.h"
#include "salesops/v1/views.pb.h"

namespace salesops::projections {

inline constexpr uint32_t kDefaultAccountLeads = 20;
inline constexpr uint32_t kMaxAccountLeads = 200;
inline constexpr uint32_t kHistoryLeads = 5;  // the latest earlier leads a lead's customer_history lists

// Views.GetAccount as of `now` (the view's moment). INVALID_ARGUMENT naming
// account_id or max_leads; NOT_FOUND for an account the fold does not have.
absl::StatusOr<v1::Account> BuildAccount(const ViewsState& state, const v1::GetAccountRequest& request, absl::Time now);

// The history of the lead `lead_id`'s customer: what its account's other
// leads did (the lead's own stage, win, order, tickets and surveys left
// out); nullopt when there are none (a new customer, or a lead without an
// account).
std::optional<v1::AccountSummary> CustomerHistory(const ViewsState& state, absl::string_view lead_id);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_ACCOUNTS_VIEW_H_
