#include "server/common/systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "server/common/log.h"

namespace salesops {
namespace {

bool Send(absl::string_view assignments, absl::string_view status) {
  if (std::getenv("NOTIFY_SOCKET") == nullptr) return false;
  const std::string message = NotifyMessage(assignments, status);
  // unset_environment = 0: every later message goes to the same socket.
  const int sent = sd_notify(0, message.c_str());
  if (sent < 0) {
    LogWarning("sd_notify(%s) failed: %s", assignments, std::strerror(-sent));
    return false;
  }
  return sent > 0;
}

}  // namespace

std::string NotifyMessage(absl::string_view assignments, absl::string_view status) {
  std::string line(status);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (assignments.empty()) return absl::StrCat("STATUS=", line);
  return absl::StrCat(assignments, "\nSTATUS=", line);
}

bool NotifyReady(absl::string_view status) { return Send("READY=1", status); }

bool NotifyStopping(absl::string_view status) { return Send("STOPPING=1", status); }

bool NotifyStatus(absl::string_view status) { return Send("", status); }

}  // namespace salesops
