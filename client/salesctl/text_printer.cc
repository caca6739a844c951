#include "text_printer.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "duration_text.h"
#include "enum_names.h"
#include "google/protobuf/util/json_util.h"
#include "money_text.h"
#include "table.h"
#include "text_forms.h"
#include "time_text.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;

// Money, Timestamp and Duration print on one line; other messages get a block.
bool IsInline(const pb::FieldDescriptor& field) {
  return field.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || HasTextForm(field);
}

const pb::Message& SubMessage(const pb::Message& message, const pb::FieldDescriptor& field, int index) {
  const pb::Reflection& r = *message.GetReflection();
  return index < 0 ? r.GetMessage(message, &field) : r.GetRepeatedMessage(message, &field, index);
}

void AppendIndented(absl::string_view block, absl::string_view first_prefix, absl::string_view rest_prefix,
                    std::string* out) {
  bool first = true;
  for (absl::string_view line : absl::StrSplit(block, '\n', absl::SkipEmpty())) {
    absl::StrAppend(out, first ? first_prefix : rest_prefix, line, "\n");
    first = false;
  }
}

void AppendFields(const pb::Message& message, std::string* out) {
  const pb::Reflection& r = *message.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r.ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    const std::string& key = field->name();
    if (field->is_repeated()) {
      absl::StrAppend(out, key, ":\n");
      for (int i = 0; i < r.FieldSize(message, field); ++i) {
        if (IsInline(*field)) {
          absl::StrAppend(out, "  - ", FormatValue(message, *field, i), "\n");
          continue;
        }
        const std::string block = FormatFields(SubMessage(message, *field, i));
        if (block.empty()) {
          absl::StrAppend(out, "  - {}\n");
        } else {
          AppendIndented(block, "  - ", "    ", out);
        }
      }
    } else if (IsInline(*field)) {
      absl::StrAppend(out, key, ": ", FormatValue(message, *field), "\n");
    } else {
      const std::string block = FormatFields(SubMessage(message, *field, -1));
      if (block.empty()) {
        absl::StrAppend(out, key, ": {}\n");
      } else {
        absl::StrAppend(out, key, ":\n");
        AppendIndented(block, "  ", "  ", out);
      }
    }
  }
}

}  // namespace

std::string FormatFields(const pb::Message& message) {
  std::string out;
  AppendFields(message, &out);
  return out;
}

std::string FormatValue(const pb::Message& message, const pb::FieldDescriptor& field, int index) {
  const pb::Reflection& r = *message.GetReflection();
  const bool rep = index >= 0;
  switch (field.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r.GetRepeatedInt32(message, &field, index) : r.GetInt32(message, &field));
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r.GetRepeatedInt64(message, &field, index) : r.GetInt64(message, &field));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r.GetRepeatedUInt32(message, &field, index) : r.GetUInt32(message, &field));
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r.GetRepeatedUInt64(message, &field, index) : r.GetUInt64(message, &field));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r.GetRepeatedDouble(message, &field, index) : r.GetDouble(message, &field));
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r.GetRepeatedFloat(message, &field, index) : r.GetFloat(message, &field));
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r.GetRepeatedBool(message, &field, index) : r.GetBool(message, &field)) ? "true"
                                                                                            : "false";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return EnumShortNameOf(*field.enum_type(), rep ? r.GetRepeatedEnumValue(message, &field, index)
                                                     : r.GetEnumValue(message, &field));
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      const std::string value =
          rep ? r.GetRepeatedString(message, &field, index) : r.GetString(message, &field);
      if (field.type() == pb::FieldDescriptor::TYPE_BYTES) {
        return absl::Base64Escape(value);
      }
      return value.empty() ? "\"\"" : EscapeControl(value);
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      const pb::Message& sub = SubMessage(message, field, index);
      if (IsMoneyField(field)) {
        salesops::v1::Money money;
        money.CopyFrom(sub);
        return FormatMoney(money);
      }
      if (IsTimestampField(field)) {
        pb::Timestamp timestamp;
        timestamp.CopyFrom(sub);
        return FormatTimestamp(timestamp);
      }
      if (IsDurationField(field)) {
        pb::Duration duration;
        duration.CopyFrom(sub);
        return HumanDuration(duration);
      }
      std::string json;
      if (!pb::util::MessageToJsonString(sub, &json).ok()) return "{…}";
      return json;
    }
  }
  return "";
}

}  // namespace salesctl
