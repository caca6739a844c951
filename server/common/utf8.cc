#include "server/common/utf8.h"

#include <cstdint>

namespace salesops {
namespace {

// Decodes one code point at text[*i], advancing *i; returns -1 when invalid.
int32_t Decode(absl::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int extra;
  int32_t cp;
  int32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (*i + extra >= text.size()) return -1;
  for (int k = 1; k <= extra; ++k) {
    const uint8_t b = byte(*i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += extra + 1;
  return cp;
}

}  // namespace

std::optional<size_t> Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    if (Decode(text, &i) < 0) return std::nullopt;
    ++count;
  }
  return count;
}

bool HasControlCharacters(absl::string_view text, bool allow_newlines) {
  for (size_t i = 0; i < text.size();) {
    const int32_t cp = Decode(text, &i);
    if (cp < 0) return true;
    if (allow_newlines && (cp == '\n' || cp == '\r' || cp == '\t')) continue;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return true;
  }
  return false;
}

}  // namespace salesops
