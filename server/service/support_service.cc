#include "server/service/support_service.h"

#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/service/submit.h"

namespace salesops::service {

grpc::ServerUnaryReactor* SupportService::Submit(grpc::CallbackServerContext* context, v1::SupportCommand command,
                                                v1::TicketCommandReply* reply) {
  v1::Command wrapped;
  *wrapped.mutable_support() = std::move(command);
  return SubmitCommand(context, access_->tokens(), *sequencer_, std::move(wrapped),
                       [reply](v1::CommandReply&& r) { *reply = std::move(*r.mutable_ticket()); });
}

#define SALESOPS_SUPPORT_COMMAND(Method, Request, field)                                               \
  grpc::ServerUnaryReactor* SupportService::Method(grpc::CallbackServerContext* context,              \
                                                  const v1::Request* request,                        \
                                                  v1::TicketCommandReply* reply) {                    \
    v1::SupportCommand command;                                                                        \
    *command.mutable_##field() = *request;                                                           \
    return Submit(context, std::move(command), reply);                                               \
  }

SALESOPS_SUPPORT_COMMAND(OpenTicket, OpenTicketRequest, open)
SALESOPS_SUPPORT_COMMAND(AssignTicket, AssignTicketRequest, assign)
SALESOPS_SUPPORT_COMMAND(ResolveTicket, ResolveTicketRequest, resolve)
SALESOPS_SUPPORT_COMMAND(CloseTicket, CloseTicketRequest, close)
SALESOPS_SUPPORT_COMMAND(ReopenTicket, ReopenTicketRequest, reopen)
SALESOPS_SUPPORT_COMMAND(RecordSurvey, RecordSurveyRequest, survey)

#undef SALESOPS_SUPPORT_COMMAND

grpc::ServerUnaryReactor* SupportService::GetTicket(grpc::CallbackServerContext* context,
                                                    const v1::GetTicketRequest* request, v1::Ticket* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    if (absl::Status s = domain::ValidateId("ticket_id", request->ticket_id()); !s.ok()) return s;
    std::optional<v1::Ticket> ticket = tickets_->Ticket(request->ticket_id());
    if (!ticket.has_value()) {
      return absl::NotFoundError(absl::StrCat("ticket '", request->ticket_id(), "' not found"));
    }
    *reply = std::move(*ticket);
    return absl::OkStatus();
  });
}

}  // namespace salesops::service
