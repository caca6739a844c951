// Short names for protobuf enum values.
//
// Our enums follow the style guide's prefix rule: every value of enum
// `LeadSource` is named `LEAD_SOURCE_<SHORT>`. The short name is the part
// after that prefix ("REFERRAL"); a value without the prefix is its own short
// name. All functions are pure and thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_ENUM_NAMES_H_
#define SALESOPS_CLIENT_SALESCTL_ENUM_NAMES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace salesctl {

// The value-name prefix of `type`: its name in UPPER_SNAKE_CASE plus "_"
// ("LeadSource" -> "LEAD_SOURCE_").
std::string EnumValuePrefix(const google::protobuf::EnumDescriptor& type);

// "LEAD_SOURCE_REFERRAL" -> "REFERRAL".
std::string EnumShortName(const google::protobuf::EnumValueDescriptor& value);

// Short name of `number` in `type`, or the decimal number when `type` has no
// such value (a value added to the schema after this binary was built).
std::string EnumShortNameOf(const google::protobuf::EnumDescriptor& type, int number);

// The lower-case short names a user would type, in declaration order,
// leaving out the zero "UNSPECIFIED" value (still accepted by ParseEnumValue).
std::vector<std::string> SelectableEnumNames(const google::protobuf::EnumDescriptor& type);

// Finds the value of `type` named `text`: the full name or the short name,
// ASCII case-insensitive, with '-' equal to '_' ("referral", "no-budget",
// "LOSS_REASON_NO_BUDGET"). INVALID_ARGUMENT, listing the accepted short
// names, when nothing matches.
absl::StatusOr<const google::protobuf::EnumValueDescriptor*> ParseEnumValue(
    const google::protobuf::EnumDescriptor& type, absl::string_view text);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_ENUM_NAMES_H_
