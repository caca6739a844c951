// The soak's steady mix (--soak-mix=steady): load that keeps the server's
// kept state constant, so that RSS growth under it is a leak or
// fragmentation, not leads the server keeps by design.
//
// Before the run the bench creates a fixed population of leads (IdentifyLead,
// each with options.request_id, by the rep SteadyOwner picks). Then every
// arrival is one of:
//   kRetry    the population's IdentifyLead again, byte for byte, with its
//             original request_id: the server answers from its idempotency
//             record and appends nothing
//   kRefusal  WinDeal on a population lead, which is IDENTIFIED: refused
//             with FAILED_PRECONDITION (not allowed from that stage),
//             nothing appended or recorded
//   kQuery    the query mix (QueryWorkload: views, GetLead, ListMembers)
//   kListLeads  Views.ListLeads, the first page of the IDENTIFIED leads
// in a fixed interleaving by weight (kSteadyWeights), each on a lead picked
// by a hash of the arrival index. Pure: no I/O, tested without a server.
#ifndef SALESOPS_CLIENT_BENCH_STEADY_PLAN_H_
#define SALESOPS_CLIENT_BENCH_STEADY_PLAN_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "salesops/v1/leads.pb.h"

namespace salesops::bench {

enum class SteadyOp { kRetry, kRefusal, kQuery, kListLeads };

// Of every 10 arrivals: 5 retries, 2 refusals, 2 queries, 1 ListLeads.
struct SteadyWeight {
  SteadyOp op;
  int weight;
  const char* name;
};
inline constexpr SteadyWeight kSteadyWeights[] = {
    {SteadyOp::kRetry, 5, "IdentifyLead retries (same request_id)"},
    {SteadyOp::kRefusal, 2, "refused WinDeal (FAILED_PRECONDITION)"},
    {SteadyOp::kQuery, 2, "queries"},
    {SteadyOp::kListLeads, 1, "ListLeads"},
};

struct SteadyArrival {
  SteadyOp op = SteadyOp::kQuery;
  uint64_t lead = 0;  // the population lead it is about (kRetry, kRefusal), < leads
};

// What arrival number `arrival` (0, 1, ...) does on a population of `leads`
// (>= 1) leads. The same arguments always give the same arrival.
SteadyArrival PlanSteadyArrival(uint64_t arrival, uint64_t leads);

// "IdentifyLead retries (same request_id) 50%, ...".
std::string SteadyMixDescription();

// The population's lead `i` of a run tagged `tag`.
std::string SteadyLeadId(absl::string_view tag, uint64_t i);

// Its IdentifyLead, with options.request_id: the population sends it once,
// every retry sends exactly it again (a different command under the same
// request_id would be INVALID_ARGUMENT).
v1::IdentifyLeadRequest SteadyIdentify(absl::string_view tag, uint64_t i);

// The index of the sales rep (team.Pick(ROLE_SALES_REP, index)) that
// identifies lead `i` and so owns it: retries and refusals come from it.
inline size_t SteadyOwner(uint64_t i) { return static_cast<size_t>(i); }

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_STEADY_PLAN_H_
