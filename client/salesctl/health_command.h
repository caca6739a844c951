// salesctl health: grpc.health.v1.Health/Check, for scripts, container
// health checks and probes (docs/DEPLOY.md):
//
//   salesctl [--server=HOST:PORT] [TLS flags] health [--service=NAME] [--json]
//
// Prints the status (SERVING, NOT_SERVING, ...) of the server ("", the
// default) or of a service name it reports (salesops.writes,
// salesops.integrity). Exit status: 0 when SERVING, kExitNotServing when the
// server answered anything else, a failed call's as for every command
// (UNAVAILABLE 14 when nothing listens, NOT_FOUND 5 for an unknown name).
// The health service needs no token.
#ifndef SALESOPS_CLIENT_SALESCTL_HEALTH_COMMAND_H_
#define SALESOPS_CLIENT_SALESCTL_HEALTH_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "command_line.h"
#include "rpc_client.h"

namespace salesctl {

inline constexpr absl::string_view kHealthCommand = "health";

// The lines "salesctl help" shows for it.
std::string HealthHelp();

// Runs it for `line` (its command is kHealthCommand), as RunSalesctl (run.h)
// runs a generic command.
int RunHealth(const CommandLine& line, RpcClient& rpc, std::ostream& out, std::ostream& err);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_HEALTH_COMMAND_H_
