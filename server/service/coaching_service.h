// salesops.v1.Coaching: feedback on performance reviews, and training
// sessions with their attendance. Commands go through the sequencer
// (authorized there); RecordReviewFeedback first computes the member's
// review from the views fold on the work pool and pins the command to it
// (and refuses when the caller read a different review). The reads answer
// from the views fold.
#ifndef SALESOPS_SERVER_SERVICE_COACHING_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_COACHING_SERVICE_H_

#include "projections/views.h"
#include "salesops/v1/coaching.grpc.pb.h"
#include "server/engine/sequencer.h"
#include "server/service/async_read.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"

namespace salesops::service {

class CoachingService final : public CheckedUnaryService<v1::Coaching> {
 public:
  // Borrows everything; all must outlive the service.
  CoachingService(const ReadAccess* access, AsyncReads async, engine::Sequencer* sequencer,
                  const projections::Views* views)
      : CheckedUnaryService(&access->tokens()), access_(access), async_(async), sequencer_(sequencer), views_(views) {
    Check(&CoachingService::RecordReviewFeedback);
    Check(&CoachingService::AcknowledgeReviewFeedback);
    Check(&CoachingService::GetReviewFeedback);
    Check(&CoachingService::RecordTrainingSession);
    Check(&CoachingService::RecordTrainingAttendance);
    Check(&CoachingService::GetTrainingSession);
    Check(&CoachingService::ListTrainingSessions);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* RecordReviewFeedback(grpc::CallbackServerContext* context,
                                                 const v1::RecordReviewFeedbackRequest* request,
                                                 v1::ReviewFeedbackCommandReply* reply) override;
  grpc::ServerUnaryReactor* AcknowledgeReviewFeedback(grpc::CallbackServerContext* context,
                                                      const v1::AcknowledgeReviewFeedbackRequest* request,
                                                      v1::ReviewFeedbackCommandReply* reply) override;
  grpc::ServerUnaryReactor* GetReviewFeedback(grpc::CallbackServerContext* context,
                                              const v1::GetReviewFeedbackRequest* request,
                                              v1::ReviewFeedback* reply) override;
  grpc::ServerUnaryReactor* RecordTrainingSession(grpc::CallbackServerContext* context,
                                                  const v1::RecordTrainingSessionRequest* request,
                                                  v1::TrainingCommandReply* reply) override;
  grpc::ServerUnaryReactor* RecordTrainingAttendance(grpc::CallbackServerContext* context,
                                                     const v1::RecordTrainingAttendanceRequest* request,
                                                     v1::TrainingCommandReply* reply) override;
  grpc::ServerUnaryReactor* GetTrainingSession(grpc::CallbackServerContext* context,
                                               const v1::GetTrainingSessionRequest* request,
                                               v1::TrainingSession* reply) override;
  grpc::ServerUnaryReactor* ListTrainingSessions(grpc::CallbackServerContext* context,
                                                 const v1::ListTrainingSessionsRequest* request,
                                                 v1::ListTrainingSessionsResponse* reply) override;

 private:
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, v1::Command command,
                                   v1::ReviewFeedbackCommandReply* reply);
  grpc::ServerUnaryReactor* SubmitTraining(grpc::CallbackServerContext* context, v1::Command command,
                                           v1::TrainingCommandReply* reply);

  const ReadAccess* const access_;
  const AsyncReads async_;
  engine::Sequencer* const sequencer_;
  const projections::Views* const views_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_COACHING_SERVICE_H_
