// salesctl audit follow: Audit.Subscribe, printed as it arrives.
//
//   audit follow [--from=N | --now] [--type=T ...] [--category=C] [--stream=S]
//                [--actor=A] [--checkpoint-seconds=N]
//
// Text: one line per event on stdout (FollowLine); the caught-up marker and
// checkpoints go to stderr as "# ..." lines, so stdout holds events only.
// --json: every SubscribeResponse as one JSON line on stdout (events and
// markers alike: a consumer resumes from the last position it saw + 1).
// The stream never ends by itself; the exit status is the call's status
// (Ctrl-C ends it).
#ifndef SALESOPS_CLIENT_SALESCTL_AUDIT_FOLLOW_H_
#define SALESOPS_CLIENT_SALESCTL_AUDIT_FOLLOW_H_

#include <ostream>
#include <string>
#include <vector>

#include "global_options.h"
#include "rpc_client.h"
#include "salesops/v1/events.pb.h"

namespace salesctl {

// "   42  2026-11-27T09:12:44Z  lead-wx-1 v3  QuoteSent  rep1 SALES_REP".
std::string FollowLine(const salesops::v1::EventEnvelope& event);

int AuditFollow(const std::vector<std::string>& args, GlobalOptions globals, RpcClient& rpc, std::ostream& out,
                std::ostream& err);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_AUDIT_FOLLOW_H_
