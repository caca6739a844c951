// Starts the real salesopsd binary on a free loopback port with a temporary
// data directory, for end-to-end tests.
#ifndef SALESOPS_TESTS_E2E_SERVER_PROCESS_H_
#define SALESOPS_TESTS_E2E_SERVER_PROCESS_H_

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/bench/server_process.h"
#include "grpcpp/channel.h"

namespace salesops::testing {

inline constexpr char kRootToken[] = "root-token-0123456789ab";
inline constexpr char kAliceToken[] = "alice-token-0123456789";
inline constexpr char kCarolToken[] = "carol-token-0123456789";
inline constexpr char kDaveToken[] = "dave-token-0123456789ab";
inline constexpr char kBobToken[] = "bob-token-0123456789ab";

// Members that also get a token: their token is TokenOf(member).
inline const char* const kJourneyMembers[] = {"rep1", "rep2", "bd1", "bd2", "sup1", "as1", "as2", "mgr", "aud1"};
std::string TokenOf(const std::string& member);

// The test's view of one salesopsd child (bench::ServerProcess underneath:
// a free loopback port, stderr collected, SIGKILL if the test dies).
class ServerProcess {
 public:
  // `data_dir` holds the RocksDB directory and the tokens file (root, alice,
  // bob, carol). The server starts with --bootstrap-admin=root.
  explicit ServerProcess(std::string data_dir, std::vector<std::string> extra_flags = {});

  // Starts salesopsd and waits (event-driven, on its log) until it listens.
  // Returns false with the log in `error` when it exits or does not start
  // within 30 s.
  bool Start(std::string* error);
  // SIGTERM, then waits for exit; returns the exit status (0 = clean).
  int Stop() { return child_.Terminate(); }
  // SIGKILL, then waits.
  void Kill() { child_.Kill(); }
  // Sends `signal` and returns at once.
  void Signal(int signal) const { ::kill(child_.pid(), signal); }
  pid_t pid() const { return child_.pid(); }

  int port() const { return child_.port(); }
  std::string address() const { return child_.address(); }
  std::shared_ptr<grpc::Channel> Channel() const;
  // Everything the server wrote to stderr so far.
  std::string Log() const { return child_.Log(); }
  // Waits until the log contains `text` (true) or `timeout` passes (false).
  bool WaitForLog(absl::string_view text, absl::Duration timeout) const { return child_.WaitForLog(text, timeout); }

 private:
  bench::ServerProcess child_;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_E2E_SERVER_PROCESS_H_
