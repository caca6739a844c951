// The bench's results, their ratios to the ceilings, the issue-#6 targets
// they meet or miss, and the two renderings (a table for people, JSON for
// tools). Everything here is computed from a filled-in Report, so it is
// tested on hand-made reports.
#ifndef SALESOPS_CLIENT_BENCH_REPORT_H_
#define SALESOPS_CLIENT_BENCH_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench_options.h"
#include "ceilings.h"
#include "latency_stats.h"
#include "postgres_ceiling.h"
#include "soak.h"
#include "subscribers.h"

namespace salesops::bench {

struct MachineInfo {
  int cores = 0;
  std::string cpu_model;
  std::string kernel;
  std::string work_dir;     // where the data directories were
  std::string filesystem;   // its file system type and device, e.g. "ext4 /dev/vda1"
  double load_before[3] = {0, 0, 0};  // load averages when the run started
  double load_after[3] = {0, 0, 0};   // and when it ended
  std::string started_at;   // UTC, RFC 3339
};

// One measured closed-loop run.
struct Run {
  std::string scenario;  // "ping" (the ceiling), "append", "lifecycle", "contended", "query"
  int concurrency = 0;
  uint64_t log_events = 0;  // events in the log when the run started
  double seconds = 0;
  uint64_t ops = 0;
  LatencySummary latency;
  std::map<std::string, uint64_t> errors;             // unexpected outcomes by code
  std::map<std::string, uint64_t> expected_refusals;  // deliberate refusals by code
  uint64_t retries = 0;
  // CPU is sampled before the run and after its last call completed, so it
  // covers `wall_seconds` (the window plus the drain of calls in flight).
  double wall_seconds = 0;
  // The server's CPU over the run and its RSS at the end (own server only).
  bool server_measured = false;
  double server_cpu_seconds = 0;
  uint64_t server_rss_bytes = 0;
  double client_cpu_seconds = 0;  // the bench process over the run
  std::string note;               // e.g. the query mix
  int round = 0;                  // which of --repeat's rounds (0-based)

  double ops_per_second() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  uint64_t error_count() const;
};

// One restart of the server on the bench's log.
struct Restart {
  uint64_t events = 0;           // replayed at start (the server's recovery line)
  uint64_t leads = 0;
  double listening_seconds = 0;  // spawn to "listening" in the log
  double first_rpc_seconds = 0;  // spawn to the first successful Admin.Ping
  double serving_seconds = 0;    // spawn to grpc.health.v1.Health/Check answering SERVING
  double first_view_seconds = 0;  // spawn to the first Views.GetPipeline answered
  double recovery_seconds = 0;   // the server's own replay time (its log)
  uint64_t rss_bytes = 0;        // right after the restart

  double events_per_second() const { return first_rpc_seconds > 0 ? events / first_rpc_seconds : 0; }
};

struct RebuildRun {
  uint64_t log_events = 0;  // the log's size
  Restart full;             // --rebuild-projections: every view and decider state from the whole log
  Restart snapshot;         // a plain restart: from the views snapshot written at the clean stop
};

// The restart scenario (issue #18, target 2): a log grown to
// --restart-log-events by the log generator (log_generator.h), restarted
// after a kill -9 and after a clean stop.
// The log size issue #18's restart target is set at.
inline constexpr uint64_t kRestartTargetEvents = 10'000'000;

struct RestartRun {
  uint64_t log_events = 0;          // the log's head at the end
  uint64_t generated_events = 0;    // written by the generator (both parts)
  uint64_t generated_commands = 0;
  double generate_seconds = 0;      // both parts, the generator's replay of the log included
  // The first start on the generated log: the previous snapshot plus every
  // generated event; then its periodic snapshot (--snapshot-every-events,
  // a tenth of the log) is awaited and the server killed with SIGKILL.
  bench::Restart first;
  // From the first start's first view to its periodic snapshot written
  // (the server checks whether one is due every 10 s).
  double snapshot_seconds = 0;
  uint64_t snapshot_position = 0;
  uint64_t tail_events = 0;     // generated after that snapshot, while the server was down
  bench::Restart after_kill;    // that snapshot plus the tail
  double clean_stop_seconds = 0;  // SIGTERM to exit (the snapshot at shutdown)
  bench::Restart after_clean_stop;  // that snapshot alone
  bench::Restart full_replay;       // --rebuild-projections: the reference
  // Both restarts served the full replay's pipeline (counts and values;
  // ages aside) at the log's head.
  bool views_equal = false;
  std::string check;  // what the comparison found
};

// The subscribe scenario: the catch-up read of the log, and the append
// rate with and without live subscribers, measured back to back.
struct SubscribeRun {
  std::optional<CatchUpResult> catch_up;
  struct FanOutRun {
    Run without_subscribers;  // append at `concurrency`, nobody subscribed
    Run with_subscribers;     // the same, while `result.subscribers` follow the log
    FanOutResult result;
  };
  std::optional<FanOutRun> fan_out;
};

// The cluster scenario (--cluster-postgres; docs/PERFORMANCE.md,
// "Cluster"): three salesopsd nodes on one PostgreSQL database of the
// run's own. Its runs are in Report::runs as cluster-ping (Admin.Ping on
// the leader, the cluster's RPC ceiling), cluster-append (to the leader,
// then to a follower that forwards) and cluster-query (on a follower).
struct ClusterRun {
  std::string postgres;  // the server, as libpq describes it (no password)
  int nodes = 0;
  std::optional<PostgresInsertResult> inserts;  // the peer's ceiling
  // The followers' lag while append runs to the leader: from the moment
  // the bench saw a position acknowledged to the reply of a read on a
  // follower that waited for it (Views.GetPipeline with min_position).
  LatencySummary lag;
  uint64_t lag_failures = 0;
  double lease_seconds = 0;
  // kill -9 of the leader to the first write acknowledged after it (sent
  // to the other nodes in turn, with a request_id); 0 when not measured.
  double failover_seconds = 0;
  std::string failover_error;
};

struct Unavailable {
  std::string scenario;
  std::string reason;
};

struct Report {
  MachineInfo machine;
  BenchOptions options;
  std::string server;  // what was measured: "own salesopsd PATH" or the --server address
  std::optional<LatencySummary> fdatasync;
  std::vector<Run> runs;  // ping runs are the RPC ceilings
  std::vector<RawAppendResult> raw_appends;
  std::optional<ScanResult> scan;  // template_events left empty
  std::optional<RebuildRun> rebuild;
  std::optional<RestartRun> restart;
  std::optional<SubscribeRun> subscribe;
  uint64_t empty_server_rss_bytes = 0;  // right after the first start, before any load
  std::vector<Unavailable> unavailable;
  // Times the bench waited for its server to go idle after a run (e.g. it
  // kept computing calls the bench had given up on, or wrote a snapshot).
  struct IdleWait {
    std::string after;
    double seconds = 0;
  };
  std::vector<IdleWait> idle_waits;
  // --soak: then nothing else ran but the fdatasync probe.
  std::optional<SoakRun> soak;
  std::optional<ClusterRun> cluster;
};

// The run of `scenario` at `concurrency`; with several (query at several log
// sizes) the one on the largest log, or the one on `log_events` when given.
const Run* FindRun(const Report& report, const std::string& scenario, int concurrency,
                   std::optional<uint64_t> log_events = std::nullopt);

// The concurrency the "at 64 in flight" targets use: 64 when it was run,
// else the largest level run.
int TargetConcurrency(const BenchOptions& options);

// A run's ratio to its ceiling (Admin.Ping at the same concurrency);
// nullopt for ping runs or without a ceiling.
std::optional<double> RatioToPing(const Report& report, const Run& run);

// The ratios to Admin.Ping of every round of `scenario` at `concurrency`
// (--repeat), each against the ceiling of its own round.
struct RatioSpread {
  int rounds = 0;
  double median = 0;
  double min = 0;
  double max = 0;
  double median_ops_per_second = 0;  // of the scenario's runs
  double median_ping_per_second = 0;
};
std::optional<RatioSpread> RepeatedRatio(const Report& report, const std::string& scenario, int concurrency);
// The (scenario, concurrency) pairs of the closed-loop runs, first-run
// order, without the ceiling and the query runs.
std::vector<std::pair<std::string, int>> RepeatedScenarios(const Report& report);

// Append ops/s with the live subscribers over ops/s without them.
std::optional<double> FanOutRatio(const SubscribeRun::FanOutRun& fan_out);

// The subscribe checks that failed (a stream error, a gap, a duplicate, a
// subscriber that missed events): each makes the run fail like an
// unexpected error.
std::vector<std::string> SubscribeErrors(const Report& report);

// Bytes of server RSS per lead after the rebuild, above the empty server's.
std::optional<double> BytesPerLead(const Report& report);

struct TargetCheck {
  std::string target;    // e.g. "append at 64 in flight >= 0.7 x Admin.Ping"
  bool measured = false;
  bool met = false;
  bool reference = false;  // an outside reference figure, not an issue-#6 target
  double value = 0;        // the measured ratio (or figure)
  double threshold = 0;
  std::string detail;      // the figures it comes from, or why it was not measured
};

// The issue-#6 targets, in the order.
std::vector<TargetCheck> EvaluateTargets(const Report& report);

// With a soak, both print the soak (its series and verdict) instead of the
// scenarios and the issue-#6 targets.
std::string RenderText(const Report& report);
std::string RenderJson(const Report& report);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_REPORT_H_
