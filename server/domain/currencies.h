// The ISO 4217 currency codes a Money may name: the 179 codes of Debian 12's
// iso-codes package (/usr/share/iso-codes/json/iso_4217.json, 4.15),
// without XXX ("no currency") and XTS (reserved for testing). Generated once
// and checked in, so that every build accepts the same codes; a code added
// to the standard is added here by hand (docs/API.md, "Field limits").
#ifndef SALESOPS_SERVER_DOMAIN_CURRENCIES_H_
#define SALESOPS_SERVER_DOMAIN_CURRENCIES_H_

#include <algorithm>
#include <iterator>

#include "absl/strings/string_view.h"

namespace salesops::domain {

// Sorted, for a binary search.
inline constexpr absl::string_view kIso4217Codes[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD",
    "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP",
    "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU",
    "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB",
    "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD",
    "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU",
    "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR",
    "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS",
    "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD",
    "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWL",
};

// Whether `code` is one of kIso4217Codes.
inline bool IsIso4217Code(absl::string_view code) {
  return std::binary_search(std::begin(kIso4217Codes), std::end(kIso4217Codes), code);
}

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_CURRENCIES_H_
