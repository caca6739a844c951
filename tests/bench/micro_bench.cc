// Micro-benchmarks of the write and read path's pieces (Google Benchmark):
// decide, evolve, envelope encode/decode, key encoding, store append,
// projection apply.
// Built, not run as tests: ./salesops_micro_bench [--benchmark_filter=...].
//
// The state is built the way the sequencer builds it: decide a command, wrap
// each event in an envelope, evolve. No store, no gRPC.
#include <cstdlib>
#include <filesystem>
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
#include "server/store/event_store.h"
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

// EventStore::Append of batches of 16 commands, each one IdentifyLead's
// envelopes, without fsync (the store's CPU: version checks, encoding, the
// hash chain, RocksDB's WAL and memtable writes). The store already holds
// 200 000 streams, flushed to table files by a reopen. Arg 0: every command
// starts a new stream (expected version 0, as IdentifyLead); arg 1: every
// command continues an existing stream at its current version.
void BM_StoreAppend(benchmark::State& s) {
  const World world(1);
  const bool existing = s.range(0) == 1;
  constexpr int kBatch = 16;
  constexpr int kPreloaded = 200'000;
  std::string dir = (std::filesystem::temp_directory_path() / "salesops-micro-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    s.SkipWithError("mkdtemp failed");
    return;
  }
  store::StoreOptions options;
  options.path = dir;
  options.sync = false;
  const auto append = [&](store::EventStore& store, const std::vector<std::pair<std::string, uint64_t>>& streams) {
    store::AppendBatch batch;
    batch.expected_head = store.Head();
    for (const auto& [id, version] : streams) {
      store::StreamAppend& a = batch.streams.emplace_back();
      a.stream_id = id;
      a.expected_version = version;
      for (const v1::EventEnvelope& e : world.last) a.events.push_back(e);
    }
    absl::StatusOr<std::vector<v1::EventEnvelope>> done = store.Append(std::move(batch));
    if (!done.ok()) {
      std::fprintf(stderr, "append: %s\n", done.status().ToString().c_str());
      std::abort();
    }
  };
  const uint64_t per_command = world.last.size();
  {
    std::unique_ptr<store::EventStore> store = *store::EventStore::Open(options);
    for (int i = 0; i < kPreloaded; i += kBatch) {
      std::vector<std::pair<std::string, uint64_t>> streams;
      for (int j = i; j < i + kBatch; ++j) streams.emplace_back(absl::StrCat("lead-pre-", j), 0);
      append(*store, streams);
    }
  }
  std::vector<uint64_t> versions(kPreloaded, per_command);  // each preloaded stream's version
  std::unique_ptr<store::EventStore> store = *store::EventStore::Open(options);  // recovery flushes the WAL
  int64_t next = 0;
  std::vector<std::pair<std::string, uint64_t>> streams(kBatch);
  for (auto _ : s) {
    s.PauseTiming();
    for (auto& [id, version] : streams) {
      if (existing) {
        const size_t i = static_cast<size_t>(next++ % kPreloaded);
        id = absl::StrCat("lead-pre-", i);
        version = versions[i];
        versions[i] += per_command;
      } else {
        id = absl::StrCat("lead-new-", next++);
        version = 0;
      }
    }
    s.ResumeTiming();
    append(*store, streams);
  }
  s.SetItemsProcessed(s.iterations() * kBatch);
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreAppend)->Arg(0)->Arg(1);

}  // namespace
}  // namespace salesops

BENCHMARK_MAIN();
