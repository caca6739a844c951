// Shared by the command handlers of every service: authenticate the token,
// queue the command to the sequencer, and finish the call when the
// sequencer completes it (after the group commit). The handler thread never
// waits.
#ifndef SALESOPS_SERVER_SERVICE_SUBMIT_H_
#define SALESOPS_SERVER_SERVICE_SUBMIT_H_

#include <string>
#include <utility>

#include "grpcpp/server_context.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_callback.h"
#include "server/domain/state.h"
#include "server/engine/sequencer.h"
#include "server/service/auth.h"
#include "server/service/call_observer.h"
#include "server/service/grpc_status.h"

namespace salesops::service {

// The log position a command's last event was written at (0: none).
inline uint64_t ReplyPosition(const v1::CommandReply& reply) {
  switch (reply.kind_case()) {
    case v1::CommandReply::kLead: return reply.lead().position();
    case v1::CommandReply::kTeam: return reply.team().position();
    case v1::CommandReply::kOrder: return reply.order().position();
    case v1::CommandReply::kTicket: return reply.ticket().position();
    case v1::CommandReply::kMeeting: return reply.meeting().position();
    case v1::CommandReply::kReviewFeedback: return reply.review_feedback().position();
    case v1::CommandReply::kTraining: return reply.training().position();
    default: return 0;
  }
}

// Queues `command` for `actor` (already authenticated) and finishes
// `reactor` when the sequencer completes it. `take_reply(v1::CommandReply&&)`
// moves the part of the reply this RPC returns into the response; it runs on
// the sequencer thread (or, on a follower, the thread the leader's reply
// arrives on) before Finish. Any thread may call it. On a follower the
// command is forwarded to the leader with the call's deadline, unless
// `may_forward` is false (a command another node forwarded here).
template <typename TakeReply>
void SubmitCommandAs(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                     engine::Sequencer& sequencer, std::string actor, v1::Command command, TakeReply take_reply,
                     bool may_forward = true) {
  std::string request_id = domain::OptionsOf(command).request_id();
  const engine::SubmitOptions options{.deadline = absl::FromChrono(context->deadline()), .may_forward = may_forward};
  sequencer.Submit(std::move(actor), std::move(command),
                   [context, reactor, request_id = std::move(request_id),
                    take = std::move(take_reply)](engine::CommandResult result) mutable {
                     // For the request log (call_observer.h): the request id and
                     // the position the command's events end at.
                     NoteCommand(*context, request_id, result.ok() ? ReplyPosition(*result) : 0);
                     if (result.ok()) take(std::move(*result));
                     reactor->Finish(ToGrpcStatus(result.status()));
                   },
                   options);
}

// Authenticates the caller, then SubmitCommandAs.
template <typename TakeReply>
grpc::ServerUnaryReactor* SubmitCommand(grpc::CallbackServerContext* context, const TokenAuthenticator& tokens,
                                        engine::Sequencer& sequencer, v1::Command command,
                                        TakeReply take_reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> actor = tokens.Authenticate(*context);
  if (!actor.ok()) {
    reactor->Finish(ToGrpcStatus(actor.status()));
    return reactor;
  }
  SubmitCommandAs(context, reactor, sequencer, std::move(*actor), std::move(command), std::move(take_reply));
  return reactor;
}

// Runs `body` (returning absl::Status) after the read check and finishes the
// call with its status. `body` receives the reading member's id.
template <typename Body>
grpc::ServerUnaryReactor* AnswerRead(grpc::CallbackServerContext* context, const ReadAccess& access, Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> reader = access.Check(*context);
  reactor->Finish(ToGrpcStatus(reader.ok() ? body(*reader) : reader.status()));
  return reactor;
}

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_SUBMIT_H_
