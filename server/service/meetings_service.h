// salesops.v1.Meetings: team meetings, one-to-ones and their action items.
// Commands go through the sequencer (authorized there); GetMeeting and
// ListMeetings read the views fold.
#ifndef SALESOPS_SERVER_SERVICE_MEETINGS_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_MEETINGS_SERVICE_H_

#include "projections/views.h"
#include "salesops/v1/meetings.grpc.pb.h"
#include "server/engine/sequencer.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"

namespace salesops::service {

class MeetingsService final : public CheckedUnaryService<v1::Meetings> {
 public:
  // Borrows everything; all must outlive the service.
  MeetingsService(const ReadAccess* access, engine::Sequencer* sequencer, const projections::Views* views)
      : CheckedUnaryService(&access->tokens()), access_(access), sequencer_(sequencer), views_(views) {
    Check(&MeetingsService::ScheduleMeeting);
    Check(&MeetingsService::RecordMinutes);
    Check(&MeetingsService::CancelMeeting);
    Check(&MeetingsService::AddActionItem);
    Check(&MeetingsService::CompleteActionItem);
    Check(&MeetingsService::CancelActionItem);
    Check(&MeetingsService::GetMeeting);
    Check(&MeetingsService::ListMeetings);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* ScheduleMeeting(grpc::CallbackServerContext* context,
                                            const v1::ScheduleMeetingRequest* request,
                                            v1::MeetingCommandReply* reply) override;
  grpc::ServerUnaryReactor* RecordMinutes(grpc::CallbackServerContext* context,
                                          const v1::RecordMinutesRequest* request,
                                          v1::MeetingCommandReply* reply) override;
  grpc::ServerUnaryReactor* CancelMeeting(grpc::CallbackServerContext* context,
                                          const v1::CancelMeetingRequest* request,
                                          v1::MeetingCommandReply* reply) override;
  grpc::ServerUnaryReactor* AddActionItem(grpc::CallbackServerContext* context,
                                          const v1::AddActionItemRequest* request,
                                          v1::MeetingCommandReply* reply) override;
  grpc::ServerUnaryReactor* CompleteActionItem(grpc::CallbackServerContext* context,
                                               const v1::CompleteActionItemRequest* request,
                                               v1::MeetingCommandReply* reply) override;
  grpc::ServerUnaryReactor* CancelActionItem(grpc::CallbackServerContext* context,
                                             const v1::CancelActionItemRequest* request,
                                             v1::MeetingCommandReply* reply) override;
  grpc::ServerUnaryReactor* GetMeeting(grpc::CallbackServerContext* context, const v1::GetMeetingRequest* request,
                                       v1::Meeting* reply) override;
  grpc::ServerUnaryReactor* ListMeetings(grpc::CallbackServerContext* context,
                                         const v1::ListMeetingsRequest* request,
                                         v1::ListMeetingsResponse* reply) override;

 private:
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, v1::Command command,
                                   v1::MeetingCommandReply* reply);

  const ReadAccess* const access_;
  engine::Sequencer* const sequencer_;
  const projections::Views* const views_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_MEETINGS_SERVICE_H_
