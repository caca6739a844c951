// salesops.v1.Admin: operations and diagnostics, for ADMIN members only.
#ifndef SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_

#include <functional>
#include <string>
#include <utility>

#include "salesops/v1/admin.grpc.pb.h"
#include "projections/views.h"
#include "server/engine/sequencer.h"
#include "server/service/async_read.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"
#include "server/store/event_log.h"

namespace salesops::service {

// Most envelopes one ImportEvents call takes.
inline constexpr int kMaxImportBatch = 1000;

class AdminService final : public CheckedUnaryService<v1::Admin> {
 public:
  // `import_admin`: the one member who may import into an empty log
  // (--import-admin; empty: nobody).
  AdminService(const ReadAccess* access, AsyncReads async, const store::EventLog* store, projections::Views* views,
               engine::Sequencer* sequencer, std::string import_admin)
      : CheckedUnaryService(&access->tokens()),
        access_(access),
        async_(async),
        store_(store),
        views_(views),
        sequencer_(sequencer),
        import_admin_(std::move(import_admin)) {
    Check(&AdminService::Ping);
    Check(&AdminService::RebuildProjections);
    Check(&AdminService::Backup);
    Check(&AdminService::ImportEvents, kMaxMessageBytes);
    Check(&AdminService::GetClusterStatus);
    RequireAllChecked();
  }

  // What GetClusterStatus answers with (SalesopsServer::ClusterStatus), and
  // whether it reads PostgreSQL (then it runs on the long-read pool). Set
  // before the server starts.
  using ClusterStatusSource = std::function<absl::StatusOr<v1::GetClusterStatusResponse>()>;
  void set_cluster_status(ClusterStatusSource source, bool reads_postgres) {
    cluster_status_ = std::move(source);
    cluster_status_reads_postgres_ = reads_postgres;
  }

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context, const v1::PingRequest* request,
                                 v1::PingResponse* reply) override;
  grpc::ServerUnaryReactor* RebuildProjections(grpc::CallbackServerContext* context,
                                               const v1::RebuildProjectionsRequest* request,
                                               v1::RebuildProjectionsResponse* reply) override;
  // Runs the checkpoint on the long-read pool: hard links and one memtable
  // flush, independent of the log's size (docs/STORAGE.md).
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context, const v1::BackupRequest* request,
                                   v1::BackupResponse* reply) override;
  // Queued to the sequencer; finished by it once written (or refused).
  grpc::ServerUnaryReactor* ImportEvents(grpc::CallbackServerContext* context,
                                         const v1::ImportEventsRequest* request,
                                         v1::ImportEventsResponse* reply) override;
  grpc::ServerUnaryReactor* GetClusterStatus(grpc::CallbackServerContext* context,
                                             const v1::GetClusterStatusRequest* request,
                                             v1::GetClusterStatusResponse* reply) override;

 private:
  const ReadAccess* const access_;
  const AsyncReads async_;
  const store::EventLog* const store_;
  projections::Views* const views_;
  engine::Sequencer* const sequencer_;
  const std::string import_admin_;
  ClusterStatusSource cluster_status_;
  bool cluster_status_reads_postgres_ = false;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_ADMIN_SERVICE_H_
