// salesopsd: the salesops server. Flags are parsed here and nowhere else.
#include <csignal>
#include <fstream>
#include <optional>
#include <sstream>
#include <cstdlib>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/common/build_info.h"
#include "server/common/config_args.h"
#include "server/common/log.h"
#include "server/common/memory_release.h"
#include "server/common/systemd_notify.h"
#include "server/service/protobuf_log.h"
#include "server/service/server.h"
#include "server/store/postgres/cluster_log.h"
#include "server/common/openssl_exit.h"

ABSL_FLAG(std::string, config, "",
          "a file of settings, 'name = value' per line with the flags' names ('#' comments); the command line "
          "and SALESOPS_* environment variables (SALESOPS_DATA_DIR for --data-dir) take precedence over it");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "HOST:PORT to serve gRPC on (port 0: any free port)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve TLS only (with --tls-key); docs/SECURITY.md");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA certificate(s): ask clients for a certificate and verify it against them (mutual TLS); a "
          "verified certificate may stand for a member ('x509:NAME MEMBER_ID' lines of the tokens file)");
ABSL_FLAG(std::string, tls_client_certificates, "optional",
          "with --tls-client-ca: optional (a client may use a bearer token instead) or required (every "
          "connection must present a certificate)");
ABSL_FLAG(absl::Duration, tls_refresh_interval, absl::Minutes(1),
          "how often the TLS files are re-read: replacing them rotates certificate, key or CA without a restart");
ABSL_FLAG(bool, allow_insecure, false,
          "allow plaintext on a non-loopback --listen address (tokens cross the network in the clear)");
ABSL_FLAG(std::string, data_dir, "./data", "directory of the embedded RocksDB event log");
ABSL_FLAG(std::string, log, "",
          "cluster mode: a libpq connection string or URI (postgresql://USER@HOST:5432/DB) of the PostgreSQL that "
          "holds the log of record; this node takes the leader's lease and keeps --data-dir as its local copy "
          "(docs/CLUSTER.md). Empty: the embedded RocksDB log in --data-dir");
ABSL_FLAG(absl::Duration, lease_duration, absl::Seconds(5),
          "cluster mode: how long the leader's lease lasts unless renewed (another node may take it once it "
          "expired)");
ABSL_FLAG(absl::Duration, lease_renewal, absl::Seconds(1),
          "cluster mode: how often the leader renews its lease; shorter than --lease-duration");
ABSL_FLAG(std::string, node_id, "",
          "cluster mode: this node's name in the lease and Admin.GetClusterStatus (default HOSTNAME/LISTEN, "
          "or HOSTNAME/pid-PID with port 0); keep it across restarts");
ABSL_FLAG(uint64_t, max_follower_lag, 10'000,
          "cluster mode: a follower's read services report NOT_SERVING while it is more than this many "
          "events behind the log of record");
ABSL_FLAG(std::string, advertise_address, "",
          "cluster mode: the HOST:PORT other nodes reach this one at (followers forward writes to the leader's); "
          "default: --listen's host (this machine's host name for 0.0.0.0 or [::]) and the bound port");
ABSL_FLAG(bool, forward_writes, true,
          "cluster mode: a follower forwards the commands it is sent to the leader; false: it refuses them "
          "UNAVAILABLE naming the leader");
ABSL_FLAG(absl::Duration, follower_poll, absl::Milliseconds(20),
          "cluster mode: how often a follower reads the log of record's head when the leader's wake-up did not "
          "come first");
ABSL_FLAG(std::string, tls_peer_ca, "",
          "cluster mode with TLS: PEM CA certificate(s) that signed the other nodes' certificates, to verify the "
          "leader when forwarding writes (default: the system's roots)");
ABSL_FLAG(std::string, tokens_file, "",
          "file of 'TOKEN MEMBER_ID' lines ('#' comments); default DATA_DIR/tokens");
ABSL_FLAG(std::string, bootstrap_admin, "",
          "MEMBER_ID to add as the first ADMIN when the team is empty (nothing otherwise)");
ABSL_FLAG(std::string, import_admin, "",
          "MEMBER_ID whose token may import (Admin.ImportEvents, salesctl import) while the log is empty; without "
          "it an empty log takes no import. Not with --bootstrap-admin on an empty log");
ABSL_FLAG(uint32_t, log_refusals_per_second, 10,
          "refused calls (UNAUTHENTICATED, PERMISSION_DENIED) logged per second at most; the next line says how "
          "many were dropped");
ABSL_FLAG(uint32_t, request_log_per_second, 0,
          "write one request-log line per RPC (method, member, peer, code, latency, request_id, position), at "
          "most this many per second (the rest counted in salesops_request_log_dropped_total); 0: no request log");
ABSL_FLAG(std::string, log_format, "text", "text or json: the format of every log line on stderr");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT of an HTTP listener serving /metrics (Prometheus text format) and /healthz; empty: none");
ABSL_FLAG(std::string, http_listen, "",
          "HOST:PORT to serve the managers' dashboard and its JSON API on (HTTPS with --tls-cert; docs/DASHBOARD.md); "
          "empty: none");
ABSL_FLAG(uint32_t, http_threads, 8, "threads serving the dashboard's files and JSON API calls (docs/DASHBOARD.md)");
ABSL_FLAG(uint32_t, http_max_event_streams, 8,
          "the dashboard's live update streams (Server-Sent Events) open at once, each on a thread of its own besides "
          "--http-threads; more are refused with 429");
ABSL_FLAG(std::string, durability, "sync",
          "sync: fsync before every reply (default); async: faster, a power loss may lose the "
          "last moments of acknowledged writes");
ABSL_FLAG(uint64_t, min_free_bytes, 256ull << 20,
          "free bytes kept on the data directory's file system: below it writes are refused with "
          "RESOURCE_EXHAUSTED (reads go on) and resume when space returns; 0: no reserve");
ABSL_FLAG(bool, rebuild_stream_index, false,
          "rebuild the stream index from the events at start (the recovery path for a damaged index)");
ABSL_FLAG(absl::Duration, scrub_interval, absl::Hours(6),
          "pause between rounds of the background scrub that verifies the whole hash chain and the stream "
          "index (reported through health 'salesops.integrity' and the log); 0: no scrub");
ABSL_FLAG(uint64_t, scrub_items_per_second, 20'000, "the scrub's pace: positions and index entries checked per second");
ABSL_FLAG(absl::Duration, release_memory_every, absl::Seconds(5),
          "return the allocator's free memory to the operating system this often (after a burst of large "
          "requests the process shrinks again); 0: never");
ABSL_FLAG(bool, rebuild_projections, false,
          "ignore (and drop) the stored views snapshot and replay the whole log at start");
ABSL_FLAG(uint64_t, subscribe_buffer_events, 16384,
          "recent events kept in memory for live subscriptions (Audit.Subscribe); a subscriber "
          "further behind reads the log instead");
ABSL_FLAG(uint64_t, max_subscriptions, 4096, "Audit.Subscribe streams served at once (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(uint64_t, max_subscriptions_per_member, 256,
          "Audit.Subscribe streams one member may hold open at once (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(uint64_t, long_read_threads, 2,
          "threads of the pool that runs long reads (as_of replays, rebuilds, backups, filtered log reads, "
          "verification, subscription catch-up), never on a gRPC thread");
ABSL_FLAG(uint64_t, max_long_reads_per_member, 4,
          "long reads one member may have queued or running at once (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(uint64_t, max_queued_long_reads, 256, "long reads waiting for the pool, in all (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(uint64_t, snapshot_every_events, 1'000'000,
          "write a views snapshot whenever this many events were applied since the last one, encoded by a "
          "forked child so that writes go on (0: only at clean shutdown)");

// The flags of this file, in the parser's spelling: what a config file and
// SALESOPS_* variables may set.
absl::flat_hash_set<std::string> OurFlags() {
  absl::flat_hash_set<std::string> names;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::EndsWith(flag->Filename(), "server/main.cc")) names.emplace(name);
  }
  return names;
}

int main(int argc, char** argv) {
  salesops::KeepOpenSslUntilExit();  // first: before gRPC's TLS (openssl_exit.h)
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex (gRPC's
  // included) runs deadlock detection: about a tenth of the server's CPU
  // under load (docs/PERFORMANCE.md). Tests keep it; the binaries do not.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  salesops::service::RouteProtobufLogs();
  // --help lists this file's flags (Abseil's default matches files named
  // like the program, and salesopsd's are in main.cc); --version says what
  // was built.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) { return absl::EndsWith(file, "server/main.cc"); };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.normalize_filename = [](absl::string_view file) {
    const size_t at = file.rfind("server/");
    return std::string(at == absl::string_view::npos ? file : file.substr(at));
  };
  usage.version_string = [] {
    const salesops::BuildInfo& build = salesops::Build();
    return absl::StrCat("salesopsd ", build.version, " (commit ", build.commit, ", ", build.build_type, " build)\n");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "salesops server. Example: salesopsd --listen=127.0.0.1:50051 --data-dir=./data "
      "--tokens-file=./data/tokens --durability=sync\n"
      "Flag names may be written with '-' or '_' (--data-dir, --data_dir). README.md and docs/ say more.");
  // The command line over SALESOPS_* variables over --config files
  // (config_args.h); names with '-' or '_' everywhere. A copy: the
  // process's own argv, as ps shows it, stays as typed.
  const absl::StatusOr<std::vector<std::string>> expanded = salesops::ExpandConfig(
      std::vector<std::string>(argv, argv + argc),
      salesops::ConfigSources{
          .env = [](const std::string& name) -> std::optional<std::string> {
            const char* value = std::getenv(name.c_str());
            return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
          },
          .read_file = [](const std::string& path) -> absl::StatusOr<std::string> {
            std::ifstream in(path);
            if (!in) return absl::NotFoundError(absl::StrCat("--config: cannot read ", path));
            std::stringstream text;
            text << in.rdbuf();
            return text.str();
          },
          .flags = OurFlags()});
  if (!expanded.ok()) {
    salesops::LogError("%s", expanded.status().message());
    return 2;
  }
  std::vector<std::string> args = *expanded;
  std::vector<char*> arg_pointers;
  for (std::string& arg : args) arg_pointers.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(arg_pointers.size()), arg_pointers.data());

  salesops::service::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.tokens_file = absl::GetFlag(FLAGS_tokens_file);
  if (options.tokens_file.empty()) options.tokens_file = absl::StrCat(options.data_dir, "/tokens");
  options.log = absl::GetFlag(FLAGS_log);
  options.lease_duration = absl::GetFlag(FLAGS_lease_duration);
  options.lease_renewal = absl::GetFlag(FLAGS_lease_renewal);
  options.node_id = absl::GetFlag(FLAGS_node_id);
  options.max_follower_lag = absl::GetFlag(FLAGS_max_follower_lag);
  options.advertise_address = absl::GetFlag(FLAGS_advertise_address);
  options.forward_writes = absl::GetFlag(FLAGS_forward_writes);
  options.follower_poll = absl::GetFlag(FLAGS_follower_poll);
  options.tls.peer_ca_file = absl::GetFlag(FLAGS_tls_peer_ca);
  if (!options.log.empty()) {
    if (const absl::Status cluster = salesops::store::postgres::ValidateClusterFlags(
            options.log, options.lease_duration, options.lease_renewal);
        !cluster.ok()) {
      salesops::LogError("%s", cluster.message());
      return 2;
    }
  }
  options.bootstrap_admin = absl::GetFlag(FLAGS_bootstrap_admin);
  options.import_admin = absl::GetFlag(FLAGS_import_admin);
  options.refusal_log_lines_per_second = absl::GetFlag(FLAGS_log_refusals_per_second);
  options.request_log_lines_per_second = absl::GetFlag(FLAGS_request_log_per_second);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.dashboard.listen = absl::GetFlag(FLAGS_http_listen);
  options.dashboard.api_threads = absl::GetFlag(FLAGS_http_threads);
  options.dashboard.max_event_streams = absl::GetFlag(FLAGS_http_max_event_streams);
  if (const std::string format = absl::GetFlag(FLAGS_log_format); format == "json") {
    salesops::SetLogFormat(salesops::LogFormat::kJson);
  } else if (format != "text") {
    salesops::LogError("--log-format must be text or json (got '%s')", format);
    return 2;
  }
  options.rebuild_projections = absl::GetFlag(FLAGS_rebuild_projections);
  options.min_free_bytes = absl::GetFlag(FLAGS_min_free_bytes);
  options.rebuild_stream_index = absl::GetFlag(FLAGS_rebuild_stream_index);
  options.scrub_interval = absl::GetFlag(FLAGS_scrub_interval);
  options.scrub_items_per_second = absl::GetFlag(FLAGS_scrub_items_per_second);
  options.snapshot_every_events = absl::GetFlag(FLAGS_snapshot_every_events);
  options.event_hub.max_events = absl::GetFlag(FLAGS_subscribe_buffer_events);
  options.subscribe.max_subscriptions = absl::GetFlag(FLAGS_max_subscriptions);
  options.subscribe.max_subscriptions_per_member = absl::GetFlag(FLAGS_max_subscriptions_per_member);
  options.work_pool.threads = absl::GetFlag(FLAGS_long_read_threads);
  options.work_pool.max_per_key = absl::GetFlag(FLAGS_max_long_reads_per_member);
  options.work_pool.max_queued = absl::GetFlag(FLAGS_max_queued_long_reads);
  options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls.key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.tls.refresh_interval = absl::GetFlag(FLAGS_tls_refresh_interval);
  options.tls.allow_insecure = absl::GetFlag(FLAGS_allow_insecure);
  if (const std::string client = absl::GetFlag(FLAGS_tls_client_certificates); client == "required") {
    options.tls.client_certificates = salesops::service::ClientCertificates::kRequired;
  } else if (client != "optional") {
    salesops::LogError("--tls-client-certificates must be optional or required (got '%s')", client);
    return 2;
  }
  const std::string durability = absl::GetFlag(FLAGS_durability);
  if (durability == "sync") {
    options.durability = salesops::service::Durability::kSync;
  } else if (durability == "async") {
    options.durability = salesops::service::Durability::kAsync;
  } else {
    salesops::LogError("--durability must be sync or async (got '%s')", durability);
    return 2;
  }

  // SIGINT/SIGTERM (drain and stop) and SIGHUP (reload the tokens file) are
  // taken by one thread with sigwait; block them in every thread before any
  // is started, so that none of them kills the process.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // systemd (Type=notify): STATUS= lines, READY=1 once listening, STOPPING=1
  // when the drain begins; nothing without $NOTIFY_SOCKET (systemd_notify.h).
  salesops::NotifyStatus("starting: opening the event log and replaying it");
  absl::StatusOr<std::unique_ptr<salesops::service::SalesopsServer>> server =
      salesops::service::SalesopsServer::Start(options);
  if (!server.ok()) {
    salesops::LogError("cannot start: %s", server.status().ToString());
    salesops::NotifyStatus(absl::StrCat("cannot start: ", server.status().ToString()));
    return 1;
  }
  std::unique_ptr<salesops::MemoryReleaser> releaser;
  if (const absl::Duration every = absl::GetFlag(FLAGS_release_memory_every); every > absl::ZeroDuration()) {
    releaser = std::make_unique<salesops::MemoryReleaser>(every);
  }
  if ((*server)->metrics_port() != 0) {
    salesops::LogInfo("metrics on http://%s/metrics, bound port %d", options.metrics_listen, (*server)->metrics_port());
  }
  if ((*server)->dashboard_port() != 0) {
    salesops::LogInfo("dashboard on %s://%s/ (dashboard port %d)", (*server)->dashboard_tls() ? "https" : "http",
                      options.dashboard.listen, (*server)->dashboard_port());
  }
  salesops::LogInfo("salesopsd listening on %s (port %d) over %s, data dir %s, durability %s", options.listen,
                    (*server)->port(),
                    !options.tls.enabled()               ? "plaintext"
                    : options.tls.client_ca_file.empty() ? "TLS"
                                                         : "TLS with client certificates",
                    options.data_dir, durability);
  salesops::NotifyReady(absl::StrCat("serving on ", options.listen, " (port ", (*server)->port(), ")"));

  std::thread signal_thread([&signals, &options, s = server->get()] {
    for (;;) {
      int signal = 0;
      sigwait(&signals, &signal);
      if (signal == SIGHUP) {
        const absl::StatusOr<size_t> tokens = s->ReloadTokens();
        if (tokens.ok()) {
          salesops::LogInfo("SIGHUP: tokens file %s reloaded (%d credentials)", options.tokens_file, *tokens);
        } else {
          salesops::LogError("SIGHUP: tokens file %s not reloaded, the previous tokens stay in force: %s",
                             options.tokens_file, tokens.status().ToString());
        }
        continue;
      }
      salesops::LogInfo("signal %d: draining in-flight calls and shutting down", signal);
      salesops::NotifyStopping("draining in-flight calls and shutting down");
      s->RequestShutdown();
      return;
    }
  });
  const absl::Status fatal = (*server)->Wait();
  if (!fatal.ok()) {
    salesops::LogError("stopping after a failed write to the event log or a lost lease (%s); restart to recover",
                       fatal.ToString());
    salesops::NotifyStopping(
        absl::StrCat("stopping after a failed write to the event log or a lost lease: ", fatal.ToString()));
    pthread_kill(signal_thread.native_handle(), SIGTERM);  // ends its sigwait
  }
  (*server)->Shutdown();
  signal_thread.join();
  return fatal.ok() ? 0 : 3;
}
