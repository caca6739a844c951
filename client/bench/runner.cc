#include "runner.h"

#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <sstream>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bench_client.h"
#include "ceilings.h"
#include "closed_loop.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "log_generator.h"
#include "open_loop.h"
#include "postgres_ceiling.h"
#include "projections/deterministic_bytes.h"
#include "server/common/proc_stats.h"
#include "server_process.h"
#include "soak.h"
#include "steady_plan.h"
#include "subscribers.h"
#include "team_plan.h"
#include "workloads.h"

namespace salesops::bench {
namespace {

namespace fs = std::filesystem;

// A start replays the log before it listens: the restart scenario's first
// start replays millions of events.
constexpr absl::Duration kServerStartTimeout = absl::Minutes(10);
// The subscribe scenario's live fan-out runs append at this many in flight
// (issue #6: "live fan-out to 50 subscribers during writes").
constexpr int kFanOutConcurrency = 64;
// How long subscribers may take to reach caught_up, and to receive the last
// event written once the writes are over.
constexpr absl::Duration kSubscribeWait = absl::Seconds(60);

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

MachineInfo DescribeMachine(const std::string& work_dir) {
  MachineInfo m;
  m.started_at = absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
  m.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  for (absl::string_view line : absl::StrSplit(ReadText("/proc/cpuinfo"), '\n')) {
    if (absl::ConsumePrefix(&line, "model name")) {
      m.cpu_model = std::string(absl::StripAsciiWhitespace(absl::StripPrefix(absl::StripAsciiWhitespace(line), ":")));
      break;
    }
  }
  utsname name{};
  if (uname(&name) == 0) m.kernel = name.release;
  std::error_code ignored;
  m.work_dir = fs::weakly_canonical(work_dir, ignored).string();
  // The mount whose point is the longest prefix of the directory holds it.
  size_t best = 0;
  for (absl::string_view line : absl::StrSplit(ReadText("/proc/self/mounts"), '\n')) {
    const std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() < 3) continue;
    const std::string& point = f[1];
    const bool contains = m.work_dir == point || point == "/" ||
                          absl::StartsWith(m.work_dir, point + "/");
    if (contains && point.size() >= best) {
      best = point.size();
      m.filesystem = absl::StrCat(f[2], " on ", f[0], " mounted at ", point);
    }
  }
  getloadavg(m.load_before, 3);
  return m;
}

std::string RandomTag() {
  static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  absl::BitGen gen;
  std::string tag = "b";
  for (int i = 0; i < 6; ++i) tag += kAlnum[absl::Uniform(gen, 0, 36)];
  return tag;
}

absl::StatusOr<std::string> FindSalesopsd(const BenchOptions& options) {
  std::vector<std::string> candidates;
  if (!options.salesopsd.empty()) {
    candidates.push_back(options.salesopsd);
  } else {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back((self.parent_path() / "salesopsd").string());
#ifdef SALESOPSD_BUILD_PATH
    candidates.push_back(SALESOPSD_BUILD_PATH);
#endif
  }
  for (const std::string& path : candidates) {
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return absl::NotFoundError(absl::StrCat("salesopsd not found (tried ", absl::StrJoin(candidates, ", "),
                                          "); give its path with --salesopsd=PATH"));
}

// A temporary directory removed on destruction unless kept.
class WorkDir {
 public:
  static absl::StatusOr<std::unique_ptr<WorkDir>> Create(const std::string& parent, bool keep) {
    std::string pattern = absl::StrCat(parent, "/salesops-bench-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::UnavailableError(absl::StrCat("cannot create a directory under ", parent));
    }
    return std::unique_ptr<WorkDir>(new WorkDir(pattern, keep));
  }
  ~WorkDir() {
    std::error_code ignored;
    if (!keep_) fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  WorkDir(std::string path, bool keep) : path_(std::move(path)), keep_(keep) {}
  const std::string path_;
  const bool keep_;
};

absl::Status FromGrpc(absl::string_view what, const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", StatusCodeName(s.error_code()), " ", s.error_message());
  if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) return absl::PermissionDeniedError(message);
  if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) return absl::PermissionDeniedError(message);
  return absl::UnavailableError(message);
}

// Admin.Ping, waiting for the server to become reachable.
absl::Status FirstPing(const BenchClient& client, const std::string& admin_token) {
  grpc::ClientContext context;
  PrepareContext(context, admin_token);
  context.set_wait_for_ready(true);
  v1::PingResponse reply;
  return FromGrpc("Admin.Ping", client.Main().admin->Ping(&context, v1::PingRequest(), &reply));
}

// Adds the bench members (an existing one gets its role back).
absl::Status SetUpTeam(const BenchClient& client, const BenchTeam& team) {
  for (const BenchMember& m : team.members) {
    v1::AddMemberRequest add;
    add.set_member_id(m.member_id);
    add.set_display_name(m.member_id);
    add.add_roles(m.role);
    grpc::ClientContext context;
    PrepareContext(context, team.admin_token);
    v1::TeamCommandReply reply;
    grpc::Status s = client.Main().team->AddMember(&context, add, &reply);
    if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      v1::SetMemberRolesRequest set;
      set.set_member_id(m.member_id);
      set.add_roles(m.role);
      grpc::ClientContext set_context;
      PrepareContext(set_context, team.admin_token);
      s = client.Main().team->SetMemberRoles(&set_context, set, &reply);
    }
    if (absl::Status st = FromGrpc(absl::StrCat("adding team member ", m.member_id), s); !st.ok()) return st;
  }
  return absl::OkStatus();
}

class Bench {
 public:
  Bench(const BenchOptions& options, std::ostream& progress) : options_(options), progress_(progress) {}

  absl::StatusOr<Report> Execute();

 private:
  // One scenario run at `concurrency`: a warm-up run, then the measured
  // one, with the server's and the bench's CPU sampled around it.
  void Measure(const std::string& scenario, Workload& workload, int concurrency, std::string note = "",
               int round = 0) {
    report_.runs.push_back(MeasureRun(scenario, workload, concurrency, std::move(note)));
    report_.runs.back().round = round;
  }
  Run MeasureRun(const std::string& scenario, Workload& workload, int concurrency, std::string note) {
    return MeasureRunOn(server_.get(), *world_, scenario, workload, concurrency, std::move(note));
  }
  // The same against `server` (its CPU and RSS; null: not measured), the
  // log size as `world` knows it.
  Run MeasureRunOn(ServerProcess* server, BenchWorld& world, const std::string& scenario, Workload& workload,
                   int concurrency, std::string note);
  // The cluster scenario (--cluster-postgres), after the embedded ones.
  absl::Status Cluster();
  // The subscribe scenario: one subscriber from position 1 until caught_up
  // on a log of --subscribe-log-events ...
  absl::Status SubscribeCatchUp(Workload& lifecycle);
  // ... and append at 64 in flight alone, then with --subscribers live
  // subscribers, checking that each got every event once.
  absl::Status SubscribeFanOut();
  void Say(absl::string_view line) { progress_ << "salesops-bench: " << line << std::endl; }
  // Writes until the log holds at least `events` events.
  absl::Status PreloadTo(uint64_t events, Workload& lifecycle);
  absl::Status RawCeilings();
  // Starts the stopped server with `extra_args` and times it to its first
  // answer (Admin.Ping), Health/Check SERVING and the first view answered;
  // reads its recovery line and RSS. Leaves it running; `first_view` (when
  // not null) gets the pipeline that first view answered.
  absl::StatusOr<bench::Restart> StartTimed(const std::vector<std::string>& extra_args,
                                            v1::Pipeline* first_view = nullptr);
  // StartTimed, then a clean stop.
  absl::StatusOr<bench::Restart> Restart(const std::vector<std::string>& extra_args);
  absl::Status Rebuild();
  // The restart scenario (report.h, RestartRun).
  absl::Status RestartAtScale();
  // --soak: the maximum rate of the mix, then the open loop (soak.h).
  absl::Status Soak();
  // The log's head and its chain digest, as the server reports them.
  absl::StatusOr<LogHead> ReadLogHead();
  // Returns once the server uses under a fifth of a core (sampled every
  // 0.5 s, at most 3 minutes), so work left from a run (calls whose
  // deadline passed but which the server still computes, a background
  // snapshot) does not eat into the next one. Records the wait.
  void WaitForIdleServer(absl::string_view after);
  // Stops the server; with --keep-data its log is appended to salesopsd.log.
  absl::Status StopServer();

  const BenchOptions& options_;
  std::ostream& progress_;
  Report report_;
  std::unique_ptr<WorkDir> dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<BenchClient> client_;
  std::unique_ptr<BenchWorld> world_;
  std::unique_ptr<AppendWorkload> append_;
  bool append_ran_ = false;
};

Run Bench::MeasureRunOn(ServerProcess* server, BenchWorld& world, const std::string& scenario, Workload& workload,
                        int concurrency, std::string note) {
  Say(absl::StrCat(scenario, " at ", concurrency, " in flight", note.empty() ? "" : absl::StrCat(" (", note, ")")));
  Run run;
  run.scenario = scenario;
  run.concurrency = concurrency;
  run.log_events = world.head();
  if (options_.warmup > absl::ZeroDuration()) {
    RunClosedLoop(workload, {concurrency, absl::ZeroDuration(), options_.warmup, nullptr});
  }
  std::optional<ProcessUsage> before;
  if (server != nullptr) {
    if (absl::StatusOr<ProcessUsage> u = ReadProcessUsage(server->pid()); u.ok()) before = *u;
  }
  const double client_before = SelfCpuSeconds();
  const auto started = std::chrono::steady_clock::now();
  RunResult result = RunClosedLoop(workload, {concurrency, absl::ZeroDuration(), options_.duration, nullptr});
  run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  run.client_cpu_seconds = SelfCpuSeconds() - client_before;
  if (before.has_value()) {
    if (absl::StatusOr<ProcessUsage> after = ReadProcessUsage(server->pid()); after.ok()) {
      run.server_measured = true;
      run.server_cpu_seconds = after->cpu_seconds - before->cpu_seconds;
      run.server_rss_bytes = after->rss_bytes;
    }
  }
  run.seconds = result.seconds;
  run.ops = result.ops;
  run.latency = Summarize(result.latencies_ns);
  run.errors = std::move(result.errors);
  run.expected_refusals = std::move(result.expected_refusals);
  run.retries = result.retries;
  run.note = std::move(note);
  return run;
}

absl::Status Bench::SubscribeCatchUp(Workload& lifecycle) {
  if (absl::Status s = PreloadTo(options_.subscribe_log_events, lifecycle); !s.ok()) return s;
  WaitForIdleServer("preloading the log for the subscribe catch-up");
  Say(absl::StrCat("subscribe: catch-up from position 1 over ", world_->head(), " events"));
  // Long logs stream at tens of thousands of events/s at worst.
  const absl::Duration timeout = kSubscribeWait + absl::Seconds(static_cast<double>(world_->head()) / 10'000);
  report_.subscribe.emplace().catch_up = CatchUp(*client_, world_->team().admin_token, 1, timeout);
  return absl::OkStatus();
}

absl::Status Bench::SubscribeFanOut() {
  const int c = kFanOutConcurrency;
  const int n = options_.subscribers;
  SubscribeRun::FanOutRun fan_out;
  WaitForIdleServer("the scenarios before the subscribe fan-out");
  Say(absl::StrCat("subscribe: append at ", c, " in flight without subscribers"));
  fan_out.without_subscribers = MeasureRun("append", *append_, c, "without subscribers");
  WaitForIdleServer(absl::StrCat("append at ", c, " in flight without subscribers"));
  Say(absl::StrCat("subscribe: ", n, " subscribers from now, then append at ", c, " in flight"));
  const absl::Duration stream_deadline = options_.warmup + options_.duration + 3 * kSubscribeWait;
  absl::StatusOr<std::unique_ptr<FanOut>> fan =
      FanOut::Start(*client_, world_->team().admin_token, n, kSubscribeWait, stream_deadline);
  if (!fan.ok()) return fan.status();
  fan_out.with_subscribers = MeasureRun("append", *append_, c, absl::StrCat("with ", n, " subscribers"));
  append_ran_ = true;
  fan_out.result = (*fan)->Finish(world_->head(), kSubscribeWait);
  if (!report_.subscribe.has_value()) report_.subscribe.emplace();
  report_.subscribe->fan_out = std::move(fan_out);
  return absl::OkStatus();
}

absl::Status Bench::PreloadTo(uint64_t events, Workload& lifecycle) {
  const int concurrency = *std::max_element(options_.concurrency.begin(), options_.concurrency.end());
  // The first tenth walks leads through the lifecycle (at least until some
  // deal is won), so there are orders to read and leads in every stage;
  // IdentifyLead fills up the rest.
  const struct {
    const char* what;
    Workload* workload;
    uint64_t until;
    bool needs_orders;
  } phases[] = {{"lifecycle", &lifecycle, events / 10, true}, {"IdentifyLead", append_.get(), events, false}};
  for (const auto& phase : phases) {
    const uint64_t until = phase.until;
    const bool needs_orders = phase.needs_orders;
    const auto done = [this, until, needs_orders] {
      return world_->head() >= until && (!needs_orders || world_->orders().size() > 0);
    };
    if (done()) continue;
    Say(absl::StrCat("preloading the log from ", world_->head(), " to ", until, " events (", phase.what, ")"));
    const RunResult r = RunClosedLoop(*phase.workload, {concurrency, absl::ZeroDuration(), absl::Hours(1), done});
    if (phase.workload == append_.get()) append_ran_ = true;
    if (world_->head() < until) {
      return absl::UnavailableError(absl::StrCat("preloading stopped at ", world_->head(), " events (",
                                                 r.error_count(), " failed calls)"));
    }
  }
  return absl::OkStatus();
}

absl::Status Bench::RawCeilings() {
  // The events one IdentifyLead appended: the template lead's first batch.
  const std::string lead = absl::StrCat(world_->tag(), append_ran_ ? "-a0" : "-h0");
  Say("raw store scan of the server's log");
  absl::StatusOr<ScanResult> scan = ScanStore(dir_->path() + "/db", absl::StrCat("lead-", lead));
  if (!scan.ok()) return scan.status();
  std::vector<v1::EventEnvelope> command_events;
  for (const v1::EventEnvelope& e : scan->template_events) {
    const bool same_batch = !command_events.empty() &&
                            e.recorded_at().seconds() == command_events[0].recorded_at().seconds() &&
                            e.recorded_at().nanos() == command_events[0].recorded_at().nanos();
    if (command_events.empty() || same_batch) {
      command_events.push_back(e);
    }
  }
  scan->template_events.clear();
  report_.scan = *scan;
  if (command_events.empty()) {
    report_.unavailable.push_back({"raw store append", "no IdentifyLead in the log to copy the envelopes from"});
    return absl::OkStatus();
  }
  for (int c : options_.concurrency) {
    Say(absl::StrCat("raw store append, batches of ", c, " commands"));
    const std::string path = absl::StrCat(dir_->path(), "/raw-append-", c);
    absl::StatusOr<RawAppendResult> r = RawAppend(path, command_events, c, options_.warmup, options_.duration);
    std::error_code ignored;
    fs::remove_all(path, ignored);
    if (!r.ok()) return r.status();
    report_.raw_appends.push_back(*r);
  }
  return absl::OkStatus();
}

absl::StatusOr<Restart> Bench::StartTimed(const std::vector<std::string>& extra_args, v1::Pipeline* first_view) {
  const auto spawn = std::chrono::steady_clock::now();
  const auto since_spawn = [spawn] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - spawn).count();
  };
  absl::Duration listening;
  if (absl::Status s = server_->Start(kServerStartTimeout, &listening, extra_args); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<BenchClient>> client = BenchClient::Connect(server_->address(), 1);
  if (!client.ok()) return client.status();
  const std::string& token = world_->team().admin_token;
  bench::Restart r;
  r.listening_seconds = absl::ToDoubleSeconds(listening);
  if (absl::Status s = FirstPing(**client, token); !s.ok()) return s;
  r.first_rpc_seconds = since_spawn();
  {
    auto health = grpc::health::v1::Health::NewStub((*client)->Main().channel);
    grpc::ClientContext context;
    PrepareContext(context, token);
    grpc::health::v1::HealthCheckResponse reply;
    if (absl::Status s = FromGrpc("Health.Check", health->Check(&context, {}, &reply)); !s.ok()) return s;
    if (reply.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::UnavailableError(absl::StrCat("salesopsd answered Health.Check with ",
                                                 grpc::health::v1::HealthCheckResponse::ServingStatus_Name(reply.status())));
    }
    r.serving_seconds = since_spawn();
  }
  {
    grpc::ClientContext context;
    PrepareContext(context, token);
    v1::Pipeline pipeline;
    if (absl::Status s = FromGrpc("Views.GetPipeline",
                                  (*client)->Main().views->GetPipeline(&context, v1::GetPipelineRequest(), &pipeline));
        !s.ok()) {
      return s;
    }
    if (first_view != nullptr) *first_view = std::move(pipeline);
    r.first_view_seconds = since_spawn();
  }
  if (absl::StatusOr<ProcessUsage> u = ReadProcessUsage(server_->pid()); u.ok()) r.rss_bytes = u->rss_bytes;
  const std::optional<RecoveryLine> line = ParseRecoveryLine(server_->Log());
  if (!line.has_value()) return absl::DataLossError("no recovery line in the salesopsd log:\n" + server_->Log());
  r.events = line->events;
  r.leads = line->leads;
  r.recovery_seconds = absl::ToDoubleSeconds(line->took);
  return r;
}

absl::StatusOr<Restart> Bench::Restart(const std::vector<std::string>& extra_args) {
  absl::StatusOr<bench::Restart> r = StartTimed(extra_args);
  if (!r.ok()) return r.status();
  // The clean stop writes a views snapshot, which the next plain start uses.
  if (absl::Status s = StopServer(); !s.ok()) return s;
  return r;
}

void Bench::WaitForIdleServer(absl::string_view after) {
  if (server_ == nullptr) return;
  const auto start = std::chrono::steady_clock::now();
  const auto limit = start + std::chrono::minutes(3);
  absl::StatusOr<ProcessUsage> before = ReadProcessUsage(server_->pid());
  while (before.ok() && std::chrono::steady_clock::now() < limit) {
    // Polling: a busy server gives no event to wait for.
    absl::SleepFor(absl::Milliseconds(500));
    absl::StatusOr<ProcessUsage> now = ReadProcessUsage(server_->pid());
    if (!now.ok() || now->cpu_seconds - before->cpu_seconds < 0.1) break;
    before = now;
  }
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (waited >= 1) {
    Say(absl::StrFormat("the server stayed busy for %.1f s after %s", waited, after));
    report_.idle_waits.push_back({std::string(after), waited});
  }
}

absl::Status Bench::StopServer() {
  const absl::Status stopped = server_->Stop();
  if (options_.keep_data) std::ofstream(dir_->path() + "/salesopsd.log", std::ios::app) << server_->Log();
  return stopped;
}

absl::Status Bench::Rebuild() {
  RebuildRun rebuild;
  rebuild.log_events = report_.scan.has_value() ? report_.scan->events : world_->head();
  Say("rebuild: restarting salesopsd with --rebuild-projections (the whole log)");
  absl::StatusOr<bench::Restart> full = Restart({"--rebuild-projections"});
  if (!full.ok()) return full.status();
  rebuild.full = *full;
  Say("rebuild: restarting salesopsd from its snapshot");
  absl::StatusOr<bench::Restart> snapshot = Restart({});
  if (!snapshot.ok()) return snapshot.status();
  rebuild.snapshot = *snapshot;
  report_.rebuild = rebuild;
  return absl::OkStatus();
}

namespace {

// The pipeline without what depends on the moment it was read (ages,
// durations, the win-rate window): two reads of the same fold compare equal.
std::string ComparablePipeline(v1::Pipeline pipeline) {
  pipeline.mutable_view()->clear_now();
  for (v1::StageSummary& stage : *pipeline.mutable_stages()) {
    stage.clear_average_time_in_stage();
    stage.clear_max_time_in_stage();
  }
  pipeline.mutable_win_rate()->clear_from();
  pipeline.mutable_win_rate()->clear_to();
  return projections::DeterministicBytes(pipeline);
}

}  // namespace

absl::Status Bench::RestartAtScale() {
  RestartRun run;
  // The log grows to the size asked for, or by half of it when the other
  // scenarios already wrote more than half: the first start must have a
  // snapshot interval (a tenth of the size asked for) of generated events
  // to replay, or its periodic snapshot never comes.
  const uint64_t asked = options_.restart_log_events;
  const uint64_t head = report_.scan.has_value() ? report_.scan->events : world_->head();
  const uint64_t target = std::max(asked, head + asked / 2);
  // The kill -9 comes half a snapshot interval after the last snapshot (a
  // tenth of the log apart: 1 M events, the server's default, at 10 M).
  const uint64_t every = std::max<uint64_t>(1, asked / 10);
  const uint64_t tail = every / 2;
  const std::vector<std::string> args = {absl::StrCat("--snapshot-every-events=", every)};
  GenerateOptions generate;
  generate.db_path = dir_->path() + "/db";
  generate.tag = absl::StrCat(world_->tag(), "g");
  // Journeys in flight overshoot the target by a few events each: fewer on
  // a small log, so the tail stays a tail.
  generate.clients = static_cast<int>(std::clamp<uint64_t>(asked / 200, 16, 1024));
  const auto add = [&run](const GeneratedLog& g) {
    run.generated_events += g.head - g.head_before;
    run.generated_commands += g.commands;
    run.generate_seconds += g.seconds;
  };

  generate.until_events = target - tail;
  Say(absl::StrCat("restart: generating the log up to ", generate.until_events, " events (the server stopped)"));
  absl::StatusOr<GeneratedLog> first = GenerateLog(generate, world_->team());
  if (!first.ok()) return first.status();
  add(*first);
  Say(absl::StrFormat("restart: %d events (%d commands) in %.1f s, the deciders' replay of the log included (%.1f s)",
                      first->head - first->head_before, first->commands, first->seconds, first->replay_seconds));

  Say("restart: first start on the generated log, until its periodic snapshot");
  absl::StatusOr<bench::Restart> started = StartTimed(args);
  if (!started.ok()) return started.status();
  run.first = *started;
  const auto before_snapshot = std::chrono::steady_clock::now();
  // Any periodic snapshot of this start (its log begins at the spawn), at
  // whatever position it was taken.
  if (!server_->WaitForLog(" written (", absl::Minutes(10))) {
    return absl::DeadlineExceededError(
        absl::StrCat("restart: no views snapshot written within 10 minutes:\n", server_->Log()));
  }
  run.snapshot_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - before_snapshot).count();
  {
    const std::string log = server_->Log();
    const std::string kAt = "views snapshot at position ";
    const size_t at = log.find(" written (");
    const size_t from = log.rfind(kAt, at);
    if (from == std::string::npos ||
        !absl::SimpleAtoi(log.substr(from + kAt.size(), at - from - kAt.size()), &run.snapshot_position)) {
      return absl::DataLossError(absl::StrCat("restart: unreadable snapshot line in:\n", log));
    }
  }
  Say("restart: kill -9");
  server_->Kill();
  if (options_.keep_data) std::ofstream(dir_->path() + "/salesopsd.log", std::ios::app) << server_->Log();

  generate.first_lead = first->next_lead;
  generate.until_events = target;
  Say(absl::StrCat("restart: generating the tail up to ", target, " events"));
  absl::StatusOr<GeneratedLog> second = GenerateLog(generate, world_->team());
  if (!second.ok()) return second.status();
  add(*second);
  run.tail_events = second->head - second->head_before;
  run.log_events = second->head;

  Say("restart: start after the kill -9 (the periodic snapshot plus the tail)");
  v1::Pipeline after_kill, after_stop, replayed;  // each start's first view, at the log's head
  started = StartTimed(args, &after_kill);
  if (!started.ok()) return started.status();
  run.after_kill = *started;
  const auto stopping = std::chrono::steady_clock::now();
  if (absl::Status s = StopServer(); !s.ok()) return s;
  run.clean_stop_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stopping).count();

  Say("restart: start after the clean stop (its snapshot)");
  started = StartTimed(args, &after_stop);
  if (!started.ok()) return started.status();
  run.after_clean_stop = *started;
  if (absl::Status s = StopServer(); !s.ok()) return s;

  // The independent reference: every view from the whole log, without a
  // snapshot (the two restarts above share the snapshot the clean stop
  // wrote from the kill -9 restart's fold).
  Say("restart: full replay (--rebuild-projections), the reference the restarts are checked against");
  started = StartTimed({"--rebuild-projections"}, &replayed);
  if (!started.ok()) return started.status();
  run.full_replay = *started;
  if (absl::Status s = StopServer(); !s.ok()) return s;

  const uint64_t kill_position = after_kill.view().position();
  const uint64_t stop_position = after_stop.view().position();
  const uint64_t replay_position = replayed.view().position();
  const std::string reference = ComparablePipeline(replayed);
  run.views_equal = kill_position == run.log_events && stop_position == run.log_events &&
                    replay_position == run.log_events && ComparablePipeline(after_kill) == reference &&
                    ComparablePipeline(after_stop) == reference;
  run.check = run.views_equal
                  ? absl::StrCat("both restarts served the full replay's pipeline at the log's head ", run.log_events)
                  : absl::StrCat("the pipelines differ: after the kill -9 at position ", kill_position,
                                 ", after the clean stop at ", stop_position, ", the full replay at ", replay_position,
                                 ", the log's head ", run.log_events);
  report_.restart = std::move(run);
  return absl::OkStatus();
}

absl::StatusOr<LogHead> Bench::ReadLogHead() {
  v1::GetLogDigestRequest request;  // position 0: the head
  v1::GetLogDigestResponse reply;
  grpc::ClientContext context;
  PrepareContext(context, world_->team().admin_token);
  if (absl::Status s = FromGrpc("Audit.GetLogDigest", client_->Main().audit->GetLogDigest(&context, request, &reply));
      !s.ok()) {
    return s;
  }
  return LogHead{reply.position(), reply.digest()};
}

absl::Status Bench::Soak() {
  SoakRun soak;
  const bool steady = options_.soak_mix == BenchOptions::SoakMix::kSteady;
  soak.mix_name = std::string(SoakMixName(options_.soak_mix));
  soak.duration = options_.soak;
  soak.sample_every = options_.soak_sample;
  soak.fraction = options_.soak_fraction;
  soak.max_in_flight = options_.soak_in_flight;
  // The client keeps a bounded sample of the ids it created for the reads.
  world_->leads().Bound(100'000);
  world_->orders().Bound(100'000);
  AppendWorkload append(*world_, /*request_ids=*/true);
  LifecycleWorkload lifecycle(*world_);
  QueryWorkload query(*world_);
  MixWorkload growth({{"IdentifyLead (request ids)", 7, &append},
                      {"lifecycle commands", 2, &lifecycle},
                      {"queries", 1, &query}});
  const uint64_t leads = static_cast<uint64_t>(options_.soak_leads);
  SteadyWorkload steady_mix(*world_, leads, query);
  Workload& mix = steady ? static_cast<Workload&>(steady_mix) : growth;

  if (steady) {
    SteadyPopulation population(*world_, leads);
    Say(absl::StrCat("soak (steady): creating ", leads, " leads"));
    const RunResult r = RunClosedLoop(
        population, {kSoakProbeConcurrency, absl::ZeroDuration(), absl::Minutes(30), [&] { return population.finished(); }});
    soak.population_leads = population.created();
    soak.population_seconds = r.seconds;
    if (population.created() != leads) {
      return absl::UnavailableError(absl::StrCat("soak: created ", population.created(), " of ", leads, " leads (",
                                                 population.failed(), " failed)"));
    }
    WaitForIdleServer("creating the steady mix's leads");
    absl::StatusOr<LogHead> head = ReadLogHead();
    if (head.ok()) {
      soak.head_before = *head;
    } else {
      soak.head_not_read = std::string(head.status().message());
    }
  }
  const Run probe = steady ? MeasureRun("soak-steady", steady_mix, kSoakProbeConcurrency, "soak: maximum rate")
                           : MeasureRun("append", append, kSoakProbeConcurrency, "soak: maximum rate");
  soak.max_rate = probe.ops_per_second();
  soak.max_rate_latency = probe.latency;
  soak.max_rate_seconds = probe.seconds;
  if (probe.error_count() > 0 || soak.max_rate <= 0) {
    return absl::UnavailableError(absl::StrCat("soak: the maximum-rate run completed ", probe.ops, " operations with ",
                                               probe.error_count(), " failures"));
  }
  soak.target_rate = soak.fraction * soak.max_rate;
  WaitForIdleServer("the soak's maximum-rate run");
  // Sizes the query mix to what exists now (leads from the probe or the
  // population; no orders yet, so no GetOrder): the open loop prepares it
  // again.
  query.Prepare(options_.soak_in_flight);

  soak.mix = steady ? absl::StrCat(SteadyMixDescription(), "; queries: ", query.MixDescription())
                    : absl::StrCat(growth.Description(), "; queries: ", query.MixDescription());
  soak.start_log_events = steady && soak.head_before.has_value() ? soak.head_before->position : world_->head();
  std::optional<ProcessUsage> previous;
  if (server_ != nullptr) {
    if (absl::StatusOr<ProcessUsage> u = ReadProcessUsage(server_->pid()); u.ok()) {
      previous = *u;
      soak.start_rss_bytes = u->rss_bytes;
    }
  }
  double client_previous = SelfCpuSeconds();
  double at = 0;
  Say(absl::StrFormat("soak (%s): %s at %.0f arrivals/s (%.2f x %.0f/s), sampled every %s", soak.mix_name,
                      absl::FormatDuration(soak.duration), soak.target_rate, soak.fraction, soak.max_rate,
                      absl::FormatDuration(soak.sample_every)));
  OpenLoopSpec spec;
  spec.rate = soak.target_rate;
  spec.max_in_flight = options_.soak_in_flight;
  spec.duration = options_.soak;
  spec.sample_every = options_.soak_sample;
  spec.on_interval = [&](IntervalCounts counts) {
    SoakSample sample;
    at += counts.seconds;
    sample.at_seconds = at;
    sample.log_events = world_->head();
    if (steady) {
      if (absl::StatusOr<LogHead> head = ReadLogHead(); head.ok()) sample.log_events = head->position;
    }
    const double client_now = SelfCpuSeconds();
    sample.client_cpu_seconds = client_now - client_previous;
    client_previous = client_now;
    if (previous.has_value()) {
      if (absl::StatusOr<ProcessUsage> u = ReadProcessUsage(server_->pid()); u.ok()) {
        sample.server_measured = true;
        sample.server_rss_bytes = u->rss_bytes;
        sample.server_cpu_seconds = u->cpu_seconds - previous->cpu_seconds;
        previous = *u;
      }
    }
    sample.counts = std::move(counts);
    Say(absl::StrFormat("soak: %4.0f s: %.0f/s done, %d late, p99 %.2f ms, RSS %d MiB, log %d", sample.at_seconds,
                        sample.counts.completed_per_second(), sample.counts.late,
                        static_cast<double>(sample.counts.latency.p99_ns) / 1e6, sample.server_rss_bytes >> 20,
                        sample.log_events));
    soak.samples.push_back(std::move(sample));
  };
  soak.drain = RunOpenLoop(mix, spec);
  if (steady) {
    absl::StatusOr<LogHead> head = ReadLogHead();
    if (head.ok()) {
      soak.head_after = *head;
    } else if (soak.head_not_read.empty()) {
      soak.head_not_read = std::string(head.status().message());
    }
  }
  report_.soak = std::move(soak);
  return absl::OkStatus();
}

// Reads on the followers that wait for the last position the bench saw
// acknowledged (Views.GetPipeline with min_position), one after another on
// each follower while append runs: each read's time is that follower's lag
// behind the acknowledgement (docs/PERFORMANCE.md, "Cluster").
class LagProbe {
 public:
  LagProbe(std::vector<const BenchClient*> followers, BenchWorld& leader_world, std::string token)
      : leader_world_(leader_world), token_(std::move(token)) {
    for (const BenchClient* f : followers) threads_.emplace_back([this, f] { Probe(*f); });
  }
  ~LagProbe() { Stop(); }
  void Stop() {
    stop_.store(true);
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  LatencySummary Lag() {
    absl::MutexLock lock(&mu_);
    return Summarize(lags_);
  }
  uint64_t failures() const {
    absl::MutexLock lock(&mu_);
    return failures_;
  }

 private:
  void Probe(const BenchClient& follower) {
    while (!stop_.load()) {
      const uint64_t position = leader_world_.head();
      const auto seen = std::chrono::steady_clock::now();
      if (position > 0) {
        v1::GetPipelineRequest request;
        request.mutable_view()->set_min_position(position);
        v1::Pipeline reply;
        grpc::ClientContext context;
        PrepareContext(context, token_);
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        const grpc::Status s = follower.Main().views->GetPipeline(&context, request, &reply);
        const auto lag = std::chrono::steady_clock::now() - seen;
        absl::MutexLock lock(&mu_);
        if (s.ok()) {
          lags_.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(lag).count());
        } else {
          ++failures_;
        }
      }
      // Paced: a sample every 10 ms or so, not a flood of reads.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  BenchWorld& leader_world_;
  const std::string token_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  mutable absl::Mutex mu_;
  std::vector<int64_t> lags_ ABSL_GUARDED_BY(mu_);
  uint64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
};

// `conninfo` without a password=… field, for the report.
std::string WithoutPassword(const std::string& conninfo) {
  std::vector<std::string> kept;
  for (absl::string_view field : absl::StrSplit(conninfo, ' ', absl::SkipEmpty())) {
    if (!absl::StartsWith(field, "password=")) kept.emplace_back(field);
  }
  return absl::StrJoin(kept, " ");
}

absl::Status Bench::Cluster() {
  ClusterRun cluster;
  cluster.postgres = WithoutPassword(options_.cluster_postgres);
  const std::string database = absl::StrCat("salesops_bench_", world_->tag());
  absl::StatusOr<std::string> conninfo = WithDatabase(options_.cluster_postgres, database);
  if (!conninfo.ok()) return conninfo.status();
  Say(absl::StrCat("cluster: creating the database ", database));
  if (absl::Status s = CreateDatabase(options_.cluster_postgres, database); !s.ok()) return s;
  struct Drop {
    ~Drop() {
      if (!keep) DropDatabase(admin, database).IgnoreError();
    }
    const std::string admin, database;
    const bool keep;
  } drop{options_.cluster_postgres, database, options_.keep_data};
  const int c = TargetConcurrency(options_);
  // Rows the size of one IdentifyLead's events, as the raw scan saw them.
  const size_t row_bytes = report_.scan.has_value() && report_.scan->events > 0
                               ? static_cast<size_t>(report_.scan->bytes / report_.scan->events)
                               : 400;
  Say(absl::StrCat("cluster: PostgreSQL single-row INSERTs, one per transaction, ", c, " clients"));
  absl::StatusOr<PostgresInsertResult> inserts =
      MeasurePostgresInserts(*conninfo, c, row_bytes, options_.warmup, options_.duration);
  if (!inserts.ok()) return inserts.status();
  cluster.inserts = *inserts;

  absl::StatusOr<std::string> binary = FindSalesopsd(options_);
  if (!binary.ok()) return binary.status();
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  constexpr int kNodes = 3;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(std::make_unique<ServerProcess>(
        *binary, std::vector<std::string>{absl::StrCat("--data-dir=", dir_->path(), "/cluster-node-", i),
                                          absl::StrCat("--tokens-file=", dir_->path(), "/tokens"),
                                          absl::StrCat("--bootstrap-admin=", kBenchAdmin),
                                          absl::StrCat("--log=", *conninfo), absl::StrCat("--node-id=bench-node-", i)}));
    Say(absl::StrCat("cluster: starting node ", i, i == 0 ? " (it takes the lease)" : " (it follows)"));
    if (absl::Status s = nodes.back()->Start(kServerStartTimeout); !s.ok()) return s;
  }
  cluster.nodes = kNodes;
  cluster.lease_seconds = 5;  // salesopsd's default --lease-duration
  std::vector<std::unique_ptr<BenchClient>> clients;
  for (const auto& node : nodes) {
    absl::StatusOr<std::unique_ptr<BenchClient>> client = BenchClient::Connect(node->address(), options_.channels);
    if (!client.ok()) return client.status();
    if (absl::Status s = FirstPing(**client, world_->team().admin_token); !s.ok()) return s;
    clients.push_back(*std::move(client));
  }
  if (absl::Status s = SetUpTeam(*clients[0], world_->team()); !s.ok()) return s;
  BenchWorld leader_world(clients[0].get(), world_->team(), absl::StrCat(world_->tag(), "c"));
  BenchWorld follower_world(clients[1].get(), world_->team(), absl::StrCat(world_->tag(), "f"));

  PingWorkload ping(leader_world);
  report_.runs.push_back(MeasureRunOn(nodes[0].get(), leader_world, "cluster-ping", ping, c, "on the leader"));
  AppendWorkload to_leader(leader_world);
  {
    LagProbe probe({clients[1].get(), clients[2].get()}, leader_world, world_->team().admin_token);
    report_.runs.push_back(MeasureRunOn(nodes[0].get(), leader_world, "cluster-append", to_leader, c,
                                        "to the leader; server CPU: the leader's"));
    probe.Stop();
    cluster.lag = probe.Lag();
    cluster.lag_failures = probe.failures();
  }
  AppendWorkload to_follower(follower_world);
  report_.runs.push_back(MeasureRunOn(nodes[1].get(), follower_world, "cluster-append", to_follower, c,
                                      "to a follower, forwarded to the leader; server CPU: the follower's"));
  QueryWorkload query(follower_world);
  query.Prepare(c);
  report_.runs.push_back(MeasureRunOn(nodes[1].get(), follower_world, "cluster-query", query, c,
                                      absl::StrCat("on a follower: ", query.MixDescription())));

  // Failover: the leader killed, one write sent to the other nodes in turn
  // (each try with a 2 s deadline and the same request_id) until one
  // acknowledges it.
  Say("cluster: kill -9 of the leader, then one write to the other nodes until acknowledged");
  nodes[0]->Kill();
  const auto killed = std::chrono::steady_clock::now();
  v1::IdentifyLeadRequest write;
  write.set_lead_id(absl::StrCat(world_->tag(), "-failover"));
  write.set_company("故障切换测试有限公司");
  write.mutable_contact()->set_name("陈静");
  write.set_source(v1::LEAD_SOURCE_REFERRAL);
  write.mutable_options()->set_request_id(write.lead_id());
  const BenchMember& rep = world_->team().Pick(v1::ROLE_SALES_REP, 0);
  grpc::Status last;
  for (size_t attempt = 0; std::chrono::steady_clock::now() - killed < std::chrono::seconds(60); ++attempt) {
    grpc::ClientContext context;
    PrepareContext(context, rep.token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::LeadCommandReply reply;
    last = clients[1 + attempt % 2]->Main().leads->IdentifyLead(&context, write, &reply);
    if (last.ok()) {
      cluster.failover_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
      break;
    }
    // The next try at once on the other node, then a short pause.
    if (attempt % 2 == 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (cluster.failover_seconds == 0) {
    cluster.failover_error = absl::StrCat("no write acknowledged within 60 s of the kill; last: ",
                                          StatusCodeName(last.error_code()), " ", last.error_message());
  }
  for (size_t i = 1; i < nodes.size(); ++i) {
    if (absl::Status s = nodes[i]->Stop(); !s.ok()) Say(absl::StrCat("cluster: node ", i, ": ", s.message()));
  }
  report_.cluster = std::move(cluster);
  return absl::OkStatus();
}

absl::StatusOr<Report> Bench::Execute() {
  report_.options = options_;
  std::string parent = options_.work_dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  report_.machine = DescribeMachine(options_.own_server() ? parent : std::string("(remote server)"));

  BenchTeam team = DefaultTeam();
  std::string target;
  if (options_.own_server()) {
    absl::StatusOr<std::string> binary = FindSalesopsd(options_);
    if (!binary.ok()) return binary.status();
    absl::StatusOr<std::unique_ptr<WorkDir>> dir = WorkDir::Create(parent, options_.keep_data);
    if (!dir.ok()) return dir.status();
    dir_ = std::move(*dir);
    if (options_.keep_data) Say(absl::StrCat("keeping ", dir_->path()));
    AssignRandomTokens(team);
    std::ofstream(dir_->path() + "/tokens") << TokensFileText(team);
    server_ = std::make_unique<ServerProcess>(
        *binary, std::vector<std::string>{absl::StrCat("--data-dir=", dir_->path(), "/db"),
                                          absl::StrCat("--tokens-file=", dir_->path(), "/tokens"),
                                          absl::StrCat("--bootstrap-admin=", kBenchAdmin)});
    Say(absl::StrCat("starting ", *binary));
    if (absl::Status s = server_->Start(kServerStartTimeout); !s.ok()) return s;
    target = server_->address();
    report_.server = absl::StrCat("own salesopsd (", *binary, "), durability sync, ", target);
  } else {
    std::ifstream in(options_.tokens_file);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("--tokens-file: cannot read ", options_.tokens_file));
    std::ostringstream text;
    text << in.rdbuf();
    if (absl::Status s = AssignTokensFromText(text.str(), team); !s.ok()) return s;
    team.admin_token = options_.token;
    target = options_.server;
    report_.server = absl::StrCat("existing server ", target);
  }

  absl::StatusOr<std::unique_ptr<BenchClient>> client =
      BenchClient::Connect(target, options_.channels, options_.own_server() ? client::ChannelSecurity() : options_.security);
  if (!client.ok()) return client.status();
  client_ = *std::move(client);
  if (absl::Status s = FirstPing(*client_, team.admin_token); !s.ok()) return s;
  if (absl::Status s = SetUpTeam(*client_, team); !s.ok()) return s;
  world_ = std::make_unique<BenchWorld>(client_.get(), team, RandomTag());
  if (server_ != nullptr) {
    if (absl::StatusOr<ProcessUsage> u = ReadProcessUsage(server_->pid()); u.ok()) {
      report_.empty_server_rss_bytes = u->rss_bytes;
    }
    Say("fdatasync probe");
    absl::StatusOr<LatencySummary> fsync = MeasureFdatasync(dir_->path(), options_.fdatasync_samples);
    if (!fsync.ok()) return fsync.status();
    report_.fdatasync = *fsync;
  }

  if (options_.soaking()) {
    if (absl::Status s = Soak(); !s.ok()) return s;
    if (server_ != nullptr) {
      Say("stopping salesopsd");
      if (absl::Status s = StopServer(); !s.ok()) return s;
    }
    getloadavg(report_.machine.load_after, 3);
    return std::move(report_);
  }

  PingWorkload ping(*world_);
  append_ = std::make_unique<AppendWorkload>(*world_);
  LifecycleWorkload lifecycle(*world_);
  ContendedWorkload contended(*world_, options_.hot_leads);
  // retry: IdentifyLead as append does, every 5th call a re-sent one (its
  // request_id answered from the idempotency record).
  AppendWorkload retry(*world_, /*request_ids=*/true, /*retry_every=*/5);
  if (options_.Wants("contended")) {
    if (absl::Status s = contended.Setup(); !s.ok()) return s;
  }
  // Queries first, while the log holds just the preloaded sizes; the write
  // scenarios then run on the grown log.
  if (options_.Wants("query")) {
    QueryWorkload query(*world_);
    for (uint64_t events : options_.query_log_events) {
      if (absl::Status s = PreloadTo(events, lifecycle); !s.ok()) return s;
      // RocksDB flushes and compacts what the preload wrote: not in the window.
      WaitForIdleServer(absl::StrCat("preloading the log to ", world_->head(), " events"));
      for (int c : options_.query_concurrency) {
        query.Prepare(c);
        Measure("query", query, c, query.MixDescription());
        WaitForIdleServer(absl::StrCat("query at ", c, " in flight on ", world_->head(), " events"));
      }
    }
  }
  if (options_.Wants("subscribe")) {
    if (absl::Status s = SubscribeCatchUp(lifecycle); !s.ok()) return s;
  }
  for (int c : options_.concurrency) {
    // --repeat: each round its own ceiling, so a ratio compares runs minutes
    // apart at most.
    for (int round = 0; round < options_.repeat; ++round) {
      Measure("ping", ping, c, "", round);
      if (options_.Wants("append")) {
        Measure("append", *append_, c, "", round);
        append_ran_ = true;
      }
      if (options_.Wants("retry")) Measure("retry", retry, c, "", round);
      if (options_.Wants("lifecycle")) Measure("lifecycle", lifecycle, c, "", round);
      if (options_.Wants("contended")) Measure("contended", contended, c, "", round);
    }
  }

  if (options_.Wants("subscribe")) {
    if (absl::Status s = SubscribeFanOut(); !s.ok()) return s;
  }

  if (server_ != nullptr) {
    Say("stopping salesopsd");
    if (absl::Status s = StopServer(); !s.ok()) return s;
    if (absl::Status s = RawCeilings(); !s.ok()) return s;
    if (options_.Wants("rebuild")) {
      if (absl::Status s = Rebuild(); !s.ok()) return s;
    }
    // Last of the embedded scenarios: it grows the log to millions of events.
    if (options_.Wants("restart")) {
      if (absl::Status s = RestartAtScale(); !s.ok()) return s;
    }
    if (!options_.cluster_postgres.empty()) {
      if (absl::Status s = Cluster(); !s.ok()) return s;
    }
  } else {
    if (options_.Wants("rebuild")) {
      report_.unavailable.push_back({"rebuild", "needs the bench's own server (restarts it on its log)"});
    }
    if (options_.Wants("restart")) {
      report_.unavailable.push_back({"restart", "needs the bench's own server (writes to its stopped store)"});
    }
    report_.unavailable.push_back(
        {"raw ceilings", "fdatasync, raw store append and scan need the bench's own server and its data"});
  }
  getloadavg(report_.machine.load_after, 3);
  return std::move(report_);
}

}  // namespace

absl::StatusOr<Report> RunBench(const BenchOptions& options, std::ostream& progress) {
  Bench bench(options, progress);
  return bench.Execute();
}

bool HasUnexpectedErrors(const Report& report) {
  for (const Run& run : report.runs) {
    if (run.error_count() > 0) return true;
  }
  // A restart that served other views than the full replay failed its check.
  if (report.restart.has_value() && !report.restart->views_equal) return true;
  if (report.subscribe.has_value() && report.subscribe->fan_out.has_value()) {
    const SubscribeRun::FanOutRun& f = *report.subscribe->fan_out;
    if (f.without_subscribers.error_count() > 0 || f.with_subscribers.error_count() > 0) return true;
  }
  if (report.soak.has_value()) {
    const SoakVerdict v = EvaluateSoak(*report.soak);
    if (!v.errors.empty()) return true;
    // The steady mix must append nothing; a head that moved, or could not
    // be read, means its memory verdict says nothing about leaks.
    if (report.soak->mix_name == "steady" && !(v.head_checked && v.head_unchanged)) return true;
  }
  return !SubscribeErrors(report).empty();
}

}  // namespace salesops::bench
