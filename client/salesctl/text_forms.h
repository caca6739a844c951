// The message types that salesctl reads and prints as one value rather than
// field by field: salesops.v1.Money ("1200.50 CNY", money_text.h),
// google.protobuf.Timestamp (RFC 3339, time_text.h) and
// google.protobuf.Duration ("72h" in, "3d 4h" out, duration_text.h). Types are matched by
// full name, so messages from any descriptor pool qualify.
#ifndef SALESOPS_CLIENT_SALESCTL_TEXT_FORMS_H_
#define SALESOPS_CLIENT_SALESCTL_TEXT_FORMS_H_

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace salesctl {

inline constexpr absl::string_view kMoneyType = "salesops.v1.Money";
inline constexpr absl::string_view kTimestampType = "google.protobuf.Timestamp";
inline constexpr absl::string_view kDurationType = "google.protobuf.Duration";

// True when `field` holds a message of type `full_name` (singular or repeated).
inline bool IsMessageField(const google::protobuf::FieldDescriptor& field, absl::string_view full_name) {
  return field.cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
         field.message_type()->full_name() == full_name;
}

inline bool IsMoneyField(const google::protobuf::FieldDescriptor& field) {
  return IsMessageField(field, kMoneyType);
}

inline bool IsTimestampField(const google::protobuf::FieldDescriptor& field) {
  return IsMessageField(field, kTimestampType);
}

inline bool IsDurationField(const google::protobuf::FieldDescriptor& field) {
  return IsMessageField(field, kDurationType);
}

// Money, Timestamp or Duration.
inline bool HasTextForm(const google::protobuf::FieldDescriptor& field) {
  return IsMoneyField(field) || IsTimestampField(field) || IsDurationField(field);
}

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_TEXT_FORMS_H_
