#include "request_args.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "command_line.h"
#include "field_flags.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;

std::string ValidFlagList(const pb::Descriptor& type) {
  std::vector<std::string> names;
  for (const FlagInfo& flag : ListFlags(type)) {
    names.push_back(absl::StrCat("--", flag.path));
  }
  return absl::StrJoin(names, " ");
}

bool IsBoolText(absl::string_view text) {
  return absl::EqualsIgnoreCase(text, "true") || absl::EqualsIgnoreCase(text, "false");
}

absl::Status FlagError(absl::string_view flag, const absl::Status& cause) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", cause.message()));
}

}  // namespace

absl::StatusOr<RequestArgs> ApplyRequestArgs(const std::vector<std::string>& args, pb::Message* request,
                                             GlobalOptions* globals) {
  const pb::Descriptor& type = *request->GetDescriptor();
  RequestArgs result;
  std::set<std::string> singular_fields_set;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<FlagToken> flag = ParseFlagToken(args[i]);
    if (!flag.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", args[i], "'; request fields are given as --field=value"));
    }
    if (flag->name == "help") {
      result.help = true;
      continue;
    }

    absl::StatusOr<FieldPath> path = ResolveFieldPath(type, flag->name);
    if (absl::IsNotFound(path.status()) && IsGlobalFlag(flag->name)) {
      if (!flag->value.has_value() && GlobalFlagNeedsValue(flag->name)) {
        if (i + 1 >= args.size()) {
          return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " needs a value"));
        }
        flag->value = args[++i];
      }
      absl::Status status = ApplyGlobalFlag(flag->name, flag->value, globals);
      if (!status.ok()) return status;
      continue;
    }
    if (absl::IsNotFound(path.status())) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", flag->name, ": ",
                                                     path.status().message(),
                                                     "; valid flags: ", ValidFlagList(type)));
    }
    if (!path.ok()) return FlagError(flag->name, path.status());

    if (!flag->value.has_value()) {
      const bool next_is_value = i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--");
      if (FlagValueOptional(path->leaf()) && (!next_is_value || !IsBoolText(args[i + 1]))) {
        flag->value = "true";
      } else if (next_is_value) {
        flag->value = args[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag->name, " needs a value (a value that starts with -- must be given as --",
                         flag->name, "=VALUE)"));
      }
    }
    if (!path->leaf().is_repeated() && !singular_fields_set.insert(path->canonical).second) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " given more than once (",
                                                     path->canonical, " is not a repeated field)"));
    }
    absl::Status status = SetFieldFromText(*path, *flag->value, request);
    if (!status.ok()) return FlagError(flag->name, status);
  }
  return result;
}

}  // namespace salesctl
