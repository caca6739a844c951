// A unix datagram socket standing in for systemd's notification socket
// ($NOTIFY_SOCKET), for tests of sd_notify messages.
#ifndef SALESOPS_TESTS_COMMON_NOTIFY_SOCKET_H_
#define SALESOPS_TESTS_COMMON_NOTIFY_SOCKET_H_

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace salesops::testing {

class NotifySocket {
 public:
  // Binds a datagram socket at `path` (which must not exist; at most 107
  // bytes). ok() is false, with the reason in error(), when that fails.
  explicit NotifySocket(std::string path);
  ~NotifySocket();  // closes and unlinks it
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  // The next datagram, waiting for it until `timeout` passes (nullopt then).
  std::optional<std::string> Receive(absl::Duration timeout);

  // Receives datagrams until one contains `text` and returns it; nullopt
  // when `timeout` passes first. Every datagram read on the way is appended
  // to `*seen` when not null.
  std::optional<std::string> ReceiveContaining(const std::string& text, absl::Duration timeout,
                                               std::string* seen = nullptr);

 private:
  const std::string path_;
  int fd_ = -1;
  std::string error_;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_COMMON_NOTIFY_SOCKET_H_
