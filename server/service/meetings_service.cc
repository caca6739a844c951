#include "server/service/meetings_service.h"

#include "projections/meetings_view.h"
#include "server/service/submit.h"

namespace salesops::service {

grpc::ServerUnaryReactor* MeetingsService::Submit(grpc::CallbackServerContext* context, v1::Command command,
                                                  v1::MeetingCommandReply* reply) {
  return SubmitCommand(context, access_->tokens(), *sequencer_, std::move(command),
                       [reply](v1::CommandReply&& r) { *reply = std::move(*r.mutable_meeting()); });
}

// A Meetings RPC: its request as the `field` case of the `kind` command.
#define SALESOPS_MEETING_COMMAND(Method, Request, kind, field)                                       \
  grpc::ServerUnaryReactor* MeetingsService::Method(grpc::CallbackServerContext* context,            \
                                                    const v1::Request* request,                      \
                                                    v1::MeetingCommandReply* reply) {                \
    v1::Command command;                                                                             \
    *command.mutable_##kind()->mutable_##field() = *request;                                         \
    return Submit(context, std::move(command), reply);                                               \
  }

SALESOPS_MEETING_COMMAND(ScheduleMeeting, ScheduleMeetingRequest, meeting, schedule)
SALESOPS_MEETING_COMMAND(RecordMinutes, RecordMinutesRequest, meeting, minutes)
SALESOPS_MEETING_COMMAND(CancelMeeting, CancelMeetingRequest, meeting, cancel)
SALESOPS_MEETING_COMMAND(AddActionItem, AddActionItemRequest, action_item, add)
SALESOPS_MEETING_COMMAND(CompleteActionItem, CompleteActionItemRequest, action_item, complete)
SALESOPS_MEETING_COMMAND(CancelActionItem, CancelActionItemRequest, action_item, cancel)

#undef SALESOPS_MEETING_COMMAND

grpc::ServerUnaryReactor* MeetingsService::GetMeeting(grpc::CallbackServerContext* context,
                                                      const v1::GetMeetingRequest* request, v1::Meeting* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    absl::StatusOr<v1::Meeting> meeting = views_->Read(
        [&](const projections::ViewsState& state) { return projections::GetMeeting(state, request->meeting_id()); });
    if (!meeting.ok()) return meeting.status();
    *reply = std::move(*meeting);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MeetingsService::ListMeetings(grpc::CallbackServerContext* context,
                                                        const v1::ListMeetingsRequest* request,
                                                        v1::ListMeetingsResponse* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    absl::StatusOr<v1::ListMeetingsResponse> page = views_->Read(
        [&](const projections::ViewsState& state) { return projections::ListMeetings(state, *request); });
    if (!page.ok()) return page.status();
    *reply = std::move(*page);
    return absl::OkStatus();
  });
}

}  // namespace salesops::service
