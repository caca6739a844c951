// The scenarios' workloads (closed_loop.h) and what they share.
//
//   PingWorkload       Admin.Ping: the empty-RPC ceiling
//   AppendWorkload     IdentifyLead, one new lead per call (durable writes)
//   LifecycleWorkload  leads walked through every stage by the right roles
//                      (lifecycle_plan.h), 10 % deliberately refused
//   ContendedWorkload  UpdateLead on a few hot leads with expected_version,
//                      re-reading and retrying on ABORTED
//   QueryWorkload      a weighted mix of reads: the views (pipeline, workload,
//                      a rep's performance review) and single leads and
//                      orders the others created
//   MixWorkload        a weighted mix of the others, by arrival (the soak)
//   SteadyPopulation   the steady soak's fixed leads (steady_plan.h)
//   SteadyWorkload     the steady soak's load on them: nothing appended
//
// Every workload is thread-safe in the closed-loop sense: Start may run on
// any thread, never twice at once for one client.
#ifndef SALESOPS_CLIENT_BENCH_WORKLOADS_H_
#define SALESOPS_CLIENT_BENCH_WORKLOADS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench_client.h"
#include "closed_loop.h"
#include "lifecycle_plan.h"
#include "salesops/v1/internal.pb.h"
#include "team_plan.h"

namespace salesops::bench {

// Ids created during the run, for the reads to pick from. Thread-safe.
class IdPool {
 public:
  // At most `capacity` ids from now on: once full, each new id replaces the
  // oldest one kept (the soak's hours of appends must not grow the client).
  void Bound(size_t capacity);
  void Add(std::string id);
  // The id at `r` modulo the pool's size; empty when the pool is empty.
  std::string Pick(uint64_t r) const;
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  size_t capacity_ ABSL_GUARDED_BY(mu_) = SIZE_MAX;
  size_t replaced_ ABSL_GUARDED_BY(mu_) = 0;  // ids added past capacity_
};

// What every workload works with. Thread-safe.
class BenchWorld {
 public:
  // `tag` prefixes every id the bench creates, so runs against an existing
  // server never collide ([A-Za-z0-9]+).
  BenchWorld(BenchClient* client, BenchTeam team, std::string tag)
      : client_(client), team_(std::move(team)), tag_(std::move(tag)) {}

  BenchClient& client() { return *client_; }
  const BenchTeam& team() const { return team_; }
  const std::string& tag() const { return tag_; }

  IdPool& leads() { return leads_; }
  IdPool& orders() { return orders_; }

  // The largest log position any reply has shown: the log's size, as far as
  // the bench knows (it is the only writer of its own server).
  void SawPosition(uint64_t position);
  uint64_t head() const { return head_.load(std::memory_order_relaxed); }

 private:
  BenchClient* const client_;
  const BenchTeam team_;
  const std::string tag_;
  IdPool leads_;
  IdPool orders_;
  std::atomic<uint64_t> head_{0};
};

// A small, fast per-client random sequence (splitmix64).
uint64_t NextRandom(uint64_t& state);

// The customer the n-th lead of a series (the prefix of its lead ids, which
// holds the run's tag) is for: most leads are a new customer's (a company
// name of its own, opening a new account), every fifth a returning
// customer's (the company of lead n / 5 of the same series, an earlier
// one), so the accounts the views hold grow as a real sales log's do.
std::string BenchCompany(absl::string_view series, uint64_t n);

class PingWorkload final : public Workload {
 public:
  explicit PingWorkload(BenchWorld& world) : world_(world) {}
  void Start(int client, OpDone done) override;

 private:
  BenchWorld& world_;
};

class AppendWorkload final : public Workload {
 public:
  // With `request_ids`, each call carries options.request_id (its lead id),
  // as a real client's retry-safe call does (and as clients are told to): the
  // server then also writes an idempotency record per call. With
  // `retry_every` = N > 0, every Nth call instead re-sends an IdentifyLead
  // already acknowledged, with its request_id, which the server answers
  // from the idempotency record without writing (the retry scenario).
  explicit AppendWorkload(BenchWorld& world, bool request_ids = true, int retry_every = 0)
      : world_(world),
        request_ids_(request_ids),
        retry_every_(retry_every),
        series_(world.tag() + (retry_every > 0 ? "-r" : "-a")) {}
  void Start(int client, OpDone done) override;

  // The IdentifyLead the n-th lead of `series` is identified with (then
  // given its own lead id), for the customer BenchCompany(series, n).
  static v1::IdentifyLeadRequest Template(absl::string_view series, uint64_t n);

 private:
  BenchWorld& world_;
  const bool request_ids_;
  const int retry_every_;
  const std::string series_;  // its lead ids' prefix: one per run and workload
  std::atomic<uint64_t> next_{0};
  std::atomic<uint64_t> calls_{0};
  // With retry_every_: acknowledged (lead id, sending client), the first
  // kMaxRemembered of them, and what picks one.
  static constexpr size_t kMaxRemembered = 1'000'000;
  absl::Mutex mu_;
  struct Sent {
    std::string id;     // the lead id
    size_t sender = 0;  // the sending client
    uint64_t n = 0;     // Template's n
  };
  std::vector<Sent> acknowledged_ ABSL_GUARDED_BY(mu_);
  uint64_t random_ ABSL_GUARDED_BY(mu_) = 0x5eed;
};

// The member who sends `planned` as the `client`-th closed-loop client:
// rep steps from the lead's owner (the rep that identified it), the others
// from a member of the step's role.
const BenchMember& LifecycleSender(const BenchTeam& team, const PlannedCommand& planned, size_t client);

// The command `planned` sends (refusals included), for the lead
// "<tag>-l<planned.lead>", with options.request_id `request_id`. The RPCs of
// LifecycleWorkload carry its request; the log generator (log_generator.h)
// submits it to the deciders as it is.
v1::Command LifecycleCommand(absl::string_view tag, const PlannedCommand& planned, std::string request_id);

class LifecycleWorkload final : public Workload {
 public:
  explicit LifecycleWorkload(BenchWorld& world) : world_(world) {}
  void Prepare(int clients) override;
  void Start(int client, OpDone done) override;

 private:
  std::string LeadId(uint64_t n) const;
  // Sends `planned` for `client` and completes `done` with its outcome.
  void Send(int client, const PlannedCommand& planned, OpDone done);
  template <typename Reply>
  CallDone<Reply> Complete(int client, PlannedCommand planned, OpDone done);

  BenchWorld& world_;
  std::vector<JourneyCursor> cursors_;  // one per client
  // Per client: commands sent, for request ids unique to each command (a
  // client's commands never overlap, so its counter needs no lock).
  std::vector<uint64_t> commands_;
  std::atomic<uint64_t> next_lead_{0};
};

class ContendedWorkload final : public Workload {
 public:
  ContendedWorkload(BenchWorld& world, int hot_leads) : world_(world), hot_leads_(hot_leads) {}
  // Creates the hot leads (blocking calls; before any run).
  absl::Status Setup();
  void Prepare(int clients) override;
  void Start(int client, OpDone done) override;

  // Gives up on an update after this many ABORTED answers in a row.
  static constexpr int kMaxRetries = 1000;

 private:
  void Attempt(int client, size_t lead, int retries, OpDone done);
  void Reread(int client, size_t lead, int retries, OpDone done);
  void SawVersion(size_t lead, uint64_t version);

  BenchWorld& world_;
  const int hot_leads_;
  std::vector<std::string> ids_;
  std::unique_ptr<std::atomic<uint64_t>[]> versions_;  // the latest version seen, per hot lead
  std::vector<uint64_t> random_;                       // per client
  std::atomic<int64_t> amount_{0};
};

class QueryWorkload final : public Workload {
 public:
  explicit QueryWorkload(BenchWorld& world);
  // Drops the kinds that have nothing to read yet (no orders: no GetOrder).
  void Prepare(int clients) override;
  void Start(int client, OpDone done) override;

  // "GetLead 60%, ..." as of the last Prepare.
  std::string MixDescription() const;

 private:
  using Method = void (QueryWorkload::*)(int client, OpDone done);
  struct Kind {
    const char* rpc;
    int weight;
    Method start;
    IdPool* needs = nullptr;  // the kind is skipped while this pool is empty
  };

  void GetLead(int client, OpDone done);
  void GetOrder(int client, OpDone done);
  void ListMembers(int client, OpDone done);
  void GetPipeline(int client, OpDone done);
  void GetWorkload(int client, OpDone done);
  void GetPerformanceReview(int client, OpDone done);
  const std::string& Token(int client) const;

  BenchWorld& world_;
  std::vector<Kind> kinds_;   // every kind the bench knows
  std::vector<Kind> active_;  // those with something to read
  int total_weight_ = 0;
  std::vector<uint64_t> random_;  // per client
};

// Operations of several workloads, by arrival: of every `total weight`
// operations, each part gets its weight, in a fixed interleaving. A client
// (slot) may do an operation of one part, then of another; each part still
// never sees one client's operations overlap.
class MixWorkload final : public Workload {
 public:
  struct Part {
    std::string name;
    int weight = 1;  // >= 1
    Workload* workload = nullptr;
  };
  explicit MixWorkload(std::vector<Part> parts);
  void Prepare(int clients) override;  // prepares every part
  void Start(int client, OpDone done) override;

  // "IdentifyLead 70%, lifecycle 20%, queries 10%".
  std::string Description() const;

 private:
  const std::vector<Part> parts_;
  int total_weight_ = 0;
  std::atomic<uint64_t> next_{0};
};

// Creates the steady mix's population (steady_plan.h): arrival i < leads
// identifies lead i; later arrivals (in flight when the last was created)
// retry lead i % leads, which adds nothing. Run it closed-loop with
// `finished` as the stop condition.
class SteadyPopulation final : public Workload {
 public:
  SteadyPopulation(BenchWorld& world, uint64_t leads) : world_(world), leads_(leads) {}
  void Start(int client, OpDone done) override;

  // Every lead has been answered (created or failed).
  bool finished() const { return created() + failed() >= leads_; }
  uint64_t created() const { return created_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  BenchWorld& world_;
  const uint64_t leads_;
  std::atomic<uint64_t> next_{0};
  std::atomic<uint64_t> created_{0};
  std::atomic<uint64_t> failed_{0};
};

// The steady mix on a population of `leads` made by SteadyPopulation:
// PlanSteadyArrival decides each arrival; kQuery goes to `query`. A retry
// answered OK and a refusal answered FAILED_PRECONDITION are as expected;
// anything else is an error.
class SteadyWorkload final : public Workload {
 public:
  SteadyWorkload(BenchWorld& world, uint64_t leads, QueryWorkload& query)
      : world_(world), leads_(leads), query_(query) {}
  void Prepare(int clients) override;  // prepares `query`
  void Start(int client, OpDone done) override;

 private:
  void Retry(int client, uint64_t lead, OpDone done);
  void Refuse(int client, uint64_t lead, OpDone done);
  void ListLeads(int client, OpDone done);

  BenchWorld& world_;
  const uint64_t leads_;
  QueryWorkload& query_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_WORKLOADS_H_
