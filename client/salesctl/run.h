// The whole salesctl program except for process plumbing, so that tests can
// drive it with fake arguments, environment and transport.
#ifndef SALESOPS_CLIENT_SALESCTL_RUN_H_
#define SALESOPS_CLIENT_SALESCTL_RUN_H_

#include <ostream>
#include <string>
#include <vector>

#include "console.h"
#include "global_options.h"
#include "rpc_client.h"

namespace salesctl {

// Runs salesctl with `args` (argv without the program name) and returns the
// exit status (exit_codes.h). Help and replies go to `out`, nothing else. On
// `err`: for a failed call one line "salesctl: CODE (n): message"; for a
// usage error a line "salesctl: <what is wrong>" and a line with a hint.
// Calls `rpc` at most once, except for "demo" (demo.h), which makes many
// calls, concurrently, and "export"/"import" (audit_commands.h), a call per
// page or batch; never for help or a usage error. `console` says whether
// `out` and `err` are terminals (export and import choose how to show
// progress on `err` by it) and gives the time.
int RunSalesctl(const std::vector<std::string>& args, const EnvLookup& env, RpcClient& rpc, std::ostream& out,
                std::ostream& err, const Console& console = Console());

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_RUN_H_
