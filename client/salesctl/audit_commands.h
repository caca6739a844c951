// The named operations commands, each a short name over one or a few RPCs:
//
//   audit changes [filters]      Audit.ListStageChanges, every page until
//                                --page-size rows (a table, or --json)
//   audit verify [--from N] [--to M]
//                                Audit.VerifyLog; exit status kExitBroken
//                                when the chain breaks
//   audit digest [--position N]  Audit.GetLogDigest
//   audit follow [filters]       Audit.Subscribe (audit_follow.h)
//   admin backup DIR             Admin.Backup
//   export [--from N] [--out FILE] [--progress MODE]
//                                Audit.ReadLog, page by page up to the head
//                                of the first page, as JSON lines
//   import FILE [--expect-digest HEX] [--progress MODE]
//                                Admin.ImportEvents, in batches
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
#include "console.h"
#include "rpc_client.h"

namespace salesctl {

// True for the commands this file runs ("audit", "admin", "export", "import").
bool IsOpsCommand(absl::string_view command);

// The lines "salesctl help" adds for them.
std::string OpsCommandsHelp();

// Runs one as RunSalesctl (run.h) runs a generic command: help, usage errors
// (exit 64, nothing sent), the calls through `rpc`, output on `out`, a failed
// call's status on `err` and as the exit status. "export" and "import" also
// report their progress on `err` (progress.h): --progress=auto (the
// default) draws a bar when `console` says `err` is a terminal and plain
// lines otherwise; bar, lines and none force a style. `out` gets the same
// bytes whatever the style.
int RunOpsCommand(const CommandLine& line, RpcClient& rpc, std::ostream& out, std::ostream& err,
                  const Console& console = Console());

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_AUDIT_COMMANDS_H_
