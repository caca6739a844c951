#include "server/service/server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "projections/views_snapshot.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"
#include "server/service/call_observer.h"
#include "server/service/checked_unary.h"
#include "server/service/reads_health.h"
#include "server/store/event_store.h"
#include "server/store/postgres/cluster_log.h"

namespace salesops::service {
namespace {

// This node's default name (ServerOptions::node_id): host name and
// --listen, stable across restarts; with port 0 (tests, several nodes on
// one machine) the process id instead of the listen address.
std::string DefaultNodeId(const std::string& listen) {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  const std::string name = host[0] != '\0' ? host : "unknown-host";
  if (absl::EndsWith(listen, ":0")) return absl::StrCat(name, "/pid-", getpid());
  return absl::StrCat(name, "/", listen);
}

// The host part of "HOST:PORT" ("[::1]:50051" -> "[::1]").
std::string HostOf(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

// Where other nodes reach this one: --advertise-address, else --listen's
// host (this machine's name for a wildcard) and the bound port.
std::string AdvertisedAddress(const std::string& flag, const std::string& listen_host, int port) {
  if (!flag.empty()) return flag;
  std::string host = listen_host;
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") {
    char name[256] = {};
    host = gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0' ? name : "localhost";
  }
  return absl::StrCat(host, ":", port);
}

// --advertise-address: HOST:PORT with a port in 1..65535.
absl::Status ValidateAdvertiseAddress(const std::string& address) {
  if (address.empty()) return absl::OkStatus();
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 1 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--advertise-address: '", address,
                                                   "' is not HOST:PORT with a port from 1 to 65535"));
  }
  return absl::OkStatus();
}

// A node silent for this long is dropped from the heartbeat table.
constexpr absl::Duration kForgetSilentNodes = absl::Hours(24);

// A follower checks whether the leader's lease is free this often.
constexpr absl::Duration kFollowerLeaseCheck = absl::Milliseconds(500);  // or --lease-renewal, if shorter

// How long gRPC's shutdown waits for what is left once our calls drained:
// light reads finishing, idle connections closing.
constexpr absl::Duration kCloseConnections = absl::Milliseconds(200);

}  // namespace

absl::StatusOr<std::unique_ptr<SalesopsServer>> SalesopsServer::Start(const ServerOptions& options) {
  std::unique_ptr<SalesopsServer> s(new SalesopsServer());
  s->drain_timeout_ = options.drain_timeout;
  s->drain_grace_ = options.drain_grace;
  // The listener's credentials first: a wrong certificate or a plaintext
  // listener on a network stops the start before the log is opened.
  SALESOPS_ASSIGN_OR_RETURN(const std::shared_ptr<grpc::ServerCredentials> credentials,
                            ServerCredentialsFor(options.listen, options.tls));
  if (!options.dashboard.listen.empty()) {
    DashboardOptions dashboard = options.dashboard;
    dashboard.tls = options.tls;
    SALESOPS_RETURN_IF_ERROR(CheckDashboardTransport(dashboard));
  }
  SALESOPS_ASSIGN_OR_RETURN(s->auth_, TokenAuthenticator::FromFile(options.tokens_file));
  s->metrics_ = std::make_unique<ServerMetrics>();
  s->tokens_file_ = options.tokens_file;

  s->node_id_ = options.node_id.empty() ? DefaultNodeId(options.listen) : options.node_id;
  s->listen_host_ = HostOf(options.listen);
  s->started_at_ = absl::Now();
  s->heartbeat_every_ = options.lease_renewal;
  s->lease_duration_ = options.lease_duration;
  s->max_follower_lag_ = options.max_follower_lag;

  store::StoreOptions store_options;
  store_options.path = options.data_dir;
  store_options.sync = options.durability == Durability::kSync;
  store_options.min_free_bytes = options.min_free_bytes;
  store_options.rebuild_stream_index = options.rebuild_stream_index;
  // The embedded log, or in cluster mode the log of record in PostgreSQL
  // with data_dir as this node's local copy; the scrub verifies the local
  // RocksDB log either way.
  store::EventStore* rocks = nullptr;
  if (options.log.empty()) {
    SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<store::EventStore> embedded, store::EventStore::Open(store_options));
    rocks = embedded.get();
    s->store_ = std::move(embedded);
  } else {
    SALESOPS_RETURN_IF_ERROR(
        store::postgres::ValidateClusterFlags(options.log, options.lease_duration, options.lease_renewal));
    SALESOPS_RETURN_IF_ERROR(ValidateAdvertiseAddress(options.advertise_address));
    if (options.follower_poll < absl::Milliseconds(1)) {
      return absl::InvalidArgumentError(absl::StrCat("--follower-poll must be at least 1ms (got ",
                                                     absl::FormatDuration(options.follower_poll), ")"));
    }
    store::postgres::ClusterLogOptions cluster;
    cluster.postgres.conninfo = options.log;
    cluster.postgres.synchronous_commit = options.durability == Durability::kSync;
    cluster.local = store_options;
    cluster.lease = store::postgres::LeaseOptions{.conninfo = options.log,
                                                  .holder = s->node_id_,
                                                  // Until the port is bound (Advertise, below).
                                                  .address = options.advertise_address.empty()
                                                                 ? options.listen
                                                                 : options.advertise_address,
                                                  .duration = options.lease_duration,
                                                  .renew_every = options.lease_renewal,
                                                  .acquire_timeout = 3 * options.lease_duration};
    // A lost lease ends the node's term: it stops taking writes (its
    // appends are fenced anyway) and follows (ClusterLoop).
    cluster.on_lease_lost = [server = s.get()](const absl::Status& lost) { server->StepDownLater(lost); };
    // Another node leads: follow it (serve reads, copy its appends).
    cluster.follow_when_led = true;
    LogInfo("cluster mode: the log of record is in PostgreSQL (%s); %s is this node's local copy",
            store::postgres::DescribeLogFlag(options.log), options.data_dir);
    SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<store::postgres::ClusterLog> node,
                              store::postgres::ClusterLog::Open(cluster));
    if (node->leading()) {
      LogInfo("cluster mode: leading with lease epoch %d (head %d)", node->epoch(), node->Head());
    } else {
      LogInfo("cluster mode: following (head %d)", node->Head());
    }
    rocks = &node->local();
    // Open has just read the log of record's head and copied up to it.
    s->followed_at_.store(absl::ToUnixMicros(absl::Now()), std::memory_order_release);
    s->cluster_ = node.get();
    s->store_ = std::move(node);
  }
  if (options.scrub_interval > absl::ZeroDuration()) {
    s->scrubber_ = std::make_unique<store::Scrubber>(
        *rocks, store::ScrubberOptions{.items_per_second = options.scrub_items_per_second,
                                       .interval = options.scrub_interval});
  }

  Clock* clock = options.clock != nullptr ? options.clock : Clock::Real();
  IdGenerator* ids = options.ids;
  if (ids == nullptr) {
    s->owned_ids_ = std::make_unique<RandomIdGenerator>();
    ids = s->owned_ids_.get();
  }
  const absl::Time recovery_start = absl::Now();
  engine::SequencerOptions sequencer_options = options.sequencer;
  s->LoadSnapshot(options.rebuild_projections, sequencer_options);
  sequencer_options.refuse_writes = s->store_->open_check();
  // A follower takes no command: each is refused naming the leader.
  if (s->cluster_ != nullptr && s->cluster_->following() && sequencer_options.refuse_writes.ok()) {
    sequencer_options.refuse_writes = s->cluster_->write_state().status;
  }
  // A failed write stops the server; in cluster mode it ends the node's
  // term instead (a fenced batch, PostgreSQL lost, a COMMIT of unknown
  // outcome: following copies whatever PostgreSQL holds), unless the local
  // copy could not be written (only a restart mends that).
  sequencer_options.on_fatal = [server = s.get()](const absl::Status& error) {
    if (server->cluster_ != nullptr && !server->cluster_->local_failed()) {
      server->StepDownLater(error);
    } else {
      server->Fatal(error);
    }
  };
  // Live subscriptions get each batch once it is durable.
  s->hub_ = std::make_unique<engine::EventHub>(s->store_->Head(), options.event_hub);
  sequencer_options.on_appended = [metrics = s->metrics_.get()](size_t commands, absl::Duration append) {
    metrics->RecordAppend(commands, append);
  };
  sequencer_options.on_refused = [metrics = s->metrics_.get()](absl::string_view reason, size_t commands) {
    metrics->RecordRefusedWrites(reason, commands);
  };
  sequencer_options.on_commit = [hub = s->hub_.get()](engine::CommittedEvents events) {
    hub->Publish(std::move(events));
  };
  // Parked min_position calls wake once the views have applied their
  // position: the waiters come after the views in the apply order.
  s->waiters_ = std::make_unique<engine::PositionWaiters>(s->snapshot_position_, options.position_waiters);
  s->pool_ = std::make_unique<WorkPool>(options.work_pool);
  std::string node_secret;
  if (s->cluster_ != nullptr) {
    SALESOPS_ASSIGN_OR_RETURN(node_secret, s->cluster_->postgres().ReadNodeSecret());
    // The link to the leader: its wake-up, and write forwarding.
    SALESOPS_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> peers, PeerCredentialsFor(options.tls));
    s->forwarder_ = std::make_unique<LeaderForwarder>(LeaderForwarderOptions{
        .node_id = s->node_id_,
        .node_secret = node_secret,
        .credentials = std::move(peers),
        .waiters = s->waiters_.get(),
        .follow_now =
            [server = s.get()] {
              absl::MutexLock lock(&server->mu_);
              server->follow_now_ = true;
            },
    });
    s->forward_writes_ = options.forward_writes;
  }
  SALESOPS_ASSIGN_OR_RETURN(
      s->sequencer_, engine::Sequencer::Start(s->store_.get(), {&s->team_directory_, &s->views_, s->waiters_.get()},
                                              clock, ids, std::move(sequencer_options)));
  LogInfo("recovered %d events after position %d (head %d, %d leads) in %s", s->sequencer_->recovered_events(),
          s->snapshot_position_, s->store_->Head(), s->lead_directory_.size(),
          absl::FormatDuration(absl::Now() - recovery_start));
  s->last_snapshot_ = s->snapshot_position_;
  if (s->cluster_ != nullptr) {
    s->lease_check_every_ = std::min(kFollowerLeaseCheck, options.lease_renewal);
    s->follower_poll_ = options.follower_poll;
    if (s->cluster_->following()) {
      if (const absl::StatusOr<store::postgres::LeaseRow> lease = s->cluster_->ReadLease(); lease.ok()) {
        s->FollowLeader(*lease);
      }
    }
    s->cluster_thread_ = std::thread([server = s.get()] { server->ClusterLoop(); });
  }
  if (options.snapshot_every_events > 0) {
    s->snapshot_cancel_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    s->snapshotter_ = std::thread([server = s.get(), every = options.snapshot_every_events] {
      server->SnapshotLoop(every);
    });
  }

  if (!options.import_admin.empty()) {
    SALESOPS_RETURN_IF_ERROR(domain::ValidateId("--import-admin", options.import_admin));
    if (s->store_->Head() == 0 && !options.bootstrap_admin.empty()) {
      return absl::InvalidArgumentError(
          "--import-admin and --bootstrap-admin on an empty log: choose one (the bootstrap would write the first "
          "event, and an import must start at position 1)");
    }
    if (s->store_->Head() != 0) LogInfo("the log is not empty; --import-admin=%s changes nothing", options.import_admin);
  }
  if (!options.bootstrap_admin.empty()) {
    if (s->cluster_ != nullptr && s->cluster_->following()) {
      LogInfo("following: --bootstrap-admin=%s is for the leader to apply", options.bootstrap_admin);
    } else {
      SALESOPS_RETURN_IF_ERROR(s->BootstrapAdmin(options.bootstrap_admin));
    }
  }

  s->read_access_ = std::make_unique<ReadAccess>(s->auth_.get(), &s->team_directory_);
  const AsyncReads async{s->waiters_.get(), s->pool_.get()};
  s->leads_service_ = std::make_unique<LeadsService>(s->read_access_.get(), s->sequencer_.get(), &s->lead_directory_);
  s->audit_service_ = std::make_unique<AuditService>(s->read_access_.get(), async, s->store_.get(), &s->lead_directory_);
  s->subscriptions_ = std::make_unique<Subscriptions>(s->read_access_.get(), s->store_.get(), s->hub_.get(), s->pool_.get(),
                                                      &s->lead_directory_, options.subscribe);
  s->audit_service_->set_subscriptions(s->subscriptions_.get());
  s->admin_service_ = std::make_unique<AdminService>(s->read_access_.get(), async, s->store_.get(), &s->views_,
                                                    s->sequencer_.get(), options.import_admin);
  s->admin_service_->set_cluster_status([server = s.get()] { return server->ClusterStatus(); },
                                        /*reads_postgres=*/s->cluster_ != nullptr);
  s->views_service_ = std::make_unique<ViewsService>(s->read_access_.get(), async, &s->views_, s->store_.get(), clock);
  s->team_service_ = std::make_unique<TeamService>(s->read_access_.get(), s->sequencer_.get(), &s->team_directory_);
  s->orders_service_ =
      std::make_unique<OrdersService>(s->read_access_.get(), s->sequencer_.get(), &s->views_);
  s->support_service_ =
      std::make_unique<SupportService>(s->read_access_.get(), s->sequencer_.get(), &s->views_);
  s->meetings_service_ =
      std::make_unique<MeetingsService>(s->read_access_.get(), s->sequencer_.get(), &s->views_);
  s->coaching_service_ =
      std::make_unique<CoachingService>(s->read_access_.get(), async, s->sequencer_.get(), &s->views_);

  if (s->scrubber_ != nullptr) s->scrubber_->Start();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, which lets a second salesopsd bind the
  // same port and silently take half the connections. Refuse instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // The largest message received at all (each method has a lower limit of
  // its own: checked_unary.h, docs/API.md "Limits").
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxMessageBytes));
  builder.AddListeningPort(options.listen, credentials, &s->port_);
  // Every call's end is counted, refusals and (when asked) every call
  // logged, whoever produced the status (call_observer.h).
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<CallObserverFactory>(
      s->auth_.get(), s->metrics_.get(),
      CallObserverOptions{.refusal_lines_per_second = options.refusal_log_lines_per_second,
                          .request_lines_per_second = options.request_log_lines_per_second}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(s->leads_service_.get());
  builder.RegisterService(s->audit_service_.get());
  builder.RegisterService(s->admin_service_.get());
  builder.RegisterService(s->views_service_.get());
  builder.RegisterService(s->team_service_.get());
  builder.RegisterService(s->orders_service_.get());
  builder.RegisterService(s->support_service_.get());
  builder.RegisterService(s->meetings_service_.get());
  builder.RegisterService(s->coaching_service_.get());
  if (s->cluster_ != nullptr) {
    s->cluster_service_ = std::make_unique<ClusterService>(
        s->sequencer_.get(), s->waiters_.get(), s->auth_.get(),
        [server = s.get()] { return server->cluster_->leading(); }, node_secret);
    builder.RegisterService(s->cluster_service_.get());
  }
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    s->sequencer_->Stop();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  const std::string advertised = AdvertisedAddress(options.advertise_address, s->listen_host_, s->port_);
  {
    absl::MutexLock lock(&s->advertised_mu_);
    s->advertised_ = advertised;
  }
  if (s->cluster_ != nullptr) {
    s->cluster_->Advertise(advertised);
    LogInfo("cluster: node %s, reached by other nodes at %s", s->node_id_, advertised);
  }
  s->health_ = std::thread([server = s.get()] { server->HealthLoop(); });
  if (s->cluster_ != nullptr) s->heartbeat_thread_ = std::thread([server = s.get()] { server->HeartbeatLoop(); });
  if (!options.metrics_listen.empty()) {
    SalesopsServer* server = s.get();
    MetricSources sources{
        .head_position = [server] { return server->store_->Head(); },
        .views_position = [server] { return server->views_.position(); },
        .queue_depth = [server] { return server->sequencer_->queue_depth(); },
        .live_subscriptions = [server] { return server->subscriptions_->active(); },
        .subscription_fallbacks = [server] { return server->subscriptions_->fallbacks(); },
        .subscription_backlog =
            [server] {
              const Subscriptions::Backlog b = server->subscriptions_->backlog(server->store_->Head());
              return std::make_pair(b.total, b.max);
            },
        .parked_reads = [server] { return server->waiters_->parked(); },
        .long_reads_queued = [server] { return server->pool_->queued(); },
        .storage = [server] { return server->store_->Stats(); },
        .writes_accepted = [server] { return server->store_->write_state().status.ok(); },
        .reads_serving = [server] { return server->ReadsServing().first; },
        // Set below in cluster mode only.
        .cluster_leading = nullptr,
        .cluster_head = nullptr,
    };
    if (server->cluster_ != nullptr) {
      sources.cluster_leading = [server] { return server->cluster_->leading(); };
      sources.cluster_head = [server] { return server->cluster_->postgres().Head(); };
    }
    HttpEndpoint::Handlers handlers{
        .metrics = [server, sources] { return server->metrics_->Render(sources); },
        .health = [server]() -> absl::Status {
          absl::MutexLock lock(&server->mu_);
          if (!server->fatal_.ok()) return absl::UnavailableError(server->fatal_.ToString());
          if (server->shutdown_started_ || server->shutdown_requested_) return absl::UnavailableError("shutting down");
          return absl::OkStatus();
        }};
    absl::StatusOr<std::unique_ptr<HttpEndpoint>> http = HttpEndpoint::Start(options.metrics_listen, std::move(handlers));
    if (!http.ok()) {
      s->Shutdown();
      return http.status();
    }
    s->http_ = *std::move(http);
  }
  if (!options.dashboard.listen.empty()) {
    // The JSON API and the event streams are calls to our own services,
    // on a channel that never leaves the process (json_gateway.h).
    DashboardOptions dashboard = options.dashboard;
    dashboard.tls = options.tls;
    absl::StatusOr<std::unique_ptr<DashboardHttp>> http =
        DashboardHttp::Start(dashboard, s->server_->InProcessChannel(grpc::ChannelArguments()));
    if (!http.ok()) {
      s->Shutdown();
      return http.status();
    }
    s->dashboard_ = *std::move(http);
  }
  return s;
}

SalesopsServer::~SalesopsServer() { Shutdown(); }

void SalesopsServer::Fatal(const absl::Status& error) {
  if (server_ != nullptr) server_->GetHealthCheckService()->SetServingStatus(false);
  absl::MutexLock lock(&mu_);
  if (fatal_.ok()) fatal_ = error;
}

absl::Status SalesopsServer::BootstrapAdmin(const std::string& member_id) {
  if (absl::Status s = domain::ValidateId("--bootstrap-admin", member_id); !s.ok()) return s;
  if (!team_directory_.List(v1::ROLE_UNSPECIFIED, /*include_inactive=*/true).empty()) {
    LogInfo("the team has members; --bootstrap-admin=%s changes nothing", member_id);
    return absl::OkStatus();
  }
  v1::Command command;
  command.mutable_team()->mutable_bootstrap()->set_member_id(member_id);
  absl::Notification done;
  engine::CommandResult result;
  sequencer_->Submit(std::string(domain::kSystemActor), std::move(command), [&](engine::CommandResult r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  if (!result.ok()) return result.status();
  LogInfo("bootstrap: added '%s' as the first ADMIN (position %d)", member_id, result->team().position());
  return absl::OkStatus();
}

void SalesopsServer::LoadSnapshot(bool rebuild, engine::SequencerOptions& sequencer) {
  if (rebuild) {
    const absl::Status dropped = store_->DeleteSnapshot(projections::kViewsSnapshotName);
    LogInfo("--rebuild-projections: replaying the whole log (dropping the snapshot: %s)", dropped.ToString());
    return;
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<std::string>> chunks = store_->GetSnapshot(projections::kViewsSnapshotName);
  if (!chunks.ok() || chunks->empty()) {
    if (!chunks.ok()) LogWarning("views snapshot unreadable (%s); replaying the whole log", chunks.status().ToString());
    return;
  }
  const absl::Time read = absl::Now();
  absl::StatusOr<projections::ViewsState> state = projections::DecodeViewsSnapshot(*chunks);
  chunks->clear();
  if (!state.ok() || state->position > store_->Head()) {
    LogWarning("views snapshot not used (%s); replaying the whole log",
               state.ok() ? "it is ahead of the log" : state.status().ToString());
    return;
  }
  const absl::Time decoded = absl::Now();
  const uint64_t position = state->position;
  team_directory_.Restore(state->core.team, position);
  sequencer.restored_state = projections::DecidersState(state->core);
  sequencer.restored_position = position;
  sequencer.restored_time = state->log_time;
  views_.Restore(*std::move(state));
  snapshot_position_ = position;
  LogInfo("views snapshot at position %d loaded: read in %s, decoded and indexed in %s, restored in %s", position,
          absl::FormatDuration(read - start), absl::FormatDuration(decoded - read),
          absl::FormatDuration(absl::Now() - decoded));
}

void SalesopsServer::WriteSnapshot(bool while_serving) {
  const absl::Time start = absl::Now();
  uint64_t position = 0;
  std::vector<std::string> chunks;
  absl::Duration paused;
  bool encoded = false;
  if (while_serving) {
    // Encoded by a forked child from a copy-on-write image: the views' lock
    // (and so every write) waits only for the fork.
    absl::StatusOr<projections::Views::PendingSnapshot> pending = views_.StartSnapshot();
    paused = absl::Now() - start;
    if (pending.ok()) {
      position = pending->position;
      absl::StatusOr<std::vector<std::string>> collected = pending->encoding.Collect(snapshot_cancel_);
      if (!collected.ok()) {
        LogWarning("views snapshot at position %d not written: %s", position, collected.status().ToString());
        return;
      }
      chunks = *std::move(collected);
      encoded = true;
    } else {
      LogWarning("views snapshot: cannot fork (%s); encoding under the views' lock", pending.status().ToString());
    }
  }
  if (!encoded) {
    std::tie(position, chunks) = views_.Read([](const projections::ViewsState& state) {
      return std::make_pair(state.position, projections::EncodeViewsSnapshot(state));
    });
    paused = absl::Now() - start;
  }
  size_t bytes = 0;
  for (const std::string& c : chunks) bytes += c.size();
  const absl::Status written = store_->PutSnapshot(projections::kViewsSnapshotName, chunks);
  if (!written.ok()) {
    LogWarning("views snapshot at position %d not written: %s", position, written.ToString());
    return;
  }
  LogInfo("views snapshot at position %d written (%d bytes in %d chunks, %s; the views' lock held %s)", position,
          bytes, chunks.size(), absl::FormatDuration(absl::Now() - start), absl::FormatDuration(paused));
}

void SalesopsServer::SnapshotLoop(uint64_t every) {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      // Wake up to check now and then, or at once when shutting down.
      mu_.AwaitWithTimeout(absl::Condition(&shutdown_started_), absl::Seconds(10));
      if (shutdown_started_) return;
      if (views_.position() < last_snapshot_ + every) continue;
      last_snapshot_ = views_.position();
    }
    WriteSnapshot(/*while_serving=*/true);
  }
}

void SalesopsServer::StepDownLater(const absl::Status& why) {
  absl::MutexLock lock(&mu_);
  if (step_down_.ok()) step_down_ = why;
}

void SalesopsServer::WakeHealth() {
  absl::MutexLock lock(&mu_);
  health_wake_ = true;
}

absl::StatusOr<size_t> SalesopsServer::FollowOnce() {
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events, cluster_->Follow());
  followed_at_.store(absl::ToUnixMicros(absl::Now()), std::memory_order_release);
  if (events.empty()) return 0;
  // The projections in the sequencer's order: while the node follows this
  // thread is their only writer (the sequencer commits nothing).
  for (projections::Projection* p : {static_cast<projections::Projection*>(&team_directory_),
                                     static_cast<projections::Projection*>(&views_),
                                     static_cast<projections::Projection*>(waiters_.get())}) {
    p->Apply(events);
  }
  const size_t copied = events.size();
  hub_->Publish(std::make_shared<const std::vector<v1::EventEnvelope>>(std::move(events)));
  return copied;
}

absl::StatusOr<bool> SalesopsServer::Promote() {
  const absl::Time start = absl::Now();
  SALESOPS_ASSIGN_OR_RETURN(const bool taken, cluster_->TakeLease());
  if (!taken) return false;  // another node was quicker
  // Nobody else appends now: copy and apply the rest of the log (a batch
  // the last leader committed just before its lease ended), then lead
  // from the head with the deciders' state the views hold.
  absl::Status led;
  for (;;) {
    absl::StatusOr<size_t> copied = FollowOnce();
    if (!copied.ok()) led = copied.status();
    if (!copied.ok() || *copied == 0) break;
  }
  if (led.ok()) led = cluster_->Lead([this](const absl::Status& lost) { StepDownLater(lost); });
  if (led.ok()) {
    // The deciders' state without the views' lead details, as after a
    // snapshot load.
    auto [state, position, log_time] = views_.Read([](const projections::ViewsState& v) {
      return std::make_tuple(projections::DecidersState(v.core), v.position, v.log_time);
    });
    led = sequencer_->Lead(std::move(state), position, log_time);
  }
  if (!led.ok()) {
    cluster_->StepDown();
    return led;
  }
  LogInfo("cluster: promoted in %s: this node leads with lease epoch %d at position %d, taking writes",
          absl::FormatDuration(absl::Now() - start), cluster_->epoch(), store_->Head());
  WakeHealth();
  return true;
}

void SalesopsServer::StepDown(const absl::Status& why) {
  if (cluster_->local_failed()) {
    Fatal(why);
    return;
  }
  LogWarning("cluster: stepping down to follow: %s", why.ToString());
  // Commands in flight fail (UNAVAILABLE, "may or may not have been
  // recorded"); new ones are refused until this node knows who leads.
  const absl::Status refusal = errors::WithReason(
      absl::UnavailableError(absl::StrCat("this node no longer leads (", why.message(),
                                          "); retry with the same request_id on the leader")),
      errors::kWritesStopped);
  if (!sequencer_->Follow(refusal, absl::Now() + drain_timeout_)) {
    Fatal(
        absl::UnavailableError(absl::StrCat("stepping down: commands still in flight after ",
                                            absl::FormatDuration(drain_timeout_), " (", why.message(), ")")));
    return;
  }
  cluster_->StepDown();
  if (const absl::StatusOr<store::postgres::LeaseRow> lease = cluster_->ReadLease(); lease.ok()) FollowLeader(*lease);
  WakeHealth();
}

void SalesopsServer::FollowLeader(const store::postgres::LeaseRow& lease) {
  if (forwarder_ != nullptr) {
    // A free lease: nobody leads (writes fail fast until a node takes it).
    forwarder_->SetLeader(lease.holder, lease.free || lease.holder == node_id_ ? "" : lease.address);
  }
  sequencer_->Follow(cluster_->write_state().status, absl::Now(), forward_writes_ ? forwarder_.get() : nullptr);
}

void SalesopsServer::ClusterLoop() {
  absl::Time next_lease_check = absl::Now();
  absl::Time next_error_log = absl::InfinitePast();
  store::postgres::LeaseRow leader;  // the lease the sequencer's refusal (or forwarding) follows
  leader.epoch = -1;
  bool more = false;          // the last copy was a full one: go on at once
  bool copy_failed = false;   // the last copy failed: wait a poll before the next
  const auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return shutdown_started_ || !fatal_.ok() || !step_down_.ok() || follow_now_;
  };
  for (;;) {
    absl::Status step_down;
    // Woken by the leader once it applied more than this node has (not
    // right after a failed copy: a wake-up would retry it at once, and the
    // poll is the back-off).
    if (!cluster_->leading() && !more && !copy_failed) forwarder_->WatchHead(views_.position());
    {
      absl::MutexLock lock(&mu_);
      if (copy_failed) follow_now_ = false;
      if (cluster_->leading()) {
        mu_.Await(absl::Condition(&wake));
      } else if (!more) {
        // The poll, unless woken first; the lease is read every
        // lease_check_every_ however long the poll.
        mu_.AwaitWithTimeout(absl::Condition(&wake), std::min(follower_poll_, lease_check_every_));
      }
      if (shutdown_started_ || !fatal_.ok()) return;
      step_down = std::exchange(step_down_, absl::OkStatus());
      follow_now_ = false;
    }
    if (!step_down.ok()) {
      StepDown(step_down);
      next_lease_check = absl::Now();
      continue;
    }
    if (cluster_->leading()) continue;
    absl::StatusOr<size_t> copied = FollowOnce();
    copy_failed = !copied.ok();
    more = copied.ok() && *copied >= store::postgres::ClusterLog::kCatchUpBatch;
    if (!copied.ok()) {
      if (absl::Now() >= next_error_log) {
        LogWarning("cluster: following the log failed (%s); retrying", copied.status().ToString());
        next_error_log = absl::Now() + absl::Seconds(5);
      }
      continue;
    }
    if (absl::Now() < next_lease_check) continue;
    next_lease_check = absl::Now() + lease_check_every_;
    const absl::StatusOr<store::postgres::LeaseRow> lease = cluster_->ReadLease();
    if (!lease.ok()) continue;
    if (lease->epoch != leader.epoch || lease->address != leader.address || lease->free != leader.free) {
      leader = *lease;  // refusals name the new leader, writes go to it
      FollowLeader(leader);
    }
    // The leader's lease is free (it died, or stopped cleanly) and this
    // node has applied the log up to the head it just read: take over.
    if (lease->free && *copied == 0) {
      const absl::StatusOr<bool> promoted = Promote();
      if (!promoted.ok()) LogWarning("cluster: promotion given up: %s", promoted.status().ToString());
      leader.epoch = -1;
    }
  }
}

void SalesopsServer::HeartbeatLoop() {
  absl::Time next_error_log = absl::InfinitePast();
  for (;;) {
    const absl::Status sent = cluster_->postgres().Heartbeat(SelfHeartbeat(), kForgetSilentNodes);
    if (!sent.ok() && absl::Now() >= next_error_log) {
      LogWarning("cluster: heartbeat not recorded (%s); retrying", sent.ToString());
      next_error_log = absl::Now() + absl::Seconds(30);
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&shutdown_started_), heartbeat_every_);
    if (shutdown_started_) return;
  }
}

store::postgres::NodeHeartbeat SalesopsServer::SelfHeartbeat() const {
  return {.node_id = node_id_,
          .address = [this] {
            absl::MutexLock lock(&advertised_mu_);
            return advertised_;
          }(),
          .leading = cluster_ == nullptr || cluster_->leading(),
          .epoch = cluster_ != nullptr ? cluster_->epoch() : 0,
          .applied_position = views_.position(),
          .serving = ReadsServing().first,
          .started_at = started_at_};
}

namespace {

// One node of a status answer, from its heartbeat: `head` is the log of
// record's head read with it, `since` the heartbeat's age.
void SetNode(const store::postgres::NodeHeartbeat& beat, uint64_t head, absl::Duration since,
             absl::Duration stale_after, v1::ClusterNode& node) {
  node.set_node_id(beat.node_id);
  node.set_address(beat.address);
  node.set_leading(beat.leading);
  node.set_epoch(beat.epoch);
  node.set_applied_position(beat.applied_position);
  node.set_lag_events(head > beat.applied_position ? head - beat.applied_position : 0);
  *node.mutable_since_heartbeat() = ToProtoDuration(since);
  node.set_stale(since > stale_after);
  node.set_serving(beat.serving);
  *node.mutable_started_at() = ToProtoTime(beat.started_at);
}

}  // namespace

absl::StatusOr<v1::GetClusterStatusResponse> SalesopsServer::ClusterStatus() const {
  v1::GetClusterStatusResponse out;
  out.set_answered_by(node_id_);
  if (cluster_ == nullptr) {
    // The only node, answering about itself as it is now.
    const store::postgres::NodeHeartbeat self = SelfHeartbeat();
    out.set_mode(v1::CLUSTER_MODE_EMBEDDED);
    out.set_leader_id(self.node_id);
    out.set_leader_address(self.address);
    out.set_head_position(store_->Head());
    *out.mutable_read_at() = ToProtoTime(absl::Now());
    SetNode(self, out.head_position(), absl::ZeroDuration(), lease_duration_, *out.add_nodes());
    return out;
  }
  SALESOPS_ASSIGN_OR_RETURN(const store::postgres::ClusterRecord record, cluster_->postgres().ReadCluster());
  out.set_mode(v1::CLUSTER_MODE_POSTGRESQL);
  if (!record.lease.free) {
    // The address the leader's heartbeat gives (its bound port), else the
    // one in the lease row (its --listen).
    out.set_leader_id(record.lease.holder);
    out.set_leader_address(record.lease.address);
    for (const store::postgres::ClusterRecord::Node& n : record.nodes) {
      if (n.heartbeat.node_id == record.lease.holder) out.set_leader_address(n.heartbeat.address);
    }
  }
  out.set_epoch(record.lease.epoch);
  if (record.lease_expires_at != absl::InfinitePast()) {
    *out.mutable_lease_expires_at() = ToProtoTime(record.lease_expires_at);
  }
  out.set_head_position(record.head);
  *out.mutable_read_at() = ToProtoTime(record.read_at);
  for (const store::postgres::ClusterRecord::Node& n : record.nodes) {
    SetNode(n.heartbeat, record.head, n.since_heartbeat, lease_duration_, *out.add_nodes());
  }
  return out;
}

absl::StatusOr<size_t> SalesopsServer::ReloadTokens() { return auth_->ReloadFromFile(tokens_file_); }

std::pair<bool, std::string> SalesopsServer::ReadsServing() const {
  if (cluster_ == nullptr) return {true, ""};
  const int64_t followed = followed_at_.load(std::memory_order_acquire);
  ReadsHealth health = DecideReadsHealth(
      {.follower = !cluster_->leading(),
       .followed_at = followed == 0 ? absl::InfinitePast() : absl::FromUnixMicros(followed),
       .now = absl::Now(),
       .head = cluster_->postgres().Head(),
       .applied = views_.position(),
       .max_lag = max_follower_lag_,
       .head_unread_for = lease_duration_});
  return {health.serving, std::move(health.why_not)};
}

void SalesopsServer::HealthLoop() {
  bool writes = true, integrity = true, reads = true, first = true;
  for (;;) {
    const auto [reads_now, reads_why] = ReadsServing();
    const store::WriteState state = store_->write_state();
    const bool writes_now = state.status.ok();
    bool integrity_now = true;
    std::string damage;
    if (scrubber_ != nullptr) {
      const store::ScrubStatus scrub = scrubber_->status();
      integrity_now = scrub.ok;
      if (!scrub.ok) damage = absl::StrCat("position ", scrub.first_broken, ": ", scrub.what);
    }
    grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
    if (first || reads_now != reads) {
      health->SetServingStatus(kReadsHealth, reads_now);
      for (const char* service : kReadServices) health->SetServingStatus(service, reads_now);
      if (!first || !reads_now) {
        if (reads_now) {
          LogInfo("health: %s SERVING: this node is caught up", kReadsHealth);
        } else {
          LogWarning("health: %s NOT_SERVING: %s", kReadsHealth, reads_why);
        }
      }
    }
    if (first || writes_now != writes) {
      health->SetServingStatus(kWritesHealth, writes_now);
      for (const char* service : kWriteServices) health->SetServingStatus(service, writes_now);
      if (!first || !writes_now) {
        if (writes_now) {
          LogInfo("health: %s SERVING: the log takes writes again", kWritesHealth);
        } else {
          LogWarning("health: %s NOT_SERVING: %s", kWritesHealth, state.status.ToString());
        }
      }
    }
    if (first || integrity_now != integrity) {
      health->SetServingStatus(kIntegrityHealth, integrity_now);
      if (!integrity_now) LogError("health: %s NOT_SERVING: the scrub found damage at %s", kIntegrityHealth, damage);
    }
    writes = writes_now;
    integrity = integrity_now;
    reads = reads_now;
    first = false;
    absl::MutexLock lock(&mu_);
    const auto wake = [this]()
                          ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return shutdown_started_ || health_wake_; };
    mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Seconds(1));
    health_wake_ = false;
    if (shutdown_started_) return;
  }
}

void SalesopsServer::RequestShutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_requested_ = true;
}

absl::Status SalesopsServer::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](SalesopsServer* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
        return s->shutdown_requested_ || !s->fatal_.ok() || s->shut_down_;
      },
      this));
  return fatal_;
}

void SalesopsServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shutdown_started_) {
      mu_.Await(absl::Condition(&shut_down_));
      return;
    }
    shutdown_started_ = true;
  }
  // The drain. New calls are answered UNAVAILABLE from here on (a client
  // retries elsewhere, with the same request_id) and health says
  // NOT_SERVING, while gRPC still takes calls: one it turned away itself
  // would end CANCELLED.
  if (auth_ != nullptr) auth_->StopAdmitting();
  if (cluster_thread_.joinable()) cluster_thread_.join();  // ends once shutdown_started_ is set
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();  // likewise
  if (server_ != nullptr) server_->GetHealthCheckService()->SetServingStatus(false);
  // Subscriptions never end by themselves: end them (UNAVAILABLE) so that
  // the drain does not wait for them.
  if (subscriptions_ != nullptr) subscriptions_->Shutdown();
  // Calls parked for a min_position end now with UNAVAILABLE (a retry goes
  // to the next server) rather than holding the drain.
  if (waiters_ != nullptr) waiters_->Stop();
  // In-flight commands are completed by the still-running sequencer, long
  // reads by the pool: wait for both, up to the drain timeout, and at least
  // the grace, so that clients calling meanwhile hear UNAVAILABLE.
  const absl::Time drained_by = absl::Now() + drain_timeout_;
  absl::SleepFor(std::min(drain_grace_, drain_timeout_));
  if (sequencer_ != nullptr && !sequencer_->AwaitIdle(drained_by)) {
    LogWarning("drain: commands still in flight after %s; they end CANCELLED",
               absl::FormatDuration(drain_timeout_));
  }
  if (pool_ != nullptr && !pool_->AwaitIdle(drained_by)) {
    LogWarning("drain: long reads still running after %s; they end CANCELLED", absl::FormatDuration(drain_timeout_));
  }
  if (forwarder_ != nullptr) {
    if (!forwarder_->AwaitIdle(drained_by)) {
      LogWarning("drain: commands forwarded to the leader still unanswered after %s; they end UNAVAILABLE",
                 absl::FormatDuration(drain_timeout_));
    }
    // Cancels what is left and waits for the last callbacks (they lock
    // mu_ and complete calls): nothing of the forwarder runs after this.
    forwarder_->StopAndWait();
  }
  // The dashboard's requests are calls into the server: with the drain
  // over, they are done; stop it before the server it calls.
  dashboard_.reset();
  if (server_ != nullptr) {
    // Nothing of ours is in flight now. gRPC's own shutdown would wait up
    // to its deadline for idle client connections to go (seconds, with a
    // client that keeps its channel open): a short deadline closes them.
    server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(kCloseConnections));
  }
  if (pool_ != nullptr) pool_->Stop();  // after the drain: what it still holds ends
  if (hub_ != nullptr) hub_->Stop();
  if (sequencer_ != nullptr) sequencer_->Stop();
  if (snapshot_cancel_ >= 0) {
    const uint64_t one = 1;
    if (write(snapshot_cancel_, &one, sizeof(one)) < 0) LogWarning("snapshot: cannot signal the encoding to stop");
  }
  if (snapshotter_.joinable()) snapshotter_.join();  // ends once shutdown_started_ is set
  if (snapshot_cancel_ >= 0) close(snapshot_cancel_);
  snapshot_cancel_ = -1;
  if (health_.joinable()) health_.join();            // likewise
  if (scrubber_ != nullptr) scrubber_->Stop();
  // A clean stop leaves a snapshot of everything applied (unless a write
  // failed: then the next start replays from the log).
  if (sequencer_ != nullptr && store_ != nullptr && !store_->failed()) WriteSnapshot(/*while_serving=*/false);
  store_.reset();  // closes RocksDB
  if (server_ != nullptr) LogInfo("shut down cleanly");
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
}

}  // namespace salesops::service
