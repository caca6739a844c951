// salesops.v1.Team: members and roles. Commands go through the sequencer
// (authorized there: ADMIN); reads come from the TeamDirectory projection.
#ifndef SALESOPS_SERVER_SERVICE_TEAM_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_TEAM_SERVICE_H_

#include "projections/team_directory.h"
#include "salesops/v1/team.grpc.pb.h"
#include "server/engine/sequencer.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"

namespace salesops::service {

class TeamService final : public CheckedUnaryService<v1::Team> {
 public:
  // Borrows everything; all must outlive the service.
  TeamService(const ReadAccess* access, engine::Sequencer* sequencer, const projections::TeamDirectory* team)
      : CheckedUnaryService(&access->tokens()), access_(access), sequencer_(sequencer), team_(team) {
    Check(&TeamService::AddMember);
    Check(&TeamService::SetMemberRoles);
    Check(&TeamService::DeactivateMember);
    Check(&TeamService::ReactivateMember);
    Check(&TeamService::SetTarget);
    Check(&TeamService::ListTargets);
    Check(&TeamService::SetScoringPolicy);
    Check(&TeamService::ListScoringPolicies);
    Check(&TeamService::GetMember);
    Check(&TeamService::ListMembers);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* AddMember(grpc::CallbackServerContext* context, const v1::AddMemberRequest* request,
                                      v1::TeamCommandReply* reply) override;
  grpc::ServerUnaryReactor* SetMemberRoles(grpc::CallbackServerContext* context,
                                           const v1::SetMemberRolesRequest* request,
                                           v1::TeamCommandReply* reply) override;
  grpc::ServerUnaryReactor* DeactivateMember(grpc::CallbackServerContext* context,
                                             const v1::DeactivateMemberRequest* request,
                                             v1::TeamCommandReply* reply) override;
  grpc::ServerUnaryReactor* ReactivateMember(grpc::CallbackServerContext* context,
                                             const v1::ReactivateMemberRequest* request,
                                             v1::TeamCommandReply* reply) override;
  grpc::ServerUnaryReactor* SetTarget(grpc::CallbackServerContext* context, const v1::SetTargetRequest* request,
                                      v1::TeamCommandReply* reply) override;
  grpc::ServerUnaryReactor* ListTargets(grpc::CallbackServerContext* context,
                                        const v1::ListTargetsRequest* request,
                                        v1::ListTargetsResponse* reply) override;
  grpc::ServerUnaryReactor* SetScoringPolicy(grpc::CallbackServerContext* context,
                                             const v1::SetScoringPolicyRequest* request,
                                             v1::TeamCommandReply* reply) override;
  grpc::ServerUnaryReactor* ListScoringPolicies(grpc::CallbackServerContext* context,
                                                const v1::ListScoringPoliciesRequest* request,
                                                v1::ListScoringPoliciesResponse* reply) override;
  grpc::ServerUnaryReactor* GetMember(grpc::CallbackServerContext* context, const v1::GetMemberRequest* request,
                                      v1::Member* reply) override;
  grpc::ServerUnaryReactor* ListMembers(grpc::CallbackServerContext* context,
                                        const v1::ListMembersRequest* request,
                                        v1::ListMembersResponse* reply) override;

 private:
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, v1::TeamCommand command,
                                   v1::TeamCommandReply* reply);

  const ReadAccess* const access_;
  engine::Sequencer* const sequencer_;
  const projections::TeamDirectory* const team_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_TEAM_SERVICE_H_
