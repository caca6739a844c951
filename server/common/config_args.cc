#include "server/common/config_args.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace salesops {
namespace {

// "--data-dir=x" -> "--data_dir=x"; other arguments as they are.
std::string Normalize(const std::string& arg) {
  if (!absl::StartsWith(arg, "--")) return arg;
  const size_t eq = arg.find('=');
  const std::string name = arg.substr(0, eq);
  return absl::StrReplaceAll(name, {{"-", "_"}}).replace(0, 2, "--") + (eq == std::string::npos ? "" : arg.substr(eq));
}

absl::Status ReadConfigFile(const std::string& path, const ConfigSources& sources, std::vector<std::string>& out) {
  absl::StatusOr<std::string> text = sources.read_file(path);
  if (!text.ok()) return text.status();
  int number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(path, " line ", number, ": expected 'name = value'"));
    }
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, eq));
    absl::ConsumePrefix(&name, "--");
    std::string key = absl::StrReplaceAll(name, {{"-", "_"}});
    if (!sources.flags.contains(key) || key == "config" || key == "flagfile") {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " line ", number, ": unknown setting '", name, "' (see salesopsd --help)"));
    }
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    out.push_back(absl::StrCat("--", key, "=", value));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ExpandConfig(const std::vector<std::string>& args,
                                                      const ConfigSources& sources) {
  std::vector<std::string> command_line;
  std::vector<std::string> files;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string arg = Normalize(args[i]);
    for (const char* option : {"--config", "--flagfile"}) {
      if (arg == option && i + 1 < args.size()) {
        files.push_back(args[++i]);
        arg.clear();
      } else if (absl::StartsWith(arg, absl::StrCat(option, "="))) {
        files.push_back(arg.substr(std::string(option).size() + 1));
        arg.clear();
      }
    }
    if (!arg.empty()) command_line.push_back(std::move(arg));
  }
  std::vector<std::string> out = {args.empty() ? std::string("salesopsd") : args[0]};
  for (const std::string& file : files) {
    if (absl::Status s = ReadConfigFile(file, sources, out); !s.ok()) return s;
  }
  std::vector<std::string> names(sources.flags.begin(), sources.flags.end());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (name == "config" || name == "flagfile") continue;
    if (std::optional<std::string> value = sources.env(absl::StrCat("SALESOPS_", absl::AsciiStrToUpper(name)));
        value.has_value()) {
      out.push_back(absl::StrCat("--", name, "=", *value));
    }
  }
  out.insert(out.end(), command_line.begin(), command_line.end());
  return out;
}

}  // namespace salesops
