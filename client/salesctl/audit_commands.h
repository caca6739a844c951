// The named operations commands, each a short name over one or a few RPCs:
//
//   audit changes [filters]      Audit.ListStageChanges, every page until
//                                --page-size rows (a table, or --json)
//   audit verify [--from N] [--to M]
//                                Audit.VerifyLog; exit status kExitBroken
//                                when the chain breaks
//   audit digest [--position N]  Audit.GetLogDigest
//
// Flags are the request's own fields (request_args.h), plus for "audit
// changes": --lead=ID (lead_id), --since=TIME (from_time), --until=TIME
// (to_time), --from=STAGE (from_stage), --to=STAGE (to_stage); for "audit
// verify": --from / --to (from_position / to_position).
#ifndef SALESOPS_CLIENT_SALESCTL_AUDIT_COMMANDS_H_
#define SALESOPS_CLIENT_SALESCTL_AUDIT_COMMANDS_H_

#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "command_line.h"
#include "rpc_client.h"

namespace salesctl {

// True for the commands this file runs ("audit", "admin", "export", "import").
bool IsOpsCommand(absl::string_view command);

// The lines "salesctl help" adds for them.
std::string OpsCommandsHelp();

// Runs one as RunSalesctl (run.h) runs a generic command: help, usage errors
// (exit 64, nothing sent), the calls through `rpc`, output on `out`, a failed
// call's status on `err` and as the exit status.
int RunOpsCommand(const CommandLine& line, RpcClient& rpc, std::ostream& out, std::ostream& err);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_AUDIT_COMMANDS_H_
