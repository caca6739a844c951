// salesops.v1.Views: the pipeline, lead lists and role workload, answered
// from the live Views projection, or from a replay of the log for as_of
// (server/history/views_replay.h).
#ifndef SALESOPS_SERVER_SERVICE_VIEWS_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_VIEWS_SERVICE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "projections/views.h"
#include "salesops/v1/views.grpc.pb.h"
#include "server/common/clock.h"
#include "server/service/async_read.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"
#include "server/store/event_log.h"

namespace salesops::service {

// min_position waits at most this long, whatever the call's deadline (the
// wait parks the call; no thread waits).
inline constexpr absl::Duration kMaxPositionWait = absl::Seconds(60);

// A ViewsState as the log stood at one position, and the moment its ages
// are measured to.
struct ReplayedViews {
  projections::ViewsState state;
  absl::Time now;
};

class ViewsService final : public CheckedUnaryService<v1::Views> {
 public:
  ViewsService(const ReadAccess* access, AsyncReads async, const projections::Views* views,
               const store::EventLog* store, Clock* clock)
      : CheckedUnaryService(&access->tokens()), access_(access), async_(async), views_(views), store_(store), clock_(clock) {
    Check(&ViewsService::GetPipeline);
    Check(&ViewsService::ListLeads);
    Check(&ViewsService::GetWorkload);
    Check(&ViewsService::GetPerformanceReview);
    Check(&ViewsService::ListPerformanceReviews);
    Check(&ViewsService::CompareReviews);
    Check(&ViewsService::GetMeetingBrief);
    Check(&ViewsService::GetSalesAnalysis);
    Check(&ViewsService::GetSatisfactionAnalysis);
    Check(&ViewsService::GetAccount);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* GetPipeline(grpc::CallbackServerContext* context, const v1::GetPipelineRequest* request,
                                        v1::Pipeline* reply) override;
  grpc::ServerUnaryReactor* ListLeads(grpc::CallbackServerContext* context, const v1::ListLeadsRequest* request,
                                      v1::ListLeadsResponse* reply) override;
  grpc::ServerUnaryReactor* GetWorkload(grpc::CallbackServerContext* context, const v1::GetWorkloadRequest* request,
                                        v1::Workload* reply) override;
  grpc::ServerUnaryReactor* GetPerformanceReview(grpc::CallbackServerContext* context,
                                                 const v1::GetPerformanceReviewRequest* request,
                                                 v1::PerformanceReview* reply) override;
  grpc::ServerUnaryReactor* ListPerformanceReviews(grpc::CallbackServerContext* context,
                                                   const v1::ListPerformanceReviewsRequest* request,
                                                   v1::ListPerformanceReviewsResponse* reply) override;
  grpc::ServerUnaryReactor* CompareReviews(grpc::CallbackServerContext* context,
                                           const v1::CompareReviewsRequest* request,
                                           v1::CompareReviewsResponse* reply) override;
  grpc::ServerUnaryReactor* GetMeetingBrief(grpc::CallbackServerContext* context,
                                            const v1::GetMeetingBriefRequest* request,
                                            v1::MeetingBrief* reply) override;
  // The analyses walk every fact of their period, so even a live one runs on
  // the long-read pool.
  grpc::ServerUnaryReactor* GetSalesAnalysis(grpc::CallbackServerContext* context,
                                             const v1::GetSalesAnalysisRequest* request,
                                             v1::SalesAnalysis* reply) override;
  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context, const v1::GetAccountRequest* request,
                                       v1::Account* reply) override;
  grpc::ServerUnaryReactor* GetSatisfactionAnalysis(grpc::CallbackServerContext* context,
                                                    const v1::GetSatisfactionAnalysisRequest* request,
                                                    v1::SatisfactionAnalysis* reply) override;

 private:
  // How a call with these options is answered: after waiting for
  // min_position (parked, not on a handler thread); an as_of replay on the
  // work pool; a live query at once.
  static ReadPlan PlanFor(const v1::ViewOptions& options);
  // As PlanFor, always on the pool.
  static ReadPlan AnalysisPlan(const v1::ViewOptions& options);
  // Whose figures `reader` sees in an analysis: everyone's (empty: it holds
  // one of projections::kAnalysisReadersOfAll) or only its own (its id).
  std::string AnalysisScope(const std::string& reader) const;
  // Runs `build(state, now)` (returning StatusOr<Reply>) on the live views or
  // on an as_of replay, and fills the reply's ViewInfo. The min_position wait
  // is over when it runs.
  template <typename Reply, typename Build>
  absl::Status Answer(const v1::ViewOptions& options, Reply& reply, Build build) const;
  // The replay an as_of option asks for.
  absl::StatusOr<ReplayedViews> Replay(const v1::ViewOptions& options) const;

  const ReadAccess* const access_;
  const AsyncReads async_;
  const projections::Views* const views_;
  const store::EventLog* const store_;
  Clock* const clock_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_VIEWS_SERVICE_H_
