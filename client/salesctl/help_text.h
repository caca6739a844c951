// salesctl's help screens. Pure functions over the command catalogue;
// thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_HELP_TEXT_H_
#define SALESOPS_CLIENT_SALESCTL_HELP_TEXT_H_

#include <string>
#include <vector>

#include "commands.h"

namespace salesctl {

// Usage, global flags, then every command in `commands` grouped by service,
// each with a one-line description: the method's comment in the .proto, or
// else its signature ("IdentifyLeadRequest → LeadCommandReply").
std::string GeneralHelp(const std::vector<Command>& commands);

// The command's method, description, and every flag of its request: dotted
// path, value type (enum values, Money and Timestamp syntax) and the field's
// comment in the .proto.
std::string CommandHelp(const Command& command);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_HELP_TEXT_H_
