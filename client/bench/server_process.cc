#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace salesops::bench {
namespace {

constexpr char kPortMarker[] = "(port ";

// The text between `prefix` and the next `end` after position `from`.
std::optional<absl::string_view> Between(absl::string_view text, absl::string_view prefix, char end,
                                         size_t from = 0) {
  const size_t at = text.find(prefix, from);
  if (at == absl::string_view::npos) return std::nullopt;
  const size_t start = at + prefix.size();
  const size_t stop = text.find(end, start);
  if (stop == absl::string_view::npos) return std::nullopt;
  return text.substr(start, stop - start);
}

}  // namespace

std::optional<RecoveryLine> ParseRecoveryLine(absl::string_view log) {
  const size_t at = log.rfind("recovered ");
  if (at == absl::string_view::npos) return std::nullopt;
  const absl::string_view line = log.substr(at, log.find('\n', at) - at);
  RecoveryLine parsed;
  const std::optional<absl::string_view> events = Between(line, "recovered ", ' ');
  const std::optional<absl::string_view> leads = Between(line, ", ", ' ');
  const size_t in = line.rfind(" in ");
  if (!events || !leads || in == absl::string_view::npos || !absl::SimpleAtoi(*events, &parsed.events) ||
      !absl::SimpleAtoi(*leads, &parsed.leads) ||
      !absl::ParseDuration(std::string(line.substr(in + 4)), &parsed.took)) {
    return std::nullopt;
  }
  return parsed;
}

ServerProcess::ServerProcess(std::string binary, std::vector<std::string> args)
    : binary_(std::move(binary)), args_(std::move(args)) {}

ServerProcess::~ServerProcess() { Kill(); }

std::string ServerProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::string ServerProcess::Log() const {
  absl::MutexLock lock(&mu_);
  return log_;
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

absl::Status ServerProcess::Start(absl::Duration timeout, absl::Duration* listening_after,
                                  const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"--listen=127.0.0.1:0"};
  args.insert(args.end(), args_.begin(), args_.end());
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const auto spawned = std::chrono::steady_clock::now();
  if (absl::Status s = Spawn(args); !s.ok()) return s;

  absl::MutexLock lock(&mu_);
  const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return log_closed_ || log_.find(kPortMarker) != std::string::npos;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (listening_after != nullptr) {
    *listening_after = absl::FromChrono(std::chrono::steady_clock::now() - spawned);
  }
  const std::optional<absl::string_view> port = Between(log_, kPortMarker, ')');
  if (!port.has_value() || !absl::SimpleAtoi(*port, &port_)) {
    return absl::UnavailableError(absl::StrCat(binary_, " did not start listening:\n", log_));
  }
  return absl::OkStatus();
}

absl::Status ServerProcess::Spawn(std::vector<std::string> args) {
  if (pid_ > 0) return absl::FailedPreconditionError(absl::StrCat(binary_, " is already running"));
  {
    absl::MutexLock lock(&mu_);
    log_.clear();
    log_closed_ = false;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::UnavailableError("pipe failed");
  args.insert(args.begin(), binary_);
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    close(fds[0]);
    close(fds[1]);
    return absl::UnavailableError("fork failed");
  }
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the bench died before prctl
    dup2(fds[1], STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  if (reader_.joinable()) reader_.join();
  reader_ = std::thread([this, fd = fds[0]] { ReadLog(fd); });
  return absl::OkStatus();
}

int ServerProcess::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

absl::Status ServerProcess::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  const int status = Terminate();
  if (status != 0) {
    return absl::InternalError(absl::StrCat("salesopsd did not stop cleanly (exit status ", status, "):\n", Log()));
  }
  return absl::OkStatus();
}

bool ServerProcess::WaitForLog(absl::string_view text, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const auto seen = [this, text]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return log_.find(text.data(), 0, text.size()) != std::string::npos;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&seen), timeout);
}

void ServerProcess::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
}

}  // namespace salesops::bench
