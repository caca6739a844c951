#include "server/service/request_parse.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "server/common/utf8.h"

namespace salesops::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// Deeper nesting than protobuf's own parse accepts (100) is not a message.
constexpr int kMaxDepth = 100;

absl::Status NotAMessage(const Descriptor& type, const std::string& path) {
  return absl::InvalidArgumentError(
      absl::StrCat(path.empty() ? "request" : path, ": not a valid ", type.name(), " message"));
}

// OK when no string field under `bytes` (a `type` at `path`) holds invalid
// UTF-8 and every nested message is well-formed; else the first offence.
absl::Status FindOffence(const Descriptor& type, absl::string_view bytes, const std::string& path, int depth) {
  UnknownFieldSet fields;
  if (depth > kMaxDepth || !fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return NotAMessage(type, path);
  }
  absl::flat_hash_map<int, int> occurrences;  // field number -> elements seen (repeated fields)
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    const FieldDescriptor* descriptor = type.FindFieldByNumber(field.number());
    if (descriptor == nullptr || field.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    std::string name = path.empty() ? descriptor->name() : absl::StrCat(path, ".", descriptor->name());
    if (descriptor->is_repeated()) absl::StrAppend(&name, "[", occurrences[field.number()]++, "]");
    if (descriptor->type() == FieldDescriptor::TYPE_STRING) {
      if (!Utf8Length(field.length_delimited()).has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(name, ": not valid UTF-8"));
      }
    } else if (descriptor->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (absl::Status s = FindOffence(*descriptor->message_type(), field.length_delimited(), name, depth + 1);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

std::string Flatten(const grpc::ByteBuffer& bytes) {
  std::string out;
  std::vector<grpc::Slice> slices;
  if (!bytes.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace

absl::Status ExplainUnparsable(const Descriptor& type, absl::string_view bytes) {
  absl::Status offence = FindOffence(type, bytes, "", 0);
  // Nothing found to blame (e.g. a nested message too deep): the whole request.
  return offence.ok() ? NotAMessage(type, "") : offence;
}

absl::Status ParseRequest(const grpc::ByteBuffer& bytes, google::protobuf::Message& out) {
  out.Clear();
  if (!bytes.Valid()) return absl::OkStatus();
  grpc::ByteBuffer shared(bytes);  // shares the slices; the reader consumes its buffer
  grpc::ProtoBufferReader reader(&shared);
  if (out.ParseFromZeroCopyStream(&reader)) return absl::OkStatus();
  out.Clear();
  return ExplainUnparsable(*out.GetDescriptor(), Flatten(bytes));
}

}  // namespace salesops::service
