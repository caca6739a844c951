#include "display_width.h"

#include "gtest/gtest.h"

namespace salesctl {
namespace {

TEST(DisplayWidthTest, AsciiIsOneColumnPerCharacter) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
}

TEST(DisplayWidthTest, CjkIsTwoColumnsPerCharacter) {
  EXPECT_EQ(DisplayWidth("张三"), 4u);
  EXPECT_EQ(DisplayWidth("张三abc"), 7u);
  EXPECT_EQ(DisplayWidth("한국어"), 6u);      // Hangul syllables
  EXPECT_EQ(DisplayWidth("カタカナ"), 8u);    // Katakana
  EXPECT_EQ(DisplayWidth("ＡＢ"), 4u);        // fullwidth Latin
  EXPECT_EQ(DisplayWidth("，。"), 4u);        // CJK punctuation
  EXPECT_EQ(DisplayWidth("\U0001F600"), 2u);  // emoji
}

TEST(DisplayWidthTest, CombiningAndZeroWidthCharactersTakeNoColumn) {
  EXPECT_EQ(DisplayWidth("e\u0301"), 1u);       // e + combining acute
  EXPECT_EQ(DisplayWidth("a\u200Bb"), 2u);      // zero-width space
  EXPECT_EQ(DisplayWidth("\u200D\uFEFF"), 0u);  // ZWJ, BOM
}

TEST(DisplayWidthTest, AmbiguousCharactersAreNarrow) {
  EXPECT_EQ(DisplayWidth("\u2026"), 1u);  // …
  EXPECT_EQ(DisplayWidth("\u2192"), 1u);  // →
  EXPECT_EQ(DisplayWidth("é"), 1u);
}

TEST(DisplayWidthTest, InvalidBytesCountOneEach) {
  EXPECT_EQ(DisplayWidth("\xff\xfe"), 2u);
  EXPECT_EQ(DisplayWidth("a\xe5\xbc"), 3u);     // truncated 3-byte sequence
  EXPECT_EQ(DisplayWidth("\xc0\xaf"), 2u);      // overlong '/'
  EXPECT_EQ(DisplayWidth("\xed\xa0\x80"), 3u);  // UTF-16 surrogate
}

TEST(Utf8Test, DecodesAndValidates) {
  const Utf8Char c = DecodeUtf8("张");
  EXPECT_EQ(c.code_point, U'张');
  EXPECT_EQ(c.length, 3u);
  EXPECT_EQ(DecodeUtf8("\U0001F600").length, 4u);
  EXPECT_EQ(DecodeUtf8("\xff").code_point, kInvalidCodePoint);
  EXPECT_TRUE(IsValidUtf8("张三 abc é"));
  EXPECT_FALSE(IsValidUtf8("abc\xe5\xbc"));
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(TruncateToWidthTest, LeavesFittingTextAlone) {
  EXPECT_EQ(TruncateToWidth("张三", 4), "张三");
  EXPECT_EQ(TruncateToWidth("abc", 10), "abc");
}

TEST(TruncateToWidthTest, CutsAtCharacterBoundaryAndAddsEllipsis) {
  EXPECT_EQ(TruncateToWidth("abcdef", 4), "abc…");
  // 3 columns left for text: "张" (2) fits, "三" (2) would not.
  EXPECT_EQ(TruncateToWidth("张三李四", 4), "张…");
  EXPECT_EQ(TruncateToWidth("张三李四", 5), "张三…");
  EXPECT_EQ(TruncateToWidth("张三李四", 1), "…");
  EXPECT_EQ(TruncateToWidth("张三李四", 0), "");
  for (size_t width = 1; width < 9; ++width) {
    const std::string cut = TruncateToWidth("张三abc李四", width);
    EXPECT_LE(DisplayWidth(cut), width) << width;
    EXPECT_TRUE(IsValidUtf8(cut)) << width;
  }
}

TEST(TruncateToWidthTest, KeepsCombiningMarkWithItsBase) {
  EXPECT_EQ(TruncateToWidth("e\u0301xyz", 3), "e\u0301x…");
}

TEST(PadToWidthTest, PadsByDisplayWidth) {
  EXPECT_EQ(PadToWidth("张三", 6), "张三  ");
  EXPECT_EQ(PadToWidth("张三", 6, /*align_right=*/true), "  张三");
  EXPECT_EQ(PadToWidth("abcdef", 3), "abcdef");
}

}  // namespace
}  // namespace salesctl
