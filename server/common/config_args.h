// salesopsd's settings from three places besides the defaults, merged into
// one argument list for the flag parser, so that later ones win:
//
//   defaults  <  --config=FILE  <  SALESOPS_* environment variables  <  command line
//
// The config file is the flag names one per line, "name = value" ('#'
// comments, blank lines; a name may be written with '-' or '_' and with or
// without a leading "--"). Not TOML: the settings are flat, the names are
// exactly the flags' (so README, --help and the file say the same), and no
// library is needed for it. An environment variable is SALESOPS_ and the
// flag's name in capitals (SALESOPS_DATA_DIR for --data-dir).
//
// Every name is normalized to the parser's spelling (data_dir), on the
// command line too; --flagfile is read the same way as --config.
#ifndef SALESOPS_SERVER_COMMON_CONFIG_ARGS_H_
#define SALESOPS_SERVER_COMMON_CONFIG_ARGS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace salesops {

struct ConfigSources {
  // Reads an environment variable (nullopt: unset).
  std::function<std::optional<std::string>(const std::string&)> env;
  // Reads a file's text (NOT_FOUND etc. with the path).
  std::function<absl::StatusOr<std::string>(const std::string&)> read_file;
  // The flags there are, in the parser's spelling ("data_dir").
  absl::flat_hash_set<std::string> flags;
};

// `args` is argv (args[0] the program). Returns the list to parse.
// INVALID_ARGUMENT naming the file and line for a line that is not
// "name = value" or names an unknown flag; the read error for a config file
// that cannot be read.
absl::StatusOr<std::vector<std::string>> ExpandConfig(const std::vector<std::string>& args,
                                                      const ConfigSources& sources);

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_CONFIG_ARGS_H_
