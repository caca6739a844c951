#include "server/service/admin_service.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/status_macros.h"
#include "server/common/log.h"
#include "server/domain/proto_time.h"
#include "server/history/views_replay.h"
#include "server/service/grpc_status.h"

namespace salesops::service {

grpc::ServerUnaryReactor* AdminService::Ping(grpc::CallbackServerContext* context, const v1::PingRequest*,
                                             v1::PingResponse*) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<v1::Member> admin = access_->CheckRead(*context, "Admin.Ping");
  reactor->Finish(ToGrpcStatus(admin.status()));
  return reactor;
}

// A rebuild replays the whole log: on the work pool.
grpc::ServerUnaryReactor* AdminService::RebuildProjections(grpc::CallbackServerContext* context,
                                                           const v1::RebuildProjectionsRequest*,
                                                           v1::RebuildProjectionsResponse* reply) {
  return AnswerAsync(context, async_, HeavyRead(), ReadRule(*access_, "Admin.RebuildProjections"),
                     [this, reply](const std::string&) -> absl::Status {
                       const absl::Time start = absl::Now();
                       SALESOPS_ASSIGN_OR_RETURN(const uint64_t reached, history::RebuildViews(*store_, *views_));
                       reply->set_replayed_to(reached);
                       *reply->mutable_took() = ToProtoDuration(absl::Now() - start);
                       LogInfo("Admin.RebuildProjections: views rebuilt from the log up to position %d in %s",
                               reached, absl::FormatDuration(absl::Now() - start));
                       return absl::OkStatus();
                     });
}

namespace {

// The backup directory: absolute, new. INVALID_ARGUMENT naming `dir`.
absl::Status ValidateBackupDir(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("dir: required (an absolute path on the server's machine)");
  if (dir.find('\0') != std::string::npos) return absl::InvalidArgumentError("dir: must not contain NUL bytes");
  const std::filesystem::path path(dir);
  if (!path.is_absolute()) {
    return absl::InvalidArgumentError(
        absl::StrCat("dir: '", dir, "' is relative; give an absolute path on the server's machine"));
  }
  std::error_code error;
  if (std::filesystem::exists(path, error) || error) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dir: '", dir, "' already exists; a backup goes into a new directory (nothing is overwritten)"));
  }
  return absl::OkStatus();
}

}  // namespace

// A checkpoint flushes and links (or copies) files: on the work pool.
grpc::ServerUnaryReactor* AdminService::Backup(grpc::CallbackServerContext* context, const v1::BackupRequest* request,
                                               v1::BackupResponse* reply) {
  return AnswerAsync(context, async_, HeavyRead(), ReadRule(*access_, "Admin.Backup"),
                     [this, request, reply](const std::string&) -> absl::Status {
                       SALESOPS_RETURN_IF_ERROR(ValidateBackupDir(request->dir()));
                       const absl::Time start = absl::Now();
                       SALESOPS_ASSIGN_OR_RETURN(const uint64_t position, store_->Checkpoint(request->dir()));
                       SALESOPS_ASSIGN_OR_RETURN(const std::string digest, store_->ChainDigest(position));
                       reply->set_dir(request->dir());
                       reply->set_position(position);
                       reply->set_digest(absl::BytesToHexString(digest));
                       *reply->mutable_took() = ToProtoDuration(absl::Now() - start);
                       LogInfo("Admin.Backup: checkpoint of positions 1..%d written to %s in %s", position,
                               request->dir(), absl::FormatDuration(absl::Now() - start));
                       return absl::OkStatus();
                     });
}

grpc::ServerUnaryReactor* AdminService::ImportEvents(grpc::CallbackServerContext* context,
                                                     const v1::ImportEventsRequest* request,
                                                     v1::ImportEventsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const auto check = [&]() -> absl::Status {
    // An empty log has no team, so nobody holds ADMIN yet: the operator
    // names the one member who may import (--import-admin), as
    // --bootstrap-admin names the first ADMIN; a token in the file is not
    // enough by itself.
    if (store_->Head() == 0) {
      SALESOPS_ASSIGN_OR_RETURN(const std::string member, access_->tokens().Authenticate(*context));
      if (import_admin_.empty()) {
        return absl::FailedPreconditionError(
            "the log is empty and salesopsd was started without --import-admin: restart it with "
            "--import-admin=MEMBER_ID (the member whose token imports) to import into an empty log");
      }
      if (member != import_admin_) {
        return absl::PermissionDeniedError(absl::StrCat("into an empty log only the --import-admin member '",
                                                        import_admin_, "' may import, not '", member, "'"));
      }
    } else {
      SALESOPS_RETURN_IF_ERROR(access_->CheckRead(*context, "Admin.ImportEvents").status());
    }
    if (request->events_size() == 0) return absl::InvalidArgumentError("events: at least one");
    if (request->events_size() > kMaxImportBatch) {
      return absl::InvalidArgumentError(absl::StrCat("events: at most ", kMaxImportBatch, " per call"));
    }
    return absl::OkStatus();
  };
  if (absl::Status status = check(); !status.ok()) {
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  }
  std::vector<v1::EventEnvelope> events(request->events().begin(), request->events().end());
  sequencer_->SubmitImport(std::move(events), request->expected_digest(),
                           [this, reactor, reply](engine::ImportResult result) {
                             if (result.ok()) {
                               reply->set_head_position(store_->Head());
                               reply->set_digest(absl::BytesToHexString(*result));
                             }
                             reactor->Finish(ToGrpcStatus(result.status()));
                           });
  return reactor;
}

// In cluster mode one read of PostgreSQL: on the work pool.
grpc::ServerUnaryReactor* AdminService::GetClusterStatus(grpc::CallbackServerContext* context,
                                                         const v1::GetClusterStatusRequest*,
                                                         v1::GetClusterStatusResponse* reply) {
  ReadPlan plan;
  plan.heavy = cluster_status_reads_postgres_;
  return AnswerAsync(context, async_, plan, ReadRule(*access_, "Admin.GetClusterStatus"),
                     [this, reply](const std::string&) -> absl::Status {
                       if (!cluster_status_) return absl::UnimplementedError("no cluster status on this server");
                       SALESOPS_ASSIGN_OR_RETURN(*reply, cluster_status_());
                       return absl::OkStatus();
                     });
}

}  // namespace salesops::service
