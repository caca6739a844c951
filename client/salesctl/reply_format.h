// How a reply is written to stdout: JSON or the readable default.
// Pure functions; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_REPLY_FORMAT_H_
#define SALESOPS_CLIENT_SALESCTL_REPLY_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace salesctl {

// The protobuf JSON mapping on one line, with the mapping's lowerCamelCase
// field names ("leadId"), 64-bit integers as strings, enums by full name,
// Timestamps in RFC 3339; default values left out. Ends in '\n'. INTERNAL
// when the message cannot be converted.
absl::StatusOr<std::string> FormatJson(const google::protobuf::Message& reply);

// The audit tables (audit_tables.h) for GetLeadHistoryResponse and
// ReadLogResponse, the cluster table (cluster_table.h) for
// GetClusterStatusResponse; FormatFields (text_printer.h) for everything
// else.
std::string FormatReadable(const google::protobuf::Message& reply);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_REPLY_FORMAT_H_
