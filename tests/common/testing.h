// Test helpers: a StatusIs matcher (our Abseil has none) and a temporary
// directory that removes itself.
#ifndef SALESOPS_TESTS_COMMON_TESTING_H_
#define SALESOPS_TESTS_COMMON_TESTING_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace salesops::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// Matches an absl::Status or absl::StatusOr whose code is `code` and whose
// message matches `message` (a string matcher, e.g. HasSubstr("stage")).
MATCHER_P2(StatusIs, code, message,
           absl::StrCat("has status ", absl::StatusCodeToString(code), " with a message that ",
                        ::testing::DescribeMatcher<std::string>(message))) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message, std::string(s.message()), result_listener);
}

// Matches an OK absl::Status or absl::StatusOr.
MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.ok();
}

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The decimal number right after `marker` in `text` (a port in a server's
// log line); 0 when the marker is absent.
int NumberAfter(const std::string& text, const std::string& marker);

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_COMMON_TESTING_H_
