#include "steady_plan.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "workloads.h"

namespace salesops::bench {
namespace {

constexpr int TotalWeight() {
  int total = 0;
  for (const SteadyWeight& w : kSteadyWeights) total += w.weight;
  return total;
}

}  // namespace

SteadyArrival PlanSteadyArrival(uint64_t arrival, uint64_t leads) {
  SteadyArrival a;
  int pick = static_cast<int>(arrival % TotalWeight());
  for (const SteadyWeight& w : kSteadyWeights) {
    if (pick < w.weight) {
      a.op = w.op;
      break;
    }
    pick -= w.weight;
  }
  uint64_t state = arrival;
  a.lead = leads == 0 ? 0 : NextRandom(state) % leads;
  return a;
}

std::string SteadyMixDescription() {
  std::vector<std::string> parts;
  for (const SteadyWeight& w : kSteadyWeights)
    parts.push_back(absl::StrCat(w.name, " ", 100 * w.weight / TotalWeight(), "%"));
  return absl::StrJoin(parts, ", ");
}

std::string SteadyLeadId(absl::string_view tag, uint64_t i) { return absl::StrCat(tag, "-s", i); }

v1::IdentifyLeadRequest SteadyIdentify(absl::string_view tag, uint64_t i) {
  v1::IdentifyLeadRequest request = AppendWorkload::Template(absl::StrCat(tag, "-s"), i);
  request.set_lead_id(SteadyLeadId(tag, i));
  request.mutable_options()->set_request_id(request.lead_id());
  return request;
}

}  // namespace salesops::bench
