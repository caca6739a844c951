// Progress of a long salesctl operation (export, import), reported on
// stderr while the operation's own output goes to stdout untouched.
//
//   bar    (a terminal) one line redrawn in place, at most every 100 ms:
//          export  [████████░░░░░░░░░░░░]  40%  1,200/3,000 events  3,400/s  1s left
//   lines  (not a terminal) a line every 2 s, and one when done:
//          salesctl export: 1,200 of 3,000 events (40%), 3,400/s, about 1s left
//          salesctl export: 3,000 events in 2.1s (1,428/s)
//   none   nothing.
//
// The rate is measured over the last 10 s (so a pause or a burst shows
// soon), the time left is what remains at that rate; neither is shown
// before there is a rate. Without a known total the bar, the percentage and
// the time left are left out.
//
// Time comes from an injected clock, so tests drive everything without
// sleeping. Not thread-safe: one operation, one thread.
#ifndef SALESOPS_CLIENT_SALESCTL_PROGRESS_H_
#define SALESOPS_CLIENT_SALESCTL_PROGRESS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace salesctl {

// --progress=auto|bar|lines|none.
enum class ProgressMode { kAuto, kBar, kLines, kNone };

// "auto", "bar", "lines" or "none" (any case); INVALID_ARGUMENT naming the
// choices otherwise.
absl::StatusOr<ProgressMode> ParseProgressMode(absl::string_view text);

// How progress is shown once the mode is resolved.
enum class ProgressStyle { kNone, kBar, kLines };

// kAuto becomes kBar on a terminal and kLines elsewhere, except that
// nothing is shown when the operation's output itself goes to the same
// terminal (`output_to_terminal`: export without --out, on a terminal),
// where a bar would be torn by the output and the output shows progress.
// The other modes are taken as they are.
ProgressStyle ResolveProgressStyle(ProgressMode mode, bool stderr_is_terminal, bool output_to_terminal);

// Units done per second over a sliding window of samples.
class RateEstimator {
 public:
  explicit RateEstimator(absl::Duration window = absl::Seconds(10)) : window_(window) {}

  // `done` units were done at `at` (non-decreasing in both).
  void Add(absl::Time at, uint64_t done);

  // The rate between the newest sample and the last one at least the window
  // older (the oldest, while there is less history); nullopt until two
  // samples lie apart in time. Samples closer together than a hundredth of
  // the window replace each other, so memory stays bounded however often
  // Add is called.
  std::optional<double> PerSecond() const;

 private:
  absl::Duration window_;
  std::deque<std::pair<absl::Time, uint64_t>> samples_;
};

// What a progress report shows.
struct ProgressSnapshot {
  uint64_t done = 0;
  std::optional<uint64_t> total;
  absl::Duration elapsed;
  std::optional<double> rate;  // units per second
};

// The time left at `rate`, rounded up to a second; nullopt without a total
// or a positive rate, and once done reaches the total.
std::optional<absl::Duration> TimeLeft(const ProgressSnapshot& snapshot);

// "3,400/s"; below 10 per second with one decimal ("2.5/s").
std::string FormatRate(double per_second);

// The bar line, without "\r" or terminal controls:
// "export  [████░░░░]  40%  1,200/3,000 events  3,400/s  1s left". The bar
// is `bar_width` columns; done beyond total shows as full.
std::string FormatBar(absl::string_view what, absl::string_view unit, const ProgressSnapshot& snapshot,
                      size_t bar_width = 20);

// A plain line: "salesctl export: 1,200 of 3,000 events (40%), 3,400/s,
// about 1s left" (parts without data left out).
std::string FormatProgressLine(absl::string_view what, absl::string_view unit,
                               const ProgressSnapshot& snapshot);

// The line when done: "salesctl export: 3,000 events in 2.1s (1,428/s)",
// the time as "850ms" below a second and "1m 30s" from a minute, the rate
// over the whole operation.
std::string FormatDoneLine(absl::string_view what, absl::string_view unit, const ProgressSnapshot& snapshot);

// Reports one operation's progress on `err` in `style`.
class Progress {
 public:
  using Clock = std::function<absl::Time()>;

  static constexpr absl::Duration kBarInterval = absl::Milliseconds(100);
  static constexpr absl::Duration kLineInterval = absl::Seconds(2);

  // The operation starts now (clock()): `what` names it ("export"), `unit`
  // counts its work ("events"). `err` and `clock` must outlive this.
  Progress(ProgressStyle style, std::string what, std::string unit, std::ostream& err, Clock clock);
  // Ends a bar's line when neither Finish nor Abandon did.
  ~Progress();

  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // The total, once known.
  void SetTotal(uint64_t total) { total_ = total; }

  // `done` units are done; draws when the style's interval has passed.
  void Update(uint64_t done);

  // The operation completed with `done` units: the bar drawn a last time
  // and its line ended; the done line for kLines.
  void Finish(uint64_t done);

  // The operation stopped (an error follows on `err`): a bar's line is
  // ended so that the error starts a line of its own; nothing else.
  void Abandon();

 private:
  ProgressSnapshot Snapshot(absl::Time now, uint64_t done) const;
  void DrawBar(absl::Time now, uint64_t done);

  const ProgressStyle style_;
  const std::string what_;
  const std::string unit_;
  std::ostream& err_;
  const Clock clock_;
  const absl::Time start_;
  absl::Time last_draw_;
  std::optional<uint64_t> total_;
  RateEstimator rate_;
  bool bar_on_screen_ = false;  // a bar line is drawn and not yet ended
  bool ended_ = false;
};

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_PROGRESS_H_
