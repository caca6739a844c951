#include "server/service/coaching_service.h"

#include "projections/review.h"
#include "projections/training_view.h"
#include "server/domain/errors.h"
#include "server/domain/period.h"
#include "server/common/status_macros.h"
#include "server/service/async_read.h"
#include "server/service/grpc_status.h"
#include "server/service/submit.h"

namespace salesops::service {
namespace {

constexpr std::initializer_list<v1::Role> kFeedbackWriters = {v1::ROLE_SALES_MANAGER, v1::ROLE_ADMIN};

// The member's review for `period` as the views hold it now, and the
// position it was computed at; an error when there is none to pin (an
// unknown member, a malformed period: the sequencer refuses those with
// their own errors).
absl::StatusOr<v1::ReviewPin> PinReview(const projections::Views& views, const std::string& member_id,
                                        const std::string& period) {
  absl::StatusOr<v1::ReviewPeriod> resolved = projections::ResolvePeriod(period, nullptr, nullptr);
  if (!resolved.ok()) return resolved.status();
  return views.Read([&](const projections::ViewsState& state) -> absl::StatusOr<v1::ReviewPin> {
    absl::StatusOr<v1::PerformanceReview> review = projections::BuildReview(state, member_id, *resolved, 0);
    if (!review.ok()) return review.status();
    v1::ReviewPin pin;
    pin.set_policy_version(review->policy_version());
    pin.set_input_digest(review->input_digest());
    pin.set_input_events(review->input_events());
    pin.set_as_of_position(state.position);
    return pin;
  });
}

// Moves the Coaching part of a command reply into the RPC's response.
auto TakeReply(v1::ReviewFeedbackCommandReply* reply) {
  return [reply](v1::CommandReply&& r) { *reply = std::move(*r.mutable_review_feedback()); };
}

}  // namespace

grpc::ServerUnaryReactor* CoachingService::Submit(grpc::CallbackServerContext* context, v1::Command command,
                                                  v1::ReviewFeedbackCommandReply* reply) {
  return SubmitCommand(context, access_->tokens(), *sequencer_, std::move(command), TakeReply(reply));
}

grpc::ServerUnaryReactor* CoachingService::RecordReviewFeedback(grpc::CallbackServerContext* context,
                                                                const v1::RecordReviewFeedbackRequest* request,
                                                                v1::ReviewFeedbackCommandReply* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> actor = access_->tokens().Authenticate(*context);
  if (!actor.ok()) {
    reactor->Finish(ToGrpcStatus(actor.status()));
    return reactor;
  }
  v1::Command command;
  *command.mutable_review_feedback()->mutable_record() = *request;
  // The review is computed (and its digest compared) only for a caller that
  // may write feedback: nobody else learns a review's digest from a refusal.
  // The sequencer authorizes the command itself either way (an unknown or
  // deactivated member is refused there).
  if (!access_->RequireRole(*actor, kFeedbackWriters, "Coaching.RecordReviewFeedback").ok()) {
    SubmitCommandAs(context, reactor, *sequencer_, *std::move(actor), std::move(command), TakeReply(reply));
    return reactor;
  }
  // Building the review folds the member's period: long work, so it runs on
  // the pool, which then queues the command; the handler thread returns now.
  const std::string key = *actor;
  const absl::Status queued = async_.pool->Submit(
      key, [this, context, reactor, request, reply, actor = *std::move(actor),
            command = std::move(command)]() mutable {
        if (context->IsCancelled()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client before it ran"));
          return;
        }
        absl::StatusOr<v1::ReviewPin> pin = PinReview(*views_, request->member_id(), request->period());
        if (pin.ok()) {
          if (!request->input_digest().empty() && request->input_digest() != pin->input_digest()) {
            reactor->Finish(ToGrpcStatus(errors::WithReason(
                absl::FailedPreconditionError(absl::StrCat(
                    "input_digest: the review of member '", request->member_id(), "' for ", request->period(),
                    " has changed since it was read (now ", pin->input_digest(), " at position ",
                    pin->as_of_position(), "); re-read the review and write the feedback about its current numbers")),
                errors::kReviewChanged,
                {{"input_digest", pin->input_digest()}, {"as_of_position", absl::StrCat(pin->as_of_position())}})));
            return;
          }
          *command.mutable_review_feedback()->mutable_pin() = *std::move(pin);
        }
        SubmitCommandAs(context, reactor, *sequencer_, std::move(actor), std::move(command), TakeReply(reply));
      });
  if (!queued.ok()) reactor->Finish(ToGrpcStatus(queued));
  return reactor;
}

grpc::ServerUnaryReactor* CoachingService::AcknowledgeReviewFeedback(
    grpc::CallbackServerContext* context, const v1::AcknowledgeReviewFeedbackRequest* request,
    v1::ReviewFeedbackCommandReply* reply) {
  v1::Command command;
  *command.mutable_review_feedback()->mutable_acknowledge() = *request;
  return Submit(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* CoachingService::GetReviewFeedback(grpc::CallbackServerContext* context,
                                                             const v1::GetReviewFeedbackRequest* request,
                                                             v1::ReviewFeedback* reply) {
  return AnswerRead(context, *access_, [&](const std::string& reader) -> absl::Status {
    const std::string member = request->member_id().empty() ? reader : request->member_id();
    if (!domain::IsValidPeriod(request->period())) {
      return absl::InvalidArgumentError("period: must be YYYY-MM or YYYY-Qn (n = 1..4)");
    }
    // A member reads its own; another's needs the table's rule.
    if (member != reader) {
      SALESOPS_RETURN_IF_ERROR(access_->RequireReadRule(reader, "Coaching.GetReviewFeedback").status());
    }
    std::optional<v1::ReviewFeedback> feedback =
        views_->Read([&](const projections::ViewsState& state) -> std::optional<v1::ReviewFeedback> {
          const v1::ReviewFeedback& f = state.core.feedback.Find(member, request->period());
          if (f.versions().empty()) return std::nullopt;
          return f;
        });
    if (!feedback.has_value()) {
      return errors::NotFound(
          "review_feedback", domain::FeedbackKey(member, request->period()),
          absl::StrCat("no feedback on the review of member '", member, "' for ", request->period()));
    }
    *reply = *std::move(feedback);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoachingService::RecordTrainingSession(grpc::CallbackServerContext* context,
                                                                 const v1::RecordTrainingSessionRequest* request,
                                                                 v1::TrainingCommandReply* reply) {
  v1::Command command;
  *command.mutable_training()->mutable_record_session() = *request;
  return SubmitTraining(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* CoachingService::RecordTrainingAttendance(
    grpc::CallbackServerContext* context, const v1::RecordTrainingAttendanceRequest* request,
    v1::TrainingCommandReply* reply) {
  v1::Command command;
  *command.mutable_training()->mutable_record_attendance() = *request;
  return SubmitTraining(context, std::move(command), reply);
}

grpc::ServerUnaryReactor* CoachingService::SubmitTraining(grpc::CallbackServerContext* context, v1::Command command,
                                                          v1::TrainingCommandReply* reply) {
  return SubmitCommand(context, access_->tokens(), *sequencer_, std::move(command),
                       [reply](v1::CommandReply&& r) { *reply = std::move(*r.mutable_training()); });
}

grpc::ServerUnaryReactor* CoachingService::GetTrainingSession(grpc::CallbackServerContext* context,
                                                              const v1::GetTrainingSessionRequest* request,
                                                              v1::TrainingSession* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    absl::StatusOr<v1::TrainingSession> session = views_->Read([&](const projections::ViewsState& state) {
      return projections::GetTrainingSession(state, request->session_id());
    });
    if (!session.ok()) return session.status();
    *reply = *std::move(session);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CoachingService::ListTrainingSessions(grpc::CallbackServerContext* context,
                                                                const v1::ListTrainingSessionsRequest* request,
                                                                v1::ListTrainingSessionsResponse* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    absl::StatusOr<v1::ListTrainingSessionsResponse> page = views_->Read(
        [&](const projections::ViewsState& state) { return projections::ListTrainingSessions(state, *request); });
    if (!page.ok()) return page.status();
    *reply = *std::move(page);
    return absl::OkStatus();
  });
}

}  // namespace salesops::service
