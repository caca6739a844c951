#include "reply_format.h"

#include "absl/strings/str_cat.h"
#include "audit_tables.h"
#include "cluster_table.h"
#include "google/protobuf/util/json_util.h"
#include "text_printer.h"

namespace salesctl {

absl::StatusOr<std::string> FormatJson(const google::protobuf::Message& reply) {
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(reply, &json);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print the reply as JSON: ", status.message().ToString()));
  }
  json += '\n';
  return json;
}

std::string FormatReadable(const google::protobuf::Message& reply) {
  const google::protobuf::Descriptor* type = reply.GetDescriptor();
  if (type == salesops::v1::GetLeadHistoryResponse::descriptor()) {
    salesops::v1::GetLeadHistoryResponse history;
    history.CopyFrom(reply);
    return RenderLeadHistory(history);
  }
  if (type == salesops::v1::ReadLogResponse::descriptor()) {
    salesops::v1::ReadLogResponse page;
    page.CopyFrom(reply);
    return RenderLogPage(page);
  }
  if (type == salesops::v1::GetClusterStatusResponse::descriptor()) {
    salesops::v1::GetClusterStatusResponse status;
    status.CopyFrom(reply);
    return RenderClusterStatus(status);
  }
  return FormatFields(reply);
}

}  // namespace salesctl
