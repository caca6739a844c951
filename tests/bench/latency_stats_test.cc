#include "latency_stats.h"

#include <vector>

#include "gtest/gtest.h"

namespace salesops::bench {
namespace {

TEST(PercentileTest, NearestRankIsAlwaysAMeasuredValue) {
  const std::vector<int64_t> sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  EXPECT_EQ(Percentile(sorted, 50), 50);   // rank ceil(5) = 5
  EXPECT_EQ(Percentile(sorted, 90), 90);   // rank 9
  EXPECT_EQ(Percentile(sorted, 99), 100);  // rank ceil(9.9) = 10
  EXPECT_EQ(Percentile(sorted, 100), 100);
  EXPECT_EQ(Percentile(sorted, 1), 10);    // rank ceil(0.1) = 1
  EXPECT_EQ(Percentile(sorted, 51), 60);   // rank ceil(5.1) = 6
}

TEST(PercentileTest, SmallAndEmptySamples) {
  EXPECT_EQ(Percentile({}, 50), 0);
  const std::vector<int64_t> one = {7};
  EXPECT_EQ(Percentile(one, 50), 7);
  EXPECT_EQ(Percentile(one, 99), 7);
  const std::vector<int64_t> two = {1, 9};
  EXPECT_EQ(Percentile(two, 50), 1);
  EXPECT_EQ(Percentile(two, 51), 9);
}

TEST(SummarizeTest, SortsAndSummarizes) {
  std::vector<int64_t> samples;
  for (int64_t i = 1000; i >= 1; --i) samples.push_back(i);  // 1..1000, reversed
  const LatencySummary s = Summarize(samples);
  EXPECT_EQ(s.count, 1000u);
  EXPECT_EQ(s.p50_ns, 500);
  EXPECT_EQ(s.p90_ns, 900);
  EXPECT_EQ(s.p99_ns, 990);
  EXPECT_EQ(s.max_ns, 1000);
  EXPECT_DOUBLE_EQ(s.mean_ns, 500.5);
  EXPECT_EQ(samples.front(), 1);  // sorted in place
}

TEST(SummarizeTest, EmptyIsAllZero) {
  std::vector<int64_t> none;
  const LatencySummary s = Summarize(none);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p99_ns, 0);
  EXPECT_EQ(s.mean_ns, 0);
}

}  // namespace
}  // namespace salesops::bench
