// The restore drill of docs/DEPLOY.md ("Backup and restore"), end to end, as
// an operator runs it: a real salesopsd on a loopback port, leads written
// with salesctl, deploy/backup/salesops-backup.sh run against it (with
// rotation), the server stopped, a new salesopsd started on the newest
// backup, and the same head position and chain digest (salesctl audit
// digest) and the lead written before the backup read back from it.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/bench/server_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"
#include "tests/e2e/run_program.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::CliRun;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// "key: value" lines (salesctl's and the backup script's output) as a map.
std::map<std::string, std::string> Fields(const std::string& text) {
  std::map<std::string, std::string> fields;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, absl::MaxSplits(": ", 1));
    fields[std::string(kv.first)] = std::string(kv.second);
  }
  return fields;
}

// The backups in `root`: its entries' names, sorted.
std::vector<std::string> Entries(const std::string& root) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    const std::string name = entry.path().filename();
    if (name != ".lock") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class RestoreDrillTest : public ::testing::Test {
 protected:
  CliRun Salesctl(const std::string& address, std::vector<std::string> args) {
    std::vector<std::string> all = {SALESCTL_PATH, absl::StrCat("--server=", address),
                                    absl::StrCat("--token=", kRootToken)};
    all.insert(all.end(), args.begin(), args.end());
    return testing::RunProgram(std::move(all), scratch_.path());
  }

  CliRun Backup(const std::string& address, const std::string& root) {
    return testing::RunProgram({BACKUP_SCRIPT, "--keep=2", absl::StrCat("--salesctl=", SALESCTL_PATH),
                                absl::StrCat("--token-file=", token_file_), root,
                                absl::StrCat("--server=", address)},
                               scratch_.path());
  }

  void SetUp() override {
    token_file_ = scratch_.path() + "/admin-token";
    std::ofstream(token_file_) << kRootToken << "\n";
  }

  TempDir scratch_;
  std::string token_file_;
};

TEST_F(RestoreDrillTest, BackupScriptThenANewServerOnTheBackupHasTheSameLog) {
  TempDir source_dir;
  TempDir backups;
  ServerProcess source(source_dir.path());
  std::string error;
  ASSERT_TRUE(source.Start(&error)) << error;
  const std::string address = source.address();

  // Data: the bootstrapped admin takes the sales roles and identifies a lead.
  for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
           {"set-member-roles", "--member_id=root", "--roles=admin", "--roles=sales_rep"},
           {"identify-lead", "--lead_id=drill-1", "--company=杭州示例电子有限公司", "--contact.name=陈静",
            "--source=referral", "--estimated_value=250000 CNY"},
       }) {
    const CliRun run = Salesctl(address, step);
    ASSERT_EQ(run.exit_code, 0) << step[0] << ": " << run.err;
  }

  // A leftover of a backup cut short, then three backups keeping two: the
  // oldest and the leftover go.
  const std::string root = backups.path() + "/salesops";
  std::filesystem::create_directories(root + "/salesops-20000101T000000Z");
  std::vector<std::map<std::string, std::string>> made;
  for (int i = 0; i < 3; ++i) {
    const CliRun run = Backup(address, root);
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    made.push_back(Fields(run.out));
    if (i == 0) {
      EXPECT_THAT(run.out, HasSubstr(absl::StrCat("removed: ", root, "/salesops-20000101T000000Z")));
    }
  }
  const std::string first = std::filesystem::path(made[0]["backup"]).filename();
  const std::string second = std::filesystem::path(made[1]["backup"]).filename();
  const std::string newest = std::filesystem::path(made[2]["backup"]).filename();
  EXPECT_THAT(Entries(root), UnorderedElementsAre(second, second + ".info", newest, newest + ".info"))
      << "first: " << first;
  const std::map<std::string, std::string> info = [&] {
    std::ifstream in(root + "/" + newest + ".info");
    return Fields(std::string(std::istreambuf_iterator<char>(in), {}));
  }();
  EXPECT_EQ(info.at("position"), made[2]["position"]);
  EXPECT_EQ(info.at("digest"), made[2]["digest"]);
  const std::string position = made[2]["position"];
  const std::string digest = made[2]["digest"];
  ASSERT_EQ(digest.size(), 64u);

  // The source's digest at the backup's position is the backup's; then a
  // lead after the backup, which the backup must not have.
  CliRun at = Salesctl(address, {"audit", "digest", absl::StrCat("--position=", position)});
  ASSERT_EQ(at.exit_code, 0) << at.err;
  EXPECT_EQ(Fields(at.out)["digest"], digest);
  CliRun after = Salesctl(address, {"identify-lead", "--lead_id=drill-after", "--company=后来的客户",
                                    "--contact.name=周杰", "--source=inbound"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  ASSERT_EQ(source.Stop(), 0) << source.Log();

  // Restore: a new server on the newest backup, with the same tokens file.
  bench::ServerProcess restored(SALESOPSD_PATH, {absl::StrCat("--data-dir=", root, "/", newest),
                                                 absl::StrCat("--tokens-file=", source_dir.path(), "/tokens")});
  const absl::Status started = restored.Start(absl::Seconds(60));
  ASSERT_TRUE(started.ok()) << started;
  const std::string restored_address = restored.address();

  const CliRun health = Salesctl(restored_address, {"health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, "SERVING\n");
  const CliRun head = Salesctl(restored_address, {"audit", "digest"});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  EXPECT_EQ(Fields(head.out)["position"], position);
  EXPECT_EQ(Fields(head.out)["digest"], digest);
  const CliRun verify = Salesctl(restored_address, {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr(digest));

  const CliRun lead = Salesctl(restored_address, {"get-lead", "--lead_id=drill-1"});
  ASSERT_EQ(lead.exit_code, 0) << lead.err;
  EXPECT_THAT(lead.out, HasSubstr("company: 杭州示例电子有限公司"));
  EXPECT_THAT(lead.out, HasSubstr("stage: IDENTIFIED"));
  const CliRun missing = Salesctl(restored_address, {"get-lead", "--lead_id=drill-after"});
  EXPECT_EQ(missing.exit_code, 5) << missing.out << missing.err;  // NOT_FOUND: written after the backup

  EXPECT_TRUE(restored.Stop().ok());
}

// The script refuses what it cannot do before calling anything.
TEST_F(RestoreDrillTest, BackupScriptUsageErrors) {
  TempDir backups;
  CliRun run = testing::RunProgram({BACKUP_SCRIPT, "relative/dir"}, scratch_.path());
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_THAT(run.err, HasSubstr("BACKUP_ROOT must be absolute"));
  run = testing::RunProgram({BACKUP_SCRIPT, "--keep=some", backups.path()}, scratch_.path());
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_THAT(run.err, HasSubstr("--keep must be a number"));
  run = testing::RunProgram({BACKUP_SCRIPT, "--server=127.0.0.1:1", backups.path()}, scratch_.path());
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_THAT(run.err, HasSubstr("salesctl's flags go after BACKUP_ROOT"));
}

// Nothing listening: the script exits with salesctl's status (UNAVAILABLE,
// 14) and leaves no complete backup.
TEST_F(RestoreDrillTest, BackupScriptFailsWithSalesctlsStatusWhenNoServerAnswers) {
  TempDir backups;
  const CliRun run = testing::RunProgram(
      {BACKUP_SCRIPT, "--timeout=5s", absl::StrCat("--salesctl=", SALESCTL_PATH),
       absl::StrCat("--token-file=", token_file_), backups.path(), "--server=127.0.0.1:1"},
      scratch_.path());
  EXPECT_EQ(run.exit_code, 14) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("UNAVAILABLE"));
  EXPECT_TRUE(Entries(backups.path()).empty());
}

}  // namespace
}  // namespace salesops
