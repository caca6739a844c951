#include "table.h"

#include <vector>

#include "absl/strings/str_split.h"
#include "display_width.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesctl {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(TableTest, MixedChineseAndLatinRowsAlign) {
  Table table({{"ID", Align::kRight}, {"ACTOR"}, {"DETAILS"}});
  table.AddRow({"1", "张三", "报价已发送 quote sent"});
  table.AddRow({"22", "li.si", "ok"});
  table.AddRow({"333", "王小明ABC", "签约"});
  const std::vector<std::string> lines = Lines(table.Render());
  ASSERT_EQ(lines.size(), 4u);
  for (const std::string& line : lines) {
    EXPECT_EQ(DisplayWidth(line), DisplayWidth(lines[0])) << line;
  }
  // Each column starts at the same display column in every line.
  EXPECT_EQ(lines[0], " ID  ACTOR      DETAILS" + std::string(14, ' '));
  EXPECT_EQ(lines[1], "  1  张三       报价已发送 quote sent");
  EXPECT_EQ(lines[3], "333  王小明ABC  签约" + std::string(17, ' '));
}

TEST(TableTest, TruncatesToMaxWidthByDisplayWidth) {
  Table table({{"A"}, {"DETAILS", Align::kLeft, 10}});
  table.AddRow({"x", "客户希望下周再联系我们"});
  const std::vector<std::string> lines = Lines(table.Render());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "A  DETAILS  ");
  EXPECT_EQ(lines[1], "x  客户希望…");
  EXPECT_EQ(DisplayWidth(lines[1]), DisplayWidth(lines[0]));
}

TEST(TableTest, EscapesControlCharactersSoRowsStayOnOneLine) {
  Table table({{"NOTE"}});
  table.AddRow({"line1\nline2\tend"});
  EXPECT_EQ(table.Render(), "NOTE" + std::string(13, ' ') + "\nline1\\nline2\\tend\n");
}

TEST(TableTest, MissingCellsAreEmpty) {
  Table table({{"A"}, {"B"}});
  table.AddRow({"1"});
  EXPECT_EQ(table.Render(), "A  B\n1   \n");
}

TEST(EscapeControlTest, KeepsUtf8) { EXPECT_EQ(EscapeControl("张三\x01"), "张三\\x01"); }

}  // namespace
}  // namespace salesctl
