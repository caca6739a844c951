// salesops.v1.Support: after-sales tickets and surveys. Commands go through
// the sequencer (authorized there); GetTicket reads the ticket directory.
#ifndef SALESOPS_SERVER_SERVICE_SUPPORT_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_SUPPORT_SERVICE_H_

#include "projections/views.h"
#include "salesops/v1/support.grpc.pb.h"
#include "server/engine/sequencer.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"

namespace salesops::service {

class SupportService final : public CheckedUnaryService<v1::Support> {
 public:
  // Borrows everything; all must outlive the service.
  SupportService(const ReadAccess* access, engine::Sequencer* sequencer,
                 const projections::Views* tickets)
      : CheckedUnaryService(&access->tokens()), access_(access), sequencer_(sequencer), tickets_(tickets) {
    Check(&SupportService::OpenTicket);
    Check(&SupportService::AssignTicket);
    Check(&SupportService::ResolveTicket);
    Check(&SupportService::CloseTicket);
    Check(&SupportService::ReopenTicket);
    Check(&SupportService::RecordSurvey);
    Check(&SupportService::GetTicket);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* OpenTicket(grpc::CallbackServerContext* context, const v1::OpenTicketRequest* request,
                                       v1::TicketCommandReply* reply) override;
  grpc::ServerUnaryReactor* AssignTicket(grpc::CallbackServerContext* context,
                                         const v1::AssignTicketRequest* request,
                                         v1::TicketCommandReply* reply) override;
  grpc::ServerUnaryReactor* ResolveTicket(grpc::CallbackServerContext* context,
                                          const v1::ResolveTicketRequest* request,
                                          v1::TicketCommandReply* reply) override;
  grpc::ServerUnaryReactor* CloseTicket(grpc::CallbackServerContext* context, const v1::CloseTicketRequest* request,
                                        v1::TicketCommandReply* reply) override;
  grpc::ServerUnaryReactor* ReopenTicket(grpc::CallbackServerContext* context,
                                         const v1::ReopenTicketRequest* request,
                                         v1::TicketCommandReply* reply) override;
  grpc::ServerUnaryReactor* RecordSurvey(grpc::CallbackServerContext* context,
                                         const v1::RecordSurveyRequest* request,
                                         v1::TicketCommandReply* reply) override;
  grpc::ServerUnaryReactor* GetTicket(grpc::CallbackServerContext* context, const v1::GetTicketRequest* request,
                                      v1::Ticket* reply) override;

 private:
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, v1::SupportCommand command,
                                   v1::TicketCommandReply* reply);

  const ReadAccess* const access_;
  engine::Sequencer* const sequencer_;
  const projections::Views* const tickets_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_SUPPORT_SERVICE_H_
