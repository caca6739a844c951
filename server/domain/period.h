// Named periods: the labels targets, performance reviews and review feedback
// are keyed by. A label is a calendar month "YYYY-MM" (01..12) or a quarter
// "YYYY-Qn" (n = 1..4), in UTC, with a four-digit year from 1900 — nothing
// else: no sign, no spaces, no lower-case "q". Pure; safe from any thread.
//
// The one place labels are read and written: the deciders' validation
// (IsValidPeriod), review feedback's previous period, and the projections'
// period resolution (ResolvePeriod) and meeting briefs' target periods.
#ifndef SALESOPS_SERVER_DOMAIN_PERIOD_H_
#define SALESOPS_SERVER_DOMAIN_PERIOD_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace salesops::domain {

inline constexpr int kMinPeriodYear = 1900;

// A parsed label: exactly one of `month` and `quarter` is non-zero.
struct NamedPeriod {
  int year = 0;
  int month = 0;    // 1..12 for "YYYY-MM", else 0
  int quarter = 0;  // 1..4 for "YYYY-Qn", else 0

  // The first calendar month the period covers (1..12), and how many it
  // covers (1 or 3).
  int first_month() const { return quarter != 0 ? 3 * (quarter - 1) + 1 : month; }
  int months() const { return quarter != 0 ? 3 : 1; }

  friend bool operator==(const NamedPeriod&, const NamedPeriod&) = default;
};

// The period `label` names; nullopt for anything that is not a label.
std::optional<NamedPeriod> ParsePeriod(absl::string_view label);

// True for a label ("YYYY-MM" with 01..12, "YYYY-Qn" with 1..4, year from
// 1900).
bool IsValidPeriod(absl::string_view label);

// The label of `period` ("2026-07", "2026-Q3"): its quarter when that is
// non-zero, else its month. The inverse of ParsePeriod.
std::string PeriodLabel(const NamedPeriod& period);

// The label of the period of the same length before `label`'s ("2026-01" ->
// "2025-12", "2026-Q1" -> "2025-Q4"); empty for a malformed label and for
// the first ones (1900-01, 1900-Q1), which have none.
std::string PreviousPeriod(absl::string_view label);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_PERIOD_H_
