#include "audit_commands.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "salesops/v1/admin.pb.h"
#include "audit_follow.h"
#include "audit_tables.h"
#include "commands.h"
#include "exit_codes.h"
#include "progress.h"
#include "reply_format.h"
#include "request_args.h"
#include "salesops/v1/audit.pb.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
namespace v1 = ::salesops::v1;

struct Rename {
  absl::string_view flag;   // as ParseFlagToken normalizes it ('-' is '_')
  absl::string_view field;  // the request field it sets
};

constexpr Rename kChangesFlags[] = {
    {"lead", "lead_id"}, {"since", "from_time"}, {"until", "to_time"}, {"from", "from_stage"}, {"to", "to_stage"},
};
constexpr Rename kVerifyFlags[] = {{"from", "from_position"}, {"to", "to_position"}};
constexpr Rename kDigestFlags[] = {{"at", "position"}};

constexpr absl::string_view kHelp =
    "Audit and operations commands:\n"
    "    audit changes   stage changes of leads (--actor, --role, --from=STAGE, --to=STAGE, --lead=ID,\n"
    "                    --since=TIME, --until=TIME, --overrides-only, --page-size=N, --page-token=T)\n"
    "    audit verify    recompute the hash chain (--from=N --to=M); exit 65 when it breaks\n"
    "    audit digest    the chain digest at a position (--position=N; default the head)\n"
    "    audit follow    the log as it grows, one line per event (--from=N | --now, --type=T, --category=C,\n"
    "                    --stream=ID, --actor=ID, --checkpoint-seconds=N, --json)\n"
    "    admin backup DIR   an online copy of the database in DIR (absolute, new, on the server's machine)\n"
    "    export [--from=N] [--out=FILE] [--progress=auto|bar|lines|none]\n"
    "                    the log as JSON lines, one EventEnvelope per line (stdout by default)\n"
    "    import FILE [--expect-digest=HEX] [--progress=auto|bar|lines|none]\n"
    "                    replay an export into an empty server (ADMIN), byte for byte\n"
    "    --progress=MODE progress of export and import, on stderr: auto (the default) a bar\n"
    "                    on a terminal, else a line every 2 s; or bar, lines, none\n";

// Renames the sugar flags of `args` to the request's own flags.
std::vector<std::string> RenameFlags(const std::vector<std::string>& args, absl::Span<const Rename> renames) {
  std::vector<std::string> out;
  for (const std::string& arg : args) {
    std::optional<FlagToken> flag = ParseFlagToken(arg);
    const Rename* rename = nullptr;
    if (flag.has_value()) {
      for (const Rename& r : renames) {
        if (r.flag == flag->name) rename = &r;
      }
    }
    if (rename == nullptr) {
      out.push_back(arg);
    } else if (flag->value.has_value()) {
      out.push_back(absl::StrCat("--", rename->field, "=", *flag->value));
    } else {
      out.push_back(absl::StrCat("--", rename->field));
    }
  }
  return out;
}

int UsageError(std::ostream& err, absl::string_view message) {
  err << "salesctl: " << message << "\nRun 'salesctl audit --help' for usage.\n";
  return kExitUsage;
}

// One call of the generic command `name` (e.g. "audit.verify-log"); the
// reply is copied into `reply`.
grpc::Status CallInto(RpcClient& rpc, const GlobalOptions& globals, absl::string_view name,
                      const pb::Message& request, pb::Message* reply) {
  absl::StatusOr<const Command*> command = FindCommand(name);
  if (!command.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, std::string(command.status().message()));
  return rpc.Call(globals, **command, request, [reply](const pb::Message& r) { reply->CopyFrom(r); });
}

int CallFailed(std::ostream& err, const grpc::Status& status) {
  err << FormatGrpcError(status) << "\n";
  return ExitCodeForGrpcError(status);
}

// Prints `reply` as JSON; false (after reporting) when it cannot.
bool PrintJson(const pb::Message& reply, std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::string> json = FormatJson(reply);
  if (!json.ok()) {
    err << "salesctl: " << json.status().message() << "\n";
    return false;
  }
  out << *json;
  return true;
}

int AuditChanges(const std::vector<std::string>& args, GlobalOptions globals, RpcClient& rpc, std::ostream& out,
                 std::ostream& err) {
  v1::ListStageChangesRequest request;
  absl::StatusOr<RequestArgs> parsed = ApplyRequestArgs(RenameFlags(args, kChangesFlags), &request, &globals);
  if (!parsed.ok()) return UsageError(err, parsed.status().message());
  if (parsed->help) {
    out << kHelp;
    return kExitOk;
  }
  // A call examines a bounded stretch of the log, so a page may come back
  // short (even empty) with a token: follow tokens until the rows asked for.
  const int want = request.page_size() == 0 ? 100 : static_cast<int>(request.page_size());
  v1::ListStageChangesResponse all;
  for (;;) {
    request.set_page_size(static_cast<uint32_t>(want - all.changes_size()));
    v1::ListStageChangesResponse page;
    const grpc::Status status = CallInto(rpc, globals, "audit.list-stage-changes", request, &page);
    if (!status.ok()) return CallFailed(err, status);
    for (v1::StageChange& change : *page.mutable_changes()) *all.add_changes() = std::move(change);
    all.set_head_position(page.head_position());
    all.set_next_page_token(page.next_page_token());
    if (page.next_page_token().empty() || all.changes_size() >= want) break;
    request.set_page_token(page.next_page_token());
  }
  if (globals.json) return PrintJson(all, out, err) ? kExitOk : kExitInternal;
  out << RenderStageChanges(all);
  return kExitOk;
}

int AuditVerify(const std::vector<std::string>& args, GlobalOptions globals, RpcClient& rpc, std::ostream& out,
                std::ostream& err) {
  v1::VerifyLogRequest request;
  absl::StatusOr<RequestArgs> parsed = ApplyRequestArgs(RenameFlags(args, kVerifyFlags), &request, &globals);
  if (!parsed.ok()) return UsageError(err, parsed.status().message());
  if (parsed->help) {
    out << kHelp;
    return kExitOk;
  }
  v1::VerifyLogResponse reply;
  const grpc::Status status = CallInto(rpc, globals, "audit.verify-log", request, &reply);
  if (!status.ok()) return CallFailed(err, status);
  if (globals.json) {
    if (!PrintJson(reply, out, err)) return kExitInternal;
  } else if (reply.ok()) {
    out << "ok: " << reply.detail() << "\ndigest: " << reply.digest() << "\n";
  } else {
    out << "BROKEN: " << reply.detail() << "\nfirst_broken_position: " << reply.first_broken_position() << "\n";
  }
  if (!reply.ok()) {
    err << "salesctl: the hash chain breaks at position " << reply.first_broken_position() << "\n";
    return kExitDataError;
  }
  return kExitOk;
}

int AuditDigest(const std::vector<std::string>& args, GlobalOptions globals, RpcClient& rpc, std::ostream& out,
                std::ostream& err) {
  v1::GetLogDigestRequest request;
  absl::StatusOr<RequestArgs> parsed = ApplyRequestArgs(RenameFlags(args, kDigestFlags), &request, &globals);
  if (!parsed.ok()) return UsageError(err, parsed.status().message());
  if (parsed->help) {
    out << kHelp;
    return kExitOk;
  }
  v1::GetLogDigestResponse reply;
  const grpc::Status status = CallInto(rpc, globals, "audit.get-log-digest", request, &reply);
  if (!status.ok()) return CallFailed(err, status);
  if (globals.json) return PrintJson(reply, out, err) ? kExitOk : kExitInternal;
  out << "position: " << reply.position() << "\ndigest: " << reply.digest() << "\n";
  return kExitOk;
}

// The plain flags of export/import: "--name=value" or "--name value";
// anything else is a positional argument. INVALID_ARGUMENT for a flag not in
// `known` or without a value.
struct PlainArgs {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  bool help = false;
};
absl::StatusOr<PlainArgs> ParsePlain(const std::vector<std::string>& args, std::vector<absl::string_view> known) {
  PlainArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<FlagToken> flag = ParseFlagToken(args[i]);
    if (!flag.has_value()) {
      out.positional.push_back(args[i]);
      continue;
    }
    if (flag->name == "help") {
      out.help = true;
      continue;
    }
    if (std::find(known.begin(), known.end(), flag->name) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", flag->name));
    }
    if (!flag->value.has_value()) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " needs a value"));
      flag->value = args[++i];
    }
    out.flags[flag->name] = *flag->value;
  }
  return out;
}

int AdminBackup(const std::vector<std::string>& args, const GlobalOptions& globals, RpcClient& rpc,
                std::ostream& out, std::ostream& err) {
  absl::StatusOr<PlainArgs> parsed = ParsePlain(args, {});
  if (!parsed.ok()) return UsageError(err, parsed.status().message());
  if (parsed->help) {
    out << kHelp;
    return kExitOk;
  }
  if (parsed->positional.size() != 1) return UsageError(err, "admin backup needs one argument: DIR");
  v1::BackupRequest request;
  request.set_dir(parsed->positional[0]);
  v1::BackupResponse reply;
  const grpc::Status status = CallInto(rpc, globals, "admin.backup", request, &reply);
  if (!status.ok()) return CallFailed(err, status);
  if (globals.json) return PrintJson(reply, out, err) ? kExitOk : kExitInternal;
  out << "backup: " << reply.dir() << "\nposition: " << reply.position() << "\ndigest: " << reply.digest()
      << "\n";
  return kExitOk;
}

// The --progress mode of `parsed` (auto when absent).
absl::StatusOr<ProgressMode> ProgressModeOf(const PlainArgs& parsed) {
  const auto mode = parsed.flags.find("progress");
  return mode == parsed.flags.end() ? ProgressMode::kAuto : ParseProgressMode(mode->second);
}

// The non-empty lines of the regular file at `path` (what import sends);
// nullopt when it is not a regular file (a pipe must be read only once).
std::optional<uint64_t> CountEvents(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  uint64_t lines = 0;
  bool line_empty = true;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      if (buffer[i] == '\n') {
        if (!line_empty) ++lines;
        line_empty = true;
      } else {
        line_empty = false;
      }
    }
  }
  if (!line_empty) ++lines;
  return lines;
}

int Export(const std::vector<std::string>& args, const GlobalOptions& globals, RpcClient& rpc, std::ostream& out,
           std::ostream& err, const Console& console) {
  absl::StatusOr<PlainArgs> parsed = ParsePlain(args, {"from", "out", "progress"});
  if (!parsed.ok()) return UsageError(err, parsed.status().message());
  if (parsed->help) {
    out << kHelp;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    return UsageError(err, "export takes no arguments besides --from, --out and --progress");
  }
  const absl::StatusOr<ProgressMode> mode = ProgressModeOf(*parsed);
  if (!mode.ok()) return UsageError(err, mode.status().message());
  v1::ReadLogRequest request;
  request.set_limit(1000);
  if (auto from = parsed->flags.find("from"); from != parsed->flags.end()) {
    uint64_t position = 0;
    if (!absl::SimpleAtoi(from->second, &position)) return UsageError(err, "--from: must be a log position");
    request.set_from_position(position);
  }
  std::ofstream file;
  std::ostream* sink = &out;
  if (auto path = parsed->flags.find("out"); path != parsed->flags.end()) {
    file.open(path->second, std::ios::out | std::ios::trunc);
    if (!file) {
      err << "salesctl: --out: cannot write " << path->second << "\n";
      return kExitUsage;
    }
    sink = &file;
  }
  const bool output_to_terminal = sink == &out && console.stdout_is_terminal;
  Progress progress(ResolveProgressStyle(*mode, console.stderr_is_terminal, output_to_terminal), "export",
                    "events", err, console.now);
  // Up to the head of the first page: a consistent prefix of the log.
  uint64_t head = 0, count = 0, first = 0, last = 0;
  for (bool started = false;; started = true) {
    v1::ReadLogResponse page;
    const grpc::Status status = CallInto(rpc, globals, "audit.read-log", request, &page);
    if (!status.ok()) {
      progress.Abandon();
      return CallFailed(err, status);
    }
    if (!started) {
      head = page.head_position();
      const uint64_t from = std::max<uint64_t>(request.from_position(), 1);
      progress.SetTotal(head >= from ? head - from + 1 : 0);  // positions are gap-free
    }
    for (const v1::EventEnvelope& e : page.events()) {
      if (e.position() > head) break;
      absl::StatusOr<std::string> line = FormatJson(e);
      if (!line.ok()) {
        progress.Abandon();
        err << "salesctl: " << line.status().message() << "\n";
        return kExitInternal;
      }
      *sink << *line;
      if (count++ == 0) first = e.position();
      last = e.position();
    }
    progress.Update(count);
    if (page.next_position() > head || page.next_position() <= request.from_position()) break;
    request.set_from_position(page.next_position());
  }
  sink->flush();
  if (!*sink) {
    progress.Abandon();
    err << "salesctl: writing the export failed\n";
    return kExitInternal;
  }
  progress.Finish(count);
  err << "exported " << count << " events";
  if (count > 0) err << " (positions " << first << ".." << last << ")";
  err << "\n";
  return kExitOk;
}

int Import(const std::vector<std::string>& args, const GlobalOptions& globals, RpcClient& rpc, std::ostream& out,
           std::ostream& err, const Console& console) {
  absl::StatusOr<PlainArgs> parsed = ParsePlain(args, {"expect_digest", "progress"});
  if (!parsed.ok()) return UsageError(err, parsed.status().message());
  if (parsed->help) {
    out << kHelp;
    return kExitOk;
  }
  if (parsed->positional.size() != 1) return UsageError(err, "import needs one argument: FILE");
  const absl::StatusOr<ProgressMode> mode = ProgressModeOf(*parsed);
  if (!mode.ok()) return UsageError(err, mode.status().message());
  const std::string& path = parsed->positional[0];
  std::ifstream in(path);
  if (!in) {
    err << "salesctl: cannot read " << path << "\n";
    return kExitUsage;
  }
  // The reply goes to stdout only at the end, so a bar never meets it.
  const ProgressStyle style =
      ResolveProgressStyle(*mode, console.stderr_is_terminal, /*output_to_terminal=*/false);
  Progress progress(style, "import", "events", err, console.now);
  if (style != ProgressStyle::kNone) {
    if (const std::optional<uint64_t> total = CountEvents(path)) progress.SetTotal(*total);
  }
  // Batches of at most 1000 envelopes and about 2 MiB (a gRPC message holds 4).
  constexpr int kBatch = 1000;
  constexpr size_t kBatchBytes = 2 << 20;
  v1::ImportEventsRequest request;
  size_t bytes = 0;
  uint64_t imported = 0;
  v1::ImportEventsResponse reply;
  const auto send = [&](bool last_batch) -> int {
    if (request.events_size() == 0) return kExitOk;
    if (last_batch) {
      if (auto digest = parsed->flags.find("expect_digest"); digest != parsed->flags.end()) {
        request.set_expected_digest(digest->second);
      }
    }
    const grpc::Status status = CallInto(rpc, globals, "admin.import-events", request, &reply);
    if (!status.ok()) {
      progress.Abandon();
      err << "salesctl: import stopped after " << imported << " events\n";
      return CallFailed(err, status);
    }
    imported += request.events_size();
    progress.Update(imported);
    request.clear_events();
    bytes = 0;
    return kExitOk;
  };
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    v1::EventEnvelope* e = request.add_events();
    const auto status = google::protobuf::util::JsonStringToMessage(line, e);
    if (!status.ok()) {
      progress.Abandon();
      err << "salesctl: " << path << ":" << number << ": not an EventEnvelope: " << status.message().ToString()
          << "\n";
      return kExitDataError;
    }
    bytes += line.size();
    if (request.events_size() == kBatch || bytes >= kBatchBytes) {
      if (in.peek() == std::char_traits<char>::eof()) break;  // the last batch carries the digest
      if (const int code = send(false); code != kExitOk) return code;
    }
  }
  if (const int code = send(true); code != kExitOk) return code;
  progress.Finish(imported);
  if (globals.json) return PrintJson(reply, out, err) ? kExitOk : kExitInternal;
  out << "imported: " << imported << "\nhead_position: " << reply.head_position() << "\ndigest: " << reply.digest()
      << "\n";
  return kExitOk;
}

}  // namespace

bool IsOpsCommand(absl::string_view command) {
  return command == "audit" || command == "admin" || command == "export" || command == "import";
}

std::string OpsCommandsHelp() { return absl::StrCat("\n", kHelp); }

int RunOpsCommand(const CommandLine& line, RpcClient& rpc, std::ostream& out, std::ostream& err,
                  const Console& console) {
  const bool asks_help = !line.command_args.empty() && (line.command_args[0] == "--help" ||
                                                        line.command_args[0] == "-h" || line.command_args[0] == "help");
  if (line.help || ((line.command == "audit" || line.command == "admin") && asks_help)) {
    out << kHelp;
    return kExitOk;
  }
  if (line.command == "export") return Export(line.command_args, line.globals, rpc, out, err, console);
  if (line.command == "import") return Import(line.command_args, line.globals, rpc, out, err, console);
  if (line.command_args.empty()) return UsageError(err, absl::StrCat("'", line.command, "' needs a subcommand"));
  const std::string& sub = line.command_args[0];
  const std::vector<std::string> args(line.command_args.begin() + 1, line.command_args.end());
  if (line.command == "audit") {
    if (sub == "changes") return AuditChanges(args, line.globals, rpc, out, err);
    if (sub == "verify") return AuditVerify(args, line.globals, rpc, out, err);
    if (sub == "digest") return AuditDigest(args, line.globals, rpc, out, err);
    if (sub == "follow") return AuditFollow(args, line.globals, rpc, out, err);
  }
  if (line.command == "admin" && sub == "backup") return AdminBackup(args, line.globals, rpc, out, err);
  return UsageError(err, absl::StrCat("unknown subcommand '", line.command, " ", sub, "'"));
}

}  // namespace salesctl
