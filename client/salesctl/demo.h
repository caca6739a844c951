// "salesctl demo": fills a server with a realistic team and about four
// months of history (demo_plan.h says what, and how it is recorded), through
// the public RPCs, as the member of the given token, which must hold ADMIN.
//
//   salesctl [--server=HOST:PORT] [--token=TOKEN] demo [--leads=N] [--seed=N] [--parallel=N]
//
// Steps: find out who the token's member is (Views.GetPerformanceReview of
// oneself answers with one's member id); add the team; take the business
// time of the first AddMember's event as the anchor (every backfilled event
// lies at or before it); give the member SALES_MANAGER and drop the roles
// whose work it must record as overrides (SALES_REP, BD_MANAGER,
// SALES_SUPPORT, AFTER_SALES); send every story, `parallel` at a time, each
// story's requests in order; then targets, scoring policies and the fresh
// leads, in order; print a summary.
//
// Rerunning against the same server appends nothing: every request carries
// a fixed request_id and the anchor is read back from the same event, so
// every request is identical to the first run's and the server answers it
// from its idempotency record. An interrupted run resumes the same way.
#ifndef SALESOPS_CLIENT_SALESCTL_DEMO_H_
#define SALESOPS_CLIENT_SALESCTL_DEMO_H_

#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "command_line.h"
#include "rpc_client.h"

namespace salesctl {

inline constexpr absl::string_view kDemoCommand = "demo";

// The line "salesctl help" shows for the demo.
std::string DemoHelpLine();

// Runs the demo for `line` (its command is kDemoCommand). Progress and the
// summary go to `out`; errors to `err`. Returns 0, 64 for a usage error
// (nothing sent), or the gRPC code of the first call that failed after
// retries (UNAVAILABLE, RESOURCE_EXHAUSTED and DEADLINE_EXCEEDED are retried
// with the same request_id, which is safe). `rpc` must allow concurrent
// calls when --parallel is above 1.
int RunDemo(const CommandLine& line, RpcClient& rpc, std::ostream& out, std::ostream& err);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_DEMO_H_
