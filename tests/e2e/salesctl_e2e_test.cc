// salesctl against the real salesopsd: the CLI as a user runs it.

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"
#include "tests/e2e/run_program.h"
#include "tests/e2e/server_process.h"
#include "tests/store/tamper.h"

namespace salesops {
namespace {

using ::salesops::testing::kAliceToken;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

using ::salesops::testing::CliRun;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The display width of a line of test text: CJK and fullwidth punctuation
// are 3-byte and 2 columns; the arrow and ellipsis are 3-byte and 1 column.
size_t DisplayColumns(const std::string& s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::string ch = s.substr(i, len);
    w += (len == 3 && ch != "→" && ch != "…") ? 2 : 1;
    i += len;
  }
  return w;
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
    return SalesctlAt(server_->address(), std::move(args), token);
  }

  // Runs salesctl against the server at `address`.
  CliRun SalesctlAt(const std::string& address, std::vector<std::string> args, const char* token) {
    std::vector<std::string> all = {SALESCTL_PATH, absl::StrCat("--server=", address)};
    if (token != nullptr) all.push_back(absl::StrCat("--token=", token));
    all.insert(all.end(), args.begin(), args.end());
    return testing::RunProgram(std::move(all), dir_.path());
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
  const auto width = DisplayColumns;
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
  // The error details, one per line.
  EXPECT_THAT(wrong_stage.err, HasSubstr("\n  reason: STAGE_NOT_ALLOWED (action=WinDeal, lead_id=e-1, stage=IDENTIFIED)\n"));
  EXPECT_THAT(wrong_stage.err, HasSubstr("\n  precondition STAGE lead/e-1: lead 'e-1' is in stage IDENTIFIED"));
  EXPECT_THAT(wrong_stage.err, HasSubstr("\n  resource: salesops.v1.Lead e-1\n"));
  EXPECT_THAT(wrong_stage.out, Not(HasSubstr("lead_id")));

  const CliRun bad = Salesctl({"identify-lead", "--lead_id=e-2", "--company=", "--contact.name=x", "--source=inbound"});
  EXPECT_EQ(bad.exit_code, 3);  // INVALID_ARGUMENT
  EXPECT_THAT(bad.err, HasSubstr("company: must be 1..200 characters"));
  const CliRun many = Salesctl({"identify-lead", "--lead_id=e-2", "--company=", "--contact.name=x",
                                "--contact.email=不是邮箱", "--source=inbound"});
  EXPECT_EQ(many.exit_code, 3);
  EXPECT_THAT(many.err, HasSubstr("\n  reason: FIELD_INVALID (fields=company,contact.email)\n"
                                  "  field company: must be 1..200 characters (got 0)\n"
                                  "  field contact.email: must be an address"));

  const CliRun unknown = Salesctl({"get-lead", "--lead_id=nobody"});
  EXPECT_EQ(unknown.exit_code, 5);  // NOT_FOUND

  const CliRun no_token = Salesctl({"get-lead", "--lead_id=e-1"}, /*token=*/nullptr);
  EXPECT_EQ(no_token.exit_code, 16);  // UNAUTHENTICATED
}

TEST_F(SalesctlTest, AuditChangesVerifyAndDigest) {
  const std::vector<std::vector<std::string>> steps = {
      {"identify-lead", "--lead_id=hz-1", "--company=杭州云帆科技", "--contact.name=周敏", "--source=event"},
      {"qualify-lead", "--lead_id=hz-1", "--score=70"},
      {"record-needs", "--lead_id=hz-1", "--requirements=仓储管理"},
      {"propose-solution", "--lead_id=hz-1", "--summary=标准版", "--value=9000 CNY"},
      {"send-quote", "--lead_id=hz-1", "--quote_id=Q-1", "--amount=8800 CNY", "--valid_until=2026-12-31"},
  };
  for (const auto& step : steps) {
    const CliRun run = Salesctl(step);
    ASSERT_EQ(run.exit_code, 0) << step[0] << ": " << run.err;
  }
  // The root ADMIN closes it by override, with a reason in Chinese.
  ASSERT_EQ(Salesctl({"set-member-roles", "--member_id=root", "--roles=admin", "--roles=sales_manager"}, kRootToken)
                .exit_code,
            0);
  const CliRun win = Salesctl({"win-deal", "--lead_id=hz-1", "--final_amount=8500 CNY", "--signed_date=2026-11-28",
                               "--options.override_reason=王芳休假，客户要求今天签约"},
                              kRootToken);
  ASSERT_EQ(win.exit_code, 0) << win.err;

  const CliRun table = Salesctl({"audit", "changes", "--lead=hz-1"}, kRootToken);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("QUOTED → WON"));
  EXPECT_THAT(table.out, HasSubstr("王芳休假，客户要求今天签约"));
  EXPECT_THAT(table.out, HasSubstr("SALES_MANAGER"));
  std::vector<std::string> rows = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 7u);  // header, →IDENTIFIED .. →WON
  for (const std::string& row : rows) EXPECT_EQ(DisplayColumns(row), DisplayColumns(rows[0])) << row;

  const CliRun json = Salesctl({"--json", "audit", "changes", "--to=won"}, kRootToken);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"overrideReason\":\"王芳休假，客户要求今天签约\""));
  EXPECT_THAT(json.out, HasSubstr("\"toStage\":\"STAGE_WON\""));
  EXPECT_THAT(json.out, Not(HasSubstr("STAGE_QUALIFIED")));

  // The owning rep may list its own lead, not the whole log.
  EXPECT_EQ(Salesctl({"audit", "changes", "--lead=hz-1"}).exit_code, 0);
  const CliRun denied = Salesctl({"audit", "changes"});
  EXPECT_EQ(denied.exit_code, 7);  // PERMISSION_DENIED
  EXPECT_THAT(denied.err, HasSubstr("Audit.ListStageChanges needs the role"));
  EXPECT_EQ(Salesctl({"audit", "changes", "--colour=red"}, kRootToken).exit_code, 64);

  const CliRun digest = Salesctl({"audit", "digest"}, kRootToken);
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  EXPECT_THAT(digest.out, ::testing::MatchesRegex("position: [0-9]+\ndigest: [0-9a-f]{64}\n"));
  const CliRun verify = Salesctl({"audit", "verify", "--from=1"}, kRootToken);
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("ok: positions 1.."));
  EXPECT_THAT(verify.out, HasSubstr(digest.out.substr(digest.out.find("digest: "))));

  // A byte changed behind the server's back: verify names it and exits 65.
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_TRUE(salesops::testing::FlipEventByte(dir_.path() + "/db", 3, 10).ok());
  std::string error;
  server_ = std::make_unique<ServerProcess>(dir_.path());
  ASSERT_TRUE(server_->Start(&error)) << error;
  const CliRun broken = Salesctl({"audit", "verify"}, kRootToken);
  EXPECT_EQ(broken.exit_code, 65);
  EXPECT_THAT(broken.out, HasSubstr("first_broken_position: 3"));
  EXPECT_THAT(broken.err, HasSubstr("breaks at position 3"));
}

TEST_F(SalesctlTest, ExportThenImportReproducesTheLogByteForByte) {
  for (const std::string id : {"ex-1", "ex-2"}) {
    ASSERT_EQ(Salesctl({"identify-lead", "--lead_id=" + id, "--company=厦门海风贸易", "--contact.name=陈静",
                        "--source=inbound", "--options.request_id=req-" + id, "--options.correlation_id=c-" + id})
                  .exit_code,
              0);
    ASSERT_EQ(Salesctl({"qualify-lead", "--lead_id=" + id, "--score=66"}).exit_code, 0);
  }
  const std::string file = dir_.path() + "/export.jsonl";
  const CliRun exported = Salesctl({"export", "--out", file}, kRootToken);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const CliRun source_digest = Salesctl({"audit", "digest"}, kRootToken);
  ASSERT_EQ(source_digest.exit_code, 0) << source_digest.err;
  const std::string lines = ReadFile(file);
  EXPECT_THAT(lines, HasSubstr("\"requestId\":\"req-ex-1\""));
  EXPECT_THAT(lines, HasSubstr("厦门海风贸易"));
  const std::string head = source_digest.out.substr(10, source_digest.out.find('\n') - 10);
  EXPECT_EQ(static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n')), std::stoul(head));

  // A fresh server with an empty log and no --import-admin takes no import
  // from anyone.
  TempDir refusing_dir;
  ServerProcess refusing(refusing_dir.path(), {"--bootstrap-admin="});
  std::string error;
  ASSERT_TRUE(refusing.Start(&error)) << error;
  const CliRun no_admin = SalesctlAt(refusing.address(), {"import", file}, kRootToken);
  EXPECT_EQ(no_admin.exit_code, 9);  // FAILED_PRECONDITION
  EXPECT_THAT(no_admin.err, HasSubstr("started without --import-admin"));
  EXPECT_EQ(refusing.Stop(), 0);

  // With --import-admin=root, root alone may import until the imported team
  // exists; another token in the file may not.
  TempDir target_dir;
  ServerProcess target(target_dir.path(), {"--bootstrap-admin=", "--import-admin=root"});
  ASSERT_TRUE(target.Start(&error)) << error;
  const CliRun not_admin = SalesctlAt(target.address(), {"import", file}, kAliceToken);
  EXPECT_EQ(not_admin.exit_code, 7);  // PERMISSION_DENIED
  EXPECT_THAT(not_admin.err, HasSubstr("only the --import-admin member 'root' may import, not 'alice'"));
  const std::string digest = source_digest.out.substr(source_digest.out.find("digest: ") + 8, 64);
  const CliRun wrong = SalesctlAt(target.address(), {"import", file, "--expect-digest=" + std::string(64, '0')},
                                  kRootToken);
  EXPECT_EQ(wrong.exit_code, 9);  // FAILED_PRECONDITION: nothing imported
  EXPECT_THAT(wrong.err, HasSubstr("expected_digest"));
  const CliRun imported = SalesctlAt(target.address(), {"import", file, "--expect-digest=" + digest}, kRootToken);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("digest: " + digest));
  const CliRun target_digest = SalesctlAt(target.address(), {"audit", "digest"}, kRootToken);
  EXPECT_EQ(target_digest.out, source_digest.out);
  // Importing again is refused: the log is no longer at the file's start.
  EXPECT_EQ(SalesctlAt(target.address(), {"import", file}, kRootToken).exit_code, 9);
  // The same views, the same history (actors, request ids, times).
  const std::string as_of = "--as-of=" + head;
  EXPECT_EQ(SalesctlAt(target.address(), {"--json", "pipeline", as_of}, kRootToken).out,
            Salesctl({"--json", "pipeline", as_of}, kRootToken).out);
  EXPECT_EQ(SalesctlAt(target.address(), {"--json", "workload", as_of}, kRootToken).out,
            Salesctl({"--json", "workload", as_of}, kRootToken).out);
  EXPECT_EQ(SalesctlAt(target.address(), {"--json", "get-lead-history", "--lead_id=ex-2"}, kRootToken).out,
            Salesctl({"--json", "get-lead-history", "--lead_id=ex-2"}, kRootToken).out);
  // The imported deciders' state takes new commands where the source left off.
  const CliRun next = SalesctlAt(target.address(), {"record-needs", "--lead_id=ex-1", "--requirements=库存"}, kAliceToken);
  EXPECT_EQ(next.exit_code, 0) << next.err;
}

TEST_F(SalesctlTest, ExportAndImportReportProgressOnStderrOnly) {
  for (const std::string id : {"pg-1", "pg-2", "pg-3"}) {
    ASSERT_EQ(Salesctl({"identify-lead", "--lead_id=" + id, "--company=泉州进度科技", "--contact.name=林峰",
                        "--source=event"})
                  .exit_code,
              0);
  }
  const CliRun quiet = Salesctl({"export", "--progress=none"}, kRootToken);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  const size_t events = static_cast<size_t>(std::count(quiet.out.begin(), quiet.out.end(), '\n'));
  ASSERT_GE(events, 5u);
  const std::string count = std::to_string(events);
  EXPECT_EQ(quiet.err, "exported " + count + " events (positions 1.." + count + ")\n");

  // Lines: the same bytes on stdout; on stderr the done line (and one every
  // 2 s, which an export this small never lasts) before the count.
  const CliRun lines = Salesctl({"export", "--progress=lines"}, kRootToken);
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_EQ(lines.out, quiet.out);
  EXPECT_THAT(lines.err, ::testing::MatchesRegex("salesctl export: " + count +
                                                 " events in [0-9.]+m?s( \\([0-9.,]+/s\\))?\n"
                                                 "exported " + count + " events \\(positions 1\\.\\." +
                                                 count + "\\)\n"));
  // Not a terminal: auto means lines.
  const CliRun automatic = Salesctl({"export"}, kRootToken);
  EXPECT_EQ(automatic.out, quiet.out);
  EXPECT_THAT(automatic.err, HasSubstr("salesctl export: " + count + " events in "));
  // A bar, forced: redrawn in place on stderr, its line ended, stdout the same.
  const CliRun bar = Salesctl({"export", "--progress=bar"}, kRootToken);
  ASSERT_EQ(bar.exit_code, 0) << bar.err;
  EXPECT_EQ(bar.out, quiet.out);
  const std::string full_bar = "\rexport  [████████████████████]  100%  ";
  EXPECT_THAT(bar.err, HasSubstr(full_bar + count + "/" + count + " events"));
  EXPECT_THAT(bar.err, HasSubstr("\x1b[K\nexported " + count + " events"));
  // --out: the file holds the same bytes.
  const std::string file = dir_.path() + "/progress.jsonl";
  ASSERT_EQ(Salesctl({"export", "--out", file, "--progress=lines"}, kRootToken).exit_code, 0);
  EXPECT_EQ(ReadFile(file), quiet.out);
  // A bad mode is a usage error, before any call.
  const CliRun bad = Salesctl({"export", "--progress=sometimes"}, kRootToken);
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_THAT(bad.err, HasSubstr("--progress: 'sometimes' is not auto, bar, lines or none"));

  // Import: the total is the file's events; stdout as without progress.
  TempDir target_dir;
  ServerProcess target(target_dir.path(), {"--bootstrap-admin=", "--import-admin=root"});
  std::string error;
  ASSERT_TRUE(target.Start(&error)) << error;
  const CliRun imported = SalesctlAt(target.address(), {"import", file, "--progress=lines"}, kRootToken);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, ::testing::StartsWith("imported: " + count + "\nhead_position: " + count + "\n"));
  EXPECT_THAT(imported.err,
              ::testing::MatchesRegex("salesctl import: " + count + " events in [0-9.]+m?s.*\n"));
  EXPECT_EQ(target.Stop(), 0);
}

TEST_F(SalesctlTest, AdminBackupWritesACopy) {
  TempDir backup;
  const CliRun made = Salesctl({"admin", "backup", backup.path() + "/copy"}, kRootToken);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_THAT(made.out, ::testing::MatchesRegex("backup: .*/copy\nposition: [0-9]+\ndigest: [0-9a-f]{64}\n"));
  const CliRun relative = Salesctl({"admin", "backup", "copy"}, kRootToken);
  EXPECT_EQ(relative.exit_code, 3);  // INVALID_ARGUMENT
  EXPECT_THAT(relative.err, HasSubstr("dir: 'copy' is relative"));
}

}  // namespace
}  // namespace salesops
