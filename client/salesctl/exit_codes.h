// salesctl's exit status and its error lines on stderr.
//
//   0        success
//   1..16    the call failed with that gRPC status code (5 = NOT_FOUND, ...)
//   64       usage error: unknown command or flag, bad flag value (EX_USAGE)
//   65       bad data: "audit verify" found the chain broken, "import" an
//            unreadable file (EX_DATAERR)
//   69       "health": the server answered, not SERVING (EX_UNAVAILABLE)
//   70       internal error of salesctl itself (EX_SOFTWARE)
#ifndef SALESOPS_CLIENT_SALESCTL_EXIT_CODES_H_
#define SALESOPS_CLIENT_SALESCTL_EXIT_CODES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace salesctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitDataError = 65;
inline constexpr int kExitNotServing = 69;
inline constexpr int kExitInternal = 70;

// "NOT_FOUND", "UNAVAILABLE", ...; "CODE_<n>" for a number outside 0..16.
std::string GrpcCodeName(grpc::StatusCode code);

// "salesctl: NOT_FOUND (5): lead ACME-9 does not exist", then one line per
// error detail the server sent (google.rpc.Status in grpc-status-details-bin;
// docs/API.md "Error details"), each indented by two spaces:
//   reason: NOT_FOUND (lead_id=ACME-9)
//   resource: salesops.v1.Lead ACME-9
//   field company: must be 1..200 characters (got 0)
//   precondition STAGE lead/ACME-9: lead 'ACME-9' is in stage WON; ...
//   retry after: 1s
// No trailing newline.
std::string FormatGrpcError(const grpc::Status& status);

// Just the detail lines of FormatGrpcError (empty when there are none).
std::string FormatErrorDetails(const std::string& status_details);

// The exit status for a failed call: its code number, or 2 (UNKNOWN) should
// the code be OK or above 16, so never 0, 64 or 70 for a failed call.
int ExitCodeForGrpcError(const grpc::Status& status);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_EXIT_CODES_H_
