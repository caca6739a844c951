#include "server/service/admin_service.h"

#include "server/service/grpc_status.h"

namespace salesops::service {

grpc::ServerUnaryReactor* AdminService::Ping(grpc::CallbackServerContext* context, const v1::PingRequest*,
                                             v1::PingResponse*) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<v1::Member> admin = access_->CheckRole(*context, {v1::ROLE_ADMIN}, "Admin.Ping");
  reactor->Finish(ToGrpcStatus(admin.status()));
  return reactor;
}

}  // namespace salesops::service
