// Telling systemd how salesopsd is doing, for a unit of Type=notify
// (deploy/systemd/salesopsd.service, docs/DEPLOY.md): READY=1 once the server
// listens, STOPPING=1 when a drain begins, and STATUS= lines that
// `systemctl status` shows. Sent with sd_notify(3) from libsystemd to the
// datagram socket named by $NOTIFY_SOCKET.
//
// Every function is a no-op returning false when NOTIFY_SOCKET is unset (the
// server was not started by systemd, or by a unit of another Type=), so
// callers need not ask first. A message that cannot be sent is logged as a
// warning and returns false; it is never an error of the server's.
//
// No watchdog (WATCHDOG=1): a thread that pings on a timer proves only that
// the thread runs, not that the sequencer or the gRPC server makes progress
// (docs/DEPLOY.md, "systemd").
//
// Thread-safe: each call sends one whole datagram.
#ifndef SALESOPS_SERVER_COMMON_SYSTEMD_NOTIFY_H_
#define SALESOPS_SERVER_COMMON_SYSTEMD_NOTIFY_H_

#include <string>

#include "absl/strings/string_view.h"

namespace salesops {

// "READY=1" and "STATUS=<status>": start-up is over, the server takes calls.
// systemd holds units ordered after this one until then.
bool NotifyReady(absl::string_view status);

// "STOPPING=1" and "STATUS=<status>": a drain and stop began (SIGTERM or a
// failed write); systemd shows the unit as deactivating.
bool NotifyStopping(absl::string_view status);

// "STATUS=<status>" alone.
bool NotifyStatus(absl::string_view status);

// The datagram the functions above send: `assignments` (e.g. "READY=1"),
// then "STATUS=" with `status` on one line (line breaks become spaces).
// Exposed for tests.
std::string NotifyMessage(absl::string_view assignments, absl::string_view status);

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_SYSTEMD_NOTIFY_H_
