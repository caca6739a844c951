// Audit.Subscribe: one gRPC write reactor per subscription, fed from the
// store (catch-up) and from the EventHub (live), docs/AUDIT.md
// "Subscriptions".
//
// A subscription keeps one cursor, `next`: every position before it was
// examined, and the matching ones were queued in order. It reads from the
// hub's buffer when `next` is there and from the store when it is older (the
// start of a catch-up, or a subscriber that fell behind the buffer), so the
// switch between the two can neither skip nor repeat a position. It holds at
// most one page of messages; while the client does not read, it reads
// nothing more — memory per subscriber is bounded, and the hub's buffer is
// shared and bounded.
//
// No gRPC thread waits for events: a subscription with nothing to send asks
// the hub to wake it (at the next commit or its checkpoint deadline) and
// returns. Store pages (catch-up, or a subscriber that fell behind) are read
// and serialized on the shared work pool, keyed by member, so catching-up
// subscribers take turns with every other long read and never hold a gRPC
// or the hub's thread; a long scan that finds nothing yields between pages.
// The number of subscriptions is bounded in all and per member.
//
// Access is checked at the start and again before events go out (every
// message on one lead's stream, at most a second apart otherwise); the
// re-check never waits for the views' lock.
//
// Thread safety: every method is thread-safe.
#ifndef SALESOPS_SERVER_SERVICE_SUBSCRIBE_H_
#define SALESOPS_SERVER_SERVICE_SUBSCRIBE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "projections/lead_directory.h"
#include "salesops/v1/audit.pb.h"
#include "server/common/work_pool.h"
#include "server/engine/event_hub.h"
#include "server/service/auth.h"
#include "server/store/event_log.h"

namespace salesops::service {

struct SubscribeOptions {
  // Events queued per read (from the store or the hub) before sending them.
  size_t page_events = 256;
  // Positions one turn may examine without finding anything to send before
  // it yields to the hub's thread.
  size_t max_scan_per_turn = 50'000;
  // Serialized bytes of events one store read queues (at least one event):
  // with page_events, what a subscriber that does not read may hold.
  size_t page_bytes = 256 << 10;
  // Subscriptions served at once, in all and per member; beyond,
  // Subscribe is refused with RESOURCE_EXHAUSTED.
  size_t max_subscriptions = 4096;
  size_t max_subscriptions_per_member = 256;
};

// A Subscribe call ended at once with `status`.
grpc::ServerWriteReactor<grpc::ByteBuffer>* RefuseSubscription(const absl::Status& status);

class Subscriptions {
 public:
  // Everything must outlive this object.
  // Catch-up reads of the store run on `pool` (keyed by member).
  Subscriptions(const ReadAccess* access, const store::EventLog* store, engine::EventHub* hub, WorkPool* pool,
                const projections::LeadDirectory* leads, SubscribeOptions options = {});
  // Shutdown().
  ~Subscriptions();

  // Authenticates, parses the request (a SubscribeRequest), checks access
  // (ADMIN, SALES_MANAGER or AUDITOR; any member for the one stream of a
  // lead it owns or is assigned), validates (PlanSubscription) and starts
  // streaming. Errors end the call at once. The method is served raw
  // (bytes in, bytes out): each SubscribeResponse is assembled from events
  // serialized once for every subscriber (engine::HubBatch).
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Start(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request);

  // Ends every subscription with UNAVAILABLE and refuses new ones. Call
  // before grpc::Server::Shutdown so that it does not wait for them.
  // Idempotent.
  void Shutdown();

  // For tests and logs: how many times a subscriber fell behind the hub's
  // buffer and went back to reading the store; subscriptions streaming now.
  uint64_t fallbacks() const { return fallbacks_.load(std::memory_order_relaxed); }
  size_t active() const;

  // How many log positions the live subscriptions have still to examine to
  // reach `head`: in all, and the one furthest behind.
  struct Backlog {
    uint64_t total = 0;
    uint64_t max = 0;
  };
  Backlog backlog(uint64_t head) const;

 private:
  class Reactor;
  struct Outgoing;

  // Whether the caller may read the events of a subscription (to the one
  // lead `lead_id`, when not empty): OK, or the read error. With `wait`
  // false the lead's parties are read only if the views are free at once
  // (this may run on the hub's thread); nullopt when they were not.
  std::optional<absl::Status> Authorize(const grpc::CallbackServerContext& context, absl::string_view lead_id,
                                        bool wait) const;
  void Forget(const Reactor* reactor, const std::string& reader);

  const ReadAccess* const access_;
  const store::EventLog* const store_;
  engine::EventHub* const hub_;
  WorkPool* const pool_;
  const projections::LeadDirectory* const leads_;
  const SubscribeOptions options_;
  std::atomic<uint64_t> fallbacks_{0};
  std::atomic<uint64_t> next_id_{1};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<const Reactor*, std::weak_ptr<Reactor>> live_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> per_member_ ABSL_GUARDED_BY(mu_);  // live subscriptions by member
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_SUBSCRIBE_H_
