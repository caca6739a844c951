// Tables for the analyses: Views.GetSalesAnalysis and
// Views.GetSatisfactionAnalysis (docs/VIEWS.md defines every number). Pure:
// reply in, text out; columns align by display width (table.h), so Chinese
// names and loss notes line up.
#ifndef SALESOPS_CLIENT_SALESCTL_ANALYSIS_TABLES_H_
#define SALESOPS_CLIENT_SALESCTL_ANALYSIS_TABLES_H_

#include <string>

#include "salesops/v1/views.pb.h"

namespace salesctl {

// A header line (period, grouping, whose figures), one row per group, the
// total, the month-by-month series of the total, and the loss reasons.
std::string RenderSalesAnalysis(const salesops::v1::SalesAnalysis& analysis);

// A header line, one row per group with the three dimensions and the
// overall mean, the total, and the month-by-month series of the total.
std::string RenderSatisfactionAnalysis(const salesops::v1::SatisfactionAnalysis& analysis);

// Views.GetAccount: the account's figures, orders and tickets, its
// satisfaction with the monthly trend, and its latest leads.
std::string RenderAccount(const salesops::v1::Account& account);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_ANALYSIS_TABLES_H_
