// A salesopsd the bench starts itself: a child process on a free loopback
// port (--listen=127.0.0.1:0), its stderr collected so the port and the
// recovery line can be read from it.
//
// The child gets SIGKILL if the bench dies (PR_SET_PDEATHSIG), so an
// interrupted bench never leaves a server behind.
#ifndef SALESOPS_CLIENT_BENCH_SERVER_PROCESS_H_
#define SALESOPS_CLIENT_BENCH_SERVER_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace salesops::bench {

// What salesopsd logs after replaying its log at start:
// "recovered N events [after position P] (head H, L leads) in DURATION"
// (N counts only the events after the views snapshot it started from).
struct RecoveryLine {
  uint64_t events = 0;
  uint64_t leads = 0;
  absl::Duration took;
};
std::optional<RecoveryLine> ParseRecoveryLine(absl::string_view log);

class ServerProcess {
 public:
  // `binary` runs with `args` (without --listen, which the class adds).
  ServerProcess(std::string binary, std::vector<std::string> args);
  ~ServerProcess();  // SIGKILLs a server still running

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server (with `extra_args` after the constructor's) and waits
  // until its log says which port it listens on (recovery happens before
  // that). UNAVAILABLE with the log when it exits first or does not listen
  // within `timeout`. Returns the time from the spawn to that log line in
  // `*listening_after` when not null.
  absl::Status Start(absl::Duration timeout, absl::Duration* listening_after = nullptr,
                     const std::vector<std::string>& extra_args = {});

  // Starts the binary with exactly `args` (not the constructor's, no
  // --listen) and returns at once; its stderr is collected as the log. For
  // other programs a test runs beside salesopsd (e.g. Prometheus).
  absl::Status Spawn(std::vector<std::string> args);

  // SIGTERM, then waits. INTERNAL with the log unless it exits with status 0.
  absl::Status Stop();
  // SIGTERM, then waits; the exit status (128 + signal when killed by one),
  // -1 when not running.
  int Terminate();
  // SIGKILL, then waits.
  void Kill();

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string address() const;
  // Everything the server wrote to stderr so far.
  std::string Log() const;
  // Waits until the log contains `text` (true) or `timeout` passes (false).
  bool WaitForLog(absl::string_view text, absl::Duration timeout) const;

 private:
  void ReadLog(int fd);

  const std::string binary_;
  const std::vector<std::string> args_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::thread reader_;
  mutable absl::Mutex mu_;
  std::string log_ ABSL_GUARDED_BY(mu_);
  bool log_closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_SERVER_PROCESS_H_
