#include "field_flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesctl {
namespace {

using ::salesops::v1::IdentifyLeadRequest;
using ::testing::HasSubstr;

absl::Status Set(absl::string_view name, absl::string_view value, google::protobuf::Message* request) {
  absl::StatusOr<FieldPath> path = ResolveFieldPath(*request->GetDescriptor(), name);
  if (!path.ok()) return path.status();
  return SetFieldFromText(*path, value, request);
}

TEST(ResolveFieldPathTest, DirectNestedAndOptionsFields) {
  const auto& type = *IdentifyLeadRequest::descriptor();
  absl::StatusOr<FieldPath> company = ResolveFieldPath(type, "company");
  ASSERT_TRUE(company.ok());
  EXPECT_EQ(company->canonical, "company");

  absl::StatusOr<FieldPath> name = ResolveFieldPath(type, "contact.name");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->canonical, "contact.name");
  EXPECT_EQ(name->fields.size(), 2u);

  absl::StatusOr<FieldPath> request_id = ResolveFieldPath(type, "request_id");
  ASSERT_TRUE(request_id.ok());
  EXPECT_EQ(request_id->canonical, "options.request_id");

  absl::StatusOr<FieldPath> spelled = ResolveFieldPath(type, "options.request_id");
  ASSERT_TRUE(spelled.ok());
  EXPECT_EQ(spelled->canonical, "options.request_id");
}

TEST(ResolveFieldPathTest, UnknownAndInvalidPaths) {
  const auto& type = *IdentifyLeadRequest::descriptor();
  EXPECT_TRUE(absl::IsNotFound(ResolveFieldPath(type, "nope").status()));
  EXPECT_TRUE(absl::IsNotFound(ResolveFieldPath(type, "contact.nope").status()));
  EXPECT_TRUE(absl::IsNotFound(ResolveFieldPath(type, "contact.").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ResolveFieldPath(type, "company.name").status()));
  // GetLeadRequest has no options, so no fallback.
  EXPECT_TRUE(
      absl::IsNotFound(ResolveFieldPath(*salesops::v1::GetLeadRequest::descriptor(), "request_id").status()));
}

TEST(SetFieldFromTextTest, StringsPassThroughUtf8Intact) {
  IdentifyLeadRequest request;
  ASSERT_TRUE(Set("company", "北京某某科技有限公司", &request).ok());
  ASSERT_TRUE(Set("contact.name", "张三", &request).ok());
  EXPECT_EQ(request.company(), "北京某某科技有限公司");
  EXPECT_EQ(request.contact().name(), "张三");
  EXPECT_TRUE(absl::IsInvalidArgument(Set("owner", "bad\xff", &request)));
}

TEST(SetFieldFromTextTest, IntegersAreRangeChecked) {
  salesops::v1::QualifyLeadRequest request;
  ASSERT_TRUE(Set("score", "-5", &request).ok());
  EXPECT_EQ(request.score(), -5);
  EXPECT_TRUE(absl::IsInvalidArgument(Set("score", "2147483648", &request)));
  EXPECT_TRUE(absl::IsInvalidArgument(Set("score", "12abc", &request)));
  EXPECT_TRUE(absl::IsInvalidArgument(Set("score", "1.5", &request)));

  salesops::v1::SendQuoteRequest quote;
  ASSERT_TRUE(Set("discount_basis_points", "4294967295", &quote).ok());
  EXPECT_EQ(quote.discount_basis_points(), 4294967295u);
  EXPECT_TRUE(absl::IsInvalidArgument(Set("discount_basis_points", "4294967296", &quote)));
  EXPECT_TRUE(absl::IsInvalidArgument(Set("discount_basis_points", "-1", &quote)));

  ASSERT_TRUE(Set("expected_version", "18446744073709551615", &quote).ok());
  EXPECT_EQ(quote.options().expected_version(), UINT64_MAX);
  EXPECT_TRUE(quote.options().has_expected_version());
}

TEST(SetFieldFromTextTest, ExpectedVersionZeroIsPresent) {
  salesops::v1::WinDealRequest request;
  ASSERT_TRUE(Set("expected_version", "0", &request).ok());
  EXPECT_TRUE(request.options().has_expected_version());
}

TEST(SetFieldFromTextTest, EnumsTakeShortOrFullNames) {
  IdentifyLeadRequest request;
  ASSERT_TRUE(Set("source", "referral", &request).ok());
  EXPECT_EQ(request.source(), salesops::v1::LEAD_SOURCE_REFERRAL);
  ASSERT_TRUE(Set("source", "LEAD_SOURCE_INBOUND", &request).ok());
  EXPECT_EQ(request.source(), salesops::v1::LEAD_SOURCE_INBOUND);
  const absl::Status bad = Set("source", "friend", &request);
  EXPECT_TRUE(absl::IsInvalidArgument(bad));
  EXPECT_THAT(std::string(bad.message()), HasSubstr("market_research"));

  salesops::v1::LoseDealRequest lose;
  ASSERT_TRUE(Set("reason", "no_budget", &lose).ok());
  EXPECT_EQ(lose.reason(), salesops::v1::LOSS_REASON_NO_BUDGET);
}

TEST(SetFieldFromTextTest, MoneySugarAndSubFields) {
  IdentifyLeadRequest request;
  ASSERT_TRUE(Set("estimated_value", "1200.50 CNY", &request).ok());
  EXPECT_EQ(request.estimated_value().amount_minor(), 120050);
  EXPECT_EQ(request.estimated_value().currency(), "CNY");

  IdentifyLeadRequest by_parts;
  ASSERT_TRUE(Set("estimated_value.amount_minor", "50", &by_parts).ok());
  ASSERT_TRUE(Set("estimated_value.currency", "USD", &by_parts).ok());
  EXPECT_EQ(by_parts.estimated_value().amount_minor(), 50);
  EXPECT_EQ(by_parts.estimated_value().currency(), "USD");

  EXPECT_TRUE(absl::IsInvalidArgument(Set("estimated_value", "1.234 CNY", &request)));
}

TEST(SetFieldFromTextTest, TimestampFromRfc3339) {
  salesops::v1::RecordNeedsRequest request;
  ASSERT_TRUE(Set("occurred_at", "2026-11-28T18:00:00+08:00", &request).ok());
  EXPECT_EQ(request.options().occurred_at().seconds(), 1795860000);
  EXPECT_TRUE(absl::IsInvalidArgument(Set("occurred_at", "2026-11-28", &request)));
}

TEST(SetFieldFromTextTest, RepeatedFieldsAppend) {
  salesops::v1::ProposeSolutionRequest request;
  ASSERT_TRUE(Set("products", "CRM 标准版", &request).ok());
  ASSERT_TRUE(Set("products", "B", &request).ok());
  ASSERT_EQ(request.products_size(), 2);
  EXPECT_EQ(request.products(0), "CRM 标准版");
  EXPECT_EQ(request.products(1), "B");
}

TEST(SetFieldFromTextTest, OtherMessagesTakeJson) {
  IdentifyLeadRequest request;
  ASSERT_TRUE(Set("contact", R"({"name": "李四", "email": "li@example.com"})", &request).ok());
  EXPECT_EQ(request.contact().name(), "李四");
  EXPECT_EQ(request.contact().email(), "li@example.com");
  const absl::Status plain = Set("contact", "李四", &request);
  EXPECT_TRUE(absl::IsInvalidArgument(plain));
  EXPECT_THAT(std::string(plain.message()), HasSubstr("--contact.<field>"));
  EXPECT_TRUE(absl::IsInvalidArgument(Set("contact", "{bad json", &request)));
}

TEST(ListFlagsTest, ExpandsMessagesAndListsOptionsLast) {
  std::vector<std::string> paths;
  for (const FlagInfo& flag : ListFlags(*IdentifyLeadRequest::descriptor())) {
    paths.push_back(flag.path + (flag.via_options ? " (options)" : ""));
  }
  EXPECT_THAT(paths, ::testing::ElementsAre("lead_id", "company", "contact.name", "contact.email",
                                            "contact.phone", "source", "estimated_value", "owner", "account_id",
                                            "new_account", "referred_by_account_id", "request_id (options)", "expected_version (options)",
                                            "correlation_id (options)", "occurred_at (options)",
                                            "override_reason (options)", "assign_to (options)"));
}

TEST(DescribeFieldTypeTest, NamesTypesAndChoices) {
  const auto& type = *IdentifyLeadRequest::descriptor();
  EXPECT_EQ(DescribeFieldType(*type.FindFieldByName("company")), "string");
  EXPECT_EQ(DescribeFieldType(*type.FindFieldByName("source")),
            "LeadSource: market_research|data_analysis|social_network|"
            "referral|inbound|event|other");
  EXPECT_THAT(DescribeFieldType(*type.FindFieldByName("estimated_value")), HasSubstr("1200.50 CNY"));
  EXPECT_EQ(DescribeFieldType(*salesops::v1::ReadLogRequest::descriptor()->FindFieldByName("event_types")),
            "string (repeatable)");
}

}  // namespace
}  // namespace salesctl
