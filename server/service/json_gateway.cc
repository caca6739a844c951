#include "server/service/json_gateway.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"  // SerializationTraits for protobuf::Message
#include "server/domain/errors.h"
#include "server/service/call_observer.h"
#include "server/service/grpc_status.h"

namespace salesops::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The field of `descriptor` named `name` in its proto or its JSON name.
const FieldDescriptor* FindField(const Descriptor& descriptor, absl::string_view name) {
  if (const FieldDescriptor* field = descriptor.FindFieldByName(std::string(name)); field != nullptr) return field;
  for (int i = 0; i < descriptor.field_count(); ++i) {
    if (descriptor.field(i)->json_name() == name) return descriptor.field(i);
  }
  return nullptr;
}

std::string JsonQuoted(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Sets (or, for a repeated field, adds) `field` of `message` from `value`;
// the rule it breaks otherwise.
absl::Status SetScalar(Message& message, const FieldDescriptor& field, const std::string& value) {
  const Reflection& r = *message.GetReflection();
  const bool repeated = field.is_repeated();
  auto bad = [&](absl::string_view what) { return absl::InvalidArgumentError(absl::StrCat("expected ", what)); };
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("an integer (32 bits)");
      repeated ? r.AddInt32(&message, &field, v) : r.SetInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("an integer (64 bits)");
      repeated ? r.AddInt64(&message, &field, v) : r.SetInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("an unsigned integer (32 bits)");
      repeated ? r.AddUInt32(&message, &field, v) : r.SetUInt32(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v)) return bad("an unsigned integer (64 bits)");
      repeated ? r.AddUInt64(&message, &field, v) : r.SetUInt64(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(value, &v) || !std::isfinite(v)) return bad("a finite number");
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        repeated ? r.AddDouble(&message, &field, v) : r.SetDouble(&message, &field, v);
      } else {
        repeated ? r.AddFloat(&message, &field, static_cast<float>(v))
                 : r.SetFloat(&message, &field, static_cast<float>(v));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (value == "true" || value == "1") {
        v = true;
      } else if (value == "false" || value == "0") {
        v = false;
      } else {
        return bad("true or false");
      }
      repeated ? r.AddBool(&message, &field, v) : r.SetBool(&message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = 0;
      if (const auto* named = field.enum_type()->FindValueByName(absl::AsciiStrToUpper(value)); named != nullptr) {
        number = named->number();
      } else if (!absl::SimpleAtoi(value, &number) || field.enum_type()->FindValueByNumber(number) == nullptr) {
        std::string names;
        for (int i = 0; i < field.enum_type()->value_count(); ++i) {
          absl::StrAppend(&names, i == 0 ? "" : ", ", field.enum_type()->value(i)->name());
        }
        return bad(absl::StrCat("one of ", names));
      }
      repeated ? r.AddEnumValue(&message, &field, number) : r.SetEnumValue(&message, &field, number);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING:
      if (field.type() == FieldDescriptor::TYPE_BYTES) return bad("a field the JSON API does not take (bytes)");
      repeated ? r.AddString(&message, &field, value) : r.SetString(&message, &field, value);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      // The well-known types that have a JSON string form (Timestamp:
      // RFC 3339, Duration: "1.5s"); other messages are set field by field.
      const std::string& type = field.message_type()->full_name();
      if (type != "google.protobuf.Timestamp" && type != "google.protobuf.Duration") {
        return bad(absl::StrCat("its fields, e.g. ", field.name(), ".", field.message_type()->field(0)->name()));
      }
      Message* target = repeated ? r.AddMessage(&message, &field) : r.MutableMessage(&message, &field);
      if (!google::protobuf::util::JsonStringToMessage(JsonQuoted(value), target).ok()) {
        return bad(type == "google.protobuf.Timestamp" ? "an RFC 3339 time, e.g. 2026-11-28T00:00:00Z"
                                                       : "a duration in seconds, e.g. 3600s");
      }
      return absl::OkStatus();
    }
  }
  return bad("a field the JSON API does not take");
}

// The RetryInfo delay a status carries, rounded up to whole seconds (0: none).
int64_t RetryAfterSeconds(const google::rpc::Status& status) {
  for (const google::protobuf::Any& detail : status.details()) {
    google::rpc::RetryInfo retry;
    if (detail.UnpackTo(&retry)) {
      const int64_t seconds = retry.retry_delay().seconds() + (retry.retry_delay().nanos() > 0 ? 1 : 0);
      return std::max<int64_t>(1, seconds);
    }
  }
  return 0;
}

}  // namespace

const std::vector<std::string>& GatewayMethods() {
  static const auto* const methods = new std::vector<std::string>{
      "Views/GetPipeline",       "Views/ListLeads",          "Views/GetWorkload",
      "Views/GetPerformanceReview", "Views/ListPerformanceReviews", "Views/CompareReviews",
      "Views/GetSalesAnalysis",  "Views/GetSatisfactionAnalysis", "Views/GetAccount", "Views/GetMeetingBrief",
      "Meetings/GetMeeting",     "Meetings/ListMeetings",    "Coaching/GetReviewFeedback",
      "Coaching/GetTrainingSession", "Coaching/ListTrainingSessions",
      "Leads/GetLead",           "Audit/GetLeadHistory",     "Audit/ReadLog",
      "Audit/VerifyLog",         "Audit/GetLogDigest",       "Audit/ListStageChanges",
      "Team/GetMember",          "Team/ListMembers",         "Team/ListTargets",
      "Team/ListScoringPolicies", "Orders/GetOrder",         "Support/GetTicket",
  };
  return *methods;
}

absl::Status MessageFromQuery(const QueryParams& params, Message& message) {
  errors::FieldViolations violations;
  absl::flat_hash_set<std::string> singular_set;
  for (const auto& [name, value] : params) {
    const std::vector<absl::string_view> path = absl::StrSplit(name, '.');
    Message* at = &message;
    const FieldDescriptor* field = nullptr;
    std::string canonical;  // the path in proto names, to catch one field given twice under two names
    for (size_t i = 0; i < path.size(); ++i) {
      field = FindField(*at->GetDescriptor(), path[i]);
      if (field == nullptr) break;
      absl::StrAppend(&canonical, i == 0 ? "" : ".", field->name());
      if (i + 1 == path.size()) break;
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
        field = nullptr;
        break;
      }
      at = at->GetReflection()->MutableMessage(at, field);
    }
    if (field == nullptr) {
      violations.Add(name, absl::StrCat("no such field in ", message.GetDescriptor()->full_name()));
      continue;
    }
    if (!field->is_repeated() && !singular_set.insert(canonical).second) {
      violations.Add(name, "given more than once (the field is not repeated)");
      continue;
    }
    if (absl::Status set = SetScalar(*at, *field, value); !set.ok()) violations.Add(name, set.message());
  }
  return std::move(violations).Finish();
}

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

std::string ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return R"({"code":13,"message":"the reply could not be printed as JSON","details":[]})";
  }
  return json;
}

JsonReply ErrorReply(const google::rpc::Status& status) {
  JsonReply reply;
  reply.http_status = HttpStatusFor(static_cast<grpc::StatusCode>(status.code()));
  reply.body = ToJson(status);
  if (reply.http_status == 401) reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"salesops\"");
  if (const int64_t after = RetryAfterSeconds(status); after > 0 && (reply.http_status == 429 || reply.http_status == 503)) {
    reply.headers.emplace_back("Retry-After", absl::StrCat(after));
  }
  return reply;
}

JsonReply ErrorReply(const absl::Status& status) {
  const grpc::Status converted = ToGrpcStatus(status);
  return ErrorReply(converted);
}

JsonReply ErrorReply(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (status.error_details().empty() || !rpc.ParseFromString(status.error_details())) {
    rpc.Clear();
    rpc.set_code(status.error_code());
    rpc.set_message(status.error_message());
  }
  return ErrorReply(rpc);
}

JsonReply JsonGateway::Call(absl::string_view method, const QueryParams& params, absl::string_view authorization,
                            absl::string_view peer) const {
  const std::vector<std::string>& methods = GatewayMethods();
  if (std::find(methods.begin(), methods.end(), method) == methods.end()) {
    return ErrorReply(errors::WithReason(
        absl::NotFoundError(absl::StrCat("no JSON API method '", method,
                                         "': the API serves the read RPCs as /api/v1/Service/Method (docs/DASHBOARD.md)")),
        "NOT_FOUND", {{"method", std::string(method)}}));
  }
  // A header gRPC could not carry as metadata is refused here, as the
  // server refuses a malformed one.
  if (!std::all_of(authorization.begin(), authorization.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
    return ErrorReply(errors::WithReason(
        absl::UnauthenticatedError("the Authorization header must be 'Bearer <token>' in printable ASCII"),
        errors::kTokenMissing));
  }
  const std::string full_name = absl::StrCat("salesops.v1.", absl::StrReplaceAll(method, {{"/", "."}}));
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  if (descriptor == nullptr) {
    return ErrorReply(absl::InternalError(absl::StrCat("the schema of ", full_name, " is not linked in")));
  }
  google::protobuf::MessageFactory* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<Message> request(factory->GetPrototype(descriptor->input_type())->New());
  std::unique_ptr<Message> response(factory->GetPrototype(descriptor->output_type())->New());
  if (absl::Status parsed = MessageFromQuery(params, *request); !parsed.ok()) return ErrorReply(parsed);

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + max_call_time_));
  if (!authorization.empty()) context.AddMetadata("authorization", std::string(authorization));
  if (!peer.empty()) context.AddMetadata(kHttpPeerMetadata, std::string(peer));
  grpc::TemplatedGenericStub<Message, Message> stub(channel_);
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&context, absl::StrCat("/salesops.v1.", method), grpc::StubOptions(), request.get(), response.get(),
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return ErrorReply(status);
  return JsonReply{.http_status = 200, .body = ToJson(*response), .headers = {}};
}

}  // namespace salesops::service
