// Turns a command's arguments into its request message.
//
//   --name=value | --name value    set a field (field_flags.h says how)
//   --bool_field                   same as --bool_field=true
//   --help | -h                    ask for the command's help
//   --server/--token/--json/--timeout
//                                  global flags, accepted here too when the
//                                  request has no field of that name
// Non-repeated fields may be given once; repeated fields once per element.
// Pure function; thread-safe for distinct messages.
#ifndef SALESOPS_CLIENT_SALESCTL_REQUEST_ARGS_H_
#define SALESOPS_CLIENT_SALESCTL_REQUEST_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "global_options.h"
#include "google/protobuf/message.h"

namespace salesctl {

struct RequestArgs {
  bool help = false;  // --help was given; the request may be incomplete
};

// Applies `args` to `request` and any global flags among them to `globals`.
// INVALID_ARGUMENT, with a message naming the flag, for: an argument that is
// not a flag, an unknown flag (the message lists the valid flags), a missing
// or unparsable value, a non-repeated field given twice. Stops at the first
// error, leaving `request` and `globals` partly updated.
absl::StatusOr<RequestArgs> ApplyRequestArgs(const std::vector<std::string>& args,
                                             google::protobuf::Message* request, GlobalOptions* globals);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_REQUEST_ARGS_H_
