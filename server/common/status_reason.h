// A machine-readable reason on an absl::Status for code below the domain
// layer (which cannot use domain/errors.h and its google.rpc messages): a
// plain-text payload that errors::ReasonOf and errors::ToRpcStatus read as the
// ErrorInfo reason when the status carries no ErrorInfo.
#ifndef SALESOPS_SERVER_COMMON_STATUS_REASON_H_
#define SALESOPS_SERVER_COMMON_STATUS_REASON_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"

namespace salesops {

inline constexpr absl::string_view kPlainReasonUrl = "salesops/reason";

inline absl::Status WithPlainReason(absl::Status status, absl::string_view reason) {
  if (!status.ok()) status.SetPayload(kPlainReasonUrl, absl::Cord(reason));
  return status;
}

inline std::optional<std::string> PlainReasonOf(const absl::Status& status) {
  absl::optional<absl::Cord> reason = status.GetPayload(kPlainReasonUrl);
  if (!reason.has_value()) return std::nullopt;
  return std::string(*reason);
}

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_STATUS_REASON_H_
