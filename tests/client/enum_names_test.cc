#include "enum_names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salesops/v1/common.pb.h"

namespace salesctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(EnumNamesTest, PrefixFromEnumName) {
  EXPECT_EQ(EnumValuePrefix(*salesops::v1::LeadSource_descriptor()), "LEAD_SOURCE_");
  EXPECT_EQ(EnumValuePrefix(*salesops::v1::Stage_descriptor()), "STAGE_");
}

TEST(EnumNamesTest, ShortNames) {
  EXPECT_EQ(
      EnumShortName(*salesops::v1::Stage_descriptor()->FindValueByNumber(salesops::v1::STAGE_NEEDS_ANALYZED)),
      "NEEDS_ANALYZED");
  EXPECT_EQ(EnumShortNameOf(*salesops::v1::LossReason_descriptor(), salesops::v1::LOSS_REASON_NO_BUDGET),
            "NO_BUDGET");
  EXPECT_EQ(EnumShortNameOf(*salesops::v1::Stage_descriptor(), 99), "99");
}

TEST(EnumNamesTest, ParsesShortAndFullNamesInAnyCase) {
  const auto& source = *salesops::v1::LeadSource_descriptor();
  for (const char* text : {"referral", "REFERRAL", "Lead_Source_Referral", "LEAD_SOURCE_REFERRAL"}) {
    absl::StatusOr<const google::protobuf::EnumValueDescriptor*> value = ParseEnumValue(source, text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_EQ((*value)->number(), salesops::v1::LEAD_SOURCE_REFERRAL) << text;
  }
  absl::StatusOr<const google::protobuf::EnumValueDescriptor*> reason =
      ParseEnumValue(*salesops::v1::LossReason_descriptor(), "no-budget");
  ASSERT_TRUE(reason.ok());
  EXPECT_EQ((*reason)->number(), salesops::v1::LOSS_REASON_NO_BUDGET);
}

TEST(EnumNamesTest, UnknownValueListsChoices) {
  absl::StatusOr<const google::protobuf::EnumValueDescriptor*> value =
      ParseEnumValue(*salesops::v1::LeadSource_descriptor(), "friend");
  EXPECT_TRUE(absl::IsInvalidArgument(value.status()));
  EXPECT_THAT(std::string(value.status().message()), HasSubstr("referral, inbound"));
}

TEST(EnumNamesTest, SelectableNamesLeaveOutUnspecified) {
  EXPECT_THAT(SelectableEnumNames(*salesops::v1::LossReason_descriptor()),
              ElementsAre("price", "competitor", "no_budget", "no_decision", "timing", "other"));
}

}  // namespace
}  // namespace salesctl
