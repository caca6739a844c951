// The named commands for the Views service: short names, a little flag
// sugar, and tables instead of field lists.
//
//   pipeline  -> Views.GetPipeline             workload -> Views.GetWorkload
//   leads     -> Views.ListLeads               review   -> Views.GetPerformanceReview
//   reviews   -> Views.ListPerformanceReviews  compare  -> Views.CompareReviews
//   analysis  -> Views.GetSalesAnalysis        satisfaction -> Views.GetSatisfactionAnalysis
//   account   -> Views.GetAccount
//
// Each takes every flag of its request exactly as the generic command does
// (request_args.h, field_flags.h: "salesctl get-pipeline" keeps working),
// plus:
//   --as-of=POSITION | --as-of=TIME   view.as_of_position / view.as_of_time
//   --min-position=N                  view.min_position
//   --member=ID                       member_id                  (review)
//   --policy=N                        policy_version             (review, reviews)
//   a date "2026-11-01" for any Timestamp flag, meaning 00:00 UTC that day.
// Defaults: review, reviews, compare, analysis and satisfaction take the last
// complete UTC month when no period (nor from/to) is given; reviews and
// compare take role SALES_REP when none is given. The reply prints as a
// table (pipeline_tables.h, workload_table.h, review_tables.h,
// analysis_tables.h), or with --json as every command does.
#ifndef SALESOPS_CLIENT_SALESCTL_VIEW_COMMANDS_H_
#define SALESOPS_CLIENT_SALESCTL_VIEW_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "command_line.h"
#include "google/protobuf/message.h"
#include "request_args.h"
#include "rpc_client.h"

namespace salesctl {

struct ViewCommand {
  absl::string_view name;       // what the user types: "pipeline"
  absl::string_view rpc;        // the generic command it calls: "views.get-pipeline"
  absl::string_view summary;    // one line for "salesctl help"
  absl::string_view extra;      // its own flags and defaults, for "--help"
  bool default_period = false;  // no period/from/to given: the current UTC month
  bool default_role = false;    // no role given: SALES_REP
};

// Every named view command, in help order.
const std::vector<ViewCommand>& ViewCommands();

// The named command `name`, or nullptr.
const ViewCommand* FindViewCommand(absl::string_view name);

// The lines "salesctl help" adds for the named commands.
std::string ViewCommandsHelp();

// Fills `request` (of the RPC's input type) from `args`, the arguments after
// the command, as ApplyRequestArgs does after rewriting the sugar flags;
// then applies the defaults, with `now` giving the current month.
// INVALID_ARGUMENT naming the flag, as ApplyRequestArgs.
absl::StatusOr<RequestArgs> BuildViewRequest(const ViewCommand& command, const std::vector<std::string>& args,
                                             absl::Time now, google::protobuf::Message* request,
                                             GlobalOptions* globals);

// The table for a Views reply (Pipeline, ListLeadsResponse, Workload,
// PerformanceReview, ListPerformanceReviewsResponse, CompareReviewsResponse);
// FormatReadable (reply_format.h) for any other message.
std::string RenderView(const google::protobuf::Message& reply);

// Runs a named command as RunSalesctl (run.h) runs a generic one: help,
// usage errors (exit 64, nothing sent), one call through `rpc`, the reply on
// `out` (a table, or JSON with --json), a failed call's status on `err` and
// as the exit status.
int RunViewCommand(const ViewCommand& command, const CommandLine& line, absl::Time now, RpcClient& rpc,
                   std::ostream& out, std::ostream& err);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_VIEW_COMMANDS_H_
