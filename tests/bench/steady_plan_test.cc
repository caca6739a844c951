// The steady soak mix's plan without a server: which call each arrival
// makes, on which lead, and that a retry is the population's command.
#include "steady_plan.h"

#include <map>
#include <set>

#include "gtest/gtest.h"

namespace salesops::bench {
namespace {

TEST(SteadyPlanTest, EveryTenArrivalsFollowTheWeights) {
  // Every window of 10 consecutive arrivals holds each kind by its weight.
  for (uint64_t start : {uint64_t{0}, uint64_t{10}, uint64_t{1'000'000}}) {
    std::map<SteadyOp, int> seen;
    for (uint64_t i = start; i < start + 10; ++i) ++seen[PlanSteadyArrival(i, 100).op];
    EXPECT_EQ(seen[SteadyOp::kRetry], 5);
    EXPECT_EQ(seen[SteadyOp::kRefusal], 2);
    EXPECT_EQ(seen[SteadyOp::kQuery], 2);
    EXPECT_EQ(seen[SteadyOp::kListLeads], 1);
  }
  EXPECT_EQ(
      SteadyMixDescription(),
      "IdentifyLead retries (same request_id) 50%, refused WinDeal (FAILED_PRECONDITION) 20%, queries 20%, "
      "ListLeads 10%");
}

TEST(SteadyPlanTest, LeadsStayInThePopulationAndSpreadOverIt) {
  constexpr uint64_t kLeads = 1000;
  std::set<uint64_t> retried;
  for (uint64_t i = 0; i < 100'000; ++i) {
    const SteadyArrival a = PlanSteadyArrival(i, kLeads);
    ASSERT_LT(a.lead, kLeads) << i;
    if (a.op == SteadyOp::kRetry) retried.insert(a.lead);
  }
  EXPECT_EQ(retried.size(), kLeads);  // 50,000 retries reach every lead
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(PlanSteadyArrival(i, 1).lead, 0u);
}

TEST(SteadyPlanTest, TheSameArrivalIsTheSameCall) {
  for (uint64_t i = 0; i < 1000; ++i) {
    const SteadyArrival a = PlanSteadyArrival(i, 20'000);
    const SteadyArrival b = PlanSteadyArrival(i, 20'000);
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.lead, b.lead);
  }
}

TEST(SteadyPlanTest, ARetryIsThePopulationsCommandWithItsRequestId) {
  const v1::IdentifyLeadRequest first = SteadyIdentify("bx", 42);
  EXPECT_EQ(first.lead_id(), "bx-s42");
  EXPECT_EQ(SteadyLeadId("bx", 42), "bx-s42");
  EXPECT_EQ(first.options().request_id(), "bx-s42");
  EXPECT_FALSE(first.company().empty());
  // Byte for byte: the server compares the deterministic serialization.
  std::string a, b;
  ASSERT_TRUE(first.SerializeToString(&a));
  ASSERT_TRUE(SteadyIdentify("bx", 42).SerializeToString(&b));
  EXPECT_EQ(a, b);
  EXPECT_NE(SteadyIdentify("bx", 43).lead_id(), first.lead_id());
  EXPECT_EQ(SteadyOwner(42), 42u);
}

}  // namespace
}  // namespace salesops::bench
