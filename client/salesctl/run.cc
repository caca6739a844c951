#include "run.h"

#include <memory>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "audit_commands.h"
#include "command_line.h"
#include "commands.h"
#include "demo.h"
#include "exit_codes.h"
#include "health_command.h"
#include "help_text.h"
#include "reply_format.h"
#include "request_args.h"
#include "view_commands.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;

int UsageError(std::ostream& err, const absl::Status& status, absl::string_view hint) {
  err << "salesctl: " << status.message() << "\n" << hint << "\n";
  return kExitUsage;
}

}  // namespace

int RunSalesctl(const std::vector<std::string>& args, const EnvLookup& env, RpcClient& rpc, std::ostream& out,
                std::ostream& err, const Console& console) {
  absl::StatusOr<CommandLine> line = ParseCommandLine(args, env);
  if (!line.ok()) {
    return UsageError(err, line.status(), "Run 'salesctl help' for usage.");
  }
  if (absl::Status s = salesops::client::CheckChannelSecurity(line->globals.security); !s.ok() && !line->help) {
    return UsageError(err, s, "Run 'salesctl help' for usage.");
  }
  if (line->command.empty()) {
    if (!line->help && !args.empty()) {
      return UsageError(err, absl::InvalidArgumentError("no command given"),
                        "Run 'salesctl help' for the list of commands.");
    }
    out << GeneralHelp(AllCommands()) << ViewCommandsHelp() << OpsCommandsHelp() << HealthHelp() << DemoHelpLine();
    return kExitOk;
  }
  // The named commands come before the generated ones; no RPC is named
  // like them.
  if (const ViewCommand* view = FindViewCommand(line->command)) {
    return RunViewCommand(*view, *line, absl::Now(), rpc, out, err);
  }
  if (line->command == kDemoCommand) return RunDemo(*line, rpc, out, err);
  if (IsOpsCommand(line->command)) return RunOpsCommand(*line, rpc, out, err, console);
  if (line->command == kHealthCommand) return RunHealth(*line, rpc, out, err);

  absl::StatusOr<const Command*> found = FindCommand(line->command);
  if (!found.ok()) {
    return UsageError(err, found.status(), "Run 'salesctl help' for the list of commands.");
  }
  const Command& command = **found;
  const std::string command_hint = "Run 'salesctl " + command.name + " --help' for its fields.";
  if (line->help) {
    out << CommandHelp(command);
    return kExitOk;
  }

  std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(command.method->input_type())->New());
  GlobalOptions globals = line->globals;
  absl::StatusOr<RequestArgs> parsed = ApplyRequestArgs(line->command_args, request.get(), &globals);
  if (!parsed.ok()) return UsageError(err, parsed.status(), command_hint);
  if (parsed->help) {
    out << CommandHelp(command);
    return kExitOk;
  }
  if (command.method->client_streaming()) {
    return UsageError(err,
                      absl::InvalidArgumentError("salesctl cannot call client-streaming methods like " +
                                                 command.method->full_name()),
                      "Use a gRPC client library for it.");
  }

  absl::Status print_status;
  int replies = 0;
  const auto print = [&](const pb::Message& reply) {
    if (globals.json) {
      absl::StatusOr<std::string> json = FormatJson(reply);
      if (!json.ok()) {
        print_status.Update(json.status());
        return;
      }
      out << *json;
    } else {
      if (replies > 0) out << "---\n";
      out << FormatReadable(reply);
    }
    ++replies;
    out.flush();
  };
  const grpc::Status status = rpc.Call(globals, command, *request, print);
  if (!status.ok()) {
    err << FormatGrpcError(status) << "\n";
    return ExitCodeForGrpcError(status);
  }
  if (!print_status.ok()) {
    err << "salesctl: " << print_status.message() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace salesctl
