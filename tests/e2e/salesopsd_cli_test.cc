// salesopsd's own command line: --help and --version, as an operator runs them.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"
#include "tests/e2e/run_program.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SalesopsdCliTest, HelpListsEveryFlagWithItsDefault) {
  testing::TempDir dir;
  const testing::CliRun help = testing::RunProgram({SALESOPSD_PATH, "--help"}, dir.path());
  const std::string text = help.out + help.err;
  EXPECT_THAT(text, Not(HasSubstr("No flags matched")));
  for (const char* flag : {"--listen", "--data_dir", "--tokens_file", "--tls_cert", "--tls_client_ca",
                           "--allow_insecure", "--import_admin", "--metrics_listen", "--request_log_per_second",
                           "--log_format", "--durability", "--min_free_bytes", "--scrub_interval"}) {
    EXPECT_THAT(text, HasSubstr(flag)) << flag;
  }
  EXPECT_THAT(text, HasSubstr("default: \"127.0.0.1:50051\""));
}

TEST(SalesopsdCliTest, VersionSaysWhatWasBuilt) {
  testing::TempDir dir;
  const testing::CliRun version = testing::RunProgram({SALESOPSD_PATH, "--version"}, dir.path());
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out + version.err, HasSubstr("salesopsd 0.1.0 (commit "));
  EXPECT_THAT(version.out + version.err, Not(HasSubstr("NDEBUG")));
}

}  // namespace
}  // namespace salesops
