#include "tests/common/notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace salesops::testing {

NotifySocket::NotifySocket(std::string path) : path_(std::move(path)) {
  sockaddr_un address{};
  if (path_.size() >= sizeof(address.sun_path)) {
    error_ = absl::StrCat("socket path too long: ", path_);
    return;
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = absl::StrCat("socket: ", std::strerror(errno));
    return;
  }
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    error_ = absl::StrCat("bind ", path_, ": ", std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::optional<std::string> NotifySocket::Receive(absl::Duration timeout) {
  if (fd_ < 0) return std::nullopt;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return std::nullopt;
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno != EINTR) return std::nullopt;
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n >= 0) return std::string(buffer, static_cast<size_t>(n));
    if (errno != EINTR && errno != EAGAIN) return std::nullopt;
  }
}

std::optional<std::string> NotifySocket::ReceiveContaining(const std::string& text, absl::Duration timeout,
                                                           std::string* seen) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    std::optional<std::string> message = Receive(deadline - absl::Now());
    if (!message.has_value()) return std::nullopt;
    if (seen != nullptr) absl::StrAppend(seen, *message, "\n");
    if (message->find(text) != std::string::npos) return message;
  }
}

}  // namespace salesops::testing
