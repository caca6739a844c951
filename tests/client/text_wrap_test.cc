#include "text_wrap.h"

#include <string>
#include <vector>

#include "display_width.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesctl {
namespace {

using ::testing::ElementsAreArray;

struct WrapCase {
  const char* name;
  std::string text;
  size_t first_width;
  size_t rest_width;
  std::vector<std::string> lines;
};

TEST(WrapToWidthsTest, Table) {
  const WrapCase cases[] = {
      {"empty text: no lines", "", 10, 10, {}},
      {"only spaces: no lines", "  \n\t ", 10, 10, {}},
      {"fits: one line", "one two", 10, 10, {"one two"}},
      {"breaks at spaces, which it drops", "one two three four", 9, 9, {"one two", "three", "four"}},
      {"whitespace runs and newlines are one space", "one\n  two\tthree", 20, 20, {"one two three"}},
      {"exactly the width fits", "abcde fghij", 5, 5, {"abcde", "fghij"}},
      {"the first line may be narrower", "aa bb cc dd", 2, 5, {"aa", "bb cc", "dd"}},
      {"a word wider than the line is cut", "abcdefghij xy", 4, 4, {"abcd", "efgh", "ij", "xy"}},
      {"breaks after '|'", "a|bb|cc|dd", 6, 6, {"a|bb|", "cc|dd"}},
      {"CJK breaks between characters (2 columns each)", "销售管理系统", 5, 5, {"销售", "管理", "系统"}},
      {"closing punctuation stays with the character before",
       "销售，管理。系统",
       4,
       4,
       {"销", "售，", "管", "理。", "系统"}},
      {"mixed Latin and CJK", "API接口 for 客户", 7, 7, {"API接口", "for 客", "户"}},
      {"zero-width characters stay with their character",
       "e\u0301e\u0301 ab",
       2,
       2,
       {"e\u0301e\u0301", "ab"}},
      {"a wide character wider than the line still goes out", "销", 1, 1, {"销"}},
  };
  for (const WrapCase& c : cases) {
    EXPECT_THAT(WrapToWidths(c.text, c.first_width, c.rest_width), ElementsAreArray(c.lines)) << c.name;
  }
}

TEST(WrapToWidthsTest, LinesFitAndNeverSplitACharacter) {
  const std::string text =
      "客户要求月底签约，rep1 出差；请在 2026-11-28 前完成报价。The quote (v2) covers 500 seats, "
      "on-premises, with a 12.5% discount — approved by 陈静.";
  for (size_t width = 2; width <= 40; ++width) {
    std::string joined;
    for (const std::string& line : WrapToWidths(text, width, width)) {
      EXPECT_LE(DisplayWidth(line), width) << line;
      EXPECT_TRUE(IsValidUtf8(line)) << line;
      EXPECT_NE(line.front(), ' ');
      EXPECT_NE(line.back(), ' ');
      if (width >= 4) {  // "售，" takes 4 columns: narrower lines must cut it
        EXPECT_NE(line.rfind("，", 0), 0u) << "a line starts with closing punctuation: " << line;
      }
      joined += line;
    }
    std::string without_spaces;
    for (char c : text) {
      if (c != ' ') without_spaces += c;
    }
    std::string joined_without_spaces;
    for (char c : joined) {
      if (c != ' ') joined_without_spaces += c;
    }
    EXPECT_EQ(joined_without_spaces, without_spaces) << "width " << width;
  }
}

TEST(WrapIndentedTest, HangingIndent) {
  EXPECT_EQ(WrapIndented("one two three four five six seven eight nine", 30, "  --flag  ", "          "),
            "  --flag  one two three four\n"
            "          five six seven eight\n"
            "          nine\n");
  EXPECT_EQ(WrapIndented("", 30, "  --flag  ", "          "), "  --flag\n");
  // A prefix leaves at least kMinWrapColumns of text, even past the width.
  const std::string wide_prefix(30, '.');
  EXPECT_EQ(WrapIndented("aaaa bbbb cccc dddd eeee", 32, wide_prefix, ""),
            wide_prefix + "aaaa bbbb cccc dddd\neeee\n");
}

TEST(FirstSentenceTest, Table) {
  const struct {
    const char* text;
    const char* sentence;
  } cases[] = {
      {"Qualifies a lead. It moves to QUALIFIED.", "Qualifies a lead."},
      {"  Every event of one lead, in order.  ", "Every event of one lead, in order."},
      {"No full stop at all", "No full stop at all"},
      {"Hands it on (e.g. from the queue). Then more.", "Hands it on (e.g. from the queue)."},
      {"Reads docs/API.md first. Then more.", "Reads docs/API.md first."},
      {"Version 1.5 is out? Yes.", "Version 1.5 is out?"},
      {"识别新的线索。然后交给 BD。", "识别新的线索。"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(FirstSentence(c.text), c.sentence) << c.text;
}

}  // namespace
}  // namespace salesctl
