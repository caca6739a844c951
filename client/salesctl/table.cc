#include "table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "display_width.h"

namespace salesctl {

std::string EscapeControl(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      out += absl::StrFormat("\\x%02x", byte);
    } else {
      out += ch;
    }
  }
  return out;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string cell = EscapeControl(cells[i]);
    if (columns_[i].max_width > 0) {
      cell = TruncateToWidth(cell, columns_[i].max_width);
    }
    cells[i] = std::move(cell);
  }
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> widths(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    widths[i] = DisplayWidth(columns_[i].header);
    for (const auto& row : rows_) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  const auto render_line = [&](const auto& cell_at) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) out += "  ";
      out += PadToWidth(cell_at(i), widths[i], columns_[i].align == Align::kRight);
    }
    out += '\n';
  };
  render_line([&](size_t i) -> const std::string& { return columns_[i].header; });
  for (const auto& row : rows_) {
    render_line([&](size_t i) -> const std::string& { return row[i]; });
  }
  return out;
}

}  // namespace salesctl
