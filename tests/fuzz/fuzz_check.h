// What every fuzz target shares: the invariant check and quiet protobuf
// logging. Header-only; tests/fuzz only.
#ifndef SALESOPS_TESTS_FUZZ_FUZZ_CHECK_H_
#define SALESOPS_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/stubs/logging.h"

namespace salesops::fuzz {

// Prints "fuzz invariant broken: ..." and aborts (libFuzzer then saves the
// input as a crash). Only for a broken invariant, never for a refusal.
[[noreturn]] inline void InvariantBroken(absl::string_view what) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// FUZZ_CHECK(condition, what...): InvariantBroken naming the condition and
// `what` (anything absl::StrCat takes) unless `condition` holds.
#define FUZZ_CHECK(condition, ...)                                                                    \
  do {                                                                                                \
    if (!(condition)) ::salesops::fuzz::InvariantBroken(absl::StrCat(#condition, ": ", __VA_ARGS__)); \
  } while (false)

// Silences protobuf's own logging: a parse of invalid UTF-8 logs an ERROR
// line each time, which would slow a fuzzer down to the speed of stderr.
inline void QuietProtobuf() { google::protobuf::SetLogHandler(nullptr); }

}  // namespace salesops::fuzz

#endif  // SALESOPS_TESTS_FUZZ_FUZZ_CHECK_H_
