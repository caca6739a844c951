#include "server/domain/errors.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "server/common/status_reason.h"

namespace salesops::errors {
namespace {

constexpr absl::string_view kTypePrefix = "type.googleapis.com/";

// Default retry delays when a site named none.
constexpr absl::Duration kUnavailableRetry = absl::Seconds(1);
constexpr absl::Duration kExhaustedRetry = absl::Seconds(1);
constexpr absl::Duration kAbortedRetry = absl::Milliseconds(100);

template <typename Message>
std::string TypeUrl() {
  return absl::StrCat(kTypePrefix, Message::descriptor()->full_name());
}

template <typename Message>
std::optional<Message> Get(const absl::Status& status) {
  absl::optional<absl::Cord> bytes = status.GetPayload(TypeUrl<Message>());
  if (!bytes.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*bytes))) return std::nullopt;
  return message;
}

template <typename Message>
absl::Status Put(absl::Status status, const Message& message) {
  if (status.ok()) return status;
  status.SetPayload(TypeUrl<Message>(), absl::Cord(message.SerializeAsString()));
  return status;
}

bool IsFieldPathChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '[' || c == ']';
}

}  // namespace

std::string DefaultReason(absl::StatusCode code) {
  if (code == absl::StatusCode::kOk) return "";
  // Every DATA_LOSS is damage to the log (or its indexes).
  if (code == absl::StatusCode::kDataLoss) return std::string(kLogDamaged);
  return absl::StatusCodeToString(code);  // e.g. "FAILED_PRECONDITION"
}

absl::Status WithReason(absl::Status status, absl::string_view reason, const Metadata& metadata) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kDomain));
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  return Put(std::move(status), info);
}

absl::Status WithPrecondition(absl::Status status, absl::string_view type, absl::string_view subject,
                              absl::string_view description) {
  google::rpc::PreconditionFailure failure = Get<google::rpc::PreconditionFailure>(status).value_or(
      google::rpc::PreconditionFailure());
  google::rpc::PreconditionFailure::Violation* v = failure.add_violations();
  v->set_type(std::string(type));
  v->set_subject(std::string(subject));
  v->set_description(std::string(description));
  return Put(std::move(status), failure);
}

absl::Status WithResource(absl::Status status, absl::string_view resource_type, absl::string_view resource_name) {
  google::rpc::ResourceInfo info;
  info.set_resource_type(std::string(resource_type));
  info.set_resource_name(std::string(resource_name));
  return Put(std::move(status), info);
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo info;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  info.mutable_retry_delay()->set_seconds(nanos / 1'000'000'000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  return Put(std::move(status), info);
}

namespace {

absl::Status AboutResource(absl::Status status, absl::string_view reason, absl::string_view kind,
                           absl::string_view id, Metadata metadata) {
  metadata.emplace(metadata.begin(), absl::StrCat(kind, "_id"), std::string(id));
  std::string type(kind);
  if (!type.empty()) type[0] = absl::ascii_toupper(static_cast<unsigned char>(type[0]));
  status = WithReason(std::move(status), reason, metadata);
  return WithResource(std::move(status), absl::StrCat("salesops.v1.", type), id);
}

}  // namespace

absl::Status NotFound(absl::string_view kind, absl::string_view id, absl::string_view message) {
  return AboutResource(absl::NotFoundError(message), kNotFound, kind, id, {});
}

absl::Status AlreadyExists(absl::string_view kind, absl::string_view id, absl::string_view message) {
  return AboutResource(absl::AlreadyExistsError(message), kAlreadyExists, kind, id, {});
}

absl::Status VersionConflict(absl::string_view kind, absl::string_view id, uint64_t actual, uint64_t expected,
                             absl::string_view subject) {
  const std::string named = subject.empty()
                                ? absl::StrCat(absl::StrReplaceAll(kind, {{"_", " "}}), " '", id, "'")
                                : std::string(subject);
  const std::string message = absl::StrCat(named, " is at version ", actual, ", expected_version was ",
                                           expected, "; re-read and retry");
  return AboutResource(absl::AbortedError(message), kVersionConflict, kind, id,
                       {{"expected_version", absl::StrCat(expected)}, {"actual_version", absl::StrCat(actual)}});
}

absl::Status NotAllowedIn(absl::string_view reason, absl::string_view kind, absl::string_view id,
                          absl::string_view precondition_type, absl::string_view state_key,
                          absl::string_view state, absl::string_view action, absl::string_view message) {
  absl::Status status =
      AboutResource(absl::FailedPreconditionError(message), reason, kind, id,
                    {{std::string(state_key), std::string(state)}, {"action", std::string(action)}});
  return WithPrecondition(std::move(status), precondition_type, absl::StrCat(kind, "/", id), message);
}

std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status) {
  return Get<google::rpc::ErrorInfo>(status);
}
std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status) {
  return Get<google::rpc::BadRequest>(status);
}
std::optional<google::rpc::PreconditionFailure> PreconditionFailureOf(const absl::Status& status) {
  return Get<google::rpc::PreconditionFailure>(status);
}
std::optional<google::rpc::ResourceInfo> ResourceInfoOf(const absl::Status& status) {
  return Get<google::rpc::ResourceInfo>(status);
}
std::optional<google::rpc::RetryInfo> RetryInfoOf(const absl::Status& status) {
  return Get<google::rpc::RetryInfo>(status);
}

std::string ReasonOf(const absl::Status& status) {
  if (std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status); info.has_value()) return info->reason();
  if (std::optional<std::string> plain = PlainReasonOf(status); plain.has_value()) return *plain;
  return DefaultReason(status.code());
}

absl::Status CopyDetails(const absl::Status& from, absl::Status to) {
  if (to.ok()) return to;
  from.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    if (absl::StartsWith(url, kTypePrefix)) to.SetPayload(url, payload);
  });
  return to;
}

std::optional<std::pair<std::string, std::string>> SplitFieldMessage(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == 0 || colon == absl::string_view::npos) return std::nullopt;
  const absl::string_view field = message.substr(0, colon);
  if (!absl::ascii_isalpha(static_cast<unsigned char>(field.front()))) return std::nullopt;
  for (char c : field) {
    if (!IsFieldPathChar(c)) return std::nullopt;
  }
  return std::make_pair(std::string(field), std::string(message.substr(colon + 2)));
}

void FieldViolations::Add(const absl::Status& status) {
  if (status.ok()) return;
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    if (other_.ok()) other_ = status;
    return;
  }
  if (std::optional<google::rpc::BadRequest> nested = BadRequestOf(status); nested.has_value()) {
    for (const auto& v : nested->field_violations()) Push(v);
    return;
  }
  google::rpc::BadRequest::FieldViolation v;
  if (std::optional<std::pair<std::string, std::string>> split = SplitFieldMessage(status.message())) {
    v.set_field(split->first);
    v.set_description(split->second);
  } else {
    v.set_description(std::string(status.message()));
  }
  v.set_reason(ReasonOf(status) == DefaultReason(status.code()) ? std::string(kFieldInvalid) : ReasonOf(status));
  Push(std::move(v));
}

void FieldViolations::Add(absl::string_view field, absl::string_view description) {
  google::rpc::BadRequest::FieldViolation v;
  v.set_field(std::string(field));
  v.set_description(std::string(description));
  v.set_reason(std::string(kFieldInvalid));
  Push(std::move(v));
}

void FieldViolations::Push(google::rpc::BadRequest::FieldViolation violation) {
  if (violations_.size() >= kMaxViolations) {
    ++unlisted_;
    return;
  }
  std::string* description = violation.mutable_description();
  if (description->size() > kMaxDescriptionBytes) {
    size_t cut = kMaxDescriptionBytes;
    while (cut > 0 && (static_cast<unsigned char>((*description)[cut]) & 0xC0) == 0x80) --cut;
    description->resize(cut);
    description->append("...");
  }
  violations_.push_back(std::move(violation));
}

absl::Status FieldViolations::Finish() && {
  if (!other_.ok()) return other_;
  if (violations_.empty()) return absl::OkStatus();
  const auto& first = violations_.front();
  std::string message = first.field().empty() ? first.description()
                                              : absl::StrCat(first.field(), ": ", first.description());
  if (violations_.size() + unlisted_ > 1) {
    absl::StrAppend(&message, "; and ", violations_.size() - 1 + unlisted_, " more (",
                    absl::StrJoin(violations_.begin() + 1, violations_.end(), ", ",
                                  [](std::string* out, const google::rpc::BadRequest::FieldViolation& v) {
                                    absl::StrAppend(out, v.field().empty() ? "request" : v.field());
                                  }),
                    unlisted_ > 0 ? absl::StrCat(violations_.size() > 1 ? ", " : "", unlisted_, " not listed")
                                  : "",
                    ")");
  }
  google::rpc::BadRequest bad;
  std::vector<std::string> fields;
  for (auto& v : violations_) {
    if (!v.field().empty()) fields.push_back(v.field());
    *bad.add_field_violations() = std::move(v);
  }
  violations_.clear();
  absl::Status status = absl::InvalidArgumentError(message);
  status = WithReason(std::move(status), kFieldInvalid, {{"fields", absl::StrJoin(fields, ",")}});
  return Put(std::move(status), bad);
}

google::rpc::Status ToRpcStatus(const absl::Status& status, absl::string_view message) {
  google::rpc::Status out;
  out.set_code(static_cast<int32_t>(status.code()));
  out.set_message(std::string(message));
  if (status.ok()) return out;

  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status);
  std::optional<google::rpc::BadRequest> bad = BadRequestOf(status);
  if (status.code() == absl::StatusCode::kInvalidArgument && !bad.has_value()) {
    FieldViolations one;
    one.Add(status);
    bad = BadRequestOf(std::move(one).Finish());
    if (bad.has_value() && bad->field_violations_size() == 1 && bad->field_violations(0).field().empty()) {
      bad.reset();  // the message names no field: nothing to add to it
    }
  }
  if (!info.has_value()) {
    info.emplace();
    info->set_domain(std::string(kDomain));
    if (std::optional<std::string> plain = PlainReasonOf(status); plain.has_value()) {
      info->set_reason(*plain);
    } else if (status.code() == absl::StatusCode::kInvalidArgument && bad.has_value()) {
      info->set_reason(std::string(kFieldInvalid));
      std::vector<std::string> fields;
      for (const auto& v : bad->field_violations()) fields.push_back(v.field());
      (*info->mutable_metadata())["fields"] = absl::StrJoin(fields, ",");
    } else {
      info->set_reason(DefaultReason(status.code()));
    }
  }
  out.add_details()->PackFrom(*info);
  if (bad.has_value()) out.add_details()->PackFrom(*bad);
  if (auto failure = PreconditionFailureOf(status); failure.has_value()) out.add_details()->PackFrom(*failure);
  if (auto resource = ResourceInfoOf(status); resource.has_value()) out.add_details()->PackFrom(*resource);
  std::optional<google::rpc::RetryInfo> retry = RetryInfoOf(status);
  // The same request never fits: no retry.
  if (!retry.has_value() && info->reason() != kRequestTooLarge) {
    std::optional<absl::Duration> delay;
    switch (status.code()) {
      case absl::StatusCode::kUnavailable: delay = kUnavailableRetry; break;
      case absl::StatusCode::kResourceExhausted: delay = kExhaustedRetry; break;
      case absl::StatusCode::kAborted: delay = kAbortedRetry; break;
      default: break;
    }
    if (delay.has_value()) retry = RetryInfoOf(WithRetryDelay(absl::UnknownError(""), *delay));
  }
  if (retry.has_value()) out.add_details()->PackFrom(*retry);
  return out;
}

absl::Status FromRpcStatus(const google::rpc::Status& status) {
  const int code = status.code();
  if (code == 0) return absl::OkStatus();
  absl::Status out(code > 0 && code <= static_cast<int>(absl::StatusCode::kUnauthenticated)
                       ? static_cast<absl::StatusCode>(code)
                       : absl::StatusCode::kUnknown,
                   status.message());
  for (const google::protobuf::Any& detail : status.details()) {
    if (absl::StartsWith(detail.type_url(), kTypePrefix)) out.SetPayload(detail.type_url(), absl::Cord(detail.value()));
  }
  return out;
}

}  // namespace salesops::errors
