#include "server/domain/period.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace salesops::domain {
namespace {

// The value of `digits` when every character is an ASCII digit, else -1.
int Digits(absl::string_view digits) {
  int value = 0;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<NamedPeriod> ParsePeriod(absl::string_view label) {
  if (label.size() != 7 || label[4] != '-') return std::nullopt;
  NamedPeriod out;
  out.year = Digits(label.substr(0, 4));
  if (out.year < kMinPeriodYear) return std::nullopt;
  if (label[5] == 'Q') {
    out.quarter = Digits(label.substr(6, 1));
    if (out.quarter < 1 || out.quarter > 4) return std::nullopt;
  } else {
    out.month = Digits(label.substr(5, 2));
    if (out.month < 1 || out.month > 12) return std::nullopt;
  }
  return out;
}

bool IsValidPeriod(absl::string_view label) { return ParsePeriod(label).has_value(); }

std::string PeriodLabel(const NamedPeriod& period) {
  return period.quarter != 0 ? absl::StrFormat("%04d-Q%d", period.year, period.quarter)
                             : absl::StrFormat("%04d-%02d", period.year, period.month);
}

std::string PreviousPeriod(absl::string_view label) {
  std::optional<NamedPeriod> p = ParsePeriod(label);
  if (!p.has_value()) return "";
  const bool quarter = p->quarter != 0;
  int& part = quarter ? p->quarter : p->month;
  if (--part == 0) {
    part = quarter ? 4 : 12;
    if (--p->year < kMinPeriodYear) return "";
  }
  return PeriodLabel(*p);
}

}  // namespace salesops::domain
