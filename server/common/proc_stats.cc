#include "server/common/proc_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace salesops {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<uint64_t> ParseStatCpuTicks(absl::string_view stat) {
  const size_t paren = stat.rfind(')');
  if (paren == absl::string_view::npos) return std::nullopt;
  // After ')': field 3 (state) is the first, so utime (14) is index 11.
  const std::vector<absl::string_view> fields =
      absl::StrSplit(stat.substr(paren + 1), ' ', absl::SkipEmpty());
  uint64_t utime = 0;
  uint64_t stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) || !absl::SimpleAtoi(fields[12], &stime)) {
    return std::nullopt;
  }
  return utime + stime;
}

std::optional<uint64_t> ParseStatusKb(absl::string_view status, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, ":")) continue;
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumeSuffix(&line, "kB")) return std::nullopt;
    uint64_t kb = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kb)) return std::nullopt;
    return kb * 1024;
  }
  return std::nullopt;
}

absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid) {
  const std::string dir = absl::StrCat("/proc/", pid);
  const std::optional<std::string> stat = ReadFile(dir + "/stat");
  const std::optional<std::string> status = ReadFile(dir + "/status");
  if (!stat.has_value() || !status.has_value()) {
    return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
  }
  const std::optional<uint64_t> ticks = ParseStatCpuTicks(*stat);
  const std::optional<uint64_t> rss = ParseStatusKb(*status, "VmRSS");
  const std::optional<uint64_t> peak = ParseStatusKb(*status, "VmHWM");
  if (!ticks.has_value() || !rss.has_value()) {
    return absl::DataLossError(absl::StrCat("cannot read CPU time and VmRSS of process ", pid));
  }
  ProcessUsage usage;
  usage.cpu_seconds = static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  usage.rss_bytes = *rss;
  usage.peak_rss_bytes = peak.value_or(*rss);
  return usage;
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace salesops
