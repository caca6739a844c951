#include "commands.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor_database.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;

// Every generated file in the binary that defines a service.
std::vector<const pb::FileDescriptor*> GeneratedServiceFiles() {
  std::vector<std::string> names;
  pb::DescriptorPool::internal_generated_database()->FindAllFileNames(&names);
  std::vector<const pb::FileDescriptor*> files;
  for (const std::string& name : names) {
    const pb::FileDescriptor* file = pb::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file != nullptr && file->service_count() > 0) files.push_back(file);
  }
  return files;
}

}  // namespace

bool IsApiService(const pb::ServiceDescriptor& service) {
  return absl::StartsWith(service.full_name(), absl::StrCat(kApiPackage, "."));
}

std::string Command::RpcPath() const {
  return absl::StrCat("/", method->service()->full_name(), "/", method->name());
}

bool Command::IsStreaming() const { return method->client_streaming() || method->server_streaming(); }

std::string KebabCase(absl::string_view camel_case) {
  std::string out;
  for (size_t i = 0; i < camel_case.size(); ++i) {
    const char ch = camel_case[i];
    if (ch == '_') {
      if (!out.empty() && out.back() != '-') out += '-';
      continue;
    }
    if (i > 0 && absl::ascii_isupper(ch) && !out.empty() && out.back() != '-') {
      const char prev = camel_case[i - 1];
      const bool next_lower = i + 1 < camel_case.size() && absl::ascii_islower(camel_case[i + 1]);
      if (absl::ascii_islower(prev) || absl::ascii_isdigit(prev) ||
          (absl::ascii_isupper(prev) && next_lower)) {
        out += '-';
      }
    }
    out += absl::ascii_tolower(ch);
  }
  return out;
}

std::vector<Command> BuildCommands(const std::vector<const pb::FileDescriptor*>& files) {
  std::vector<const pb::ServiceDescriptor*> services;
  for (const pb::FileDescriptor* file : files) {
    for (int i = 0; i < file->service_count(); ++i) {
      if (IsApiService(*file->service(i))) services.push_back(file->service(i));
    }
  }
  std::sort(services.begin(), services.end(),
            [](const pb::ServiceDescriptor* a, const pb::ServiceDescriptor* b) {
              return a->full_name() < b->full_name();
            });

  std::vector<Command> commands;
  std::map<std::string, int> bare_name_uses;
  for (const pb::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const pb::MethodDescriptor* method = service->method(i);
      Command command;
      command.name = KebabCase(method->name());
      command.qualified_name = absl::StrCat(KebabCase(service->name()), ".", command.name);
      command.method = method;
      ++bare_name_uses[command.name];
      commands.push_back(std::move(command));
    }
  }
  for (Command& command : commands) {
    if (bare_name_uses[command.name] > 1) command.name = command.qualified_name;
  }
  return commands;
}

const std::vector<Command>& AllCommands() {
  static const std::vector<Command>* const kCommands =
      new std::vector<Command>(BuildCommands(GeneratedServiceFiles()));
  return *kCommands;
}

absl::StatusOr<const Command*> FindCommand(absl::string_view name) {
  return FindCommandIn(AllCommands(), name);
}

absl::StatusOr<const Command*> FindCommandIn(const std::vector<Command>& commands, absl::string_view name) {
  std::vector<std::string> ambiguous;
  for (const Command& command : commands) {
    if (command.name == name || command.qualified_name == name) {
      return &command;
    }
    if (absl::EndsWith(command.qualified_name, absl::StrCat(".", name))) {
      ambiguous.push_back(command.qualified_name);
    }
  }
  if (!ambiguous.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("command '", name, "' is ambiguous; use one of ", absl::StrJoin(ambiguous, ", ")));
  }
  return absl::NotFoundError(absl::StrCat("unknown command '", name, "'"));
}

}  // namespace salesctl
