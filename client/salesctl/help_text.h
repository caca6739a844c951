// salesctl's help screens. Pure functions over the command catalogue;
// thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_HELP_TEXT_H_
#define SALESOPS_CLIENT_SALESCTL_HELP_TEXT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "commands.h"

namespace salesctl {

// The width help text is wrapped to, in terminal columns (text_wrap.h; CJK
// characters take two). Only a word or value too long for a line by itself
// would be cut.
inline constexpr size_t kHelpWidth = 80;

// Usage, global flags, then every command in `commands` grouped by service,
// each with its description: the first sentence of the method's comment in
// the .proto (or else its signature, "IdentifyLeadRequest → LeadCommandReply"),
// wrapped under itself.
std::string GeneralHelp(const std::vector<Command>& commands);

// The command's method and signature, the method's whole comment (its
// paragraphs wrapped to kHelpWidth), and every flag of its request: dotted
// path, value type (enum values, Money and Timestamp syntax) and the field's
// comment in the .proto, wrapped in their column.
std::string CommandHelp(const Command& command);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_HELP_TEXT_H_
