#include "text_wrap.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "display_width.h"

namespace salesctl {
namespace {

// One piece no line breaks inside: a word, or a wide character (with the
// closing punctuation and zero-width characters that follow it).
struct Piece {
  std::string text;
  size_t width = 0;
  bool space_before = false;  // a space separates it from the previous piece
};

bool IsSpace(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Punctuation that must not start a line (it closes what precedes it).
bool IsClosingPunctuation(char32_t c) {
  switch (c) {
    case U'\u3001':  // 、
    case U'\u3002':  // 。
    case U'\uFF0C':  // ，
    case U'\uFF0E':  // ．
    case U'\uFF1A':  // ：
    case U'\uFF1B':  // ；
    case U'\uFF01':  // ！
    case U'\uFF1F':  // ？
    case U'\uFF09':  // ）
    case U'\u300D':  // 」
    case U'\u300F':  // 』
    case U'\u3011':  // 】
    case U'\u300B':  // 》
    case U'\u3009':  // 〉
    case U'\u2019':  // ’
    case U'\u201D':  // ”
      return true;
    default:
      return false;
  }
}

std::vector<Piece> Pieces(absl::string_view text) {
  std::vector<Piece> pieces;
  bool space = false;
  bool open = false;  // the last piece may take more characters (a word, not yet ended)
  while (!text.empty()) {
    const Utf8Char c = DecodeUtf8(text);
    const absl::string_view bytes = text.substr(0, c.length);
    text.remove_prefix(c.length);
    if (IsSpace(c.code_point)) {
      space = true;
      open = false;
      continue;
    }
    const int width = CodePointWidth(c.code_point);
    // Joins the previous piece: zero-width characters and closing
    // punctuation (no break before them), and the rest of a word.
    const bool attach = !pieces.empty() && !space &&
                        (width == 0 || IsClosingPunctuation(c.code_point) || (open && width == 1));
    if (!attach) {
      pieces.push_back(Piece{"", 0, space && !pieces.empty()});
    }
    Piece& piece = pieces.back();
    piece.text.append(bytes.data(), bytes.size());
    piece.width += width;
    space = false;
    // A wide character ends its piece; so does '|' (a break may follow it).
    if (width == 2 || c.code_point == '|') {
      open = false;
    } else if (width == 1 && !IsClosingPunctuation(c.code_point)) {
      open = true;
    }
  }
  return pieces;
}

// Appends `piece`, cut between characters, to `lines`, as lines of at most
// the width `width_of(line index)`.
template <typename WidthOf>
void CutLongPiece(const Piece& piece, std::vector<std::string>& lines, std::string& line, size_t& line_width,
                  WidthOf width_of) {
  absl::string_view rest = piece.text;
  while (!rest.empty()) {
    const Utf8Char c = DecodeUtf8(rest);
    const size_t w = CodePointWidth(c.code_point);
    if (line_width > 0 && line_width + w > width_of(lines.size())) {
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    }
    line.append(rest.data(), c.length);
    line_width += w;
    rest.remove_prefix(c.length);
  }
}

}  // namespace

std::vector<std::string> WrapToWidths(absl::string_view text, size_t first_width, size_t rest_width) {
  first_width = std::max<size_t>(first_width, 1);
  rest_width = std::max<size_t>(rest_width, 1);
  const auto width_of = [&](size_t index) { return index == 0 ? first_width : rest_width; };
  std::vector<std::string> lines;
  std::string line;
  size_t line_width = 0;
  for (const Piece& piece : Pieces(text)) {
    const size_t gap = line_width > 0 && piece.space_before ? 1 : 0;
    if (line_width + gap + piece.width <= width_of(lines.size())) {
      if (gap > 0) line += ' ';
      line += piece.text;
      line_width += gap + piece.width;
      continue;
    }
    if (line_width > 0) {
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    }
    if (piece.width <= width_of(lines.size())) {
      line = piece.text;
      line_width = piece.width;
    } else {
      CutLongPiece(piece, lines, line, line_width, width_of);
    }
  }
  if (line_width > 0 || !line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string WrapIndented(absl::string_view text, size_t width, absl::string_view first,
                         absl::string_view rest) {
  const auto room = [width](absl::string_view prefix) {
    const size_t used = DisplayWidth(prefix);
    return width > used + kMinWrapColumns ? width - used : kMinWrapColumns;
  };
  const std::vector<std::string> lines = WrapToWidths(text, room(first), room(rest));
  if (lines.empty()) return std::string(absl::StripTrailingAsciiWhitespace(first)) + "\n";
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const absl::string_view prefix = i == 0 ? first : rest;
    out.append(prefix.data(), prefix.size());
    out.append(lines[i]);
    out += '\n';
  }
  return out;
}

std::string FirstSentence(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' || c == '!' || c == '?') {
      const bool at_end =
          i + 1 == text.size() || absl::ascii_isspace(static_cast<unsigned char>(text[i + 1]));
      if (!at_end) continue;
      const absl::string_view before = text.substr(0, i + 1);
      if (c == '.' && (absl::EndsWith(before, "e.g.") || absl::EndsWith(before, "i.e."))) continue;
      return std::string(before);
    }
    for (absl::string_view stop : {"\u3002", "\uFF01", "\uFF1F"}) {
      if (text.substr(i, stop.size()) == stop) return std::string(text.substr(0, i + stop.size()));
    }
  }
  return std::string(text);
}

}  // namespace salesctl
