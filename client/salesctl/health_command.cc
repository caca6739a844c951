#include "health_command.h"

#include "absl/strings/str_cat.h"
#include "commands.h"
#include "exit_codes.h"
#include "grpc/health/v1/health.pb.h"
#include "reply_format.h"
#include "request_args.h"

namespace salesctl {
namespace {

namespace health = ::grpc::health::v1;

constexpr absl::string_view kHelp =
    "\nHealth:\n"
    "    health [--service=NAME]   grpc.health.v1.Health/Check of the server (\"\") or of a service name\n"
    "                              (salesops.writes, salesops.integrity); exit 0 when SERVING, 69 otherwise\n";

// Health.Check as a command: not in the catalogue (commands.h lists the
// salesops.v1 services only), built from the generated descriptor.
const Command& CheckCommand() {
  static const Command* const command = new Command{
      .name = std::string(kHealthCommand),
      .qualified_name = "health.check",
      .method = health::HealthCheckRequest::descriptor()->file()->FindServiceByName("Health")->FindMethodByName(
          "Check"),
  };
  return *command;
}

}  // namespace

std::string HealthHelp() { return std::string(kHelp); }

int RunHealth(const CommandLine& line, RpcClient& rpc, std::ostream& out, std::ostream& err) {
  if (line.help) {
    out << kHelp.substr(1);
    return kExitOk;
  }
  GlobalOptions globals = line.globals;
  health::HealthCheckRequest request;
  absl::StatusOr<RequestArgs> parsed = ApplyRequestArgs(line.command_args, &request, &globals);
  if (!parsed.ok()) {
    err << "salesctl: " << parsed.status().message() << "\nRun 'salesctl health --help' for usage.\n";
    return kExitUsage;
  }
  if (parsed->help) {
    out << kHelp.substr(1);
    return kExitOk;
  }
  health::HealthCheckResponse reply;
  const grpc::Status status = rpc.Call(globals, CheckCommand(), request,
                                       [&reply](const google::protobuf::Message& r) { reply.CopyFrom(r); });
  if (!status.ok()) {
    err << FormatGrpcError(status) << "\n";
    return ExitCodeForGrpcError(status);
  }
  if (globals.json) {
    absl::StatusOr<std::string> json = FormatJson(reply);
    if (!json.ok()) {
      err << "salesctl: " << json.status().message() << "\n";
      return kExitInternal;
    }
    out << *json;
  } else {
    out << health::HealthCheckResponse::ServingStatus_Name(reply.status()) << "\n";
  }
  return reply.status() == health::HealthCheckResponse::SERVING ? kExitOk : kExitNotServing;
}

}  // namespace salesctl
