// salesctl against the real salesopsd: the CLI as a user runs it.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"

extern char** environ;

namespace salesops {
namespace {

using ::salesops::testing::kAliceToken;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SalesctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    // The team, through salesctl as the bootstrapped ADMIN.
    const CliRun add = Salesctl({"add-member", "--member_id=alice", "--display_name=王芳", "--roles=sales_rep",
                                 "--roles=bd_manager"},
                                kRootToken);
    ASSERT_EQ(add.exit_code, 0) << add.err;
    const CliRun list = Salesctl({"list-members"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_THAT(list.out, HasSubstr("王芳"));
  }

  // Runs salesctl with the server and token flags plus `args`.
  CliRun Salesctl(std::vector<std::string> args, const char* token = kAliceToken) {
    std::vector<std::string> all = {SALESCTL_PATH, absl::StrCat("--server=", server_->address())};
    if (token != nullptr) all.push_back(absl::StrCat("--token=", token));
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out = dir_.path() + "/out", err = dir_.path() + "/err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    CliRun run;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
      int status = 0;
      waitpid(pid, &status, 0);
      run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    run.out = ReadFile(out);
    run.err = ReadFile(err);
    return run;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(SalesctlTest, DrivesALeadToWonAndPrintsItsHistory) {
  const std::vector<std::vector<std::string>> steps = {
      {"identify-lead", "--lead_id=cn-1", "--company=北京星辰科技有限公司", "--contact.name=王芳",
       "--source=referral", "--estimated_value=120000 CNY"},
      {"qualify-lead", "--lead_id=cn-1", "--score=75"},
      {"record-needs", "--lead_id=cn-1", "--requirements=两百个席位"},
      {"propose-solution", "--lead_id=cn-1", "--summary=标准版", "--products=标准版", "--value=110000 CNY"},
      {"send-quote", "--lead_id=cn-1", "--quote_id=Q-7", "--amount=105000.50 CNY", "--valid_until=2026-12-31"},
      {"win-deal", "--lead_id=cn-1", "--final_amount=105000.50 CNY", "--signed_date=2026-11-28"},
  };
  for (const auto& step : steps) {
    const CliRun run = Salesctl(step);
    ASSERT_EQ(run.exit_code, 0) << step[0] << ": " << run.err;
  }
  const CliRun lead = Salesctl({"get-lead", "--lead_id=cn-1"});
  ASSERT_EQ(lead.exit_code, 0) << lead.err;
  EXPECT_THAT(lead.out, HasSubstr("company: 北京星辰科技有限公司"));
  EXPECT_THAT(lead.out, HasSubstr("stage: WON"));
  EXPECT_THAT(lead.out, HasSubstr("won_amount: 105000.50 CNY"));

  const CliRun history = Salesctl({"get-lead-history", "--lead_id=cn-1"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr("QUOTED → WON"));
  EXPECT_THAT(history.out, HasSubstr("两百个席位"));
  // Every table row has the same display width: the CJK cells are padded by
  // display columns, not bytes. Rows are the lines after the "lead:" line.
  std::vector<std::string> rows = absl::StrSplit(history.out, '\n', absl::SkipEmpty());
  ASSERT_GE(rows.size(), 7u);
  const auto width = [](const std::string& s) {
    size_t w = 0;
    for (size_t i = 0; i < s.size();) {
      const unsigned char c = s[i];
      const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      // Test texts: CJK and fullwidth punctuation are 3-byte and 2 columns;
      // the arrow and ellipsis are 3-byte and 1 column.
      const std::string ch = s.substr(i, len);
      w += (len == 3 && ch != "→" && ch != "…") ? 2 : 1;
      i += len;
    }
    return w;
  };
  const size_t header_width = width(rows[1]);
  for (size_t i = 2; i < rows.size(); ++i) EXPECT_EQ(width(rows[i]), header_width) << rows[i];

  const CliRun json = Salesctl({"--json", "get-lead", "--lead_id=cn-1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"stage\":\"STAGE_WON\""));
  EXPECT_THAT(json.out, HasSubstr("\"company\":\"北京星辰科技有限公司\""));
}

TEST_F(SalesctlTest, ErrorsExitWithTheGrpcCodeAndMessage) {
  ASSERT_EQ(Salesctl({"identify-lead", "--lead_id=e-1", "--company=甲公司", "--contact.name=赵六",
                      "--source=inbound"})
                .exit_code,
            0);
  const CliRun wrong_stage = Salesctl({"win-deal", "--lead_id=e-1", "--final_amount=1 CNY", "--signed_date=2026-11-28"});
  EXPECT_EQ(wrong_stage.exit_code, 9);  // FAILED_PRECONDITION
  EXPECT_THAT(wrong_stage.err, HasSubstr("FAILED_PRECONDITION (9): lead 'e-1' is in stage IDENTIFIED"));
  EXPECT_THAT(wrong_stage.out, Not(HasSubstr("lead_id")));

  const CliRun bad = Salesctl({"identify-lead", "--lead_id=e-2", "--company=", "--contact.name=x", "--source=inbound"});
  EXPECT_EQ(bad.exit_code, 3);  // INVALID_ARGUMENT
  EXPECT_THAT(bad.err, HasSubstr("company: must be 1..200 characters"));

  const CliRun unknown = Salesctl({"get-lead", "--lead_id=nobody"});
  EXPECT_EQ(unknown.exit_code, 5);  // NOT_FOUND

  const CliRun no_token = Salesctl({"get-lead", "--lead_id=e-1"}, /*token=*/nullptr);
  EXPECT_EQ(no_token.exit_code, 16);  // UNAUTHENTICATED
}

}  // namespace
}  // namespace salesops
