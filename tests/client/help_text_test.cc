#include "help_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

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
  // The .proto comment (every RPC has one: proto_docs_test.cc).
  EXPECT_THAT(help, HasSubstr("Every event of one lead, in order"));
  EXPECT_THAT(help, HasSubstr("Records a new lead at IDENTIFIED"));
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

}  // namespace
}  // namespace salesctl
