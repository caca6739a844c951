// salesops.v1.Leads on gRPC's callback API. Command handlers authenticate,
// wrap the request in a LeadCommand and queue it to the sequencer, which
// finishes the call after the group commit: no gRPC thread ever waits for an
// fsync. GetLead reads the LeadDirectory projection.
#ifndef SALESOPS_SERVER_SERVICE_LEADS_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_LEADS_SERVICE_H_

#include "projections/lead_directory.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "server/engine/sequencer.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"

namespace salesops::service {

class LeadsService final : public CheckedUnaryService<v1::Leads> {
 public:
  // Borrows everything; all must outlive the service.
  LeadsService(const ReadAccess* access, engine::Sequencer* sequencer, const projections::LeadDirectory* leads)
      : CheckedUnaryService(&access->tokens()), access_(access), sequencer_(sequencer), leads_(leads) {
    Check(&LeadsService::IdentifyLead);
    Check(&LeadsService::QualifyLead);
    Check(&LeadsService::DisqualifyLead);
    Check(&LeadsService::RecordNeeds);
    Check(&LeadsService::ProposeSolution);
    Check(&LeadsService::SendQuote);
    Check(&LeadsService::StartNegotiation);
    Check(&LeadsService::WinDeal);
    Check(&LeadsService::LoseDeal);
    Check(&LeadsService::ReopenLead);
    Check(&LeadsService::UpdateLead);
    Check(&LeadsService::AssignLead);
    Check(&LeadsService::ChangeOwner);
    Check(&LeadsService::GetLead);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* IdentifyLead(grpc::CallbackServerContext* context,
                                         const v1::IdentifyLeadRequest* request,
                                         v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* QualifyLead(grpc::CallbackServerContext* context,
                                        const v1::QualifyLeadRequest* request,
                                        v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* DisqualifyLead(grpc::CallbackServerContext* context,
                                           const v1::DisqualifyLeadRequest* request,
                                           v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* RecordNeeds(grpc::CallbackServerContext* context,
                                        const v1::RecordNeedsRequest* request,
                                        v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* ProposeSolution(grpc::CallbackServerContext* context,
                                            const v1::ProposeSolutionRequest* request,
                                            v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* SendQuote(grpc::CallbackServerContext* context,
                                      const v1::SendQuoteRequest* request,
                                      v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* StartNegotiation(grpc::CallbackServerContext* context,
                                             const v1::StartNegotiationRequest* request,
                                             v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* WinDeal(grpc::CallbackServerContext* context,
                                    const v1::WinDealRequest* request,
                                    v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* LoseDeal(grpc::CallbackServerContext* context,
                                     const v1::LoseDealRequest* request,
                                     v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* ReopenLead(grpc::CallbackServerContext* context,
                                       const v1::ReopenLeadRequest* request,
                                       v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* UpdateLead(grpc::CallbackServerContext* context,
                                       const v1::UpdateLeadRequest* request,
                                       v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* AssignLead(grpc::CallbackServerContext* context,
                                       const v1::AssignLeadRequest* request,
                                       v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* ChangeOwner(grpc::CallbackServerContext* context,
                                        const v1::ChangeOwnerRequest* request,
                                        v1::LeadCommandReply* reply) override;
  grpc::ServerUnaryReactor* GetLead(grpc::CallbackServerContext* context,
                                    const v1::GetLeadRequest* request, v1::Lead* reply) override;

 private:
  // Authenticates, then queues `command`; the sequencer finishes the call.
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, v1::LeadCommand command,
                                   v1::LeadCommandReply* reply);

  const ReadAccess* const access_;
  engine::Sequencer* const sequencer_;
  const projections::LeadDirectory* const leads_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_LEADS_SERVICE_H_
