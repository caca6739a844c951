// salesops.v1.Cluster, the leader's side of write forwarding
// (docs/CLUSTER.md, "Write forwarding"): a follower sends each command it
// took, with the member it authenticated; this node decides it as that
// member, exactly as if the member had called here. Only a node of this
// cluster may call: the call must carry the node secret of the log of
// record (kNodeSecretHeader), compared in constant time, or it is refused
// PERMISSION_DENIED (NODE_SECRET_REQUIRED) and logged as every refusal is.
// A forwarded command is never forwarded again: a node that does not lead
// refuses it UNAVAILABLE, and the follower's caller retries.
//
// AwaitHead is the followers' wake-up: parked (a PositionWaiters
// notification, no thread waits) until this node's views apply a position
// past the follower's, for about a second at most.
//
// Served in cluster mode only.
#ifndef SALESOPS_SERVER_SERVICE_CLUSTER_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_CLUSTER_SERVICE_H_

#include <functional>
#include <string>

#include "salesops/v1/internal.grpc.pb.h"
#include "server/engine/position_waiters.h"
#include "server/engine/sequencer.h"
#include "server/service/auth.h"

namespace salesops::service {

class ClusterService final : public v1::Cluster::CallbackService {
 public:
  // Borrows the sequencer, the waiters and `auth` (whose drain it follows:
  // no forwarded command is taken once the server stops admitting calls),
  // which must outlive the service. `leading` says whether this node leads
  // now (any thread).
  ClusterService(engine::Sequencer* sequencer, engine::PositionWaiters* waiters, const TokenAuthenticator* auth,
                 std::function<bool()> leading, const std::string& node_secret);

  grpc::ServerUnaryReactor* ForwardCommand(grpc::CallbackServerContext* context,
                                           const v1::ForwardedCommand* request, v1::CommandReply* reply) override;
  grpc::ServerUnaryReactor* AwaitHead(grpc::CallbackServerContext* context, const v1::AwaitHeadRequest* request,
                                      v1::AwaitHeadResponse* reply) override;

  // The longest an AwaitHead call is parked.
  static constexpr absl::Duration kMaxHeadWait = absl::Seconds(1);

 private:
  engine::Sequencer* const sequencer_;
  engine::PositionWaiters* const waiters_;
  const TokenAuthenticator* const auth_;
  const std::function<bool()> leading_;
  const std::string secret_digest_;  // SHA-256 of the node secret
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_CLUSTER_SERVICE_H_
