#include "exit_codes.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace salesctl {

std::string GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      break;
  }
  return absl::StrCat("CODE_", static_cast<int>(code));
}

std::string FormatErrorDetails(const std::string& status_details) {
  google::rpc::Status rpc;
  if (status_details.empty() || !rpc.ParseFromString(status_details)) return "";
  std::string out;
  const auto line = [&out](auto&&... parts) { absl::StrAppend(&out, "\n  ", parts...); };
  for (const google::protobuf::Any& any : rpc.details()) {
    if (google::rpc::ErrorInfo info; any.UnpackTo(&info)) {
      // Sorted by key: the same error prints the same line.
      const std::map<std::string, std::string> metadata(info.metadata().begin(), info.metadata().end());
      line("reason: ", info.reason(),
           metadata.empty() ? "" : absl::StrCat(" (", absl::StrJoin(metadata, ", ", absl::PairFormatter("=")), ")"));
    } else if (google::rpc::BadRequest bad; any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) {
        line("field ", v.field().empty() ? "(request)" : v.field(), ": ", v.description());
      }
    } else if (google::rpc::PreconditionFailure failure; any.UnpackTo(&failure)) {
      for (const auto& v : failure.violations()) {
        line("precondition ", v.type(), " ", v.subject(), ": ", v.description());
      }
    } else if (google::rpc::ResourceInfo resource; any.UnpackTo(&resource)) {
      line("resource: ", resource.resource_type(), " ", resource.resource_name());
    } else if (google::rpc::RetryInfo retry; any.UnpackTo(&retry)) {
      line("retry after: ", absl::FormatDuration(absl::Seconds(retry.retry_delay().seconds()) +
                                                 absl::Nanoseconds(retry.retry_delay().nanos())));
    } else {
      line("detail: ", any.type_url());
    }
  }
  return out;
}

std::string FormatGrpcError(const grpc::Status& status) {
  return absl::StrCat("salesctl: ", GrpcCodeName(status.error_code()), " (",
                      static_cast<int>(status.error_code()), "): ", status.error_message(),
                      FormatErrorDetails(status.error_details()));
}

int ExitCodeForGrpcError(const grpc::Status& status) {
  const int code = static_cast<int>(status.error_code());
  return code >= 1 && code <= 16 ? code : 2;
}

}  // namespace salesctl
