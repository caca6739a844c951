#include "duration_text.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace salesctl {
namespace {

constexpr absl::string_view kSyntax = "expected a duration like 72h, 3d, 1d12h, 90m or 500ms";

// protobuf's Duration allows about 10000 years; reviews and ages never need
// more than 10000 days, and the bound keeps every conversion exact.
constexpr int64_t kMaxSeconds = int64_t{10000} * 24 * 3600;

absl::Status DurationError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("bad duration '", text, "': ", why));
}

// The unit at the start of `rest` (longest match first, so "ms" is not "m").
bool TakeUnit(absl::string_view* rest, absl::Duration* unit) {
  struct Unit {
    absl::string_view name;
    absl::Duration length;
  };
  static constexpr Unit kUnits[] = {{"ms", absl::Milliseconds(1)},
                                    {"d", absl::Hours(24)},
                                    {"h", absl::Hours(1)},
                                    {"m", absl::Minutes(1)},
                                    {"s", absl::Seconds(1)}};
  for (const Unit& u : kUnits) {
    if (absl::StartsWithIgnoreCase(*rest, u.name)) {
      rest->remove_prefix(u.name.size());
      *unit = u.length;
      return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<google::protobuf::Duration> ParseDuration(absl::string_view text) {
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  if (rest.empty()) return DurationError(text, kSyntax);
  absl::Duration total;
  while (!rest.empty()) {
    size_t n = 0;
    while (n < rest.size() && (absl::ascii_isdigit(rest[n]) || rest[n] == '.')) ++n;
    double number;
    if (n == 0 || !absl::SimpleAtod(rest.substr(0, n), &number) || !std::isfinite(number)) {
      return DurationError(text, kSyntax);
    }
    rest.remove_prefix(n);
    absl::Duration unit;
    if (!TakeUnit(&rest, &unit)) {
      return DurationError(
          text, rest.empty() ? "a number needs a unit (d, h, m, s or ms), e.g. 72h" : std::string(kSyntax));
    }
    if (number > static_cast<double>(kMaxSeconds)) return DurationError(text, "longer than 10000 days");
    total += unit * number;
    if (total > absl::Seconds(kMaxSeconds)) return DurationError(text, "longer than 10000 days");
    rest = absl::StripLeadingAsciiWhitespace(rest);
  }
  google::protobuf::Duration duration;
  const int64_t seconds = absl::ToInt64Seconds(absl::Trunc(total, absl::Seconds(1)));
  duration.set_seconds(seconds);
  duration.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(total - absl::Seconds(seconds))));
  return duration;
}

std::string HumanDuration(absl::Duration duration) {
  if (duration == absl::InfiniteDuration()) return "forever";
  if (duration == -absl::InfiniteDuration()) return "-forever";
  if (duration < absl::ZeroDuration()) return absl::StrCat("-", HumanDuration(-duration));
  if (duration < absl::Seconds(1)) {
    const int64_t ms = absl::ToInt64Milliseconds(duration);
    return ms == 0 ? "0s" : absl::StrCat(ms, "ms");
  }
  const int64_t total = absl::ToInt64Seconds(duration);
  const int64_t parts[] = {total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60};
  constexpr const char* kNames[] = {"d", "h", "m", "s"};
  size_t first = 0;
  while (parts[first] == 0) ++first;  // total >= 1 s, so some part is non-zero
  std::string out = absl::StrCat(parts[first], kNames[first]);
  if (first + 1 < 4 && parts[first + 1] != 0) absl::StrAppend(&out, " ", parts[first + 1], kNames[first + 1]);
  return out;
}

std::string HumanDuration(const google::protobuf::Duration& duration) {
  return HumanDuration(absl::Seconds(duration.seconds()) + absl::Nanoseconds(duration.nanos()));
}

}  // namespace salesctl
