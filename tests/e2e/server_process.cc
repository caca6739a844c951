#include "tests/e2e/server_process.h"

#include <fstream>
#include <iterator>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace salesops::testing {

std::string TokenOf(const std::string& member) { return absl::StrCat(member, "-token-0123456789abcdef"); }

namespace {

std::vector<std::string> ServerArgs(const std::string& data_dir, std::vector<std::string> extra_flags) {
  std::vector<std::string> args = {absl::StrCat("--data-dir=", data_dir, "/db"),
                                   absl::StrCat("--tokens-file=", data_dir, "/tokens"), "--bootstrap-admin=root"};
  args.insert(args.end(), std::make_move_iterator(extra_flags.begin()), std::make_move_iterator(extra_flags.end()));
  return args;
}

}  // namespace

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_flags)
    : child_(SALESOPSD_PATH, ServerArgs(data_dir, std::move(extra_flags))) {
  std::ofstream tokens(data_dir + "/tokens");
  tokens << "# test tokens\n"
         << kRootToken << " root\n"
         << kAliceToken << " alice\n"
         << kBobToken << " bob\n"
         << kCarolToken << " carol\n"
         << kDaveToken << " dave\n";
  for (const char* member : kJourneyMembers) tokens << TokenOf(member) << " " << member << "\n";
}

std::shared_ptr<grpc::Channel> ServerProcess::Channel() const {
  return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
}

bool ServerProcess::Start(std::string* error) {
  const absl::Status s = child_.Start(absl::Seconds(30));
  if (!s.ok()) *error = std::string(s.message());
  return s.ok();
}

}  // namespace salesops::testing
