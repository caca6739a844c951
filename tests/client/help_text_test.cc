#include "help_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto_docs.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;

TEST(GeneralHelpTest, ListsEveryCommandGroupedByService) {
  const std::string help = GeneralHelp(AllCommands());
  EXPECT_THAT(help, HasSubstr("Usage: salesctl [--server=HOST:PORT]"));
  EXPECT_THAT(help, HasSubstr("  Leads (salesops.v1.Leads)\n"));
  EXPECT_THAT(help, HasSubstr("  Audit (salesops.v1.Audit)\n"));
  for (const Command& command : AllCommands()) {
    EXPECT_THAT(help, HasSubstr("    " + command.name + " ")) << command.name;
  }
  // The .proto comment when there is one, else the signature.
  EXPECT_THAT(help, HasSubstr("Every event of one lead, in order."));
  EXPECT_THAT(help, HasSubstr("IdentifyLeadRequest → LeadCommandReply"));
}

TEST(CommandHelpTest, ListsFieldsWithTypesEnumValuesAndComments) {
  absl::StatusOr<const Command*> command = FindCommand("identify-lead");
  ASSERT_TRUE(command.ok());
  const std::string help = CommandHelp(**command);
  EXPECT_THAT(help, HasSubstr("salesops.v1.Leads.IdentifyLead"));
  EXPECT_THAT(help, HasSubstr("--contact.name"));
  EXPECT_THAT(help, HasSubstr("LeadSource: market_research|data_analysis"));
  EXPECT_THAT(help, HasSubstr("--estimated_value"));
  EXPECT_THAT(help, HasSubstr("required; UTF-8, 1..200 characters"));
  EXPECT_THAT(help, HasSubstr("Command options"));
  EXPECT_THAT(help, HasSubstr("--expected_version"));
}

TEST(ProtoDocsTest, CommentsComeFromTheEmbeddedSources) {
  const auto* company = salesops::v1::IdentifyLeadRequest::descriptor()->FindFieldByName("company");
  EXPECT_EQ(FieldComment(*company), "required; UTF-8, 1..200 characters");
  const auto* request_id = salesops::v1::CommandOptions::descriptor()->FindFieldByName("request_id");
  EXPECT_THAT(FieldComment(*request_id), HasSubstr("Idempotency key, scoped to the authenticated member: "
                                                   "a retry"));
  const auto* read_log =
      salesops::v1::ReadLogRequest::descriptor()->file()->FindServiceByName("Audit")->FindMethodByName(
          "ReadLog");
  EXPECT_EQ(MethodComment(*read_log), "The whole log from a position, filtered and paginated.");
  const auto* identify =
      salesops::v1::IdentifyLeadRequest::descriptor()->file()->FindServiceByName("Leads")->FindMethodByName(
          "IdentifyLead");
  EXPECT_EQ(MethodComment(*identify), "");
}

}  // namespace
}  // namespace salesctl
