// Small text pieces shared by the Views tables (pipeline_tables.h,
// workload_table.h, review_tables.h) and progress reports (progress.h): bars,
// grouped numbers and money, percentages and the line saying which state of
// the log a view reflects.
// Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_VIEW_TEXT_H_
#define SALESOPS_CLIENT_SALESCTL_VIEW_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "salesops/v1/common.pb.h"
#include "salesops/v1/views.pb.h"

namespace salesctl {

// The bar characters. Both are one column wide in every terminal (East Asian
// Width "ambiguous" is drawn narrow outside CJK legacy locales, and
// display_width.h counts it so), so bars align like any other text.
inline constexpr absl::string_view kBarFull = "\u2588";   // █
inline constexpr absl::string_view kBarEmpty = "\u2591";  // ░

// `value` out of `scale` as a run of kBarFull, `width` characters for the
// whole scale, rounded to the nearest character; a non-zero value always
// shows at least one character. Empty when scale <= 0 or value <= 0.
std::string Bar(double value, double scale, size_t width);

// Bar(value) followed by kBarEmpty up to Bar(limit): how much of a capacity
// is used, on a scale shared by several rows.
std::string MeterBar(double value, double limit, double scale, size_t width);

// A run of decimal digits with thousands separators: "1234567" ->
// "1,234,567".
std::string GroupThousands(absl::string_view digits);

// "1,234,567.89 CNY": FormatMoney with thousands separators.
std::string GroupedMoney(const salesops::v1::Money& money);

// Every amount, GroupedMoney, joined by ", "; "—" when there is none.
std::string MoneyList(const google::protobuf::RepeatedPtrField<salesops::v1::Money>& amounts);

// `ratio` (0.725) as "72.5%", with `decimals` fraction digits.
std::string Percent(double ratio, int decimals = 1);

// A number with `decimals` fraction digits, "-0.00" printed as "0.00".
std::string Fixed(double value, int decimals);

// "log position 4210 · 2026-11-28T06:00:00Z", plus " · replayed (as_of)"
// for an answer computed by an as_of replay.
std::string ViewLine(const salesops::v1::ViewInfo& view);

// "2026-11 [2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)"; the label is
// left out for an explicit range.
std::string PeriodText(const salesops::v1::ReviewPeriod& period);

// A role's short name: ROLE_SALES_REP -> "SALES_REP".
std::string RoleName(int role);
std::string StageName(int stage);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_VIEW_TEXT_H_
