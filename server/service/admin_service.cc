#include "server/service/admin_service.h"

#include "absl/time/clock.h"
#include "server/common/log.h"
#include "server/domain/proto_time.h"
#include "server/service/grpc_status.h"
#include "server/service/views_service.h"

namespace salesops::service {

grpc::ServerUnaryReactor* AdminService::Ping(grpc::CallbackServerContext* context, const v1::PingRequest*,
                                             v1::PingResponse*) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<v1::Member> admin = access_->CheckRead(*context, "Admin.Ping");
  reactor->Finish(ToGrpcStatus(admin.status()));
  return reactor;
}

grpc::ServerUnaryReactor* AdminService::RebuildProjections(grpc::CallbackServerContext* context,
                                                           const v1::RebuildProjectionsRequest*,
                                                           v1::RebuildProjectionsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status = access_->CheckRead(*context, "Admin.RebuildProjections").status();
  if (status.ok()) {
    const absl::Time start = absl::Now();
    absl::StatusOr<uint64_t> reached = RebuildViews(*store_, *views_);
    status = reached.status();
    if (reached.ok()) {
      reply->set_replayed_to(*reached);
      *reply->mutable_took() = ToProtoDuration(absl::Now() - start);
      LogInfo("Admin.RebuildProjections: views rebuilt from the log up to position %d in %s", *reached,
              absl::FormatDuration(absl::Now() - start));
    }
  }
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace salesops::service
