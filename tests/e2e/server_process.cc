#include "tests/e2e/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace salesops::testing {

std::string TokenOf(const std::string& member) { return absl::StrCat(member, "-token-0123456789abcdef"); }

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)), extra_flags_(std::move(extra_flags)) {
  std::ofstream tokens(data_dir_ + "/tokens");
  tokens << "# test tokens\n"
         << kRootToken << " root\n"
         << kAliceToken << " alice\n"
         << kBobToken << " bob\n"
         << kCarolToken << " carol\n"
         << kDaveToken << " dave\n";
  for (const char* member : kJourneyMembers) tokens << TokenOf(member) << " " << member << "\n";
}

ServerProcess::~ServerProcess() { Kill(); }

std::string ServerProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::shared_ptr<grpc::Channel> ServerProcess::Channel() const {
  return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
}

std::string ServerProcess::Log() {
  absl::MutexLock lock(&mu_);
  return log_;
}

bool ServerProcess::WaitForLog(absl::string_view text, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const auto seen = [this, text]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> bool {
    return log_.find(text.data(), 0, text.size()) != std::string::npos;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&seen), timeout);
}

void ServerProcess::ReadLog(int fd) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    absl::MutexLock lock(&mu_);
    log_.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  absl::MutexLock lock(&mu_);
  log_closed_ = true;
}

bool ServerProcess::Start(std::string* error) {
  {
    absl::MutexLock lock(&mu_);
    log_.clear();
    log_closed_ = false;
  }
  int fds[2];
  if (pipe(fds) != 0) {
    *error = "pipe failed";
    return false;
  }
  std::vector<std::string> args = {SALESOPSD_PATH, "--listen=127.0.0.1:0",
                                   absl::StrCat("--data-dir=", data_dir_, "/db"),
                                   absl::StrCat("--tokens-file=", data_dir_, "/tokens"),
                                   "--bootstrap-admin=root"};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  if (reader_.joinable()) reader_.join();
  reader_ = std::thread([this, fd = fds[0]] { ReadLog(fd); });

  // Wait until the log says where it listens, or the process is gone.
  const std::string kMarker = "(port ";
  absl::MutexLock lock(&mu_);
  const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return log_closed_ || log_.find("(port ") != std::string::npos;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(30));
  const size_t at = log_.find(kMarker);
  if (at == std::string::npos) {
    *error = absl::StrCat("salesopsd did not start:\n", log_);
    return false;
  }
  const size_t end = log_.find(')', at);
  if (!absl::SimpleAtoi(log_.substr(at + kMarker.size(), end - at - kMarker.size()), &port_)) {
    *error = absl::StrCat("cannot read the port from:\n", log_);
    return false;
  }
  return true;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
}

}  // namespace salesops::testing
