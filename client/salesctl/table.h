// A plain-text table whose columns align by terminal display width
// (display_width.h), so rows mixing Chinese and Latin text line up.
//
//   Table t({{"POS", Align::kRight}, {"ACTOR"}, {"DETAILS", Align::kLeft, 40}});
//   t.AddRow({"1", "张三", "Quote sent"});
//   std::cout << t.Render();
//
// Rendering: one header line, then one line per row, each ending in '\n'.
// Columns are separated by two spaces and every column, the last included, is
// padded to its width, so every rendered line has the same display width.
// Cells wider than their column's max_width are truncated with "…"
// (TruncateToWidth). Control characters in cells are escaped (EscapeControl)
// so that a cell never breaks a line. Not thread-safe; copyable.
#ifndef SALESOPS_CLIENT_SALESCTL_TABLE_H_
#define SALESOPS_CLIENT_SALESCTL_TABLE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace salesctl {

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  Align align = Align::kLeft;
  size_t max_width = 0;  // 0 = unlimited
};

class Table {
 public:
  explicit Table(std::vector<Column> columns);

  // Adds a row. Missing trailing cells are empty; extra cells are dropped.
  void AddRow(std::vector<std::string> cells);

  size_t row_count() const { return rows_.size(); }

  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // escaped and truncated
};

// Replaces "\n", "\r" and "\t" by their two-character escapes and other
// ASCII control characters by "\xNN"; leaves everything else (UTF-8) intact.
std::string EscapeControl(absl::string_view text);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_TABLE_H_
