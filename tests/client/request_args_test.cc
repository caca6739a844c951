#include "request_args.h"

#include "gmock/gmock.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;

TEST(ApplyRequestArgsTest, BuildsANestedRequestFromMixedFlagForms) {
  salesops::v1::IdentifyLeadRequest request;
  GlobalOptions globals;
  absl::StatusOr<RequestArgs> result =
      ApplyRequestArgs({"--company=北京某某科技", "--contact.name", "张三", "--contact.email=z@x.cn",
                        "--source=REFERRAL", "--estimated-value=1200.50CNY", "--request-id", "req-1",
                        "--expected_version=3", "--correlation_id=c-9", "--occurred_at=2026-11-28T10:00:00Z"},
                       &request, &globals);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->help);
  EXPECT_EQ(request.company(), "北京某某科技");
  EXPECT_EQ(request.contact().name(), "张三");
  EXPECT_EQ(request.contact().email(), "z@x.cn");
  EXPECT_EQ(request.source(), salesops::v1::LEAD_SOURCE_REFERRAL);
  EXPECT_EQ(request.estimated_value().amount_minor(), 120050);
  EXPECT_EQ(request.options().request_id(), "req-1");
  EXPECT_EQ(request.options().expected_version(), 3u);
  EXPECT_EQ(request.options().correlation_id(), "c-9");
  EXPECT_EQ(request.options().occurred_at().seconds(), 1795860000);
}

TEST(ApplyRequestArgsTest, RepeatedFlagsAppend) {
  salesops::v1::ReadLogRequest request;
  GlobalOptions globals;
  ASSERT_TRUE(ApplyRequestArgs({"--event_types=DealWon", "--event-types", "DealLost", "--limit=5"}, &request,
                               &globals)
                  .ok());
  EXPECT_THAT(request.event_types(), ::testing::ElementsAre("DealWon", "DealLost"));
  EXPECT_EQ(request.limit(), 5u);
}

TEST(ApplyRequestArgsTest, UnknownFlagNamesItAndTheValidFlags) {
  salesops::v1::GetLeadHistoryRequest request;
  GlobalOptions globals;
  absl::StatusOr<RequestArgs> result = ApplyRequestArgs({"--lead=ACME-1"}, &request, &globals);
  EXPECT_TRUE(absl::IsInvalidArgument(result.status()));
  const std::string message(result.status().message());
  EXPECT_THAT(message, HasSubstr("unknown flag --lead"));
  EXPECT_THAT(message, HasSubstr("--lead_id --from_version --page_size"));
}

TEST(ApplyRequestArgsTest, UsageErrors) {
  GlobalOptions globals;
  const auto error = [&](std::vector<std::string> args) {
    salesops::v1::IdentifyLeadRequest request;
    return std::string(ApplyRequestArgs(args, &request, &globals).status().message());
  };
  EXPECT_THAT(error({"ACME"}), HasSubstr("unexpected argument 'ACME'"));
  EXPECT_THAT(error({"--company"}), HasSubstr("--company needs a value"));
  EXPECT_THAT(error({"--company", "--owner=x"}), HasSubstr("--company needs a value"));
  EXPECT_THAT(error({"--company=A", "--company=B"}), HasSubstr("--company given more than once"));
  EXPECT_THAT(error({"--source=friend"}), HasSubstr("--source: 'friend'"));
  EXPECT_THAT(error({"--estimated_value=1.234 CNY"}), HasSubstr("--estimated_value: bad money value"));
  EXPECT_THAT(error({"--estimated_value=5 RMBX"}), HasSubstr("is not a 3-letter ISO 4217 code"));
  EXPECT_THAT(error({"--expected_version=-1"}), HasSubstr("--expected_version: '-1' is not a uint64"));
}

TEST(ApplyRequestArgsTest, HelpAndGlobalFlagsAfterTheCommand) {
  salesops::v1::GetLeadRequest request;
  GlobalOptions globals;
  absl::StatusOr<RequestArgs> result = ApplyRequestArgs(
      {"--lead_id=A", "--json", "--server", "h:1", "--timeout=2", "--help"}, &request, &globals);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->help);
  EXPECT_TRUE(globals.json);
  EXPECT_EQ(globals.server, "h:1");
  EXPECT_EQ(globals.timeout, absl::Seconds(2));
  EXPECT_EQ(request.lead_id(), "A");
}

TEST(ApplyRequestArgsTest, BoolFlagsMayOmitTheirValue) {
  GlobalOptions globals;
  google::protobuf::BoolValue bare;
  ASSERT_TRUE(ApplyRequestArgs({"--value"}, &bare, &globals).ok());
  EXPECT_TRUE(bare.value());

  google::protobuf::BoolValue spaced;
  spaced.set_value(true);
  ASSERT_TRUE(ApplyRequestArgs({"--value", "FALSE"}, &spaced, &globals).ok());
  EXPECT_FALSE(spaced.value());

  google::protobuf::BoolValue bad;
  EXPECT_TRUE(absl::IsInvalidArgument(ApplyRequestArgs({"--value=yes"}, &bad, &globals).status()));
}

}  // namespace
}  // namespace salesctl
