#include "server/service/event_stream.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "server/domain/errors.h"
#include "server/service/call_observer.h"

namespace salesops::service {
namespace {

void AppendBlock(std::string& out, uint64_t id, absl::string_view event, const google::protobuf::Message& data) {
  absl::StrAppend(&out, "id: ", id, "\nevent: ", event, "\ndata: ", ToJson(data), "\n\n");
}

}  // namespace

std::string SseText(const v1::SubscribeResponse& message) {
  std::string out;
  switch (message.message_case()) {
    case v1::SubscribeResponse::kEvent:
      AppendBlock(out, message.event().position(), "event", message.event());
      break;
    case v1::SubscribeResponse::kEvents:
      for (const v1::EventEnvelope& event : message.events().events()) AppendBlock(out, event.position(), "event", event);
      break;
    case v1::SubscribeResponse::kCheckpoint:
      AppendBlock(out, message.checkpoint().position(), "checkpoint", message.checkpoint());
      break;
    case v1::SubscribeResponse::kCaughtUp:
      AppendBlock(out, message.caught_up().position(), "caught_up", message.caught_up());
      break;
    case v1::SubscribeResponse::MESSAGE_NOT_SET:
      break;
  }
  return out;
}

EventStreams::Opened EventStreams::Open(const QueryParams& params, absl::string_view last_event_id,
                                        absl::string_view authorization, absl::string_view peer) {
  v1::SubscribeRequest request;
  if (absl::Status parsed = MessageFromQuery(params, request); !parsed.ok()) return {nullptr, ErrorReply(parsed)};
  if (!last_event_id.empty()) {
    uint64_t last = 0;
    if (!absl::SimpleAtoi(last_event_id, &last)) {
      return {nullptr, ErrorReply(errors::WithReason(
                           absl::InvalidArgumentError("Last-Event-ID: expected the position of the last event seen"),
                           errors::kFieldInvalid, {{"fields", "Last-Event-ID"}}))};
    }
    request.set_from_now(false);
    request.set_from_position(last + 1);
  }
  // Silence is bounded, so that a client that went away is noticed.
  if (request.checkpoint_seconds() == 0 || request.checkpoint_seconds() > options_.max_checkpoint_seconds) {
    request.set_checkpoint_seconds(std::min<uint32_t>(5, options_.max_checkpoint_seconds));
  }
  if (!std::all_of(authorization.begin(), authorization.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
    return {nullptr, ErrorReply(errors::WithReason(
                         absl::UnauthenticatedError("the Authorization header must be 'Bearer <token>' in printable ASCII"),
                         errors::kTokenMissing))};
  }
  if (active_.fetch_add(1) >= options_.max_streams) {
    active_.fetch_sub(1);
    return {nullptr,
            ErrorReply(errors::WithReason(
                absl::ResourceExhaustedError(absl::StrCat("the dashboard's event streams are at their bound (",
                                                          options_.max_streams, ", --http-max-event-streams)")),
                errors::kServerBusy, {{"queue", "http_event_streams"}, {"limit", absl::StrCat(options_.max_streams)}}))};
  }
  std::unique_ptr<Stream> stream(new Stream(&active_));
  if (!authorization.empty()) stream->context_.AddMetadata("authorization", std::string(authorization));
  if (!peer.empty()) stream->context_.AddMetadata(kHttpPeerMetadata, std::string(peer));
  stream->reader_ = v1::Audit::NewStub(channel_)->Subscribe(&stream->context_, request);
  v1::SubscribeResponse first;
  if (!stream->reader_->Read(&first)) {
    stream->finished_ = true;
    return {nullptr, ErrorReply(stream->reader_->Finish())};
  }
  stream->first_ = absl::StrCat("retry: 1000\n\n", SseText(first));
  return {std::move(stream), {}};
}

bool EventStreams::Stream::Next(std::string* text) {
  text->clear();
  if (finished_) return false;
  if (!first_.empty()) {
    text->swap(first_);
    return true;
  }
  v1::SubscribeResponse message;
  if (reader_->Read(&message)) {
    *text = SseText(message);
    return true;
  }
  finished_ = true;
  const grpc::Status status = reader_->Finish();
  if (status.error_code() != grpc::StatusCode::CANCELLED) {
    absl::StrAppend(text, "event: error\ndata: ", ErrorReply(status).body, "\n\n");
  }
  return false;
}

EventStreams::Stream::~Stream() {
  if (reader_ != nullptr && !finished_) {
    context_.TryCancel();
    v1::SubscribeResponse drained;
    while (reader_->Read(&drained)) {
    }
    reader_->Finish();
  }
  slots_->fetch_sub(1);
}

}  // namespace salesops::service
