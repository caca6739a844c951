#include "server/service/views_service.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "projections/meeting_brief.h"
#include "projections/accounts_view.h"
#include "projections/analysis.h"
#include "projections/pipeline.h"
#include "projections/review.h"
#include "projections/workload.h"
#include "server/common/status_macros.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"
#include "server/history/views_replay.h"
#include "server/service/async_read.h"
#include "server/service/submit.h"

namespace salesops::service {
namespace {

absl::Status ValidateViewOptions(const v1::ViewOptions& options) {
  if (options.as_of_position() != 0 && options.has_as_of_time()) {
    return absl::InvalidArgumentError("view: set at most one of as_of_position and as_of_time");
  }
  if (options.has_as_of_time() && (options.as_of_time().nanos() < 0 || options.as_of_time().nanos() > 999'999'999)) {
    return absl::InvalidArgumentError("view.as_of_time: nanos must be within 0..999999999");
  }
  return absl::OkStatus();
}

}  // namespace

ReadPlan ViewsService::PlanFor(const v1::ViewOptions& options) {
  ReadPlan plan;
  if (!ValidateViewOptions(options).ok()) return plan;  // the body reports it, at once
  plan.min_position = options.min_position();
  plan.max_wait = kMaxPositionWait;
  plan.heavy = options.as_of_position() != 0 || options.has_as_of_time();
  return plan;
}

absl::StatusOr<ReplayedViews> ViewsService::Replay(const v1::ViewOptions& options) const {
  const uint64_t head = store_->Head();
  ReplayedViews out;
  uint64_t position = 0;
  if (options.has_as_of_time()) {
    out.now = FromProtoTime(options.as_of_time());
    SALESOPS_ASSIGN_OR_RETURN(position, history::PositionAt(*store_, out.now));
  } else {
    position = options.as_of_position();
    if (position > head) {
      return absl::OutOfRangeError(
          absl::StrCat("view.as_of_position: ", position, " is beyond the head of the log (", head, ")"));
    }
  }
  SALESOPS_ASSIGN_OR_RETURN(out.state, history::ReplayViews(*store_, position));
  if (!options.has_as_of_time()) out.now = out.state.log_time;
  return out;
}

template <typename Reply, typename Build>
absl::Status ViewsService::Answer(const v1::ViewOptions& options, Reply& reply, Build build) const {
  SALESOPS_RETURN_IF_ERROR(ValidateViewOptions(options));
  uint64_t position = 0;
  absl::Time now;
  const bool as_of = options.as_of_position() != 0 || options.has_as_of_time();
  if (as_of) {
    SALESOPS_ASSIGN_OR_RETURN(ReplayedViews replay, Replay(options));
    position = replay.state.position;
    now = replay.now;
    SALESOPS_ASSIGN_OR_RETURN(reply, build(replay.state, now));
  } else {
    SALESOPS_RETURN_IF_ERROR(views_->Read([&](const projections::ViewsState& state) -> absl::Status {
      position = state.position;
      // A clock stepped back must not make ages negative.
      now = std::max(clock_->Now(), state.log_time);
      SALESOPS_ASSIGN_OR_RETURN(reply, build(state, now));
      return absl::OkStatus();
    }));
  }
  v1::ViewInfo* info = reply.mutable_view();
  info->set_position(position);
  *info->mutable_now() = ToProtoTime(now);
  info->set_as_of(as_of);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* ViewsService::GetPipeline(grpc::CallbackServerContext* context,
                                                    const v1::GetPipelineRequest* request, v1::Pipeline* reply) {
  return AnswerReadAsync(context, *access_, async_, PlanFor(request->view()), [this, request, reply](const std::string&) {
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time now) {
      return projections::BuildPipeline(state, *request, now);
    });
  });
}

grpc::ServerUnaryReactor* ViewsService::ListLeads(grpc::CallbackServerContext* context,
                                                  const v1::ListLeadsRequest* request, v1::ListLeadsResponse* reply) {
  return AnswerReadAsync(context, *access_, async_, PlanFor(request->view()), [this, request, reply](const std::string&) {
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time now) {
      return projections::ListLeads(state, *request, now);
    });
  });
}

grpc::ServerUnaryReactor* ViewsService::GetWorkload(grpc::CallbackServerContext* context,
                                                    const v1::GetWorkloadRequest* request, v1::Workload* reply) {
  return AnswerReadAsync(context, *access_, async_, PlanFor(request->view()), [this, request, reply](const std::string&) {
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time now) {
      return projections::BuildWorkload(state, *request, now);
    });
  });
}

namespace {

template <typename Request>
absl::StatusOr<v1::ReviewPeriod> PeriodOf(const Request& request) {
  return projections::ResolvePeriod(request.period(), request.has_from() ? &request.from() : nullptr,
                                    request.has_to() ? &request.to() : nullptr);
}

constexpr std::initializer_list<v1::Role> kReviewers = {v1::ROLE_SALES_MANAGER, v1::ROLE_ADMIN};

}  // namespace

grpc::ServerUnaryReactor* ViewsService::GetPerformanceReview(grpc::CallbackServerContext* context,
                                                             const v1::GetPerformanceReviewRequest* request,
                                                             v1::PerformanceReview* reply) {
  return AnswerReadAsync(context, *access_, async_, PlanFor(request->view()),
                         [this, request, reply](const std::string& reader) -> absl::Status {
    const std::string member = request->member_id().empty() ? reader : request->member_id();
    if (member != reader) {
      SALESOPS_RETURN_IF_ERROR(access_->RequireRole(reader, kReviewers, "reading another member's review").status());
    }
    SALESOPS_ASSIGN_OR_RETURN(const v1::ReviewPeriod period, PeriodOf(*request));
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time) {
      return projections::BuildReview(state, member, period, request->policy_version());
    });
  });
}

grpc::ServerUnaryReactor* ViewsService::ListPerformanceReviews(grpc::CallbackServerContext* context,
                                                               const v1::ListPerformanceReviewsRequest* request,
                                                               v1::ListPerformanceReviewsResponse* reply) {
  return AnswerReadAsync(context, *access_, async_, PlanFor(request->view()),
                         [this, request, reply](const std::string& reader) -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(access_->RequireRole(reader, kReviewers, "Views.ListPerformanceReviews").status());
    SALESOPS_ASSIGN_OR_RETURN(const v1::ReviewPeriod period, PeriodOf(*request));
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time) {
      return projections::RankReviews(state, request->role(), period, request->policy_version());
    });
  });
}

grpc::ServerUnaryReactor* ViewsService::CompareReviews(grpc::CallbackServerContext* context,
                                                       const v1::CompareReviewsRequest* request,
                                                       v1::CompareReviewsResponse* reply) {
  return AnswerReadAsync(context, *access_, async_, PlanFor(request->view()),
                         [this, request, reply](const std::string& reader) -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(access_->RequireRole(reader, kReviewers, "Views.CompareReviews").status());
    SALESOPS_ASSIGN_OR_RETURN(const v1::ReviewPeriod period, PeriodOf(*request));
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time) {
      return projections::CompareReviews(state, request->role(), period, request->policy_a(), request->policy_b());
    });
  });
}

namespace {

constexpr std::initializer_list<v1::Role> kBriefReaders = {v1::ROLE_SALES_MANAGER, v1::ROLE_ADMIN,
                                                          v1::ROLE_AUDITOR};

// The scope of a brief without a meeting: member_id (empty: the team) over
// [period_from, period_to), as of period_to.
absl::StatusOr<projections::BriefScope> AdHocScope(const v1::GetMeetingBriefRequest& request, absl::Time now) {
  if (!request.member_id().empty()) SALESOPS_RETURN_IF_ERROR(domain::ValidateId("member_id", request.member_id()));
  if (!request.has_period_from() || !request.has_period_to()) {
    return absl::InvalidArgumentError("period_from: a brief without meeting_id needs period_from and period_to");
  }
  SALESOPS_ASSIGN_OR_RETURN(const v1::ReviewPeriod period,
                            projections::ResolvePeriod("", &request.period_from(), &request.period_to()));
  projections::BriefScope scope;
  scope.member_id = request.member_id();
  scope.period_from = FromProtoTime(period.from());
  scope.period_to = FromProtoTime(period.to());
  scope.meeting_start = scope.period_to;
  scope.provisional = scope.period_to > now;
  scope.moment = scope.provisional ? now : scope.period_to;
  return scope;
}

}  // namespace

grpc::ServerUnaryReactor* ViewsService::GetMeetingBrief(grpc::CallbackServerContext* context,
                                                        const v1::GetMeetingBriefRequest* request,
                                                        v1::MeetingBrief* reply) {
  ReadPlan plan = PlanFor(request->view());
  plan.heavy = true;  // a replay of the log up to the meeting's start
  return AnswerReadAsync(context, *access_, async_, plan, [this, request, reply](const std::string& reader) -> absl::Status {
    const v1::ViewOptions& view = request->view();
    SALESOPS_RETURN_IF_ERROR(ValidateViewOptions(view));
    if (view.as_of_position() != 0 || view.has_as_of_time()) {
      return absl::InvalidArgumentError(
          "view: a brief is as of its meeting's start; as_of_position and as_of_time are not accepted");
    }
    const bool sees_all = access_->RequireRole(reader, kBriefReaders, "Views.GetMeetingBrief").ok();
    // The scope, from the live fold (the meeting may be newer than any replay).
    absl::StatusOr<projections::BriefScope> scope = views_->Read(
        [&](const projections::ViewsState& state) -> absl::StatusOr<projections::BriefScope> {
          const absl::Time now = std::max(clock_->Now(), state.log_time);
          if (request->meeting_id().empty()) return AdHocScope(*request, now);
          SALESOPS_RETURN_IF_ERROR(domain::ValidateId("meeting_id", request->meeting_id()));
          const v1::Meeting& meeting = state.core.meetings.Meeting(request->meeting_id());
          if (meeting.meeting_id().empty()) {
            return absl::NotFoundError(absl::StrCat("meeting '", request->meeting_id(), "' not found"));
          }
          return projections::ScopeOfMeeting(meeting, now);
        });
    SALESOPS_RETURN_IF_ERROR(scope.status());
    if (!sees_all && !scope->member_id.empty() && scope->member_id != reader) {
      return access_->RequireRole(reader, kBriefReaders, "reading another member's one-to-one brief").status();
    }
    const std::string only = sees_all ? "" : reader;
    uint64_t position = 0;
    if (scope->provisional) {
      SALESOPS_RETURN_IF_ERROR(views_->Read([&](const projections::ViewsState& state) -> absl::Status {
        position = state.position;
        SALESOPS_ASSIGN_OR_RETURN(*reply, projections::BuildMeetingBrief(state, *scope, only));
        return absl::OkStatus();
      }));
    } else {
      v1::ViewOptions at;
      *at.mutable_as_of_time() = ToProtoTime(scope->moment);
      SALESOPS_ASSIGN_OR_RETURN(ReplayedViews replay, Replay(at));
      position = replay.state.position;
      SALESOPS_ASSIGN_OR_RETURN(*reply, projections::BuildMeetingBrief(replay.state, *scope, only));
    }
    // The events the brief was computed from, named by the hash chain.
    SALESOPS_ASSIGN_OR_RETURN(const std::string chain, store_->ChainDigest(position));
    reply->set_input_digest(absl::StrCat("chain-sha256:", absl::BytesToHexString(chain)));
    v1::ViewInfo* info = reply->mutable_view();
    info->set_position(position);
    *info->mutable_now() = ToProtoTime(scope->moment);
    info->set_as_of(!scope->provisional);
    return absl::OkStatus();
  });
}

// The analyses: a period like a review's, every fact of it walked, so on the
// long-read pool even when live.
ReadPlan ViewsService::AnalysisPlan(const v1::ViewOptions& options) {
  ReadPlan plan = PlanFor(options);
  plan.heavy = true;
  return plan;
}

// Whose figures `reader` sees: everyone's (empty) or only its own.
std::string ViewsService::AnalysisScope(const std::string& reader) const {
  return access_->RequireRole(reader, projections::kAnalysisReadersOfAll, "every member's figures").ok() ? std::string()
                                                                                                         : reader;
}

grpc::ServerUnaryReactor* ViewsService::GetSalesAnalysis(grpc::CallbackServerContext* context,
                                                         const v1::GetSalesAnalysisRequest* request,
                                                         v1::SalesAnalysis* reply) {
  return AnswerReadAsync(context, *access_, async_, AnalysisPlan(request->view()),
                         [this, request, reply](const std::string& reader) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(const v1::ReviewPeriod period, PeriodOf(*request));
    const std::string only = AnalysisScope(reader);
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time) {
      return projections::BuildSalesAnalysis(state, period, request->group_by(), only);
    });
  });
}

grpc::ServerUnaryReactor* ViewsService::GetSatisfactionAnalysis(grpc::CallbackServerContext* context,
                                                                const v1::GetSatisfactionAnalysisRequest* request,
                                                                v1::SatisfactionAnalysis* reply) {
  return AnswerReadAsync(context, *access_, async_, AnalysisPlan(request->view()),
                         [this, request, reply](const std::string& reader) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(const v1::ReviewPeriod period, PeriodOf(*request));
    const std::string only = AnalysisScope(reader);
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time) {
      return projections::BuildSatisfactionAnalysis(state, period, request->group_by(), only);
    });
  });
}

grpc::ServerUnaryReactor* ViewsService::GetAccount(grpc::CallbackServerContext* context,
                                                   const v1::GetAccountRequest* request, v1::Account* reply) {
  return AnswerReadAsync(context, *access_, async_, PlanFor(request->view()), [this, request, reply](const std::string&) {
    return Answer(request->view(), *reply, [&](const projections::ViewsState& state, absl::Time now) {
      return projections::BuildAccount(state, *request, now);
    });
  });
}

}  // namespace salesops::service
