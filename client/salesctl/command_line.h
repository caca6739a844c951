// Splits salesctl's argument list into global flags, the command and the
// command's own arguments.
//
//   salesctl [GLOBAL FLAGS] <command> [--field=value ...]
//   salesctl [GLOBAL FLAGS] help [<command>]
//   salesctl [GLOBAL FLAGS] <command> --help
//
// Flag syntax everywhere: "--name=value" or "--name value"; in names '-'
// equals '_'. "-h" is "--help". Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_COMMAND_LINE_H_
#define SALESOPS_CLIENT_SALESCTL_COMMAND_LINE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "global_options.h"

namespace salesctl {

// One "--name[=value]" argument.
struct FlagToken {
  std::string name;                  // without "--", '-' replaced by '_'
  std::optional<std::string> value;  // set when written "--name=value"
};

// Parses `arg` as a flag; std::nullopt when it does not start with "--"
// (or is not "-h"). "--" alone and "--=x" are not flags either.
std::optional<FlagToken> ParseFlagToken(absl::string_view arg);

struct CommandLine {
  GlobalOptions globals;
  std::string command;                    // empty when none was given
  bool help = false;                      // "help [cmd]", "--help" or "<cmd> --help" seen
  std::vector<std::string> command_args;  // the arguments after the command
};

// Parses the arguments (without the program name). Global flags may only
// precede the command here; those after it are left in command_args (the
// request parser accepts them there when they are not request fields).
// INVALID_ARGUMENT for an unknown or malformed global flag.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args, const EnvLookup& env);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_COMMAND_LINE_H_
