// salesops-bench's command line: what to run, how hard, for how long, and
// against which server. Parsed by ParseBenchArgs alone so that tests can
// check it without starting anything; main.cc only hands it argv.
//
// Flags take the form --name=value (hyphens and underscores are the same);
// --quick, --json, --keep-data and --help take no value. --quick first sets
// the small sizes, then any other flag overrides them, in any order.
#ifndef SALESOPS_CLIENT_BENCH_BENCH_OPTIONS_H_
#define SALESOPS_CLIENT_BENCH_BENCH_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "client/tls/channel.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace salesops::bench {

// Every scenario (the order of this list is not the order they run in;
// `restart` stays last: the default leaves it out).
inline constexpr absl::string_view kScenarioNames[] = {"append",  "retry",     "lifecycle", "contended", "query",
                                                       "rebuild", "subscribe", "restart"};

struct BenchOptions {
  bool help = false;
  bool quick = false;
  bool json = false;  // print the report as JSON instead of tables

  // Every scenario but `restart` (about 9 minutes at its default 10 M
  // events: named when wanted); --quick runs every one.
  std::vector<std::string> scenarios{std::begin(kScenarioNames), std::end(kScenarioNames) - 1};
  // In-flight calls; every gRPC scenario and the Admin.Ping ceiling run at each.
  std::vector<int> concurrency = {1, 16, 64, 256};
  absl::Duration warmup = absl::Seconds(2);     // per run, not measured
  absl::Duration duration = absl::Seconds(10);  // per run, measured
  // The query scenario runs once the log holds each of these many events
  // (IdentifyLead preloads fill it up), so its flatness can be read off.
  std::vector<uint64_t> query_log_events = {100'000, 1'000'000};
  // The query scenario's in-flight calls: the views cost O(leads) per call,
  // so deep queues of them only pile up work past the calls' deadlines.
  std::vector<int> query_concurrency = {1, 64};
  int hot_leads = 8;  // leads the contended scenario fights over
  // The write scenarios and their ceiling, alternated this many times at each
  // concurrency (ping, append, lifecycle, contended, ping, append, ...); the
  // targets use the median ratio, and the report its spread.
  int repeat = 1;
  // The subscribe scenario: its catch-up reads a log of at least this many
  // events from position 1 (the preload tops the log up to it) ...
  uint64_t subscribe_log_events = 1'000'000;
  // ... and this many subscribers follow the log live while append runs
  // at 64 in flight.
  int subscribers = 50;
  // The restart scenario grows the log to this many events with the log
  // generator (log_generator.h) and restarts the server on it.
  uint64_t restart_log_events = 10'000'000;
  int fdatasync_samples = 200;
  int channels = 1;  // gRPC channels (TCP connections) the load is spread over

  // The bench's own server (the default).
  std::string salesopsd;  // empty: next to salesops-bench, else the build tree's
  std::string work_dir;   // parent of the temporary directory; empty: $TMPDIR or /tmp
  bool keep_data = false; // keep the temporary directory (logs, data) after the run

  // An existing server instead (--server): the ADMIN token for Admin.Ping and
  // team setup, and a file of "TOKEN MEMBER_ID" lines holding the server's
  // tokens of the bench's members (team_plan.h).
  std::string server;
  std::string token;
  std::string tokens_file;
  client::ChannelSecurity security;  // --tls, --tls-ca, --tls-cert, --tls-key, --tls-server-name

  // --soak=DURATION runs a soak instead of the scenarios (soak.h): first the
  // maximum append rate (append at 64 in flight, one warm-up + duration
  // run, with request ids), then an open loop at soak_fraction of it for
  // `soak`, sampled every soak_sample, with at most soak_in_flight calls
  // in flight (arrivals that find none free are counted late, not sent).
  absl::Duration soak = absl::ZeroDuration();  // zero: no soak
  double soak_fraction = 0.8;
  absl::Duration soak_sample = absl::Seconds(10);
  int soak_in_flight = 256;
  // What the soak's load does (docs/PERFORMANCE.md, "Soak"). kGrowth: the
  // mix above, which creates leads all along (the server's kept state
  // grows with it). kSteady: first soak_leads leads, then only calls that
  // add no state (steady_plan.h): idempotent retries, refusals and reads;
  // the maximum is then that mix's, closed loop at 64 in flight.
  enum class SoakMix { kGrowth, kSteady };
  SoakMix soak_mix = SoakMix::kGrowth;
  int soak_leads = 20'000;  // kSteady only

  // --cluster-postgres=CONNINFO (keyword/value form): after the embedded
  // scenarios, the cluster scenario (docs/PERFORMANCE.md, "Cluster") on a
  // database the bench creates on that server and drops after: the
  // PostgreSQL single-row INSERT ceiling, three salesopsd nodes, append to
  // the leader (with the followers' lag) and to a follower, query on a
  // follower, and a leader kill. Own server only.
  std::string cluster_postgres;

  bool own_server() const { return server.empty(); }
  bool soaking() const { return soak > absl::ZeroDuration(); }
  bool Wants(absl::string_view scenario) const;
};

// "growth" or "steady".
absl::string_view SoakMixName(BenchOptions::SoakMix mix);

// The small sizes of --quick: every scenario in seconds (the CI smoke run).
void ApplyQuickDefaults(BenchOptions& options);

// Parses argv without the program name. INVALID_ARGUMENT naming the flag for
// an unknown flag, a malformed value, an unknown scenario, a concurrency
// outside 1..4096, a non-positive duration, --server without --token and
// --tokens-file, a --tls flag without --server, query sizes that are not increasing, a --soak-fraction
// outside (0, 2], a --soak-sample longer than --soak, a --soak-mix other
// than growth or steady, --soak-leads outside 1..10,000,000 or without
// --soak-mix=steady, or a --soak-* flag without --soak.
absl::StatusOr<BenchOptions> ParseBenchArgs(const std::vector<std::string>& args);

// "10" (seconds), "2.5", "500ms", "1m": the forms --duration accepts.
absl::StatusOr<absl::Duration> ParseSeconds(absl::string_view text);

// The --help text.
std::string BenchUsage();

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_BENCH_OPTIONS_H_
