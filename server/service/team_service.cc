#include "server/service/team_service.h"

#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/service/submit.h"

namespace salesops::service {

grpc::ServerUnaryReactor* TeamService::Submit(grpc::CallbackServerContext* context, v1::TeamCommand command,
                                              v1::TeamCommandReply* reply) {
  v1::Command wrapped;
  *wrapped.mutable_team() = std::move(command);
  return SubmitCommand(context, access_->tokens(), *sequencer_, std::move(wrapped),
                       [reply](v1::CommandReply&& r) { *reply = std::move(*r.mutable_team()); });
}

grpc::ServerUnaryReactor* TeamService::AddMember(grpc::CallbackServerContext* context,
                                                 const v1::AddMemberRequest* request,
                                                 v1::TeamCommandReply* reply) {
  v1::TeamCommand command;
  *command.mutable_add_member() = *request;
  return Submit(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* TeamService::SetMemberRoles(grpc::CallbackServerContext* context,
                                                      const v1::SetMemberRolesRequest* request,
                                                      v1::TeamCommandReply* reply) {
  v1::TeamCommand command;
  *command.mutable_set_roles() = *request;
  return Submit(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* TeamService::DeactivateMember(grpc::CallbackServerContext* context,
                                                        const v1::DeactivateMemberRequest* request,
                                                        v1::TeamCommandReply* reply) {
  v1::TeamCommand command;
  *command.mutable_deactivate() = *request;
  return Submit(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* TeamService::ReactivateMember(grpc::CallbackServerContext* context,
                                                        const v1::ReactivateMemberRequest* request,
                                                        v1::TeamCommandReply* reply) {
  v1::TeamCommand command;
  *command.mutable_reactivate() = *request;
  return Submit(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* TeamService::SetTarget(grpc::CallbackServerContext* context,
                                                 const v1::SetTargetRequest* request,
                                                 v1::TeamCommandReply* reply) {
  v1::TeamCommand command;
  *command.mutable_set_target() = *request;
  return Submit(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* TeamService::ListTargets(grpc::CallbackServerContext* context,
                                                   const v1::ListTargetsRequest* request,
                                                   v1::ListTargetsResponse* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    for (v1::Target& t : team_->Targets(request->member_id(), request->period())) {
      *reply->add_targets() = std::move(t);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TeamService::SetScoringPolicy(grpc::CallbackServerContext* context,
                                                        const v1::SetScoringPolicyRequest* request,
                                                        v1::TeamCommandReply* reply) {
  v1::TeamCommand command;
  *command.mutable_set_scoring_policy() = *request;
  return Submit(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* TeamService::ListScoringPolicies(grpc::CallbackServerContext* context,
                                                           const v1::ListScoringPoliciesRequest*,
                                                           v1::ListScoringPoliciesResponse* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    for (v1::ScoringPolicy& p : team_->Policies()) *reply->add_policies() = std::move(p);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TeamService::GetMember(grpc::CallbackServerContext* context,
                                                 const v1::GetMemberRequest* request, v1::Member* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    if (absl::Status s = domain::ValidateId("member_id", request->member_id()); !s.ok()) return s;
    std::optional<v1::Member> member = team_->Get(request->member_id());
    if (!member.has_value()) {
      return absl::NotFoundError(absl::StrCat("member '", request->member_id(), "' not found"));
    }
    *reply = std::move(*member);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TeamService::ListMembers(grpc::CallbackServerContext* context,
                                                   const v1::ListMembersRequest* request,
                                                   v1::ListMembersResponse* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    if (!v1::Role_IsValid(request->role())) return absl::InvalidArgumentError("role: unknown value");
    for (v1::Member& m : team_->List(request->role(), request->include_inactive())) {
      *reply->add_members() = std::move(m);
    }
    return absl::OkStatus();
  });
}

}  // namespace salesops::service
