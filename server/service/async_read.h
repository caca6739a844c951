// Read calls that must wait for a log position or do long work, answered
// without blocking the gRPC handler thread (DESIGN.md §3): the handler
// authenticates, then either answers at once (the common case: nothing to
// wait for, little to do), or parks the call with PositionWaiters until the
// views reach `min_position`, and/or hands the work to the WorkPool, and
// returns. The call is finished by whichever thread completes it: the
// waiters' thread (position applied, deadline, cancellation) or a pool
// thread. A client's cancellation releases a parked call at once; a call
// still queued in the pool is finished CANCELLED without running.
#ifndef SALESOPS_SERVER_SERVICE_ASYNC_READ_H_
#define SALESOPS_SERVER_SERVICE_ASYNC_READ_H_

#include <algorithm>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "server/common/work_pool.h"
#include "server/domain/errors.h"
#include "server/engine/position_waiters.h"
#include "server/service/auth.h"
#include "server/service/grpc_status.h"

namespace salesops::service {

// What the services need to answer reads off the handler thread. Both must
// outlive the gRPC server.
struct AsyncReads {
  engine::PositionWaiters* waiters = nullptr;
  WorkPool* pool = nullptr;
};

// How one call is answered.
struct ReadPlan {
  uint64_t min_position = 0;  // wait until the views applied it (0: no wait)
  // Names the field in errors ("view.min_position").
  absl::string_view min_position_field = "view.min_position";
  absl::Duration max_wait = absl::Seconds(60);  // whatever the call's deadline
  bool heavy = false;  // long work (a replay, a scan): run it on the pool
};

namespace internal {

// One deferred call; deletes itself when gRPC is done with it.
class DeferredRead final : public grpc::ServerUnaryReactor {
 public:
  using Body = absl::AnyInvocable<absl::Status()>;
  DeferredRead(grpc::CallbackServerContext* context, AsyncReads async, std::string reader, Body body)
      : context_(context), async_(async), reader_(std::move(reader)), body_(std::move(body)) {}

  // Parks, queues or runs the call. `this` may be gone when it returns.
  void Start(const ReadPlan& plan) {
    heavy_ = plan.heavy;
    if (plan.min_position > 0) {
      const absl::Time deadline = std::min(absl::FromChrono(context_->deadline()), absl::Now() + plan.max_wait);
      const std::string field(plan.min_position_field);
      absl::StatusOr<bool> parked = async_.waiters->Wait(
          this, reader_, plan.min_position, deadline, [this, field](absl::Status reached) {
            if (!reached.ok()) {
              if (absl::IsDeadlineExceeded(reached)) {
                reached = errors::CopyDetails(reached,
                                              absl::DeadlineExceededError(absl::StrCat(field, ": ", reached.message())));
              }
              Finish(ToGrpcStatus(reached));
              return;
            }
            Proceed();
          });
      if (!parked.ok()) {
        Finish(ToGrpcStatus(parked.status()));
        return;
      }
      if (*parked) return;
    }
    Proceed();
  }

  void OnCancel() override { async_.waiters->Cancel(this); }
  void OnDone() override { delete this; }

 private:
  // After any wait: run the body here, or on the pool when heavy.
  void Proceed() {
    if (!heavy_) {
      Finish(ToGrpcStatus(body_()));
      return;
    }
    const absl::Status queued = async_.pool->Submit(reader_, [this] {
      if (context_->IsCancelled()) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client before it ran"));
        return;
      }
      Finish(ToGrpcStatus(body_()));
    });
    if (!queued.ok()) Finish(ToGrpcStatus(queued));
  }

  grpc::CallbackServerContext* const context_;
  const AsyncReads async_;
  const std::string reader_;
  Body body_;
  bool heavy_ = false;
};

}  // namespace internal

// Checks the caller with `check(context) -> StatusOr<std::string>` (the
// member id), then answers with `body(reader) -> absl::Status` as `plan`
// says: at once on this thread when there is nothing to wait for and the
// work is light, otherwise off it. `body` may run on another thread after
// this returns; what it captures must live until the call is finished
// (the request, the reply and the context do).
template <typename Check, typename Body>
grpc::ServerUnaryReactor* AnswerAsync(grpc::CallbackServerContext* context, const AsyncReads& async,
                                      const ReadPlan& plan, Check check, Body body) {
  absl::StatusOr<std::string> reader = check(*context);
  const bool wait = plan.min_position > 0 && plan.min_position > async.waiters->position();
  if (!reader.ok() || (!wait && !plan.heavy)) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(ToGrpcStatus(reader.ok() ? body(*reader) : reader.status()));
    return reactor;
  }
  auto* call = new internal::DeferredRead(context, async, *reader,
                                          [body = std::move(body), reader = *reader]() mutable { return body(reader); });
  call->Start(plan);
  return call;
}

// A plan for long work with nothing to wait for.
inline ReadPlan HeavyRead() {
  ReadPlan plan;
  plan.heavy = true;
  return plan;
}

// A check for AnswerAsync: the member id of a caller that the read-rule
// table lets make `rpc` (ReadAccess::CheckRead). `access` must outlive it.
inline auto ReadRule(const ReadAccess& access, absl::string_view rpc) {
  return [&access, rpc](const grpc::ServerContextBase& context) -> absl::StatusOr<std::string> {
    absl::StatusOr<v1::Member> member = access.CheckRead(context, rpc);
    if (!member.ok()) return member.status();
    return std::move(*member->mutable_member_id());
  };
}

// AnswerAsync for calls any active member may make (ReadAccess::Check).
template <typename Body>
grpc::ServerUnaryReactor* AnswerReadAsync(grpc::CallbackServerContext* context, const ReadAccess& access,
                                          const AsyncReads& async, const ReadPlan& plan, Body body) {
  return AnswerAsync(
      context, async, plan, [&](const grpc::ServerContextBase& c) { return access.Check(c); }, std::move(body));
}

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_ASYNC_READ_H_
