// Micro-benchmarks of the write and read path's pieces (Google Benchmark):
// decide, evolve, envelope encode/decode, key encoding, projection apply.
// Built, not run as tests: ./salesops_micro_bench [--benchmark_filter=...].
//
// The state is built the way the sequencer builds it: decide a command, wrap
// each event in an envelope, evolve. No store, no gRPC.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "projections/views.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"
#include "server/domain/state.h"
#include "server/domain/team.h"
#include "server/store/keys.h"

namespace salesops {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'780'000'000);

// Decides `command` as `actor` against `state` and folds the events in.
// Returns the envelopes; aborts on a refusal (the benchmark set-up is wrong).
std::vector<v1::EventEnvelope> Apply(domain::State& state, uint64_t& position, const v1::Command& command,
                                     const std::string& actor) {
  absl::StatusOr<domain::CommandDecision> decision = domain::Decide(state, command, {kNow, actor, ""});
  if (!decision.ok()) {
    std::fprintf(stderr, "set-up command refused: %s\n", decision.status().ToString().c_str());
    std::abort();
  }
  std::vector<v1::EventEnvelope> envelopes;
  for (domain::StreamDecision& stream : decision->streams) {
    uint64_t version = stream.expected_version;
    for (v1::Event& event : stream.events) {
      v1::EventEnvelope& e = envelopes.emplace_back();
      e.set_envelope_version(1);
      e.set_position(++position);
      e.set_stream_id(stream.stream_id);
      e.set_stream_version(++version);
      e.set_event_type(domain::EventTypeName(event));
      *e.mutable_recorded_at() = ToProtoTime(kNow);
      *e.mutable_occurred_at() = ToProtoTime(decision->occurred_at);
      e.set_actor(actor);
      e.set_actor_role(decision->acted_as);
      *e.mutable_event() = std::move(event);
      domain::Evolve(state, e);
    }
  }
  return envelopes;
}

v1::Command AddMember(const std::string& id, v1::Role role) {
  v1::Command c;
  v1::AddMemberRequest* add = c.mutable_team()->mutable_add_member();
  add->set_member_id(id);
  add->set_display_name(id);
  add->add_roles(role);
  return c;
}

v1::Command Identify(const std::string& lead_id) {
  v1::Command c;
  v1::IdentifyLeadRequest* r = c.mutable_lead()->mutable_identify();
  r->set_lead_id(lead_id);
  r->set_company("华东精密制造有限公司");
  r->mutable_contact()->set_name("李娜");
  r->mutable_contact()->set_email("lina@example.cn");
  r->set_source(v1::LEAD_SOURCE_REFERRAL);
  r->mutable_estimated_value()->set_amount_minor(120'000'000);
  r->mutable_estimated_value()->set_currency("CNY");
  return c;
}

v1::Command Qualify(const std::string& lead_id) {
  v1::Command c;
  v1::QualifyLeadRequest* r = c.mutable_lead()->mutable_qualify();
  r->set_lead_id(lead_id);
  r->set_score(80);
  return c;
}

// A team like the load generator's, and `leads` identified leads.
struct World {
  domain::State state;
  uint64_t position = 0;
  std::vector<v1::EventEnvelope> last;  // the envelopes of the last IdentifyLead

  explicit World(int leads) {
    v1::Command bootstrap;
    bootstrap.mutable_team()->mutable_bootstrap()->set_member_id("admin");
    Apply(state, position, bootstrap, std::string(domain::kSystemActor));
    for (int i = 1; i <= 4; ++i) Apply(state, position, AddMember(absl::StrCat("rep-", i), v1::ROLE_SALES_REP), "admin");
    for (int i = 1; i <= 2; ++i) Apply(state, position, AddMember(absl::StrCat("bd-", i), v1::ROLE_BD_MANAGER), "admin");
    for (int i = 0; i < leads; ++i) last = Apply(state, position, Identify(absl::StrCat("lead-", i)), "rep-1");
  }
};

void BM_DecideIdentifyLead(benchmark::State& s) {
  World world(static_cast<int>(s.range(0)));
  const v1::Command command = Identify("new-lead");
  for (auto _ : s) {
    auto decision = domain::Decide(world.state, command, {kNow, "rep-1", ""});
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_DecideIdentifyLead)->Arg(100)->Arg(100'000);

void BM_DecideQualifyLead(benchmark::State& s) {
  World world(1000);
  const v1::Command command = Qualify("lead-500");
  for (auto _ : s) {
    auto decision = domain::Decide(world.state, command, {kNow, "bd-1", ""});
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_DecideQualifyLead);

// Decide + envelope + evolve of one new lead: the sequencer's per-command
// work (the state grows by one lead per iteration).
void BM_DecideAndEvolveIdentifyLead(benchmark::State& s) {
  World world(0);
  int64_t i = 0;
  for (auto _ : s) {
    auto envelopes = Apply(world.state, world.position, Identify(absl::StrCat("l-", i++)), "rep-1");
    benchmark::DoNotOptimize(envelopes);
  }
}
BENCHMARK(BM_DecideAndEvolveIdentifyLead);

void BM_EnvelopeEncode(benchmark::State& s) {
  const World world(1);
  const v1::EventEnvelope& e = world.last.front();  // LeadIdentified
  std::string out;
  for (auto _ : s) {
    out.clear();
    e.SerializeToString(&out);
    benchmark::DoNotOptimize(out);
  }
  s.SetBytesProcessed(s.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_EnvelopeEncode);

void BM_EnvelopeDecode(benchmark::State& s) {
  const World world(1);
  const std::string bytes = world.last.front().SerializeAsString();
  v1::EventEnvelope e;
  for (auto _ : s) {
    e.ParseFromString(bytes);
    benchmark::DoNotOptimize(e);
  }
  s.SetBytesProcessed(s.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_EnvelopeDecode);

void BM_PositionKey(benchmark::State& s) {
  uint64_t position = 1;
  for (auto _ : s) benchmark::DoNotOptimize(store::keys::PositionKey(position++));
}
BENCHMARK(BM_PositionKey);

void BM_StreamKey(benchmark::State& s) {
  uint64_t version = 1;
  for (auto _ : s) benchmark::DoNotOptimize(store::keys::StreamKey("lead-b1x2y3z-a123456", version++));
}
BENCHMARK(BM_StreamKey);

void BM_DecodeStreamKey(benchmark::State& s) {
  const std::string key = store::keys::StreamKey("lead-b1x2y3z-a123456", 42);
  for (auto _ : s) benchmark::DoNotOptimize(store::keys::DecodeStreamKey(key));
}
BENCHMARK(BM_DecodeStreamKey);

// Views::Apply of one IdentifyLead's envelopes (a new lead each time, so
// the fold grows as on the append scenario).
void BM_ViewsApply(benchmark::State& s) {
  const World world(1);
  projections::Views directory;
  std::vector<v1::EventEnvelope> batch = world.last;
  uint64_t position = 0;
  int64_t i = 0;
  for (auto _ : s) {
    s.PauseTiming();
    const std::string stream = domain::LeadStreamId(absl::StrCat("l-", i++));
    for (v1::EventEnvelope& e : batch) {
      e.set_stream_id(stream);
      e.set_position(++position);
    }
    s.ResumeTiming();
    directory.Apply(batch);
  }
}
BENCHMARK(BM_ViewsApply);

}  // namespace
}  // namespace salesops

BENCHMARK_MAIN();
