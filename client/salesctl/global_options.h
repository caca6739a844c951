// The flags that apply to every command: where to connect, how to
// authenticate, how to print, how long to wait.
//
//   --server=HOST:PORT  default $SALESOPS_SERVER, else 127.0.0.1:50051
//   --token=TOKEN       default $SALESOPS_TOKEN; sent as
//                       "authorization: Bearer TOKEN" (omitted when empty)
//   --json              print replies in the protobuf JSON mapping
//   --timeout=SECONDS   deadline of the call; a decimal number of seconds
//                       ("2.5") or a duration with a unit ("500ms", "1m").
//                       Default 10 s for unary calls; server-streaming calls
//                       have no deadline unless one is given.
//   --tls               TLS, the server verified against the system's CAs
//   --tls-ca=FILE       TLS, the server verified against these PEM CA
//                       certificates (default $SALESOPS_TLS_CA)
//   --tls-cert=FILE     a client certificate for mutual TLS, with
//   --tls-key=FILE      its key (default $SALESOPS_TLS_CERT, $SALESOPS_TLS_KEY)
//   --tls-server-name=NAME  the name the server's certificate carries, when
//                       not --server's host
#ifndef SALESOPS_CLIENT_SALESCTL_GLOBAL_OPTIONS_H_
#define SALESOPS_CLIENT_SALESCTL_GLOBAL_OPTIONS_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/tls/channel.h"

namespace salesctl {

inline constexpr absl::string_view kDefaultServer = "127.0.0.1:50051";
inline constexpr absl::Duration kDefaultUnaryTimeout = absl::Seconds(10);

struct GlobalOptions {
  std::string server{kDefaultServer};
  std::string token;  // empty: no authorization metadata
  bool json = false;
  std::optional<absl::Duration> timeout;  // unset: the default for the call
  salesops::client::ChannelSecurity security;  // plaintext unless a --tls flag (or variable) says otherwise
};

// Reads an environment variable; std::nullopt when it is unset. Injected so
// that tests do not depend on the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Defaults, with SALESOPS_SERVER / SALESOPS_TOKEN / SALESOPS_TLS_CA /
// SALESOPS_TLS_CERT / SALESOPS_TLS_KEY applied when set and non-empty.
GlobalOptions DefaultGlobalOptions(const EnvLookup& env);

// True for "server", "token", "json", "timeout", "tls", "tls_ca",
// "tls_cert", "tls_key" and "tls_server_name" (the name without "--").
bool IsGlobalFlag(absl::string_view name);

// True for the global flags that must have a value (all but "json" and "tls").
bool GlobalFlagNeedsValue(absl::string_view name);

// Sets global flag `name` from `value` (std::nullopt for a bare "--json").
// INVALID_ARGUMENT for an empty server, a token that is not printable ASCII,
// a --json or --tls value other than true/false, an empty file name, or a
// timeout that is not a positive duration.
absl::Status ApplyGlobalFlag(absl::string_view name, const std::optional<std::string>& value,
                             GlobalOptions* options);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_GLOBAL_OPTIONS_H_
