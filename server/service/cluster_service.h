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
// Served in cluster mode only.
#ifndef SALESOPS_SERVER_SERVICE_CLUSTER_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_CLUSTER_SERVICE_H_

#include <string>

#include "salesops/v1/internal.grpc.pb.h"
#include "server/engine/sequencer.h"

namespace salesops::service {

class ClusterService final : public v1::Cluster::CallbackService {
 public:
  // Borrows the sequencer, which must outlive the service.
  ClusterService(engine::Sequencer* sequencer, const std::string& node_secret);

  grpc::ServerUnaryReactor* ForwardCommand(grpc::CallbackServerContext* context,
                                           const v1::ForwardedCommand* request, v1::CommandReply* reply) override;

 private:
  engine::Sequencer* const sequencer_;
  const std::string secret_digest_;  // SHA-256 of the node secret
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_CLUSTER_SERVICE_H_
