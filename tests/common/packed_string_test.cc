#include "server/common/packed_string.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

static_assert(sizeof(PackedString) == sizeof(void*), "a PackedString is one pointer in place");

TEST(PackedStringTest, HoldsBytesIntactIncludingCjkAndNul) {
  const std::string cjk = "杭州云帆科技有限公司：赢单后客户说“报价太高”";
  const std::string with_nul("a\0b", 3);
  for (const std::string& s : {cjk, with_nul, std::string(1, 'x'), std::string(5000, 'y')}) {
    const PackedString p(s);
    EXPECT_EQ(p.view(), s);
    EXPECT_EQ(p.str(), s);
    EXPECT_FALSE(p.empty());
  }
}

TEST(PackedStringTest, EmptyHoldsNothing) {
  const PackedString none;
  const PackedString empty(std::string{});
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(none, empty);
  EXPECT_EQ(none.view(), "");
  EXPECT_TRUE(none == static_cast<const char*>(nullptr));
  EXPECT_FALSE(PackedString("x") == static_cast<const char*>(nullptr));
  PackedString cleared("lead-1");
  cleared = std::string();
  EXPECT_TRUE(cleared.empty());
}

// A copy owns its bytes: changing or destroying the original leaves it.
TEST(PackedStringTest, CopiesOwnTheirBytesAndMovesTakeThem) {
  auto original = std::make_unique<PackedString>(std::string("ticket-0042"));
  PackedString copy = *original;
  PackedString assigned;
  assigned = *original;
  EXPECT_NE(copy.view().data(), original->view().data());
  *original = std::string("changed");
  EXPECT_EQ(copy, "ticket-0042");
  original.reset();
  EXPECT_EQ(assigned, "ticket-0042");
  PackedString moved = std::move(copy);
  EXPECT_EQ(moved, "ticket-0042");
  PackedString self("自己");
  const PackedString& alias = self;
  self = alias;  // assigns its own bytes
  EXPECT_EQ(self, "自己");
  self = self.view();  // from a view of its own bytes
  EXPECT_EQ(self, "自己");
}

TEST(PackedStringTest, ComparesByContent) {
  EXPECT_EQ(PackedString("a"), PackedString("a"));
  EXPECT_FALSE(PackedString("a") == PackedString("b"));
  EXPECT_FALSE(PackedString("ab") == PackedString("a"));
  std::vector<PackedString> v{PackedString("x")};
  v.resize(100);  // moves on reallocation keep the bytes
  EXPECT_EQ(v[0], "x");
}

}  // namespace
}  // namespace salesops
