#include "bench_options.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace salesops::bench {
namespace {

absl::Status Bad(absl::string_view flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", what));
}

template <typename T>
absl::StatusOr<std::vector<T>> ParseList(absl::string_view flag, absl::string_view text) {
  std::vector<T> values;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    T value{};
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(item), &value)) {
      return Bad(flag, absl::StrCat("'", item, "' is not a whole number"));
    }
    values.push_back(value);
  }
  if (values.empty()) return Bad(flag, "needs at least one value");
  return values;
}

absl::StatusOr<int> ParseInt(absl::string_view flag, absl::string_view text, int min, int max) {
  int value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return Bad(flag, absl::StrCat("must be a whole number from ", min, " to ", max, " (got '", text, "')"));
  }
  return value;
}

// Applies one "--name=value" (value nullopt for a bare flag).
absl::Status ApplyFlag(const std::string& name, const std::optional<std::string>& value,
                       BenchOptions& options) {
  const auto need_value = [&]() -> absl::Status {
    if (!value.has_value() || value->empty()) return Bad(name, "needs a value (--" + name + "=...)");
    return absl::OkStatus();
  };
  if (name == "quick" || name == "json" || name == "keep-data" || name == "help" || name == "tls") {
    if (value.has_value()) return Bad(name, "takes no value");
    if (name == "json") options.json = true;
    if (name == "keep-data") options.keep_data = true;
    if (name == "tls") options.security.tls = true;
    return absl::OkStatus();  // quick and help were handled first
  }
  if (absl::Status s = need_value(); !s.ok()) return s;
  const std::string& v = *value;
  if (name == "scenarios") {
    options.scenarios.clear();
    for (absl::string_view s : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      s = absl::StripAsciiWhitespace(s);
      if (std::find(std::begin(kScenarioNames), std::end(kScenarioNames), s) == std::end(kScenarioNames)) {
        return Bad(name, absl::StrCat("unknown scenario '", s, "' (known: ",
                                      absl::StrJoin(kScenarioNames, ", "), ")"));
      }
      options.scenarios.emplace_back(s);
    }
    if (options.scenarios.empty()) return Bad(name, "needs at least one scenario");
  } else if (name == "concurrency" || name == "query-concurrency") {
    absl::StatusOr<std::vector<int>> levels = ParseList<int>(name, v);
    if (!levels.ok()) return levels.status();
    for (int c : *levels) {
      if (c < 1 || c > 4096) return Bad(name, absl::StrCat("each level must be 1..4096 (got ", c, ")"));
    }
    (name == "concurrency" ? options.concurrency : options.query_concurrency) = *levels;
  } else if (name == "duration" || name == "warmup") {
    absl::StatusOr<absl::Duration> d = ParseSeconds(v);
    if (!d.ok()) return Bad(name, d.status().message());
    if (name == "duration" && *d <= absl::ZeroDuration()) return Bad(name, "must be positive");
    (name == "duration" ? options.duration : options.warmup) = *d;
  } else if (name == "soak" || name == "soak-sample") {
    absl::StatusOr<absl::Duration> d = ParseSeconds(v);
    if (!d.ok()) return Bad(name, d.status().message());
    if (*d <= absl::ZeroDuration()) return Bad(name, "must be positive");
    (name == "soak" ? options.soak : options.soak_sample) = *d;
  } else if (name == "soak-fraction") {
    double f = 0;
    if (!absl::SimpleAtod(v, &f) || !(f > 0 && f <= 2)) {
      return Bad(name, absl::StrCat("must be a number above 0, at most 2 (got '", v, "')"));
    }
    options.soak_fraction = f;
  } else if (name == "soak-in-flight") {
    absl::StatusOr<int> n = ParseInt(name, v, 1, 4096);
    if (!n.ok()) return n.status();
    options.soak_in_flight = *n;
  } else if (name == "soak-mix") {
    if (v == "growth") {
      options.soak_mix = BenchOptions::SoakMix::kGrowth;
    } else if (v == "steady") {
      options.soak_mix = BenchOptions::SoakMix::kSteady;
    } else {
      return Bad(name, absl::StrCat("must be growth or steady (got '", v, "')"));
    }
  } else if (name == "soak-leads") {
    absl::StatusOr<int> n = ParseInt(name, v, 1, 10'000'000);
    if (!n.ok()) return n.status();
    options.soak_leads = *n;
  } else if (name == "query-log-events") {
    absl::StatusOr<std::vector<uint64_t>> sizes = ParseList<uint64_t>(name, v);
    if (!sizes.ok()) return sizes.status();
    for (size_t i = 0; i < sizes->size(); ++i) {
      if ((*sizes)[i] == 0 || (i > 0 && (*sizes)[i] <= (*sizes)[i - 1])) {
        return Bad(name, "sizes must be positive and increasing");
      }
    }
    options.query_log_events = *sizes;
  } else if (name == "cluster-postgres") {
    if (v.empty()) return Bad(name, "must be a libpq connection string (host=… port=… user=…)");
    options.cluster_postgres = std::string(v);
  } else if (name == "repeat") {
    absl::StatusOr<int> n = ParseInt(name, v, 1, 20);
    if (!n.ok()) return n.status();
    options.repeat = *n;
  } else if (name == "hot-leads") {
    absl::StatusOr<int> n = ParseInt(name, v, 1, 10'000);
    if (!n.ok()) return n.status();
    options.hot_leads = *n;
  } else if (name == "subscribe-log-events") {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(v, &n) || n == 0)
      return Bad(name, absl::StrCat("must be a positive whole number (got '", v, "')"));
    options.subscribe_log_events = n;
  } else if (name == "restart-log-events") {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(v, &n) || n < 1'000)
      return Bad(name, absl::StrCat("must be a whole number of at least 1000 (got '", v, "')"));
    options.restart_log_events = n;
  } else if (name == "subscribers") {
    absl::StatusOr<int> n = ParseInt(name, v, 1, 1'000);
    if (!n.ok()) return n.status();
    options.subscribers = *n;
  } else if (name == "fdatasync-samples") {
    absl::StatusOr<int> n = ParseInt(name, v, 1, 100'000);
    if (!n.ok()) return n.status();
    options.fdatasync_samples = *n;
  } else if (name == "channels") {
    absl::StatusOr<int> n = ParseInt(name, v, 1, 64);
    if (!n.ok()) return n.status();
    options.channels = *n;
  } else if (name == "salesopsd") {
    options.salesopsd = v;
  } else if (name == "work-dir") {
    options.work_dir = v;
  } else if (name == "server") {
    options.server = v;
  } else if (name == "token") {
    options.token = v;
  } else if (name == "tokens-file") {
    options.tokens_file = v;
  } else if (name == "tls-ca") {
    options.security.ca_file = v;
  } else if (name == "tls-cert") {
    options.security.cert_file = v;
  } else if (name == "tls-key") {
    options.security.key_file = v;
  } else if (name == "tls-server-name") {
    options.security.server_name = v;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (see --help)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view SoakMixName(BenchOptions::SoakMix mix) {
  return mix == BenchOptions::SoakMix::kSteady ? "steady" : "growth";
}

bool BenchOptions::Wants(absl::string_view scenario) const {
  return std::find(scenarios.begin(), scenarios.end(), scenario) != scenarios.end();
}

void ApplyQuickDefaults(BenchOptions& options) {
  options.quick = true;
  options.scenarios.clear();
  for (absl::string_view name : kScenarioNames) options.scenarios.emplace_back(name);
  options.concurrency = {1, 64};
  options.warmup = absl::Milliseconds(200);
  options.duration = absl::Seconds(1);
  options.query_log_events = {3'000, 6'000};
  options.hot_leads = 4;
  options.subscribe_log_events = 6'000;
  options.restart_log_events = 30'000;
  options.fdatasync_samples = 30;
  options.soak_leads = 2'000;
}

absl::StatusOr<absl::Duration> ParseSeconds(absl::string_view text) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (seconds < 0) return absl::InvalidArgumentError(absl::StrCat("'", text, "' is negative"));
    return absl::Seconds(seconds);
  }
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a duration (seconds, or with a unit: 500ms, 2s, 1m)"));
  }
  return d;
}

absl::StatusOr<BenchOptions> ParseBenchArgs(const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::optional<std::string>>> flags;
  for (const std::string& arg : args) {
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "' (flags are --name=value)"));
    }
    const size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::replace(name.begin(), name.end(), '_', '-');
    std::optional<std::string> value;
    if (eq != std::string::npos) value = arg.substr(eq + 1);
    flags.emplace_back(std::move(name), std::move(value));
  }
  BenchOptions options;
  for (const auto& [name, value] : flags) {
    if (name == "help") options.help = true;
    if (name == "quick") ApplyQuickDefaults(options);
  }
  for (const auto& [name, value] : flags) {
    if (absl::Status s = ApplyFlag(name, value, options); !s.ok()) return s;
  }
  for (const auto& [name, value] : flags) {
    if (absl::StartsWith(name, "soak-") && !options.soaking()) {
      return Bad(name, "needs --soak=DURATION");
    }
  }
  for (const auto& [name, value] : flags) {
    if (name == "soak-leads" && options.soak_mix != BenchOptions::SoakMix::kSteady) {
      return Bad(name, "is for --soak-mix=steady");
    }
  }
  if (options.soaking() && options.soak_sample > options.soak) {
    return Bad("soak-sample", "must not be longer than --soak");
  }
  if (!options.server.empty() && (options.token.empty() || options.tokens_file.empty())) {
    return absl::InvalidArgumentError(
        "--server needs --token (an ADMIN's) and --tokens-file (the server's tokens of the bench members)");
  }
  if (options.server.empty() && (options.security.UsesTls() || !options.security.server_name.empty())) {
    return absl::InvalidArgumentError("--tls, --tls-ca, --tls-cert, --tls-key and --tls-server-name are for --server");
  }
  if (!options.cluster_postgres.empty() && (!options.server.empty() || options.soaking())) {
    return absl::InvalidArgumentError("--cluster-postgres is for the bench's own servers, without --server or --soak");
  }
  if (options.server.empty() && (!options.token.empty() || !options.tokens_file.empty())) {
    return absl::InvalidArgumentError("--token and --tokens-file are for --server; the bench's own server gets its own");
  }
  return options;
}

std::string BenchUsage() {
  return R"(salesops-bench: closed-loop load on salesopsd, each figure printed beside its ceiling
measured in the same run (docs/PERFORMANCE.md).

usage: salesops-bench [--quick] [--json] [flags]

  --quick                   every scenario at small sizes, in well under a minute
  --json                    print the report as JSON (the table otherwise)
  --scenarios=LIST          append,retry,lifecycle,contended,query,rebuild,subscribe,restart
                            (default: all but restart; --quick: all)
  --concurrency=LIST        in-flight calls per run (default 1,16,64,256; --quick 1,64)
  --duration=SECONDS        measured time per run (default 10; --quick 1)
  --warmup=SECONDS          unmeasured time before each run (default 2; --quick 0.2)
  --query-log-events=LIST   log sizes (events) the query scenario runs at
                            (default 100000,1000000; --quick 3000,6000)
  --query-concurrency=LIST  in-flight calls of the query runs (default 1,64)
  --hot-leads=N             leads the contended scenario fights over (default 8; --quick 4)
  --repeat=N                alternate Admin.Ping and the write scenarios N times at each
                            concurrency (1..20, default 1); ratios pair each run with the
                            ceiling of its own round, targets use the median ratio, and the
                            report shows the median and spread
  --subscribe-log-events=N  log size (events) the subscribe catch-up reads from position 1
                            (default 1000000; --quick 6000)
  --subscribers=N           live subscribers while append runs at 64 in flight (default 50)
  --restart-log-events=N    the restart scenario's log (default 10000000; --quick 30000): the
                            lifecycle's journeys decided in the bench by the server's own
                            deciders and written to the stopped server's store (no RPCs),
                            then the server restarted after a kill -9 (from its periodic
                            snapshot plus a tail) and after a clean stop
  --fdatasync-samples=N     write+fdatasync probes for the fsync ceiling (default 200)
  --channels=N              gRPC channels the load is spread over (default 1)
  --cluster-postgres=CONNINFO  also the cluster scenario: a database of the run's own on
                            this PostgreSQL (keyword/value form, e.g. 'host=127.0.0.1
                            port=5432 user=postgres'), its single-row INSERT ceiling at
                            64 clients, three salesopsd nodes on it: append to the leader
                            (and the followers' lag), append to a follower (forwarded),
                            query on a follower, then a kill -9 of the leader

  A soak instead of the scenarios (docs/PERFORMANCE.md, "Soak"):
  --soak=DURATION           first the maximum append rate (append at 64 in flight for
                            --warmup + --duration), then arrivals at a fixed rate of
                            --soak-fraction of it for DURATION (e.g. 10m, 1h): IdentifyLead
                            70 %, lifecycle commands 20 %, queries 10 %; the server's RSS
                            and CPU, the rate and latency sampled every --soak-sample;
                            verdict: RSS growth after warm-up (<= 5 %) and p99 drift
  --soak-fraction=F         the arrival rate over the maximum (default 0.8; at most 2)
  --soak-sample=DURATION    the sampling interval (default 10s)
  --soak-in-flight=N        calls in flight at most; an arrival that finds them all busy
                            is counted late and not sent (default 256)
  --soak-mix=growth|steady  growth (default): the mix above, which creates leads all along;
                            steady: first --soak-leads leads, then only calls that add no
                            state (retries of acknowledged IdentifyLeads with their
                            request_id 50 %, refused WinDeals 20 %, queries 20 %, ListLeads
                            10 %), its maximum measured closed loop at 64 in flight; the
                            log's head must not move (checked with Audit.GetLogDigest)
  --soak-leads=N            the steady mix's leads (default 20000; --quick 2000)

  The bench's own server (default): a fresh salesopsd in a temporary directory
  on a free loopback port, with its own tokens and team.
  --salesopsd=PATH          the server binary (default: next to salesops-bench,
                            else the build tree's)
  --work-dir=DIR            where the temporary directory goes (default $TMPDIR or /tmp);
                            its file system is the one measured
  --keep-data               keep the temporary directory (server logs, data)

  An existing server instead (no raw ceilings, no rebuild, no server CPU/RSS):
  --server=HOST:PORT
  --token=TOKEN             an ADMIN's token (Admin.Ping, team setup)
  --tokens-file=FILE        'TOKEN MEMBER_ID' lines with the server's tokens of
                            the bench members bench-rep-1..4, bench-bd-1..2,
                            bench-sup-1..2, bench-as-1..2, bench-mgr-1
  --tls                     TLS, the server verified against the system's CAs
  --tls-ca=FILE             TLS, the server verified against these PEM CAs
  --tls-cert=FILE, --tls-key=FILE   a client certificate for mutual TLS
  --tls-server-name=NAME    the name in the server's certificate, when not the host

Exit status: 0 when every run completed (refusals the scenario expects are
not failures), 1 when a run could not be made, 2 for a usage error.
)";
}

}  // namespace salesops::bench
