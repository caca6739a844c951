#include "server/service/leads_service.h"

#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/service/grpc_status.h"
#include "server/service/submit.h"

namespace salesops::service {

grpc::ServerUnaryReactor* LeadsService::Submit(grpc::CallbackServerContext* context,
                                               v1::LeadCommand command, v1::LeadCommandReply* reply) {
  v1::Command wrapped;
  *wrapped.mutable_lead() = std::move(command);
  return SubmitCommand(context, access_->tokens(), *sequencer_, std::move(wrapped),
                       [reply](v1::CommandReply&& r) { *reply = std::move(*r.mutable_lead()); });
}

#define SALESOPS_LEAD_COMMAND(Method, Request, field)                                        \
  grpc::ServerUnaryReactor* LeadsService::Method(grpc::CallbackServerContext* context,       \
                                                 const v1::Request* request,                 \
                                                 v1::LeadCommandReply* reply) {              \
    v1::LeadCommand command;                                                                 \
    *command.mutable_##field() = *request;                                                   \
    return Submit(context, std::move(command), reply);                                       \
  }

SALESOPS_LEAD_COMMAND(IdentifyLead, IdentifyLeadRequest, identify)
SALESOPS_LEAD_COMMAND(QualifyLead, QualifyLeadRequest, qualify)
SALESOPS_LEAD_COMMAND(DisqualifyLead, DisqualifyLeadRequest, disqualify)
SALESOPS_LEAD_COMMAND(RecordNeeds, RecordNeedsRequest, record_needs)
SALESOPS_LEAD_COMMAND(ProposeSolution, ProposeSolutionRequest, propose_solution)
SALESOPS_LEAD_COMMAND(SendQuote, SendQuoteRequest, send_quote)
SALESOPS_LEAD_COMMAND(StartNegotiation, StartNegotiationRequest, start_negotiation)
SALESOPS_LEAD_COMMAND(WinDeal, WinDealRequest, win_deal)
SALESOPS_LEAD_COMMAND(LoseDeal, LoseDealRequest, lose_deal)
SALESOPS_LEAD_COMMAND(ReopenLead, ReopenLeadRequest, reopen)
SALESOPS_LEAD_COMMAND(UpdateLead, UpdateLeadRequest, update)
SALESOPS_LEAD_COMMAND(AssignLead, AssignLeadRequest, assign)
SALESOPS_LEAD_COMMAND(ChangeOwner, ChangeOwnerRequest, change_owner)

#undef SALESOPS_LEAD_COMMAND

grpc::ServerUnaryReactor* LeadsService::GetLead(grpc::CallbackServerContext* context,
                                                const v1::GetLeadRequest* request, v1::Lead* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    if (absl::Status s = domain::ValidateId("lead_id", request->lead_id()); !s.ok()) return s;
    std::optional<v1::Lead> lead = leads_->Get(request->lead_id());
    if (!lead.has_value()) {
      return absl::NotFoundError(absl::StrCat("lead '", request->lead_id(), "' not found"));
    }
    *reply = std::move(*lead);
    return absl::OkStatus();
  });
}

}  // namespace salesops::service
