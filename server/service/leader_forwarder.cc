#include "server/service/leader_forwarder.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "server/common/log.h"
#include "server/domain/errors.h"
#include "server/service/grpc_status.h"
#include "server/service/submit.h"

namespace salesops::service {

struct LeaderForwarder::Call {
  grpc::ClientContext context;
  v1::ForwardedCommand request;
  v1::CommandReply reply;
  engine::ReplyCallback done;
  std::shared_ptr<v1::Cluster::Stub> stub;  // keeps the channel while the call runs
  std::string leader;                       // "ID at ADDRESS"
  absl::Time deadline;
};

struct LeaderForwarder::HeadCall {
  grpc::ClientContext context;
  v1::AwaitHeadRequest request;
  v1::AwaitHeadResponse reply;
  std::shared_ptr<v1::Cluster::Stub> stub;
};

namespace {

// How long a follower waits before it asks again after a failed AwaitHead.
constexpr absl::Duration kWatchRetry = absl::Milliseconds(500);

absl::Status LeaderUnreachable(absl::string_view why, const std::string& leader) {
  return errors::WithReason(absl::UnavailableError(absl::StrCat(why, "; retry with the same request_id")),
                            errors::kLeaderUnreachable, {{"leader", leader}});
}

absl::Status ShuttingDown() {
  return errors::WithReason(
      absl::UnavailableError("the server is shutting down; retry with the same request_id on another node"),
      errors::kShuttingDown);
}

}  // namespace

LeaderForwarder::LeaderForwarder(LeaderForwarderOptions options) : options_(std::move(options)) {}

LeaderForwarder::~LeaderForwarder() { StopAndWait(); }

void LeaderForwarder::StopAndWait() {
  Stop();
  absl::MutexLock lock(&mu_);
  const auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return calls_.empty() && head_call_ == nullptr && waking_ == 0;
  };
  mu_.Await(absl::Condition(&idle));
}

void LeaderForwarder::SetLeader(const std::string& leader_id, const std::string& address) {
  std::shared_ptr<HeadCall> stale;  // a wake-up call to the last leader, cancelled outside mu_
  absl::Cleanup cancel = [&stale] {
    if (stale != nullptr) stale->context.TryCancel();
  };
  absl::MutexLock lock(&mu_);
  if (address == address_ && (stub_ != nullptr) == !address.empty()) {
    leader_ = absl::StrCat(leader_id, " at ", address);
    return;
  }
  address_ = address;
  leader_ = absl::StrCat(leader_id, " at ", address);
  stub_.reset();
  stale = head_call_;
  if (address.empty()) return;
  grpc::ChannelArguments args;
  // A leader that went away is noticed by the next call, not after minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  stub_ = std::shared_ptr<v1::Cluster::Stub>(
      v1::Cluster::NewStub(grpc::CreateCustomChannel(address, options_.credentials, args)));
  LogInfo("cluster: writes sent to this node go to the leader %s", leader_);
}

void LeaderForwarder::Forward(std::string actor, v1::Command command, absl::Time deadline,
                              engine::ReplyCallback done) {
  auto call = std::make_shared<Call>();
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      refused = ShuttingDown();
    } else if (stub_ == nullptr) {
      refused = LeaderUnreachable(
          "this node follows, and no node leads the cluster now (the last leader's lease is free or "
          "being taken over)",
          "");
    } else {
      call->stub = stub_;
      call->leader = leader_;
      calls_.emplace(call.get(), call);
    }
  }
  if (!refused.ok()) {  // outside mu_: `done` may do anything
    std::move(done)(std::move(refused));
    return;
  }
  call->deadline = std::min(deadline, absl::Now() + options_.max_wait);
  call->context.set_deadline(absl::ToChronoTime(call->deadline));
  call->context.AddMetadata(kNodeSecretHeader, options_.node_secret);
  call->request.set_actor(std::move(actor));
  *call->request.mutable_command() = std::move(command);
  call->request.set_from_node(options_.node_id);
  call->done = std::move(done);
  Call* raw = call.get();  // calls_ owns it until Complete
  raw->stub->async()->ForwardCommand(&raw->context, &raw->request, &raw->reply,
                                     [this, raw](grpc::Status status) { Answered(raw, status); });
}

void LeaderForwarder::Answered(Call* call, const grpc::Status& status) {
  if (!status.ok()) {
    absl::Status refused = FromGrpcStatus(status);
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      stopping = stopping_;
    }
    // The leader's own refusals carry our details and go to the caller as
    // they are; a call that failed on its way does not.
    if (stopping && status.error_code() == grpc::StatusCode::CANCELLED) {
      refused = ShuttingDown();
    } else if (!errors::ErrorInfoOf(refused).has_value()) {
      refused = status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                    ? absl::DeadlineExceededError(
                          absl::StrCat("the leader ", call->leader,
                                       " did not answer in time: the command may or may not have been recorded; "
                                       "retry with the same request_id"))
                    : LeaderUnreachable(absl::StrCat("this node follows the leader ", call->leader,
                                                     ", which could not be reached (", status.error_message(),
                                                     "): the command may or may not have been recorded"),
                                        call->leader);
    }
    Complete(call, std::move(refused));
    return;
  }
  // Held until this node's views show the write, so that a read here right
  // after the reply sees it (at the deadline the reply goes out anyway: the
  // write is committed).
  const uint64_t position = ReplyPosition(call->reply);
  if (options_.waiters != nullptr && position > options_.waiters->position()) {
    if (options_.follow_now) options_.follow_now();
    const absl::StatusOr<bool> parked =
        options_.waiters->Wait(call, call->request.actor(), position, call->deadline,
                               [this, call](absl::Status) { Complete(call, std::move(call->reply)); });
    if (parked.ok() && *parked) return;
  }
  Complete(call, std::move(call->reply));
}

void LeaderForwarder::Complete(Call* call, engine::CommandResult result) {
  std::move(call->done)(std::move(result));
  absl::MutexLock lock(&mu_);
  calls_.erase(call);
}

void LeaderForwarder::WatchHead(uint64_t applied) {
  std::shared_ptr<HeadCall> call;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || stub_ == nullptr || head_call_ != nullptr || absl::Now() < next_watch_) return;
    call = std::make_shared<HeadCall>();
    call->stub = stub_;
    head_call_ = call;
  }
  // Past the leader's longest wait, so that a silent leader ends the call.
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  call->context.AddMetadata(kNodeSecretHeader, options_.node_secret);
  call->request.set_after(applied);
  call->request.set_from_node(options_.node_id);
  HeadCall* raw = call.get();  // head_call_ owns it until answered
  raw->stub->async()->AwaitHead(&raw->context, &raw->request, &raw->reply, [this, raw](grpc::Status status) {
    const bool newer = status.ok() && raw->reply.head() > raw->request.after();
    std::shared_ptr<HeadCall> done;  // freed on return, outside mu_
    {
      absl::MutexLock lock(&mu_);
      if (!status.ok()) next_watch_ = absl::Now() + kWatchRetry;
      if (head_call_.get() == raw) done = std::move(head_call_);
      ++waking_;  // the destructor waits for this callback's last use of the forwarder
    }
    // Only after head_call_ is cleared: the woken follower asks again at
    // once, and must find no call in flight.
    if (newer && options_.follow_now) options_.follow_now();
    absl::MutexLock lock(&mu_);
    --waking_;
  });
}

void LeaderForwarder::Stop() {
  std::vector<std::shared_ptr<Call>> calls;
  std::shared_ptr<HeadCall> head;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (auto& [raw, call] : calls_) calls.push_back(call);
    head = head_call_;
  }
  // Outside mu_: a cancelled call may complete on this thread.
  for (const std::shared_ptr<Call>& call : calls) call->context.TryCancel();
  if (head != nullptr) head->context.TryCancel();
}

bool LeaderForwarder::AwaitIdle(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calls_.empty(); };
  return mu_.AwaitWithDeadline(absl::Condition(&idle), deadline);
}

}  // namespace salesops::service
