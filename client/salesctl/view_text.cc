#include "view_text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "enum_names.h"
#include "money_text.h"
#include "time_text.h"

namespace salesctl {
namespace {

size_t Cells(double value, double scale, size_t width) {
  if (scale <= 0 || value <= 0 || !std::isfinite(value) || !std::isfinite(scale)) return 0;
  const double exact = std::min(value / scale, 1.0) * static_cast<double>(width);
  return std::max<size_t>(1, static_cast<size_t>(std::lround(exact)));
}

std::string Repeat(absl::string_view piece, size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) out.append(piece.data(), piece.size());
  return out;
}

}  // namespace

std::string GroupThousands(absl::string_view digits) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Bar(double value, double scale, size_t width) {
  return Repeat(kBarFull, Cells(value, scale, width));
}

std::string MeterBar(double value, double limit, double scale, size_t width) {
  const size_t used = Cells(value, scale, width);
  const size_t total = Cells(limit, scale, width);
  return absl::StrCat(Repeat(kBarFull, used), Repeat(kBarEmpty, total > used ? total - used : 0));
}

std::string GroupedMoney(const salesops::v1::Money& money) {
  const std::string plain = FormatMoney(money);  // "-1234567.89 CNY"
  const bool negative = !plain.empty() && plain[0] == '-';
  const size_t dot = plain.find('.');
  if (dot == std::string::npos) return plain;
  const size_t start = negative ? 1 : 0;
  return absl::StrCat(negative ? "-" : "",
                      GroupThousands(absl::string_view(plain).substr(start, dot - start)),
                      absl::string_view(plain).substr(dot));
}

std::string MoneyList(const google::protobuf::RepeatedPtrField<salesops::v1::Money>& amounts) {
  if (amounts.empty()) return "\u2014";
  std::string out;
  for (const salesops::v1::Money& money : amounts) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", GroupedMoney(money));
  }
  return out;
}

std::string Fixed(double value, int decimals) {
  std::string out = absl::StrFormat("%.*f", decimals, value);
  // A tiny negative value rounds to "-0.00"; nobody means that.
  if (out[0] == '-' && out.find_first_not_of("-0.") == std::string::npos) out.erase(0, 1);
  return out;
}

std::string Percent(double ratio, int decimals) { return absl::StrCat(Fixed(ratio * 100, decimals), "%"); }

std::string ViewLine(const salesops::v1::ViewInfo& view) {
  std::string out = absl::StrCat("log position ", view.position());
  if (view.has_now()) absl::StrAppend(&out, " \u00b7 ", FormatTimestamp(view.now(), true));
  if (view.as_of()) absl::StrAppend(&out, " \u00b7 replayed (as_of)");
  return out;
}

std::string PeriodText(const salesops::v1::ReviewPeriod& period) {
  std::string out = period.label();
  if (period.has_from() || period.has_to()) {
    absl::StrAppend(&out, out.empty() ? "" : " ", "[", FormatTimestamp(period.from(), true), ", ",
                    FormatTimestamp(period.to(), true), ")");
  }
  return out;
}

std::string RoleName(int role) { return EnumShortNameOf(*salesops::v1::Role_descriptor(), role); }

std::string StageName(int stage) { return EnumShortNameOf(*salesops::v1::Stage_descriptor(), stage); }

}  // namespace salesctl
