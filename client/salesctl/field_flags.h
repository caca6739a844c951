// Request fields as command-line flags: resolving a flag name to a field and
// setting the field from the flag's text.
//
// Names (after "--", with '-' already replaced by '_'):
//   * a field of the request ("company");
//   * a dotted path through singular message fields ("contact.name");
//   * a field of the request's "options" sub-message when the request has no
//     field of that name ("request_id" = "options.request_id").
// Values, by field type:
//   * string: any UTF-8 text, passed through unchanged (invalid UTF-8 is
//     refused); bytes: taken as is;
//   * integers: decimal, range-checked for the field's type;
//   * float/double: decimal; bool: true or false (case-insensitive);
//   * enum: the full value name or the part after the enum's prefix,
//     case-insensitive ("referral" = "LEAD_SOURCE_REFERRAL");
//   * salesops.v1.Money: "1200.50 CNY" (money_text.h); its sub-fields may
//     also be set directly (--estimated_value.amount_minor=120050);
//   * google.protobuf.Timestamp: RFC 3339 (time_text.h);
//   * google.protobuf.Duration: "72h", "3d", "1d12h" (duration_text.h);
//   * any other message: a JSON object in the protobuf JSON mapping, which
//     replaces the sub-message.
// A repeated field gets one element per occurrence of its flag.
// Pure functions; thread-safe for distinct messages.
#ifndef SALESOPS_CLIENT_SALESCTL_FIELD_FLAGS_H_
#define SALESOPS_CLIENT_SALESCTL_FIELD_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace salesctl {

// The name of the sub-message whose fields may be given without prefix.
inline constexpr absl::string_view kOptionsField = "options";

// A flag name resolved against a request type.
struct FieldPath {
  // From a field of the request down to the field the value goes into. All
  // but the last are singular message fields.
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  std::string canonical;  // full dotted path, e.g. "options.request_id"

  const google::protobuf::FieldDescriptor& leaf() const { return *fields.back(); }
};

// Resolves `name` against `request_type`. NOT_FOUND when no field matches;
// INVALID_ARGUMENT when the path goes through a field that is not a singular
// message.
absl::StatusOr<FieldPath> ResolveFieldPath(const google::protobuf::Descriptor& request_type,
                                           absl::string_view name);

// True when the value of `field` may be left out of a flag ("--flag" alone
// means true): bool fields.
bool FlagValueOptional(const google::protobuf::FieldDescriptor& field);

// Sets (or, for a repeated field, appends) the field at `path` in `request`,
// creating intermediate messages. INVALID_ARGUMENT naming the flag and saying
// what was expected when `value` does not parse. `request` must be of the
// type `path` was resolved against. On error `request` may hold a newly
// created but empty intermediate message.
absl::Status SetFieldFromText(const FieldPath& path, absl::string_view value,
                              google::protobuf::Message* request);

// One settable flag, for help and error messages.
struct FlagInfo {
  std::string path;  // "contact.name"; option fields without "options."
  const google::protobuf::FieldDescriptor* field;
  bool via_options;  // a field of the options sub-message
};

// Every flag of `request_type`, in field order: scalar, enum, Money,
// Timestamp and Duration fields are flags; other message fields are expanded
// into their sub-fields (to a bounded depth, never re-entering a type on the
// path), with the options sub-message's fields listed last.
std::vector<FlagInfo> ListFlags(const google::protobuf::Descriptor& request_type);

// A short description of the value a field takes: "string", "uint64",
// "LeadSource: market_research|...", "Money \"1200.50 CNY\"",
// "Timestamp (RFC 3339)", "Contact (JSON)"; " (repeatable)" for repeated.
std::string DescribeFieldType(const google::protobuf::FieldDescriptor& field);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_FIELD_FLAGS_H_
