#include "audit_follow.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "command_line.h"
#include "commands.h"
#include "enum_names.h"
#include "exit_codes.h"
#include "reply_format.h"
#include "request_args.h"
#include "salesops/v1/audit.pb.h"
#include "time_text.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
namespace v1 = ::salesops::v1;

constexpr absl::string_view kFollowHelp =
    "salesctl audit follow [--from=N | --now] [--type=T ...] [--category=lead|order|ticket|team]\n"
    "                      [--stream=ID] [--actor=ID] [--checkpoint-seconds=N] [--json]\n"
    "  Prints the log from position N (default: the start), then every event as it commits,\n"
    "  one line each; '# caught up' and '# checkpoint' lines go to stderr (docs/AUDIT.md).\n";

// The sugar flags, as ParseFlagToken normalizes them, and the field each sets.
std::vector<std::string> Rename(const std::vector<std::string>& args) {
  static const std::pair<absl::string_view, absl::string_view> kRenames[] = {
      {"from", "from_position"}, {"now", "from_now"}, {"type", "event_types"}, {"stream", "stream_id"}};
  std::vector<std::string> out;
  for (const std::string& arg : args) {
    std::optional<FlagToken> flag = ParseFlagToken(arg);
    absl::string_view field;
    if (flag.has_value()) {
      for (const auto& [from, to] : kRenames) {
        if (flag->name == from) field = to;
      }
    }
    if (field.empty()) {
      out.push_back(arg);
    } else {
      out.push_back(flag->value.has_value() ? absl::StrCat("--", field, "=", *flag->value) : absl::StrCat("--", field));
    }
  }
  return out;
}

}  // namespace

std::string FollowLine(const v1::EventEnvelope& e) {
  return absl::StrFormat("%6d  %s  %s v%d  %s  %s %s\n", e.position(), FormatTimestamp(e.recorded_at(), true),
                         e.stream_id(), e.stream_version(), e.event_type(), e.actor(),
                         EnumShortNameOf(*v1::Role_descriptor(), e.actor_role()));
}

int AuditFollow(const std::vector<std::string>& args, GlobalOptions globals, RpcClient& rpc, std::ostream& out,
                std::ostream& err) {
  v1::SubscribeRequest request;
  absl::StatusOr<RequestArgs> parsed = ApplyRequestArgs(Rename(args), &request, &globals);
  if (!parsed.ok()) {
    err << "salesctl: " << parsed.status().message() << "\n" << kFollowHelp;
    return kExitUsage;
  }
  if (parsed->help) {
    out << kFollowHelp;
    return kExitOk;
  }
  absl::StatusOr<const Command*> command = FindCommand("audit.subscribe");
  if (!command.ok()) {
    err << "salesctl: " << command.status().message() << "\n";
    return kExitInternal;
  }
  bool printable = true;
  const grpc::Status status = rpc.Call(globals, **command, request, [&](const pb::Message& m) {
    const auto& reply = static_cast<const v1::SubscribeResponse&>(m);
    if (globals.json) {
      absl::StatusOr<std::string> json = FormatJson(reply);
      printable = printable && json.ok();
      if (json.ok()) out << *json << std::flush;
      return;
    }
    switch (reply.message_case()) {
      case v1::SubscribeResponse::kEvent:
        out << FollowLine(reply.event()) << std::flush;
        break;
      case v1::SubscribeResponse::kEvents:
        for (const v1::EventEnvelope& e : reply.events().events()) out << FollowLine(e);
        out << std::flush;
        break;
      case v1::SubscribeResponse::kCaughtUp:
        err << "# caught up at position " << reply.caught_up().position() << "\n" << std::flush;
        break;
      case v1::SubscribeResponse::kCheckpoint:
        err << "# checkpoint " << reply.checkpoint().position() << "\n" << std::flush;
        break;
      default:
        break;
    }
  });
  if (!status.ok()) {
    err << FormatGrpcError(status) << "\n";
    return ExitCodeForGrpcError(status);
  }
  if (!printable) {
    err << "salesctl: a reply could not be printed as JSON\n";
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace salesctl
