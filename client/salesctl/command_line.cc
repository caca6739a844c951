#include "command_line.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace salesctl {

std::optional<FlagToken> ParseFlagToken(absl::string_view arg) {
  if (arg == "-h") return FlagToken{"help", std::nullopt};
  if (!absl::StartsWith(arg, "--") || arg.size() == 2) return std::nullopt;
  arg.remove_prefix(2);
  FlagToken token;
  const size_t eq = arg.find('=');
  if (eq == 0) return std::nullopt;
  if (eq != absl::string_view::npos) {
    token.value = std::string(arg.substr(eq + 1));
    arg = arg.substr(0, eq);
  }
  token.name = absl::StrReplaceAll(arg, {{"-", "_"}});
  return token;
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args, const EnvLookup& env) {
  CommandLine line;
  line.globals = DefaultGlobalOptions(env);
  size_t i = 0;
  for (; i < args.size(); ++i) {
    std::optional<FlagToken> flag = ParseFlagToken(args[i]);
    if (!flag.has_value()) {
      if (absl::StartsWith(args[i], "-") && args[i] != "-") {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown flag '", args[i], "'; flags are --name=value"));
      }
      break;  // the command
    }
    if (flag->name == "help") {
      line.help = true;
      continue;
    }
    if (!IsGlobalFlag(flag->name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown global flag --", flag->name,
                       " (global flags: --server, --token, --json, --timeout, --tls, --tls-ca, --tls-cert, --tls-key, "
                       "--tls-server-name; request "
                       "fields go after the command)"));
    }
    if (!flag->value.has_value() && GlobalFlagNeedsValue(flag->name)) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " needs a value"));
      }
      flag->value = args[++i];
    }
    absl::Status status = ApplyGlobalFlag(flag->name, flag->value, &line.globals);
    if (!status.ok()) return status;
  }
  if (i < args.size() && args[i] == "help") {
    line.help = true;
    ++i;
  }
  if (i < args.size()) {
    line.command = args[i++];
    line.command_args.assign(args.begin() + i, args.end());
  }
  return line;
}

}  // namespace salesctl
