// The default, human-readable rendering of any message: one "key: value"
// line per set field, in field-number order, YAML-like:
//
//   lead_id: ACME-1
//   contact:
//     name: 张三
//   estimated_value: 1200.50 CNY
//   products:
//     - A
//     - B
//
// Only set fields are printed (proto3: non-default values, present messages).
// Enum values lose their prefix (STAGE_QUALIFIED -> QUALIFIED; unknown numbers
// print as the number); Money prints as "1200.50 CNY"; Timestamps as RFC 3339
// UTC; Durations as "3d 4h" (duration_text.h); bytes as base64; control
// characters in strings are escaped (\n, \t). A present but empty message
// prints as "{}". Pure; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_TEXT_PRINTER_H_
#define SALESOPS_CLIENT_SALESCTL_TEXT_PRINTER_H_

#include <string>

#include "google/protobuf/message.h"

namespace salesctl {

// Every line ends in '\n'; an empty message yields "".
std::string FormatFields(const google::protobuf::Message& message);

// The one-line form of a single (non-repeated) field value, or of element
// `index` of a repeated field (pass -1 for a singular field). Messages other
// than Money, Timestamp and Duration print in compact JSON.
std::string FormatValue(const google::protobuf::Message& message,
                        const google::protobuf::FieldDescriptor& field, int index = -1);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_TEXT_PRINTER_H_
