// Write forwarding, the follower's side (docs/CLUSTER.md, "Write
// forwarding"). A following node's sequencer hands every command to this
// (engine::CommandForwarder), which sends it to the leader — the address in
// the lease row — as salesops.v1.Cluster/ForwardCommand, with the member
// this node authenticated, the cluster's node secret and the caller's
// deadline, and completes the command with the leader's reply, or its
// refusal with every detail unchanged. A call that fails on its way (the
// leader unreachable, no leader) ends UNAVAILABLE, reason
// LEADER_UNREACHABLE: the command may or may not have been recorded, and a
// retry with the same request_id is safe.
//
// An acknowledged reply is held until this node's views have applied its
// position (so a read on this node right after the reply sees the write),
// or until the caller's deadline; the follower is woken to copy the new
// events at once. Nothing blocks: the call uses gRPC's callback API, the
// wait a PositionWaiters notification.
//
// It is also the follower's wake-up (WatchHead): one AwaitHead call to the
// leader at a time, answered once the leader applied something new, after
// which the follower copies at once rather than at its next poll.
//
// Thread safety: every method may be called from any thread.
#ifndef SALESOPS_SERVER_SERVICE_LEADER_FORWARDER_H_
#define SALESOPS_SERVER_SERVICE_LEADER_FORWARDER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "salesops/v1/internal.grpc.pb.h"
#include "server/engine/position_waiters.h"
#include "server/engine/sequencer.h"

namespace salesops::service {

// The metadata key that carries the node secret between nodes.
inline constexpr char kNodeSecretHeader[] = "salesops-node-secret";

struct LeaderForwarderOptions {
  std::string node_id;      // this node (ForwardedCommand.from_node)
  std::string node_secret;  // the log of record's (salesops_node_secret)
  // For the channel to the leader: plaintext, or TLS (PeerCredentialsFor).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // This node's views' position, to hold a reply until they applied it.
  engine::PositionWaiters* waiters = nullptr;
  // Called when a reply names a position this node has not applied: copy
  // from the log of record now. Must not block.
  std::function<void()> follow_now;
  // The longest a forwarded call may take when its caller set no deadline.
  absl::Duration max_wait = absl::Seconds(30);
};

class LeaderForwarder final : public engine::CommandForwarder {
 public:
  explicit LeaderForwarder(LeaderForwarderOptions options);
  // StopAndWait().
  ~LeaderForwarder() override;

  // Who leads and at which address (read from the lease row). An empty
  // address: no node leads now (commands end UNAVAILABLE at once).
  void SetLeader(const std::string& leader_id, const std::string& address);

  // `done` runs on the calling thread when the command is refused at once
  // (no leader known, stopping), else on a gRPC or the waiters' thread.
  void Forward(std::string actor, v1::Command command, absl::Time deadline, engine::ReplyCallback done) override;

  // Starts an AwaitHead call to the leader unless one is in flight (or one
  // failed less than half a second ago): follow_now runs once the leader
  // has applied a position past `applied`. Does not block.
  void WatchHead(uint64_t applied);

  // Cancels every call in flight (they end UNAVAILABLE, SHUTTING_DOWN) and
  // refuses later ones. Idempotent.
  void Stop();
  // True once no forwarded command is in flight, false at `deadline`.
  bool AwaitIdle(absl::Time deadline);
  // Stop(), then waits until no call is in flight and no callback still
  // runs (every call has a deadline): after it, nothing calls follow_now
  // or a command's callback any more.
  void StopAndWait();

 private:
  struct Call;
  struct HeadCall;
  // The leader's answer (on a gRPC thread).
  void Answered(Call* call, const grpc::Status& status);
  // Hands `result` to the command's callback and forgets the call.
  void Complete(Call* call, engine::CommandResult result);

  const LeaderForwarderOptions options_;
  mutable absl::Mutex mu_;
  std::string leader_ ABSL_GUARDED_BY(mu_);   // "ID at ADDRESS", for messages
  std::string address_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<v1::Cluster::Stub> stub_ ABSL_GUARDED_BY(mu_);  // null: no leader known
  // Every call in flight, owned here until it completes (Stop holds a
  // reference of its own while it cancels, outside mu_).
  absl::flat_hash_map<Call*, std::shared_ptr<Call>> calls_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<HeadCall> head_call_ ABSL_GUARDED_BY(mu_);  // WatchHead's, while in flight
  int waking_ ABSL_GUARDED_BY(mu_) = 0;  // wake-up callbacks still running follow_now
  absl::Time next_watch_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();  // after a failed one
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_LEADER_FORWARDER_H_
