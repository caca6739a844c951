#include "server/common/progress_log.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/common/log.h"

namespace salesops {
namespace {

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) {
  std::string digits = absl::StrCat(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

ProgressLog::ProgressLog(std::string what, std::string unit, uint64_t total, absl::Duration interval)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      interval_(interval),
      start_(absl::Now()),
      next_(start_ + interval) {}

std::string ProgressLog::Line(const std::string& what, const std::string& unit, uint64_t done, uint64_t total,
                              absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = absl::StrCat(what, ": ", Grouped(done), " of ", Grouped(total), " ", unit);
  if (total > 0) absl::StrAppend(&line, " (", done * 100 / total, " %)");
  absl::StrAppend(&line, ", ", Grouped(static_cast<uint64_t>(rate)), "/s");
  if (rate > 0 && total > done) {
    const absl::Duration left = absl::Seconds(static_cast<double>(total - done) / rate);
    absl::StrAppend(&line, ", about ", absl::FormatDuration(absl::Trunc(left, absl::Seconds(1))), " left");
  }
  return line;
}

void ProgressLog::MaybeLog(uint64_t done) {
  const absl::Time now = absl::Now();
  if (now < next_) return;
  next_ = now + interval_;
  LogInfo("%s", Line(what_, unit_, done, total_, now - start_));
}

}  // namespace salesops
