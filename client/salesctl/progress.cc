#include "progress.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "display_width.h"
#include "duration_text.h"
#include "view_text.h"

namespace salesctl {
namespace {

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n) { return GroupThousands(absl::StrCat(n)); }

uint64_t Percent(uint64_t done, uint64_t total) {
  if (total == 0 || done >= total) return 100;
  return done * 100 / total;
}

// "850ms" below a second, "2.1s" below a minute, else "1m 30s"
// (duration_text.h).
std::string Elapsed(absl::Duration elapsed) {
  if (elapsed >= absl::Seconds(1) && elapsed < absl::Minutes(1)) {
    return absl::StrFormat("%.1fs", absl::ToDoubleSeconds(elapsed));
  }
  return HumanDuration(elapsed);
}

}  // namespace

absl::StatusOr<ProgressMode> ParseProgressMode(absl::string_view text) {
  const std::string mode = absl::AsciiStrToLower(text);
  if (mode == "auto") return ProgressMode::kAuto;
  if (mode == "bar") return ProgressMode::kBar;
  if (mode == "lines") return ProgressMode::kLines;
  if (mode == "none") return ProgressMode::kNone;
  return absl::InvalidArgumentError(absl::StrCat("--progress: '", text, "' is not auto, bar, lines or none"));
}

ProgressStyle ResolveProgressStyle(ProgressMode mode, bool stderr_is_terminal, bool output_to_terminal) {
  switch (mode) {
    case ProgressMode::kBar:
      return ProgressStyle::kBar;
    case ProgressMode::kLines:
      return ProgressStyle::kLines;
    case ProgressMode::kNone:
      return ProgressStyle::kNone;
    case ProgressMode::kAuto:
      break;
  }
  if (!stderr_is_terminal) return ProgressStyle::kLines;
  return output_to_terminal ? ProgressStyle::kNone : ProgressStyle::kBar;
}

void RateEstimator::Add(absl::Time at, uint64_t done) {
  if (samples_.size() >= 2 && at - samples_[samples_.size() - 2].first < window_ / 100) {
    samples_.back() = {at, done};
  } else {
    samples_.emplace_back(at, done);
  }
  // Keep one sample at or before the window's start, as the rate's base.
  while (samples_.size() > 2 && samples_[1].first <= at - window_) samples_.pop_front();
}

std::optional<double> RateEstimator::PerSecond() const {
  if (samples_.size() < 2) return std::nullopt;
  const auto& [from_time, from_done] = samples_.front();
  const auto& [to_time, to_done] = samples_.back();
  const double seconds = absl::ToDoubleSeconds(to_time - from_time);
  if (seconds <= 0) return std::nullopt;
  return static_cast<double>(to_done - std::min(from_done, to_done)) / seconds;
}

std::optional<absl::Duration> TimeLeft(const ProgressSnapshot& snapshot) {
  if (!snapshot.total.has_value() || !snapshot.rate.has_value() || *snapshot.rate <= 0) return std::nullopt;
  if (snapshot.done >= *snapshot.total) return std::nullopt;
  const double seconds = static_cast<double>(*snapshot.total - snapshot.done) / *snapshot.rate;
  return absl::Seconds(std::ceil(std::min(seconds, 1e9)));
}

std::string FormatRate(double per_second) {
  if (per_second < 10) return absl::StrFormat("%.1f/s", per_second);
  return absl::StrCat(Grouped(static_cast<uint64_t>(per_second)), "/s");
}

std::string FormatBar(absl::string_view what, absl::string_view unit, const ProgressSnapshot& snapshot,
                      size_t bar_width) {
  std::string line = absl::StrCat(what, "  ");
  if (snapshot.total.has_value()) {
    const uint64_t total = *snapshot.total;
    const size_t filled =
        total == 0 ? bar_width : static_cast<size_t>(std::min(snapshot.done, total) * bar_width / total);
    std::string bar;
    for (size_t i = 0; i < bar_width; ++i) absl::StrAppend(&bar, i < filled ? kBarFull : kBarEmpty);
    absl::StrAppend(&line, "[", bar, "]  ",
                    PadToWidth(absl::StrCat(Percent(snapshot.done, total), "%"), 4, true), "  ",
                    Grouped(snapshot.done), "/", Grouped(total), " ", unit);
  } else {
    absl::StrAppend(&line, Grouped(snapshot.done), " ", unit);
  }
  if (snapshot.rate.has_value()) absl::StrAppend(&line, "  ", FormatRate(*snapshot.rate));
  if (const std::optional<absl::Duration> left = TimeLeft(snapshot)) {
    absl::StrAppend(&line, "  ", HumanDuration(*left), " left");
  }
  return line;
}

std::string FormatProgressLine(absl::string_view what, absl::string_view unit,
                               const ProgressSnapshot& snapshot) {
  std::string line = absl::StrCat("salesctl ", what, ": ", Grouped(snapshot.done));
  if (snapshot.total.has_value()) {
    absl::StrAppend(&line, " of ", Grouped(*snapshot.total), " ", unit, " (",
                    Percent(snapshot.done, *snapshot.total), "%)");
  } else {
    absl::StrAppend(&line, " ", unit);
  }
  if (snapshot.rate.has_value()) absl::StrAppend(&line, ", ", FormatRate(*snapshot.rate));
  if (const std::optional<absl::Duration> left = TimeLeft(snapshot)) {
    absl::StrAppend(&line, ", about ", HumanDuration(*left), " left");
  }
  return line;
}

std::string FormatDoneLine(absl::string_view what, absl::string_view unit, const ProgressSnapshot& snapshot) {
  std::string line = absl::StrCat("salesctl ", what, ": ", Grouped(snapshot.done), " ", unit, " in ",
                                  Elapsed(snapshot.elapsed));
  if (snapshot.elapsed > absl::ZeroDuration()) {
    absl::StrAppend(&line, " (",
                    FormatRate(static_cast<double>(snapshot.done) / absl::ToDoubleSeconds(snapshot.elapsed)),
                    ")");
  }
  return line;
}

Progress::Progress(ProgressStyle style, std::string what, std::string unit, std::ostream& err, Clock clock)
    : style_(style),
      what_(std::move(what)),
      unit_(std::move(unit)),
      err_(err),
      clock_(std::move(clock)),
      start_(clock_()),
      last_draw_(start_) {
  rate_.Add(start_, 0);
}

Progress::~Progress() {
  if (!ended_) Abandon();
}

ProgressSnapshot Progress::Snapshot(absl::Time now, uint64_t done) const {
  return ProgressSnapshot{done, total_, now - start_, rate_.PerSecond()};
}

void Progress::DrawBar(absl::Time now, uint64_t done) {
  // "\r" back to the line's start, "ESC [K" erases what a longer line left.
  err_ << "\r" << FormatBar(what_, unit_, Snapshot(now, done)) << "\x1b[K" << std::flush;
  bar_on_screen_ = true;
}

void Progress::Update(uint64_t done) {
  if (style_ == ProgressStyle::kNone || ended_) return;
  const absl::Time now = clock_();
  rate_.Add(now, done);
  if (now - last_draw_ < (style_ == ProgressStyle::kBar ? kBarInterval : kLineInterval)) return;
  last_draw_ = now;
  if (style_ == ProgressStyle::kBar) {
    DrawBar(now, done);
  } else {
    err_ << FormatProgressLine(what_, unit_, Snapshot(now, done)) << "\n" << std::flush;
  }
}

void Progress::Finish(uint64_t done) {
  if (ended_) return;
  ended_ = true;
  if (style_ == ProgressStyle::kNone) return;
  const absl::Time now = clock_();
  rate_.Add(now, done);
  if (style_ == ProgressStyle::kBar) {
    DrawBar(now, done);
    err_ << "\n" << std::flush;
    bar_on_screen_ = false;
  } else {
    err_ << FormatDoneLine(what_, unit_, Snapshot(now, done)) << "\n" << std::flush;
  }
}

void Progress::Abandon() {
  ended_ = true;
  if (bar_on_screen_) err_ << "\n" << std::flush;
  bar_on_screen_ = false;
}

}  // namespace salesctl
