// Text form of salesops.v1.Money: "1200.50 CNY".
//
// Parsing accepts an optional '-', decimal digits, optionally '.' and one or
// two fraction digits, optional spaces, then a three-letter ISO 4217 code
// (letters are upper-cased): "1200.50 CNY", "1200.50CNY", "0.5 cny", "7 USD".
// amount_minor is the value times 100 ("0.5 CNY" -> 50). The client checks
// only the syntax; the server enforces the allowed range and currencies.
// Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_MONEY_TEXT_H_
#define SALESOPS_CLIENT_SALESCTL_MONEY_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/common.pb.h"

namespace salesctl {

// INVALID_ARGUMENT (saying what is wrong) for anything else: more than two
// fraction digits, a missing or malformed currency, an amount that overflows
// int64 minor units.
absl::StatusOr<salesops::v1::Money> ParseMoney(absl::string_view text);

// "1200.50 CNY", "-0.05 USD"; "1200.50" when the currency is empty.
std::string FormatMoney(const salesops::v1::Money& money);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_MONEY_TEXT_H_
