#include "server/common/proc_stats.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace salesops {
namespace {

TEST(ProcStatsTest, CpuTicksCountFieldsFromTheLastParenthesis) {
  // The command name may contain spaces and ')': fields 14 and 15 are
  // counted after the last ')'.
  const char stat[] =
      "4242 (sales ops) d) S 1 4242 4242 0 -1 4194560 2000 0 0 0 150 25 0 0 20 0 9 0 100 1000000 500 "
      "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
  EXPECT_EQ(ParseStatCpuTicks(stat), 175u);
  EXPECT_EQ(ParseStatCpuTicks("4242 (x) S 1 2"), std::nullopt);
  EXPECT_EQ(ParseStatCpuTicks("no parenthesis"), std::nullopt);
}

TEST(ProcStatsTest, StatusKilobytesByName) {
  const char status[] = "Name:\tsalesopsd\nVmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\nThreads:\t9\n";
  EXPECT_EQ(ParseStatusKb(status, "VmRSS"), 10240u * 1024);
  EXPECT_EQ(ParseStatusKb(status, "VmHWM"), 20480u * 1024);
  EXPECT_EQ(ParseStatusKb(status, "VmSwap"), std::nullopt);
  EXPECT_EQ(ParseStatusKb(status, "Threads"), std::nullopt);  // not in kB
}

TEST(ProcStatsTest, ReadsThisProcess) {
  absl::StatusOr<ProcessUsage> self = ReadProcessUsage(getpid());
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_GT(self->rss_bytes, 0u);
  EXPECT_GE(self->peak_rss_bytes, self->rss_bytes);
  EXPECT_GE(self->cpu_seconds, 0);
}

}  // namespace
}  // namespace salesops
