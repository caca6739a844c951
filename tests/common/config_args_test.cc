#include "server/common/config_args.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops {
namespace {

using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Given {
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;
};

absl::StatusOr<std::vector<std::string>> Expand(const Given& given, const std::vector<std::string>& args) {
  return ExpandConfig(args, ConfigSources{
                                .env = [&](const std::string& name) -> std::optional<std::string> {
                                  auto it = given.env.find(name);
                                  return it == given.env.end() ? std::nullopt : std::optional(it->second);
                                },
                                .read_file = [&](const std::string& path) -> absl::StatusOr<std::string> {
                                  auto it = given.files.find(path);
                                  if (it == given.files.end()) return absl::NotFoundError("--config: cannot read " + path);
                                  return it->second;
                                },
                                .flags = {"config", "data_dir", "listen", "durability"},
                            });
}

// Later wins in the parser: file, then environment, then command line.
TEST(ConfigArgsTest, FileThenEnvironmentThenCommandLine) {
  const Given given{.env = {{"SALESOPS_LISTEN", "0.0.0.0:1"}, {"SALESOPS_TOKEN", "not ours"}},
                    .files = {{"/etc/s.conf", "# comment\n\n data-dir = /srv/db \n--listen=\"127.0.0.1:2\"\n"}}};
  const absl::StatusOr<std::vector<std::string>> args =
      Expand(given, {"salesopsd", "--config=/etc/s.conf", "--durability", "async", "--data-dir=/x"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("salesopsd", "--data_dir=/srv/db", "--listen=127.0.0.1:2", "--listen=0.0.0.0:1",
                                 "--durability", "async", "--data_dir=/x"));
}

TEST(ConfigArgsTest, FlagfileIsReadLikeConfigAndHyphensWorkInIt) {
  const Given given{.files = {{"f", "durability = async\n"}}};
  const absl::StatusOr<std::vector<std::string>> args = Expand(given, {"salesopsd", "--flagfile", "f"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("salesopsd", "--durability=async"));
}

TEST(ConfigArgsTest, RefusesWhatItCannotReadNamingFileAndLine) {
  const Given given{.files = {{"bad", "listen = x\nnope = 1\n"}, {"noeq", "listen x\n"}}};
  EXPECT_THAT(Expand(given, {"salesopsd", "--config=bad"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad line 2: unknown setting 'nope'")));
  EXPECT_THAT(Expand(given, {"salesopsd", "--config=noeq"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("noeq line 1: expected 'name = value'")));
  EXPECT_THAT(Expand(given, {"salesopsd", "--config=missing"}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
}

}  // namespace
}  // namespace salesops
