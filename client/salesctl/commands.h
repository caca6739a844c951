// The command catalogue: one command per method of every service in the
// generated descriptor pool whose full name starts with "salesops.v1.".
//
// Nothing here lists services by hand. Every generated file of the package
// registers itself with the pool when the binary starts, provided the linker
// keeps it: salesctl_lib links salesops_proto as a whole archive for that
// reason (see CMakeLists.txt). A service added to proto/ therefore appears
// here after a rebuild, with no change to salesctl.
//
// Naming: a method's command name is its name in kebab-case
// (IdentifyLead -> identify-lead). Every command can also be named
// "<service>.<command>" (leads.identify-lead); when two services share a
// method name the bare name is ambiguous and only the qualified names work.
//
// The catalogue is built once, on first use, and is immutable afterwards;
// all functions are thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_COMMANDS_H_
#define SALESOPS_CLIENT_SALESCTL_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace salesctl {

// The package whose services (its sub-packages' included) become commands.
inline constexpr absl::string_view kApiPackage = "salesops.v1";

// True when `service` belongs to kApiPackage or one of its sub-packages.
bool IsApiService(const google::protobuf::ServiceDescriptor& service);

struct Command {
  // What the user types: "identify-lead", or "leads.identify-lead" when the
  // bare name is shared with another service's method.
  std::string name;
  // Always "<service-kebab>.<method-kebab>", e.g. "leads.identify-lead".
  std::string qualified_name;
  const google::protobuf::MethodDescriptor* method;  // never null

  // The HTTP/2 path of the method: "/salesops.v1.Leads/IdentifyLead".
  std::string RpcPath() const;
  bool IsStreaming() const;
};

// "IdentifyLead" -> "identify-lead", "GetLeadHistory" -> "get-lead-history",
// "ReadLog" -> "read-log"; a run of capitals is one word
// ("ExportCSVFile" -> "export-csv-file").
std::string KebabCase(absl::string_view camel_case);

// Every command, grouped by service (services sorted by full name), methods
// in declaration order.
const std::vector<Command>& AllCommands();

// The command named `name` (bare or qualified). NOT_FOUND for an unknown
// name; INVALID_ARGUMENT naming the qualified alternatives for an ambiguous
// bare name.
absl::StatusOr<const Command*> FindCommand(absl::string_view name);

// FindCommand over `commands` (which must outlive the result); exposed for
// tests.
absl::StatusOr<const Command*> FindCommandIn(const std::vector<Command>& commands, absl::string_view name);

// Builds the catalogue from the API services (IsApiService) in `files`;
// exposed for tests. AllCommands() is BuildCommands(<every generated file>).
std::vector<Command> BuildCommands(const std::vector<const google::protobuf::FileDescriptor*>& files);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_COMMANDS_H_
