#include "command_line.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ParseFlagTokenTest, Forms) {
  std::optional<FlagToken> with_value = ParseFlagToken("--contact-name=张=三");
  ASSERT_TRUE(with_value.has_value());
  EXPECT_EQ(with_value->name, "contact_name");
  EXPECT_EQ(with_value->value, "张=三");
  std::optional<FlagToken> bare = ParseFlagToken("--json");
  ASSERT_TRUE(bare.has_value());
  EXPECT_FALSE(bare->value.has_value());
  std::optional<FlagToken> empty = ParseFlagToken("--note=");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->value, "");
  EXPECT_EQ(ParseFlagToken("-h")->name, "help");
  EXPECT_FALSE(ParseFlagToken("get-lead").has_value());
  EXPECT_FALSE(ParseFlagToken("--").has_value());
  EXPECT_FALSE(ParseFlagToken("--=x").has_value());
}

TEST(ParseCommandLineTest, DefaultsAndEnvironment) {
  absl::StatusOr<CommandLine> plain = ParseCommandLine({"get-lead"}, FakeEnv({}));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->globals.server, "127.0.0.1:50051");
  EXPECT_EQ(plain->globals.token, "");
  EXPECT_FALSE(plain->globals.json);
  EXPECT_FALSE(plain->globals.timeout.has_value());

  absl::StatusOr<CommandLine> env =
      ParseCommandLine({"get-lead"}, FakeEnv({{"SALESOPS_SERVER", "db:7000"}, {"SALESOPS_TOKEN", "t0k"}}));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->globals.server, "db:7000");
  EXPECT_EQ(env->globals.token, "t0k");

  absl::StatusOr<CommandLine> flags = ParseCommandLine(
      {"--server=x:1", "--token", "abc", "--json", "--timeout=1.5", "get-lead", "--lead_id=A"},
      FakeEnv({{"SALESOPS_SERVER", "db:7000"}, {"SALESOPS_TOKEN", "t0k"}}));
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->globals.server, "x:1");
  EXPECT_EQ(flags->globals.token, "abc");
  EXPECT_TRUE(flags->globals.json);
  EXPECT_EQ(flags->globals.timeout, absl::Milliseconds(1500));
  EXPECT_EQ(flags->command, "get-lead");
  EXPECT_THAT(flags->command_args, ElementsAre("--lead_id=A"));
  EXPECT_FALSE(flags->help);
}

TEST(ParseCommandLineTest, HelpForms) {
  absl::StatusOr<CommandLine> none = ParseCommandLine({}, FakeEnv({}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->command.empty());

  absl::StatusOr<CommandLine> help = ParseCommandLine({"help"}, FakeEnv({}));
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->help);
  EXPECT_TRUE(help->command.empty());

  absl::StatusOr<CommandLine> help_cmd = ParseCommandLine({"help", "read-log"}, FakeEnv({}));
  ASSERT_TRUE(help_cmd.ok());
  EXPECT_TRUE(help_cmd->help);
  EXPECT_EQ(help_cmd->command, "read-log");

  absl::StatusOr<CommandLine> flag = ParseCommandLine({"--help"}, FakeEnv({}));
  ASSERT_TRUE(flag.ok());
  EXPECT_TRUE(flag->help);
}

TEST(ParseCommandLineTest, BadGlobalFlags) {
  const auto error = [](std::vector<std::string> args) {
    return std::string(ParseCommandLine(args, FakeEnv({})).status().message());
  };
  EXPECT_THAT(error({"--lead_id=A", "get-lead"}), HasSubstr("unknown global flag --lead_id"));
  EXPECT_THAT(error({"--timeout=0", "get-lead"}), HasSubstr("positive"));
  EXPECT_THAT(error({"--timeout=soon", "get-lead"}), HasSubstr("--timeout"));
  EXPECT_THAT(error({"--server"}), HasSubstr("--server needs a value"));
  EXPECT_THAT(error({"--token=a\nb", "get-lead"}), HasSubstr("printable ASCII"));
  EXPECT_THAT(error({"--json=maybe", "get-lead"}), HasSubstr("--json"));
  EXPECT_THAT(error({"-x", "get-lead"}), HasSubstr("unknown flag '-x'"));
  EXPECT_TRUE(ParseCommandLine({"--timeout=500ms", "x"}, FakeEnv({})).ok());
}

}  // namespace
}  // namespace salesctl
