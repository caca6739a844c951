// salesops.v1.Admin: operations and diagnostics, for ADMIN members only.
#ifndef SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_

#include "salesops/v1/admin.grpc.pb.h"
#include "projections/views.h"
#include "server/service/auth.h"
#include "server/store/event_store.h"

namespace salesops::service {

class AdminService final : public v1::Admin::CallbackService {
 public:
  AdminService(const ReadAccess* access, const store::EventStore* store, projections::Views* views)
      : access_(access), store_(store), views_(views) {}

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context, const v1::PingRequest* request,
                                 v1::PingResponse* reply) override;
  grpc::ServerUnaryReactor* RebuildProjections(grpc::CallbackServerContext* context,
                                               const v1::RebuildProjectionsRequest* request,
                                               v1::RebuildProjectionsResponse* reply) override;

 private:
  const ReadAccess* const access_;
  const store::EventStore* const store_;
  projections::Views* const views_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_
