#include "server/service/leads_service.h"

#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/service/grpc_status.h"

namespace salesops::service {

grpc::ServerUnaryReactor* LeadsService::Submit(grpc::CallbackServerContext* context,
                                               v1::LeadCommand command, v1::LeadCommandReply* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> actor = auth_->Authenticate(*context);
  if (!actor.ok()) {
    reactor->Finish(ToGrpcStatus(actor.status()));
    return reactor;
  }
  sequencer_->Submit(std::move(*actor), std::move(command),
                     [reactor, reply](engine::LeadReply result) {
                       if (result.ok()) *reply = std::move(*result);
                       reactor->Finish(ToGrpcStatus(result.status()));
                     });
  return reactor;
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

#undef SALESOPS_LEAD_COMMAND

grpc::ServerUnaryReactor* LeadsService::GetLead(grpc::CallbackServerContext* context,
                                                const v1::GetLeadRequest* request, v1::Lead* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const absl::Status status = [&]() -> absl::Status {
    absl::StatusOr<std::string> actor = auth_->Authenticate(*context);
    if (!actor.ok()) return actor.status();
    if (absl::Status s = domain::ValidateId("lead_id", request->lead_id()); !s.ok()) return s;
    std::optional<v1::Lead> lead = leads_->Get(request->lead_id());
    if (!lead.has_value()) {
      return absl::NotFoundError(absl::StrCat("lead '", request->lead_id(), "' not found"));
    }
    *reply = std::move(*lead);
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace salesops::service
