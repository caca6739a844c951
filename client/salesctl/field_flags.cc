#include "field_flags.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "display_width.h"
#include "duration_text.h"
#include "enum_names.h"
#include "google/protobuf/util/json_util.h"
#include "money_text.h"
#include "text_forms.h"
#include "time_text.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;

// How deep ListFlags expands nested messages.
constexpr int kMaxListDepth = 4;

// The options sub-message field of `type`, or nullptr.
const pb::FieldDescriptor* OptionsField(const pb::Descriptor& type) {
  const pb::FieldDescriptor* field = type.FindFieldByName(std::string(kOptionsField));
  if (field == nullptr || field->is_repeated() || field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    return nullptr;
  }
  return field;
}

absl::StatusOr<FieldPath> ResolveIn(const pb::Descriptor& type, const std::vector<std::string>& segments,
                                    FieldPath path) {
  const pb::Descriptor* current = &type;
  for (size_t i = 0; i < segments.size(); ++i) {
    const pb::FieldDescriptor* field = segments[i].empty() ? nullptr : current->FindFieldByName(segments[i]);
    if (field == nullptr) {
      return absl::NotFoundError(absl::StrCat(current->name(), " has no field '", segments[i], "'"));
    }
    path.fields.push_back(field);
    if (!path.canonical.empty()) path.canonical += '.';
    path.canonical += field->name();
    if (i + 1 < segments.size()) {
      if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", path.canonical, "' is not a single message, so it has no sub-fields"));
      }
      current = field->message_type();
    }
  }
  return path;
}

template <typename T>
absl::StatusOr<T> ParseInteger(absl::string_view text, absl::string_view type_name) {
  T value;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a ", type_name,
                                                   " (a decimal integer in [", std::numeric_limits<T>::min(),
                                                   ", ", std::numeric_limits<T>::max(), "])"));
  }
  return value;
}

absl::StatusOr<bool> ParseBool(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "true") return true;
  if (lower == "false") return false;
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a bool (true or false)"));
}

// Fills `message` (freshly created or existing) from its one-value form.
absl::Status SetMessageFromText(const pb::FieldDescriptor& field, absl::string_view text,
                                pb::Message* message) {
  if (IsMoneyField(field)) {
    absl::StatusOr<salesops::v1::Money> money = ParseMoney(text);
    if (!money.ok()) return money.status();
    message->CopyFrom(*money);
    return absl::OkStatus();
  }
  if (IsTimestampField(field)) {
    absl::StatusOr<pb::Timestamp> timestamp = ParseTimestamp(text);
    if (!timestamp.ok()) return timestamp.status();
    message->CopyFrom(*timestamp);
    return absl::OkStatus();
  }
  if (IsDurationField(field)) {
    absl::StatusOr<pb::Duration> duration = ParseDuration(text);
    if (!duration.ok()) return duration.status();
    message->CopyFrom(*duration);
    return absl::OkStatus();
  }
  if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "{")) {
    const auto status = pb::util::JsonStringToMessage(std::string(text), message);
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad JSON for ", field.message_type()->name(), ": ", status.message().ToString()));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("'", field.name(), "' is a ", field.message_type()->name(),
                                                 " message: set its fields with --", field.name(),
                                                 ".<field>=... or pass a JSON object"));
}

void CollectFlags(const pb::Descriptor& type, const std::string& prefix, bool via_options, int depth,
                  std::vector<const pb::Descriptor*>* on_path, std::vector<FlagInfo>* out) {
  on_path->push_back(&type);
  for (int i = 0; i < type.field_count(); ++i) {
    const pb::FieldDescriptor* field = type.field(i);
    if (depth == 0 && !via_options && field == OptionsField(type)) continue;
    const std::string path = prefix + field->name();
    const bool expand = field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated() &&
                        !HasTextForm(*field) && depth + 1 < kMaxListDepth &&
                        std::find(on_path->begin(), on_path->end(), field->message_type()) == on_path->end();
    if (expand) {
      CollectFlags(*field->message_type(), path + ".", via_options, depth + 1, on_path, out);
    } else {
      out->push_back(FlagInfo{path, field, via_options});
    }
  }
  on_path->pop_back();
}

}  // namespace

absl::StatusOr<FieldPath> ResolveFieldPath(const pb::Descriptor& request_type, absl::string_view name) {
  const std::vector<std::string> segments = absl::StrSplit(name, '.');
  absl::StatusOr<FieldPath> direct = ResolveIn(request_type, segments, {});
  if (!absl::IsNotFound(direct.status()) || segments.size() == 0 ||
      request_type.FindFieldByName(segments[0]) != nullptr) {
    return direct;
  }
  const pb::FieldDescriptor* options = OptionsField(request_type);
  if (options == nullptr) return direct;
  FieldPath prefix;
  prefix.fields.push_back(options);
  prefix.canonical = options->name();
  absl::StatusOr<FieldPath> via_options = ResolveIn(*options->message_type(), segments, std::move(prefix));
  if (absl::IsNotFound(via_options.status())) {
    return absl::NotFoundError(absl::StrCat("no field '", name, "' in ", request_type.name(), " or its ",
                                            options->message_type()->name()));
  }
  return via_options;
}

bool FlagValueOptional(const pb::FieldDescriptor& field) {
  return field.cpp_type() == pb::FieldDescriptor::CPPTYPE_BOOL;
}

absl::Status SetFieldFromText(const FieldPath& path, absl::string_view value, pb::Message* request) {
  pb::Message* message = request;
  for (size_t i = 0; i + 1 < path.fields.size(); ++i) {
    message = message->GetReflection()->MutableMessage(message, path.fields[i]);
  }
  const pb::FieldDescriptor* field = path.fields.back();
  const pb::Reflection* reflection = message->GetReflection();
  const bool repeated = field->is_repeated();

  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32: {
      absl::StatusOr<int32_t> v = ParseInteger<int32_t>(value, "int32");
      if (!v.ok()) return v.status();
      repeated ? reflection->AddInt32(message, field, *v) : reflection->SetInt32(message, field, *v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      absl::StatusOr<int64_t> v = ParseInteger<int64_t>(value, "int64");
      if (!v.ok()) return v.status();
      repeated ? reflection->AddInt64(message, field, *v) : reflection->SetInt64(message, field, *v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      absl::StatusOr<uint32_t> v = ParseInteger<uint32_t>(value, "uint32");
      if (!v.ok()) return v.status();
      repeated ? reflection->AddUInt32(message, field, *v) : reflection->SetUInt32(message, field, *v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      absl::StatusOr<uint64_t> v = ParseInteger<uint64_t>(value, "uint64");
      if (!v.ok()) return v.status();
      repeated ? reflection->AddUInt64(message, field, *v) : reflection->SetUInt64(message, field, *v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
    case pb::FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(value, &v)) {
        return absl::InvalidArgumentError(absl::StrCat("'", value, "' is not a number"));
      }
      if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_DOUBLE) {
        repeated ? reflection->AddDouble(message, field, v) : reflection->SetDouble(message, field, v);
      } else {
        const auto f = static_cast<float>(v);
        repeated ? reflection->AddFloat(message, field, f) : reflection->SetFloat(message, field, f);
      }
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      absl::StatusOr<bool> v = ParseBool(value);
      if (!v.ok()) return v.status();
      repeated ? reflection->AddBool(message, field, *v) : reflection->SetBool(message, field, *v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      absl::StatusOr<const pb::EnumValueDescriptor*> v = ParseEnumValue(*field->enum_type(), value);
      if (!v.ok()) return v.status();
      repeated ? reflection->AddEnum(message, field, *v) : reflection->SetEnum(message, field, *v);
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      if (field->type() == pb::FieldDescriptor::TYPE_STRING && !IsValidUtf8(value)) {
        return absl::InvalidArgumentError("the text is not valid UTF-8");
      }
      repeated ? reflection->AddString(message, field, std::string(value))
               : reflection->SetString(message, field, std::string(value));
      return absl::OkStatus();
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      pb::Message* sub =
          repeated ? reflection->AddMessage(message, field) : reflection->MutableMessage(message, field);
      return SetMessageFromText(*field, value, sub);
    }
  }
  return absl::InternalError(absl::StrCat("unsupported field type of ", path.canonical));
}

std::vector<FlagInfo> ListFlags(const pb::Descriptor& request_type) {
  std::vector<FlagInfo> flags;
  std::vector<const pb::Descriptor*> on_path;
  CollectFlags(request_type, "", /*via_options=*/false, 0, &on_path, &flags);
  if (const pb::FieldDescriptor* options = OptionsField(request_type)) {
    std::vector<FlagInfo> option_flags;
    CollectFlags(*options->message_type(), "", /*via_options=*/true, 1, &on_path, &option_flags);
    for (FlagInfo& flag : option_flags) {
      // Spell out the prefix where a request field shadows the short name.
      const std::string first = flag.path.substr(0, flag.path.find('.'));
      if (request_type.FindFieldByName(first) != nullptr) {
        flag.path = absl::StrCat(kOptionsField, ".", flag.path);
      }
      flags.push_back(std::move(flag));
    }
  }
  return flags;
}

std::string DescribeFieldType(const pb::FieldDescriptor& field) {
  std::string description;
  if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_ENUM) {
    description = absl::StrCat(field.enum_type()->name(), ": ",
                               absl::StrJoin(SelectableEnumNames(*field.enum_type()), "|"));
  } else if (IsMoneyField(field)) {
    description = "Money, e.g. \"1200.50 CNY\"";
  } else if (IsTimestampField(field)) {
    description = "Timestamp, RFC 3339, e.g. 2026-11-28T10:00:00Z";
  } else if (IsDurationField(field)) {
    description = "Duration, e.g. 72h, 3d, 1d12h, 90m";
  } else if (field.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    description = absl::StrCat(field.message_type()->name(), " as JSON object");
  } else {
    description = field.type_name();
  }
  if (field.is_repeated()) description += " (repeatable)";
  return description;
}

}  // namespace salesctl
