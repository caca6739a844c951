#include "money_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;

void ExpectMoney(absl::string_view text, int64_t minor, absl::string_view currency) {
  absl::StatusOr<salesops::v1::Money> money = ParseMoney(text);
  ASSERT_TRUE(money.ok()) << text << ": " << money.status();
  EXPECT_EQ(money->amount_minor(), minor) << text;
  EXPECT_EQ(money->currency(), currency) << text;
}

TEST(ParseMoneyTest, AcceptsDecimalAmountsWithCurrency) {
  ExpectMoney("1200.50 CNY", 120050, "CNY");
  ExpectMoney("1200.50CNY", 120050, "CNY");
  ExpectMoney("  7 USD ", 700, "USD");
  ExpectMoney("0.5 CNY", 50, "CNY");
  ExpectMoney("0.05 EUR", 5, "EUR");
  ExpectMoney("0 CNY", 0, "CNY");
  ExpectMoney("12 cny", 1200, "CNY");
  ExpectMoney("-3.10 CNY", -310, "CNY");
  ExpectMoney("92233720368547758.07 CNY", INT64_MAX, "CNY");
}

void ExpectRejected(absl::string_view text, absl::string_view why) {
  absl::StatusOr<salesops::v1::Money> money = ParseMoney(text);
  EXPECT_TRUE(absl::IsInvalidArgument(money.status())) << text;
  EXPECT_THAT(std::string(money.status().message()), HasSubstr(why)) << text;
}

TEST(ParseMoneyTest, RejectsMoreThanTwoFractionDigits) {
  ExpectRejected("1.234 CNY", "at most 2 fraction digits");
}

TEST(ParseMoneyTest, RejectsBadCurrency) {
  ExpectRejected("1.00", "missing currency");
  ExpectRejected("1.00 CN", "not a 3-letter ISO 4217 code");
  ExpectRejected("1.00 CNYY", "not a 3-letter ISO 4217 code");
  ExpectRejected("1.00 C1Y", "not a 3-letter ISO 4217 code");
  ExpectRejected("1.00 元", "not a 3-letter ISO 4217 code");
}

TEST(ParseMoneyTest, RejectsMalformedAmounts) {
  ExpectRejected("CNY", "expected AMOUNT CURRENCY");
  ExpectRejected(".5 CNY", "expected AMOUNT CURRENCY");
  ExpectRejected("1. CNY", "expected AMOUNT CURRENCY");
  ExpectRejected("1,200.00 CNY", "currency");
  ExpectRejected("", "expected AMOUNT CURRENCY");
  ExpectRejected("92233720368547758.08 CNY", "too large");
  ExpectRejected("99999999999999999999 CNY", "too large");
}

TEST(FormatMoneyTest, TwoDecimalsAndCurrency) {
  salesops::v1::Money money;
  money.set_amount_minor(120050);
  money.set_currency("CNY");
  EXPECT_EQ(FormatMoney(money), "1200.50 CNY");
  money.set_amount_minor(5);
  EXPECT_EQ(FormatMoney(money), "0.05 CNY");
  money.set_amount_minor(-310);
  EXPECT_EQ(FormatMoney(money), "-3.10 CNY");
  money.set_amount_minor(INT64_MIN);
  EXPECT_EQ(FormatMoney(money), "-92233720368547758.08 CNY");
  money.clear_currency();
  money.set_amount_minor(100);
  EXPECT_EQ(FormatMoney(money), "1.00");
}

}  // namespace
}  // namespace salesctl
