#include "money_text.h"

#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace salesctl {
namespace {

constexpr absl::string_view kSyntax =
    "expected AMOUNT CURRENCY with at most 2 fraction digits, e.g. "
    "\"1200.50 CNY\"";

absl::Status MoneyError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("bad money value '", text, "': ", why));
}

// Consumes leading ASCII digits of `*rest` and returns them.
absl::string_view TakeDigits(absl::string_view* rest) {
  size_t n = 0;
  while (n < rest->size() && absl::ascii_isdigit((*rest)[n])) ++n;
  absl::string_view digits = rest->substr(0, n);
  rest->remove_prefix(n);
  return digits;
}

}  // namespace

absl::StatusOr<salesops::v1::Money> ParseMoney(absl::string_view text) {
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  bool negative = false;
  if (!rest.empty() && rest.front() == '-') {
    negative = true;
    rest.remove_prefix(1);
  }
  const absl::string_view units = TakeDigits(&rest);
  if (units.empty()) return MoneyError(text, kSyntax);
  absl::string_view fraction;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    fraction = TakeDigits(&rest);
    if (fraction.empty()) return MoneyError(text, kSyntax);
    if (fraction.size() > 2) {
      return MoneyError(text, "at most 2 fraction digits (minor units)");
    }
  }
  const absl::string_view currency = absl::StripLeadingAsciiWhitespace(rest);
  if (currency.empty()) {
    return MoneyError(text, "missing currency; " + std::string(kSyntax));
  }
  if (currency.size() != 3 || !absl::ascii_isalpha(currency[0]) || !absl::ascii_isalpha(currency[1]) ||
      !absl::ascii_isalpha(currency[2])) {
    return MoneyError(text, absl::StrCat("currency '", currency, "' is not a 3-letter ISO 4217 code"));
  }

  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t minor = 0;
  for (const char digit : units) {
    if (minor > (kMax - (digit - '0')) / 10) {
      return MoneyError(text, "amount too large");
    }
    minor = minor * 10 + (digit - '0');
  }
  int64_t fraction_minor = 0;
  for (size_t i = 0; i < 2; ++i) {
    fraction_minor = fraction_minor * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  if (minor > (kMax - fraction_minor) / 100) {
    return MoneyError(text, "amount too large");
  }
  minor = minor * 100 + fraction_minor;

  salesops::v1::Money money;
  money.set_amount_minor(negative ? -minor : minor);
  money.set_currency(absl::AsciiStrToUpper(currency));
  return money;
}

std::string FormatMoney(const salesops::v1::Money& money) {
  const int64_t minor = money.amount_minor();
  // Work in uint64 so that INT64_MIN does not overflow on negation.
  const uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string out = absl::StrFormat("%s%d.%02d", minor < 0 ? "-" : "", magnitude / 100, magnitude % 100);
  if (!money.currency().empty()) absl::StrAppend(&out, " ", money.currency());
  return out;
}

}  // namespace salesctl
