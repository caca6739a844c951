// The salesopsd server: opens the event log, recovers state, starts the
// sequencer and serves gRPC (Leads, Audit, grpc.health.v1.Health, server
// reflection).
//
// Shutdown order (Shutdown()): answer new calls UNAVAILABLE and report
// NOT_SERVING; end subscriptions and parked reads (UNAVAILABLE); wait for
// in-flight commands and long reads (the sequencer and the pool keep
// completing them), at least drain_grace and at most drain_timeout; stop
// gRPC (idle connections closed after a short bound); stop the sequencer;
// write the views snapshot; close the store.
//
// A failed write to the event log is fatal (the sequencer fails stop): the
// health service turns NOT_SERVING, every command is refused with
// UNAVAILABLE, and Wait() returns so the process can exit and be restarted;
// restarting recovers whatever reached the disk.
#ifndef SALESOPS_SERVER_SERVICE_SERVER_H_
#define SALESOPS_SERVER_SERVICE_SERVER_H_

#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "projections/lead_directory.h"
#include "server/common/clock.h"
#include "server/common/ids.h"
#include "server/common/work_pool.h"
#include "server/engine/event_hub.h"
#include "server/engine/position_waiters.h"
#include "server/engine/sequencer.h"
#include "server/service/admin_service.h"
#include "server/service/audit_service.h"
#include "server/service/auth.h"
#include "server/service/dashboard_http.h"
#include "server/service/http_endpoint.h"
#include "server/service/leads_service.h"
#include "server/service/metrics.h"
#include "server/domain/order.h"
#include "server/domain/ticket.h"
#include "server/service/orders_service.h"
#include "server/service/subscribe.h"
#include "server/service/meetings_service.h"
#include "server/service/coaching_service.h"
#include "server/service/support_service.h"
#include "server/service/cluster_service.h"
#include "server/service/leader_forwarder.h"
#include "server/service/team_service.h"
#include "server/service/tls.h"
#include "server/service/views_service.h"
#include "projections/views.h"
#include "server/store/event_log.h"
#include "server/store/postgres/cluster_log.h"
#include "server/store/scrubber.h"

namespace salesops::service {

enum class Durability {
  kSync,   // fsync before every reply (default): nothing acknowledged is lost
  kAsync,  // no fsync: a power loss may lose the last moments' acknowledged writes
};

// Everything salesopsd can be told, grouped by concern. Flags map onto this
// in main.cc only.
struct ServerOptions {
  // Network: "HOST:PORT"; port 0 picks a free one (see SalesopsServer::port).
  std::string listen = "127.0.0.1:50051";
  // Transport security: TLS, mutual TLS, or plaintext (loopback only unless
  // allowed); docs/SECURITY.md.
  TlsOptions tls;

  // Storage: the RocksDB directory (created when missing) and durability.
  std::string data_dir = "./data";
  Durability durability = Durability::kSync;
  // Cluster mode (docs/CLUSTER.md): a libpq connection string or URI of
  // the PostgreSQL that holds the log of record; the node takes the
  // leader's lease (it lasts lease_duration unless renewed, every
  // lease_renewal) and keeps data_dir as its local copy. Empty: the
  // embedded RocksDB log in data_dir, as without cluster mode.
  std::string log;
  absl::Duration lease_duration = absl::Seconds(5);
  absl::Duration lease_renewal = absl::Seconds(1);
  // This node's name in the lease row and its heartbeats (--node-id);
  // empty: HOSTNAME/LISTEN, or HOSTNAME/pid-PID when listen's port is 0.
  // A node sends a heartbeat every lease_renewal (Admin.GetClusterStatus).
  std::string node_id;
  // A follower's read services are NOT_SERVING while it is more than this
  // many events behind the log of record (or cannot read its head).
  uint64_t max_follower_lag = 10'000;
  // The HOST:PORT other nodes reach this one at (--advertise-address): the
  // lease row names it while this node leads, and followers forward writes
  // there. Empty: --listen's host (this machine's host name when that is
  // 0.0.0.0 or [::]) and the bound port.
  std::string advertise_address;
  // A follower forwards the commands it is sent to the leader
  // (--forward-writes); false: it refuses them UNAVAILABLE naming the
  // leader.
  bool forward_writes = true;
  // How often a follower reads the log of record's head when nothing woke
  // it (--follower-poll); the leader wakes its followers when it applies
  // something new (Cluster.AwaitHead), so this bounds the lag only when
  // that wake-up is lost.
  absl::Duration follower_poll = absl::Milliseconds(20);
  // Free space kept on the data directory's file system: below it writes
  // are refused with RESOURCE_EXHAUSTED (reads go on) and resume by
  // themselves when space returns; 0: no reserve (docs/STORAGE.md).
  uint64_t min_free_bytes = 256ull << 20;
  // Rebuild the stream index from the events at open (the recovery path
  // for a damaged index, docs/STORAGE.md).
  bool rebuild_stream_index = false;
  // The background scrub of the whole hash chain and stream index
  // (docs/STORAGE.md, "Scrubbing"): the pause between rounds (zero: no
  // scrub) and its pace.
  absl::Duration scrub_interval = absl::Hours(6);
  uint64_t scrub_items_per_second = 20'000;

  // Authentication: the tokens file ("TOKEN MEMBER_ID" lines).
  std::string tokens_file;
  // Refused calls (UNAUTHENTICATED, PERMISSION_DENIED) logged per second at
  // most, and request-log lines per second at most (0: no request log);
  // call_observer.h.
  uint32_t refusal_log_lines_per_second = 10;
  uint32_t request_log_lines_per_second = 0;
  // "HOST:PORT" of the HTTP listener for /metrics and /healthz; empty: none.
  std::string metrics_listen;
  // The dashboard and its JSON API (docs/DASHBOARD.md): listen empty: none.
  // Its TLS is `tls` (the same certificate and key as gRPC's).
  DashboardOptions dashboard;
  // When set and the team is empty, this member is added as the first ADMIN
  // at start (docs/ROLES.md); otherwise nothing happens.
  std::string bootstrap_admin;
  // The one member who may call Admin.ImportEvents while the log is empty
  // (its token or certificate in the tokens file); empty: nobody. Cannot
  // be combined with bootstrap_admin on an empty log (the bootstrap would
  // make it non-empty).
  std::string import_admin;

  // Write path.
  engine::SequencerOptions sequencer;

  // Live subscriptions (Audit.Subscribe, docs/AUDIT.md): the recent events
  // kept in memory for them; a subscriber further behind reads the log.
  engine::EventHubOptions event_hub;
  // Their pages and bounds (in all, per member).
  SubscribeOptions subscribe;

  // Projection snapshots (docs/VIEWS.md): ignore (and drop) the stored one
  // and replay the whole log; write one whenever this many events were
  // applied since the last (0: only at clean shutdown).
  bool rebuild_projections = false;
  uint64_t snapshot_every_events = 0;  // 0: only at shutdown; see docs/STORAGE.md (salesopsd's default: 1,000,000)

  // Long reads (as_of replays, rebuilds, backups, filtered log reads,
  // verification, subscription catch-up) run on this bounded, fair pool,
  // never on a gRPC handler thread; beyond its bounds they are refused with
  // RESOURCE_EXHAUSTED (docs/API.md, "Limits").
  WorkPoolOptions work_pool{.name = "long-read", .threads = 2, .max_queued = 256, .max_per_key = 4};
  // Calls parked until the views reach their min_position: bounds.
  engine::PositionWaitersOptions position_waiters;

  // How long Shutdown waits for in-flight calls before cancelling them.
  absl::Duration drain_timeout = absl::Seconds(10);
  // How long, at least, new calls are answered UNAVAILABLE (and health is
  // NOT_SERVING) before gRPC stops taking calls: clients calling meanwhile
  // learn to go elsewhere instead of seeing their calls cancelled.
  absl::Duration drain_grace = absl::Milliseconds(200);

  // Injected for tests; null means the real clock / random ids.
  Clock* clock = nullptr;
  IdGenerator* ids = nullptr;
};

// grpc.health.v1.Health service names besides the server-wide "" (which is
// SERVING until a write fails or the server stops): NOT_SERVING while the
// log refuses writes (a full disk; they resume by themselves), and while the
// last scrub round found damage (docs/STORAGE.md, "Faults").
inline constexpr char kWritesHealth[] = "salesops.writes";
// Each service's own name answers too: the services that write follow
// kWritesHealth, the ones that only read stay SERVING while the server does.
inline constexpr const char* kWriteServices[] = {"salesops.v1.Leads", "salesops.v1.Orders", "salesops.v1.Support",
                                                 "salesops.v1.Team"};
inline constexpr const char* kReadServices[] = {"salesops.v1.Views", "salesops.v1.Audit", "salesops.v1.Admin"};
// The read services follow this one: SERVING, except on a cluster follower
// more than max_follower_lag events behind the log of record, or that could
// not read the log of record's head for a lease duration.
inline constexpr char kReadsHealth[] = "salesops.reads";
inline constexpr char kIntegrityHealth[] = "salesops.integrity";

class SalesopsServer {
 public:
  // Opens everything and starts serving. Errors: the store's (UNAVAILABLE,
  // FAILED_PRECONDITION, DATA_LOSS), the tokens file's (NOT_FOUND,
  // INVALID_ARGUMENT), UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<SalesopsServer>> Start(const ServerOptions& options);

  // Shuts down if still running.
  ~SalesopsServer();

  // The bound port.
  int port() const { return port_; }
  // The bound port of --metrics-listen (0: none).
  int metrics_port() const { return http_ != nullptr ? http_->port() : 0; }
  // The bound port of --http-listen (0: none), and whether it is HTTPS.
  int dashboard_port() const { return dashboard_ != nullptr ? dashboard_->port() : 0; }
  bool dashboard_tls() const { return dashboard_ != nullptr && dashboard_->tls(); }
  uint64_t recovered_events() const { return sequencer_->recovered_events(); }

  // Re-reads the tokens file (SIGHUP) and replaces the token set at once;
  // a file that does not parse leaves the old set in force. Returns the new
  // number of tokens, or the file's error. Thread-safe.
  absl::StatusOr<size_t> ReloadTokens();

  // Asks Wait() to return (e.g. from a signal handler thread). Thread-safe.
  void RequestShutdown();
  // Blocks until RequestShutdown() was called or a write failed. Returns OK
  // for a requested shutdown, the storage error after a failed write.
  absl::Status Wait();
  // Drains and stops (see the file comment). Idempotent; thread-safe; must
  // not be called from a gRPC or sequencer thread.
  void Shutdown();

 private:
  SalesopsServer() = default;
  // Ends the server after a failed write or a lost lease: health turns
  // NOT_SERVING and Wait() returns `error` (the first one). Thread-safe;
  // does not block for long.
  void Fatal(const absl::Status& error);
  // Appends `member_id` as ADMIN when the team is empty.
  absl::Status BootstrapAdmin(const std::string& member_id);
  // Loads the views snapshot into every projection and `sequencer`
  // (restored_*), unless told to rebuild; logs what it did.
  void LoadSnapshot(bool rebuild, engine::SequencerOptions& sequencer);
  // Writes the views snapshot; logs failures (a snapshot is an optimisation).
  // while_serving: encoded by a forked child (Views::StartSnapshot), so
  // writes go on meanwhile; else under the views' lock (at shutdown, when
  // nothing writes any more).
  void WriteSnapshot(bool while_serving);
  // Cluster mode (docs/CLUSTER.md). The node's role thread: while it
  // follows, copies what the leader appends into the local copy and
  // applies it (FollowOnce), and once the leader's lease is free, takes
  // over (Promote); while it leads, waits for the end of its term (a lost
  // lease, a failed append: StepDownLater) and steps down (StepDown).
  void ClusterLoop();
  // One copy from PostgreSQL, applied to the projections and the event
  // hub: the number of events.
  absl::StatusOr<size_t> FollowOnce();
  // Takes the free lease, copies the rest of the log and starts leading:
  // false when another node took the lease first; an error (and the node
  // still follows) when the promotion failed.
  absl::StatusOr<bool> Promote();
  // Asks the role thread to end this node's term (thread-safe, does not
  // block), and ends it there: the sequencer fails what is in flight and
  // refuses commands, the lease is released, the node follows. A local
  // copy that could not be written is Fatal instead.
  void StepDownLater(const absl::Status& why);
  void StepDown(const absl::Status& why);
  // A follower's sequencer, from the lease row just read: forwards commands
  // to its holder (while the lease is held; --forward-writes), or refuses
  // them naming it.
  void FollowLeader(const store::postgres::LeaseRow& lease);
  // Wakes the health thread to report a changed role at once.
  void WakeHealth();
  // The snapshot thread: writes one every snapshot_every_events events.
  void SnapshotLoop(uint64_t every);
  // The health thread: every second, the per-service health statuses
  // kWritesHealth, kReadsHealth and kIntegrityHealth from the log's write
  // state, a follower's lag and the scrubber's last finding, logging each
  // change.
  void HealthLoop();
  // Cluster mode: the heartbeat thread, one every lease_renewal
  // (store::postgres::NodeHeartbeat), on its own thread so that a
  // PostgreSQL that does not answer never holds up the role thread.
  void HeartbeatLoop();
  // This node as its heartbeat reports it (an embedded server: leading).
  store::postgres::NodeHeartbeat SelfHeartbeat() const;
  // Whether the read services serve (kReadsHealth), and why not.
  std::pair<bool, std::string> ReadsServing() const;
  // Admin.GetClusterStatus's answer (docs/CLUSTER.md, "Cluster status").
  // Reads PostgreSQL in cluster mode: call it off the gRPC threads.
  absl::StatusOr<v1::GetClusterStatusResponse> ClusterStatus() const;

 public:
  // The number of events the last restart replayed, and the position of the
  // snapshot it started from (0: none).
  uint64_t snapshot_position() const { return snapshot_position_; }

 private:
  uint64_t snapshot_position_ = 0;
  uint64_t last_snapshot_ = 0;  // guarded by mu_ (see SnapshotLoop)
  std::thread snapshotter_;
  // Written at shutdown: a snapshot being encoded by a forked child is
  // abandoned (the child killed) rather than waited for (an eventfd).
  int snapshot_cancel_ = -1;

  std::unique_ptr<IdGenerator> owned_ids_;
  std::unique_ptr<TokenAuthenticator> auth_;
  std::unique_ptr<ServerMetrics> metrics_;  // before everything that records into it
  std::string tokens_file_;
  std::unique_ptr<store::EventLog> store_;
  store::postgres::ClusterLog* cluster_ = nullptr;  // store_ in cluster mode, else null
  std::thread cluster_thread_;                      // cluster mode: ClusterLoop
  absl::Duration lease_check_every_;                // how often a follower reads the lease row
  std::thread heartbeat_thread_;                    // cluster mode: HeartbeatLoop
  std::string node_id_;                             // ServerOptions::node_id or its default
  std::string listen_host_;                         // of --listen
  // Where other nodes reach this one (set once the port is bound, while
  // calls may already be served).
  mutable absl::Mutex advertised_mu_;
  std::string advertised_ ABSL_GUARDED_BY(advertised_mu_);
  absl::Time started_at_;
  absl::Duration heartbeat_every_;                  // lease_renewal
  absl::Duration lease_duration_;
  uint64_t max_follower_lag_ = 0;
  // A follower's last successful read of the log of record's head (unix
  // micros; 0: none yet).
  std::atomic<int64_t> followed_at_{0};
  std::unique_ptr<store::Scrubber> scrubber_;  // null without a scrub; stopped before store_ closes
  std::thread health_;
  projections::TeamDirectory team_directory_;
  projections::Views views_;  // also serves GetLead, GetOrder, GetTicket
  projections::LeadDirectory lead_directory_{&views_};
  std::unique_ptr<ReadAccess> read_access_;
  std::unique_ptr<engine::PositionWaiters> waiters_;  // a projection after views_; outlives the gRPC server
  std::unique_ptr<WorkPool> pool_;                    // outlives the gRPC server
  // A follower's wake-up and write forwarding (cluster mode; forwarding
  // with --forward-writes): outlives the sequencer and the gRPC server.
  std::unique_ptr<LeaderForwarder> forwarder_;  // cluster mode: the link to the leader
  bool forward_writes_ = false;
  absl::Duration follower_poll_ = absl::Milliseconds(20);
  std::unique_ptr<engine::EventHub> hub_;  // fed by the sequencer; outlives it
  std::unique_ptr<Subscriptions> subscriptions_;
  std::unique_ptr<engine::Sequencer> sequencer_;
  std::unique_ptr<LeadsService> leads_service_;
  std::unique_ptr<AuditService> audit_service_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<ViewsService> views_service_;
  std::unique_ptr<TeamService> team_service_;
  std::unique_ptr<OrdersService> orders_service_;
  std::unique_ptr<SupportService> support_service_;
  std::unique_ptr<ClusterService> cluster_service_;  // cluster mode: forwarded commands
  std::unique_ptr<MeetingsService> meetings_service_;
  std::unique_ptr<CoachingService> coaching_service_;
  std::unique_ptr<grpc::Server> server_;
  absl::Duration drain_timeout_;
  absl::Duration drain_grace_;
  int port_ = 0;
  absl::Mutex mu_;
  bool shutdown_requested_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status fatal_ ABSL_GUARDED_BY(mu_);
  bool shutdown_started_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status step_down_ ABSL_GUARDED_BY(mu_);  // cluster mode: why the term ends (StepDownLater)
  bool health_wake_ ABSL_GUARDED_BY(mu_) = false;
  bool follow_now_ ABSL_GUARDED_BY(mu_) = false;  // a forwarded write committed: copy it now
  std::unique_ptr<DashboardHttp> dashboard_;  // a client of server_: stopped in Shutdown before it
  std::unique_ptr<HttpEndpoint> http_;  // last: stopped first
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_SERVER_H_
