// Fuzz target "field_flags": salesctl's argument parsers
// (client/salesctl/command_line.h, request_args.h, field_flags.h), which
// turn a command line into a request message.
//
// Input: one byte choosing the request type (request_types.h: the input
// of one of the services' methods, as salesctl's commands are), then the arguments,
// separated by 0x00 bytes (as argv holds them), at most kMaxArgs.
// The arguments go through ParseCommandLine (as a whole command line) and
// ApplyRequestArgs (as a command's arguments, into the chosen request);
// the first "--name=value" argument also goes straight through
// ResolveFieldPath and SetFieldFromText. ListFlags and DescribeFieldType
// describe the type, as the help text does.
//
// Invariants checked:
//   * every refusal is INVALID_ARGUMENT (NOT_FOUND for an unknown field
//     name from ResolveFieldPath), with a message;
//   * an accepted request serializes and parses back to itself;
//   * a value SetFieldFromText accepts for a singular scalar field reads
//     back as written: the same text for a string, the same number for an
//     integer (which it accepts exactly when it is one in range), the same
//     truth value for a bool;
//   * every listed flag resolves to its field.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "command_line.h"
#include "field_flags.h"
#include "global_options.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "request_args.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/request_types.h"

namespace salesops::fuzz {
namespace {

namespace pb = ::google::protobuf;

constexpr size_t kMaxArgs = 32;

pb::Message* NewRequest(const pb::Descriptor& type) {
  return pb::MessageFactory::generated_factory()->GetPrototype(&type)->New();
}

void CheckRefusal(const absl::Status& status) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, status.ToString());
  FUZZ_CHECK(!status.message().empty(), status.ToString());
}

// The first "--name=value" argument, straight into a fresh request.
void CheckOneFlag(const pb::Descriptor& type, const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    std::optional<salesctl::FlagToken> flag = salesctl::ParseFlagToken(arg);
    if (!flag.has_value() || !flag->value.has_value()) continue;
    absl::StatusOr<salesctl::FieldPath> path = salesctl::ResolveFieldPath(type, flag->name);
    if (!path.ok()) {
      FUZZ_CHECK(path.status().code() == absl::StatusCode::kNotFound ||
                     path.status().code() == absl::StatusCode::kInvalidArgument,
                 path.status().ToString());
      return;
    }
    const std::string& value = *flag->value;
    std::unique_ptr<pb::Message> request(NewRequest(type));
    const absl::Status set = salesctl::SetFieldFromText(*path, value, request.get());
    if (!set.ok()) CheckRefusal(set);
    const pb::FieldDescriptor& leaf = path->leaf();
    if (leaf.is_repeated()) return;
    // The message that holds the leaf.
    const pb::Message* holder = request.get();
    for (size_t i = 0; i + 1 < path->fields.size(); ++i) {
      holder = &holder->GetReflection()->GetMessage(*holder, path->fields[i]);
    }
    const pb::Reflection& r = *holder->GetReflection();
    switch (leaf.cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (set.ok()) FUZZ_CHECK(r.GetString(*holder, &leaf) == value, leaf.full_name());
        break;
      case pb::FieldDescriptor::CPPTYPE_INT32: {
        int32_t v;
        FUZZ_CHECK(set.ok() == absl::SimpleAtoi(value, &v), leaf.full_name(), " '", value, "'");
        if (set.ok()) FUZZ_CHECK(r.GetInt32(*holder, &leaf) == v, leaf.full_name());
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_INT64: {
        int64_t v;
        FUZZ_CHECK(set.ok() == absl::SimpleAtoi(value, &v), leaf.full_name(), " '", value, "'");
        if (set.ok()) FUZZ_CHECK(r.GetInt64(*holder, &leaf) == v, leaf.full_name());
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v;
        FUZZ_CHECK(set.ok() == absl::SimpleAtoi(value, &v), leaf.full_name(), " '", value, "'");
        if (set.ok()) FUZZ_CHECK(r.GetUInt32(*holder, &leaf) == v, leaf.full_name());
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v;
        FUZZ_CHECK(set.ok() == absl::SimpleAtoi(value, &v), leaf.full_name(), " '", value, "'");
        if (set.ok()) FUZZ_CHECK(r.GetUInt64(*holder, &leaf) == v, leaf.full_name());
        break;
      }
      case pb::FieldDescriptor::CPPTYPE_BOOL: {
        const std::string lower = absl::AsciiStrToLower(value);
        FUZZ_CHECK(set.ok() == (lower == "true" || lower == "false"), leaf.full_name(), " '", value, "'");
        if (set.ok()) FUZZ_CHECK(r.GetBool(*holder, &leaf) == (lower == "true"), leaf.full_name());
        break;
      }
      default:
        break;
    }
    return;
  }
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  salesops::fuzz::QuietProtobuf();
  salesops::fuzz::RequestTypes();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;  // NOLINT
  namespace pb = ::google::protobuf;
  fuzz::FuzzInput input(data, size);
  const std::vector<const pb::Descriptor*>& types = fuzz::RequestTypes();
  const pb::Descriptor& type = *types[input.Byte() % types.size()];
  const absl::string_view rest = input.Rest();
  std::vector<std::string> args;
  if (!rest.empty()) {
    for (absl::string_view arg : absl::StrSplit(rest, '\0')) {
      if (args.size() == fuzz::kMaxArgs) break;
      args.emplace_back(arg);
    }
  }

  const auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  absl::StatusOr<salesctl::CommandLine> line = salesctl::ParseCommandLine(args, no_env);
  if (!line.ok()) fuzz::CheckRefusal(line.status());

  std::unique_ptr<pb::Message> request(fuzz::NewRequest(type));
  salesctl::GlobalOptions globals = salesctl::DefaultGlobalOptions(no_env);
  absl::StatusOr<salesctl::RequestArgs> applied = salesctl::ApplyRequestArgs(args, request.get(), &globals);
  if (!applied.ok()) {
    fuzz::CheckRefusal(applied.status());
  } else {
    const std::string bytes = request->SerializeAsString();
    std::unique_ptr<pb::Message> back(fuzz::NewRequest(type));
    FUZZ_CHECK(back->ParseFromString(bytes) && back->SerializeAsString() == bytes, type.full_name());
  }
  fuzz::CheckOneFlag(type, args);

  // What help shows for the type; rarely, as it does not depend on the
  // arguments.
  if (args.empty()) {
    for (const salesctl::FlagInfo& flag : salesctl::ListFlags(type)) {
      salesctl::DescribeFieldType(*flag.field);
      absl::StatusOr<salesctl::FieldPath> path = salesctl::ResolveFieldPath(type, flag.path);
      FUZZ_CHECK(path.ok() && &path->leaf() == flag.field, flag.path, ": ", path.status().ToString());
    }
  }
  return 0;
}
