// salesops.v1.Admin: operations and diagnostics, for ADMIN members only.
#ifndef SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_

#include "salesops/v1/admin.grpc.pb.h"
#include "server/service/auth.h"

namespace salesops::service {

class AdminService final : public v1::Admin::CallbackService {
 public:
  explicit AdminService(const ReadAccess* access) : access_(access) {}

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context, const v1::PingRequest* request,
                                 v1::PingResponse* reply) override;

 private:
  const ReadAccess* const access_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_
