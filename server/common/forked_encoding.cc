#include "server/common/forked_encoding.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace salesops {
namespace {

// Writes all of `size` bytes; false on any error (the parent went away).
bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Reads exactly `size` bytes: 1 done, 0 at end of input before any byte, -1
// cut short or failed, -2 cancelled (`cancel_fd` readable first).
int ReadExactly(int fd, int cancel_fd, char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    if (cancel_fd >= 0) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      if ((fds[1].revents & POLLIN) != 0) return -2;
    }
    const ssize_t n = read(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return done == 0 ? 0 : -1;
    done += static_cast<size_t>(n);
  }
  return 1;
}

// The child's wire format: each string as an 8-byte little-endian length and
// its bytes, then an 8-byte count of strings as the end marker (a length
// with the top bit set), so a child that dies half-way is never mistaken
// for one that finished.
constexpr uint64_t kEndMarker = uint64_t{1} << 63;

void EncodeLength(uint64_t value, char out[8]) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

uint64_t DecodeLength(const char in[8]) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return value;
}

[[noreturn]] void RunChild(int fd, pid_t parent, absl::FunctionRef<std::vector<std::string>()> encode) {
  // Die with the parent; if it is already gone, do not start.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(3);
  const std::vector<std::string> result = encode();
  char length[8];
  for (const std::string& s : result) {
    EncodeLength(s.size(), length);
    if (!WriteAll(fd, length, sizeof(length)) || !WriteAll(fd, s.data(), s.size())) _exit(2);
  }
  EncodeLength(kEndMarker | result.size(), length);
  if (!WriteAll(fd, length, sizeof(length))) _exit(2);
  _exit(0);
}

}  // namespace

absl::StatusOr<ForkedEncoding> ForkedEncoding::Start(absl::FunctionRef<std::vector<std::string>()> encode) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::UnavailableError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[0]);
    close(fds[1]);
    return absl::UnavailableError(absl::StrCat("fork: ", std::strerror(error)));
  }
  if (pid == 0) {
    close(fds[0]);
    RunChild(fds[1], parent, encode);
  }
  close(fds[1]);
  return ForkedEncoding(pid, fds[0]);
}

ForkedEncoding::ForkedEncoding(ForkedEncoding&& other) noexcept : pid_(other.pid_), fd_(other.fd_) {
  other.pid_ = -1;
  other.fd_ = -1;
}

ForkedEncoding::~ForkedEncoding() {
  if (fd_ >= 0) close(fd_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

absl::StatusOr<std::vector<std::string>> ForkedEncoding::Collect(int cancel_fd) {
  std::vector<std::string> result;
  bool complete = false;
  bool cancelled = false;
  char length[8];
  for (;;) {
    const int got = ReadExactly(fd_, cancel_fd, length, sizeof(length));
    cancelled = got == -2;
    if (got <= 0) break;
    const uint64_t value = DecodeLength(length);
    if ((value & kEndMarker) != 0) {
      complete = (value & ~kEndMarker) == result.size();
      break;
    }
    std::string& s = result.emplace_back();
    s.resize(value);
    const int body = ReadExactly(fd_, cancel_fd, s.data(), s.size());
    cancelled = body == -2;
    if (body != 1) break;
  }
  close(fd_);
  fd_ = -1;
  if (cancelled) kill(pid_, SIGKILL);
  int status = 0;
  pid_t reaped;
  while ((reaped = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  const pid_t pid = pid_;
  pid_ = -1;
  if (reaped != pid) return absl::UnavailableError(absl::StrCat("waitpid: ", std::strerror(errno)));
  if (cancelled) return absl::CancelledError(absl::StrCat("the encoding process ", pid, " was stopped"));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::UnavailableError(
        WIFSIGNALED(status) ? absl::StrCat("the encoding process ", pid, " was killed by signal ", WTERMSIG(status))
                            : absl::StrCat("the encoding process ", pid, " exited with status ", WEXITSTATUS(status)));
  }
  if (!complete) return absl::DataLossError(absl::StrCat("the encoding process ", pid, " sent a cut-short result"));
  return result;
}

}  // namespace salesops
