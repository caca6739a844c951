#include "help_text.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "display_width.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto_docs.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

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

// The lines of `text`.
std::vector<std::string> Lines(const std::string& text) { return absl::StrSplit(text, '\n'); }

// `text` with every run of whitespace made one space.
std::string Collapsed(absl::string_view text) {
  return absl::StrJoin(absl::StrSplit(text, absl::ByAnyChar(" \n"), absl::SkipEmpty()), " ");
}

TEST(GeneralHelpTest, CommandsAreDescribedByTheFirstSentenceWrappedUnderItself) {
  const std::string help = GeneralHelp(AllCommands());
  const std::string commands = help.substr(help.find("Commands:\n"));
  for (const std::string& line : Lines(commands)) {
    EXPECT_LE(DisplayWidth(line), kHelpWidth) << line;
  }
  EXPECT_THAT(commands,
              HasSubstr("    identify-lead                Records a new lead at IDENTIFIED and hands it\n"
                        "                                 to a BD_MANAGER.\n"
                        "    qualify-lead "));
  // Only the first sentence: the rest is in the command's own help.
  EXPECT_THAT(commands, Not(HasSubstr("That is the member named in options.assign_to")));
}

TEST(CommandHelpTest, ShowsTheWholeRpcCommentWrappedForEveryCommand) {
  for (const Command& command : AllCommands()) {
    const std::string help = CommandHelp(command);
    for (const std::string& line : Lines(help)) {
      EXPECT_LE(DisplayWidth(line), kHelpWidth) << command.name << ": " << line;
    }
    const std::string comment = MethodComment(*command.method);
    EXPECT_THAT(comment, Not(IsEmpty())) << command.name;
    EXPECT_THAT(Collapsed(help), HasSubstr(comment)) << command.name;
  }
  absl::StatusOr<const Command*> identify = FindCommand("identify-lead");
  ASSERT_TRUE(identify.ok());
  // Paragraphs stay paragraphs.
  EXPECT_THAT(CommandHelp(**identify), HasSubstr("unassigned queue.\n\nWho: a SALES_REP"));
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
