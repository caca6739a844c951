#include "enum_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace salesctl {

std::string EnumValuePrefix(const google::protobuf::EnumDescriptor& type) {
  std::string prefix;
  const std::string& name = type.name();
  for (size_t i = 0; i < name.size(); ++i) {
    const char ch = name[i];
    if (i > 0 && absl::ascii_isupper(ch) &&
        (absl::ascii_islower(name[i - 1]) || absl::ascii_isdigit(name[i - 1]) ||
         (i + 1 < name.size() && absl::ascii_islower(name[i + 1])))) {
      prefix += '_';
    }
    prefix += absl::ascii_toupper(ch);
  }
  prefix += '_';
  return prefix;
}

std::string EnumShortName(const google::protobuf::EnumValueDescriptor& value) {
  const std::string prefix = EnumValuePrefix(*value.type());
  const std::string& name = value.name();
  if (absl::StartsWith(name, prefix) && name.size() > prefix.size()) {
    return name.substr(prefix.size());
  }
  return name;
}

std::string EnumShortNameOf(const google::protobuf::EnumDescriptor& type, int number) {
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  return EnumShortName(*value);
}

std::vector<std::string> SelectableEnumNames(const google::protobuf::EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    const std::string short_name = EnumShortName(*type.value(i));
    if (type.value(i)->number() == 0 && short_name == "UNSPECIFIED") continue;
    names.push_back(absl::AsciiStrToLower(short_name));
  }
  return names;
}

absl::StatusOr<const google::protobuf::EnumValueDescriptor*> ParseEnumValue(
    const google::protobuf::EnumDescriptor& type, absl::string_view text) {
  const std::string wanted = absl::AsciiStrToUpper(absl::StrReplaceAll(text, {{"-", "_"}}));
  for (int i = 0; i < type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = type.value(i);
    if (wanted == value->name() || wanted == EnumShortName(*value)) {
      return value;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a ", type.name(), "; expected one of ",
                                                 absl::StrJoin(SelectableEnumNames(type), ", ")));
}

}  // namespace salesctl
