// salesops.v1.Audit: a lead's history and the raw log, read from the store.
#ifndef SALESOPS_SERVER_SERVICE_AUDIT_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_AUDIT_SERVICE_H_

#include "projections/lead_directory.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "server/service/async_read.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"
#include "server/service/subscribe.h"
#include "server/store/event_log.h"

namespace salesops::service {

inline constexpr uint32_t kMaxHistoryPage = 1000;
inline constexpr uint32_t kDefaultLogPage = 100;
inline constexpr uint32_t kMaxLogPage = 1000;
// A filtered ReadLog examines at most this many positions per call, then
// returns what it found with next_position to continue from.
inline constexpr size_t kMaxLogScan = 100'000;
// VerifyLog recomputes at most this many positions per call.
inline constexpr uint64_t kMaxVerifyRange = 10'000'000;

// Who may call what: domain::ReadRules() (server/domain/read_policy.h).
// Subscribe is served raw (server/service/subscribe.h); the rest typed.
class AuditService final : public CheckedUnaryService<v1::Audit, v1::Audit::WithRawCallbackMethod_Subscribe<v1::Audit::CallbackService>> {
 public:
  // `leads` gives the owner and assignee a lead's history is readable by.
  AuditService(const ReadAccess* access, AsyncReads async, const store::EventLog* store,
               const projections::LeadDirectory* leads)
      : CheckedUnaryService(&access->tokens()), access_(access), async_(async), store_(store), leads_(leads) {
    Check(&AuditService::GetLeadHistory);
    Check(&AuditService::ReadLog);
    Check(&AuditService::VerifyLog);
    Check(&AuditService::GetLogDigest);
    Check(&AuditService::ListStageChanges);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* GetLeadHistory(grpc::CallbackServerContext* context,
                                           const v1::GetLeadHistoryRequest* request,
                                           v1::GetLeadHistoryResponse* reply) override;
  grpc::ServerUnaryReactor* ReadLog(grpc::CallbackServerContext* context,
                                    const v1::ReadLogRequest* request,
                                    v1::ReadLogResponse* reply) override;
  grpc::ServerUnaryReactor* VerifyLog(grpc::CallbackServerContext* context, const v1::VerifyLogRequest* request,
                                      v1::VerifyLogResponse* reply) override;
  grpc::ServerUnaryReactor* GetLogDigest(grpc::CallbackServerContext* context,
                                         const v1::GetLogDigestRequest* request,
                                         v1::GetLogDigestResponse* reply) override;

  // Audit.Subscribe, served by `subscriptions` (server/service/subscribe.h),
  // which must outlive the service; UNIMPLEMENTED until set.
  void set_subscriptions(Subscriptions* subscriptions) { subscriptions_ = subscriptions; }
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;
  // Reads at most kMaxLogScan positions per call (server/history/stage_changes.h).
  grpc::ServerUnaryReactor* ListStageChanges(grpc::CallbackServerContext* context,
                                             const v1::ListStageChangesRequest* request,
                                             v1::ListStageChangesResponse* reply) override;

 private:
  absl::Status History(const v1::GetLeadHistoryRequest& request, v1::GetLeadHistoryResponse& reply) const;
  absl::Status Log(const v1::ReadLogRequest& request, v1::ReadLogResponse& reply) const;
  // The owner and assignee of a known lead; nullopt for an unknown one.
  std::optional<domain::LeadParties> PartiesOf(absl::string_view lead_id) const;

  const ReadAccess* const access_;
  const AsyncReads async_;
  const store::EventLog* const store_;
  Subscriptions* subscriptions_ = nullptr;
  const projections::LeadDirectory* const leads_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_AUDIT_SERVICE_H_
