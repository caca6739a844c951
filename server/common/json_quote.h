// A JSON string literal of UTF-8 text: quotes, backslashes and control
// characters escaped, every other byte as it is (so CJK text stays
// readable). For JSON log lines and the bench's reports.
#ifndef SALESOPS_SERVER_COMMON_JSON_QUOTE_H_
#define SALESOPS_SERVER_COMMON_JSON_QUOTE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace salesops {

std::string JsonQuote(absl::string_view text);

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_JSON_QUOTE_H_
