// Terminal display width of UTF-8 text, for aligning tables that mix Latin
// and CJK text.
//
// Widths follow Unicode East Asian Width in the way terminals render it:
//   * 2 columns: East Asian Wide and Fullwidth characters (Hangul Jamo
//     initials, CJK radicals/symbols/punctuation, Hiragana, Katakana, Bopomofo,
//     CJK ideographs incl. extensions and compatibility forms, Yi, Hangul
//     syllables, fullwidth forms, and the common emoji blocks);
//   * 0 columns: combining marks, zero-width characters (ZWSP, ZWJ, ZWNJ,
//     bidi marks, word joiner, BOM), variation selectors and control
//     characters;
//   * 1 column: everything else, including every byte that is not part of a
//     valid UTF-8 sequence (each such byte counts as one character).
// Ambiguous-width characters (e.g. "…", "→") count 1, as in non-CJK locales.
//
// All functions are pure and thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_DISPLAY_WIDTH_H_
#define SALESOPS_CLIENT_SALESCTL_DISPLAY_WIDTH_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace salesctl {

// One decoded character of a UTF-8 string.
struct Utf8Char {
  char32_t code_point;  // kInvalidCodePoint for an invalid byte
  size_t length;        // bytes consumed from the input, >= 1
};

inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the character at the start of `text` (which must not be empty).
// Overlong encodings, surrogates, code points above U+10FFFF and truncated
// sequences are invalid: they yield {kInvalidCodePoint, 1}.
Utf8Char DecodeUtf8(absl::string_view text);

// True when `text` is entirely well-formed UTF-8.
bool IsValidUtf8(absl::string_view text);

// Columns one code point takes (0, 1 or 2); kInvalidCodePoint takes 1.
int CodePointWidth(char32_t code_point);

// Columns `text` takes on a terminal: the sum of its characters' widths.
size_t DisplayWidth(absl::string_view text);

// Returns `text` unchanged when it fits in `max_width` columns; otherwise the
// longest prefix of whole characters that fits in `max_width - 1` columns
// followed by "…" (so the result is at most `max_width` columns wide). Zero-
// width characters that follow a kept character are kept with it. Never
// splits a multi-byte character. `max_width == 0` yields "".
std::string TruncateToWidth(absl::string_view text, size_t max_width);

// Returns `text` padded with spaces on the right (or on the left when
// `align_right`) to `width` columns. Text already wider is returned as is.
std::string PadToWidth(absl::string_view text, size_t width, bool align_right = false);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_DISPLAY_WIDTH_H_
