// Word wrapping of UTF-8 text for a terminal, by display width
// (display_width.h), for help screens.
//
// A line may break at a space (which the break consumes), after '|' (enum
// value lists), and before or after a wide (CJK) character, since Chinese,
// Japanese and Korean text has no spaces between words — but never before
// closing punctuation such as "，" "。" "、" "）" "」", which stays with the
// character before it. A run without a break that is wider than the line is
// cut between characters. Multi-byte characters are never split, and
// zero-width characters stay with the character they follow.
//
// Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_TEXT_WRAP_H_
#define SALESOPS_CLIENT_SALESCTL_TEXT_WRAP_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace salesctl {

// `text` (runs of whitespace, newlines included, count as one space) as
// lines of at most `first_width` columns for the first line and
// `rest_width` for the others (each at least 1); no line has leading or
// trailing spaces. Empty text yields no lines.
std::vector<std::string> WrapToWidths(absl::string_view text, size_t first_width, size_t rest_width);

// The lines of WrapToWidths(text, width - width(first), width - width(rest)),
// the first prefixed with `first`, the others with `rest`, each followed by
// "\n": a hanging indent. At least `kMinWrapColumns` columns of text are
// left on a line whatever the prefixes. Empty text yields `first` + "\n"
// with trailing spaces removed.
inline constexpr size_t kMinWrapColumns = 20;
std::string WrapIndented(absl::string_view text, size_t width, absl::string_view first,
                         absl::string_view rest);

// The first sentence of `text`: up to and including the first '.', '!' or
// '?' followed by whitespace or the end (not the '.' of "e.g." or "i.e."),
// or the first "。", "！" or "？"; the whole text (trimmed) when it has none.
std::string FirstSentence(absl::string_view text);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_TEXT_WRAP_H_
