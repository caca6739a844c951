// Machine-readable error details on absl::Status.
//
// Every layer returns absl::Status; this file lets the place that knows why a
// call fails say it in a form a program can act on, as standard google.rpc
// detail messages kept as the status' payloads (type URL → serialized
// message):
//   ErrorInfo            a stable reason (kReason* below) and metadata,
//   BadRequest           every field violation of the request at once,
//   PreconditionFailure  which state the call found (e.g. the lead's stage),
//   ResourceInfo         the resource that is missing or already exists,
//   RetryInfo            when the same call may be sent again.
// The gRPC edge (service/grpc_status.cc) turns a status into google.rpc.Status
// with ToRpcStatus, filling in what a site did not say: the default reason
// of its code, a field violation read from an INVALID_ARGUMENT message
// ("field: rule"), a retry delay for UNAVAILABLE, ABORTED and
// RESOURCE_EXHAUSTED. docs/API.md ("Error details") lists the reasons.
//
// Payloads survive copies of an absl::Status, but not a new status built
// from an old one's message: keep the status, or copy its payloads
// (CopyDetails).
#ifndef SALESOPS_SERVER_DOMAIN_ERRORS_H_
#define SALESOPS_SERVER_DOMAIN_ERRORS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace salesops::errors {

// ErrorInfo.domain of every salesops error.
inline constexpr absl::string_view kDomain = "salesops";

// Reasons (ErrorInfo.reason). Stable: clients switch on them; add new ones,
// never rename. docs/API.md has the table.
// INVALID_ARGUMENT
inline constexpr absl::string_view kFieldInvalid = "FIELD_INVALID";
inline constexpr absl::string_view kOverrideNotAllowed = "OVERRIDE_NOT_ALLOWED";
inline constexpr absl::string_view kRequestMalformed = "REQUEST_MALFORMED";
// UNAUTHENTICATED
inline constexpr absl::string_view kTokenMissing = "TOKEN_MISSING";
inline constexpr absl::string_view kTokenUnknown = "TOKEN_UNKNOWN";
inline constexpr absl::string_view kCertificateUnknown = "CERTIFICATE_UNKNOWN";
inline constexpr absl::string_view kIdentityMismatch = "IDENTITY_MISMATCH";
// PERMISSION_DENIED
inline constexpr absl::string_view kRoleRequired = "ROLE_REQUIRED";
inline constexpr absl::string_view kOwnerRequired = "OWNER_REQUIRED";
inline constexpr absl::string_view kOverrideReasonRequired = "OVERRIDE_REASON_REQUIRED";
inline constexpr absl::string_view kMemberNotInTeam = "MEMBER_NOT_IN_TEAM";
inline constexpr absl::string_view kMemberDeactivated = "MEMBER_DEACTIVATED";
inline constexpr absl::string_view kSystemOnly = "SYSTEM_ONLY";
inline constexpr absl::string_view kNodeSecretRequired = "NODE_SECRET_REQUIRED";
// Recording review feedback on one's own review (any role).
inline constexpr absl::string_view kSelfReviewFeedback = "SELF_REVIEW_FEEDBACK";
// FAILED_PRECONDITION
inline constexpr absl::string_view kStageNotAllowed = "STAGE_NOT_ALLOWED";
inline constexpr absl::string_view kOrderStatusNotAllowed = "ORDER_STATUS_NOT_ALLOWED";
inline constexpr absl::string_view kTicketStatusNotAllowed = "TICKET_STATUS_NOT_ALLOWED";
inline constexpr absl::string_view kAssigneeNotEligible = "ASSIGNEE_NOT_ELIGIBLE";
inline constexpr absl::string_view kMemberStatusNotAllowed = "MEMBER_STATUS_NOT_ALLOWED";
inline constexpr absl::string_view kMeetingStatusNotAllowed = "MEETING_STATUS_NOT_ALLOWED";
inline constexpr absl::string_view kActionItemStatusNotAllowed = "ACTION_ITEM_STATUS_NOT_ALLOWED";
// Acknowledging review feedback that is not the latest version or is
// acknowledged already.
inline constexpr absl::string_view kFeedbackNotAcknowledgeable = "FEEDBACK_NOT_ACKNOWLEDGEABLE";
// Review feedback written about a review (input_digest) that has changed.
inline constexpr absl::string_view kReviewChanged = "REVIEW_CHANGED";
inline constexpr absl::string_view kSurveyRecorded = "SURVEY_ALREADY_RECORDED";
inline constexpr absl::string_view kLastAdmin = "LAST_ADMIN";
inline constexpr absl::string_view kTeamNotEmpty = "TEAM_NOT_EMPTY";
// ABORTED
inline constexpr absl::string_view kVersionConflict = "VERSION_CONFLICT";
inline constexpr absl::string_view kRequestIdReused = "REQUEST_ID_REUSED";
// ALREADY_EXISTS / NOT_FOUND
inline constexpr absl::string_view kAlreadyExists = "ALREADY_EXISTS";
inline constexpr absl::string_view kNotFound = "NOT_FOUND";
// UNAVAILABLE
inline constexpr absl::string_view kShuttingDown = "SHUTTING_DOWN";
inline constexpr absl::string_view kWritesStopped = "WRITES_STOPPED";
inline constexpr absl::string_view kLeaderUnreachable = "LEADER_UNREACHABLE";
// RESOURCE_EXHAUSTED
inline constexpr absl::string_view kServerBusy = "SERVER_BUSY";
inline constexpr absl::string_view kMemberLimit = "MEMBER_LIMIT";
inline constexpr absl::string_view kDiskReserve = "DISK_RESERVE";
inline constexpr absl::string_view kRequestTooLarge = "REQUEST_TOO_LARGE";
// DEADLINE_EXCEEDED
inline constexpr absl::string_view kPositionNotReached = "POSITION_NOT_REACHED";
// DATA_LOSS
inline constexpr absl::string_view kLogDamaged = "LOG_DAMAGED";

// The reason a status of `code` carries when its site named none: LOG_DAMAGED
// for DATA_LOSS, else the code's name (e.g. "FAILED_PRECONDITION"); "" for
// OK.
std::string DefaultReason(absl::StatusCode code);

using Metadata = std::vector<std::pair<std::string, std::string>>;

// `status` with ErrorInfo{reason, kDomain, metadata}, replacing any earlier
// ErrorInfo. OK stays OK.
absl::Status WithReason(absl::Status status, absl::string_view reason, const Metadata& metadata = {});

// `status` with one more PreconditionFailure violation, e.g.
// ("STAGE", "lead/L-1", "lead 'L-1' is in stage WON").
absl::Status WithPrecondition(absl::Status status, absl::string_view type, absl::string_view subject,
                              absl::string_view description);

// `status` with ResourceInfo{resource_type, resource_name}.
absl::Status WithResource(absl::Status status, absl::string_view resource_type, absl::string_view resource_name);

// `status` with RetryInfo{delay}.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// Errors about one resource of a kind ("lead", "order", "ticket", "member"):
// metadata "<kind>_id" = id, and ResourceInfo{"salesops.v1.<Kind>", id}.
//   NotFound        NOT_FOUND, reason NOT_FOUND
//   AlreadyExists   ALREADY_EXISTS, reason ALREADY_EXISTS
//   VersionConflict ABORTED, reason VERSION_CONFLICT, metadata
//                   expected_version and actual_version, and the message
//                   "<subject> is at version <actual>, expected_version
//                   was <expected>; re-read and retry", where the subject
//                   is "<kind> '<id>'" (an underscore in kind read as a
//                   space: "action item 'A1'") unless `subject` is given
//                   (e.g. "the team")
//   NotAllowedIn    FAILED_PRECONDITION with `reason` (e.g.
//                   STAGE_NOT_ALLOWED), metadata `state_key` = state and
//                   "action", and PreconditionFailure{precondition_type,
//                   "<kind>/<id>", message}
absl::Status NotFound(absl::string_view kind, absl::string_view id, absl::string_view message);
absl::Status AlreadyExists(absl::string_view kind, absl::string_view id, absl::string_view message);
absl::Status VersionConflict(absl::string_view kind, absl::string_view id, uint64_t actual, uint64_t expected,
                             absl::string_view subject = "");
absl::Status NotAllowedIn(absl::string_view reason, absl::string_view kind, absl::string_view id,
                          absl::string_view precondition_type, absl::string_view state_key,
                          absl::string_view state, absl::string_view action, absl::string_view message);

// The details a status carries (nullopt when its site attached none).
std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status);
std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status);
std::optional<google::rpc::PreconditionFailure> PreconditionFailureOf(const absl::Status& status);
std::optional<google::rpc::ResourceInfo> ResourceInfoOf(const absl::Status& status);
std::optional<google::rpc::RetryInfo> RetryInfoOf(const absl::Status& status);

// The reason a client sees: the ErrorInfo's, else DefaultReason(code).
std::string ReasonOf(const absl::Status& status);

// `to` with every detail `from` carries (for a status rebuilt with a new
// message).
absl::Status CopyDetails(const absl::Status& from, absl::Status to);

// Collects every field violation of a request, so that a caller learns all
// of them from one call:
//
//   FieldViolations v;
//   v.Add(ValidateText("company", c.company(), 1, kMaxNameChars));
//   v.Add(ValidateContact("contact", c.contact()));
//   return std::move(v).Finish();
//
// Add takes an OK status (ignored), an INVALID_ARGUMENT (its BadRequest's
// violations, or the one its "field: rule" message names) or any other
// error, which Finish returns as it is (the first such) because it is not a
// field's fault.
class FieldViolations {
 public:
  // Bounds on what one error carries, so that its trailer stays well under
  // gRPC's default 8 KiB metadata limit: violations past the first
  // kMaxViolations are counted, not listed, and descriptions are cut (on a
  // UTF-8 boundary) at kMaxDescriptionBytes.
  static constexpr size_t kMaxViolations = 20;
  static constexpr size_t kMaxDescriptionBytes = 240;

  void Add(const absl::Status& status);
  void Add(absl::string_view field, absl::string_view description);

  bool empty() const { return violations_.empty() && other_.ok(); }

  // OK when nothing was added; else INVALID_ARGUMENT whose message is the
  // first violation's "field: rule" (with "; and N more (fields)" when there
  // are several) and which carries BadRequest with all of them and ErrorInfo
  // FIELD_INVALID {"fields": "a,b,c"}.
  absl::Status Finish() &&;

 private:
  void Push(google::rpc::BadRequest::FieldViolation violation);

  std::vector<google::rpc::BadRequest::FieldViolation> violations_;
  size_t unlisted_ = 0;
  absl::Status other_;
};

// The field path and rule of an INVALID_ARGUMENT message written
// "field: rule" (the convention of domain/validation.h); nullopt when the
// message does not start with a field path.
std::optional<std::pair<std::string, std::string>> SplitFieldMessage(absl::string_view message);

// google.rpc.Status for a non-OK status: its code, `message`, and details:
// ErrorInfo always (the site's, else DefaultReason), BadRequest for
// INVALID_ARGUMENT (the site's, else one read from the message when it names
// a field), PreconditionFailure and ResourceInfo when the site attached them,
// RetryInfo for UNAVAILABLE, ABORTED and RESOURCE_EXHAUSTED (the site's,
// else a default delay).
google::rpc::Status ToRpcStatus(const absl::Status& status, absl::string_view message);

// The status a google.rpc.Status stands for (another node's refusal, in
// cluster mode): its code and message, and its details as payloads, so
// that ToRpcStatus hands them on unchanged. A code outside google.rpc.Code
// becomes UNKNOWN.
absl::Status FromRpcStatus(const google::rpc::Status& status);

}  // namespace salesops::errors

#endif  // SALESOPS_SERVER_DOMAIN_ERRORS_H_
