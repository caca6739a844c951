// UTF-8 validation and character counting for user-supplied text. Names and
// free text are stored and returned byte for byte; limits count code points.
#ifndef SALESOPS_SERVER_COMMON_UTF8_H_
#define SALESOPS_SERVER_COMMON_UTF8_H_

#include <cstddef>
#include <optional>

#include "absl/strings/string_view.h"

namespace salesops {

// Returns the number of code points when `text` is well-formed UTF-8
// (no overlong forms, no surrogates, nothing above U+10FFFF), else nullopt.
std::optional<size_t> Utf8Length(absl::string_view text);

// True when `text` holds a C0/C1 control character or DEL. With
// `allow_newlines`, '\n', '\r' and '\t' are allowed. `text` must be valid UTF-8.
bool HasControlCharacters(absl::string_view text, bool allow_newlines);

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_UTF8_H_
