// Progress of a long operation in the log, at a steady interval:
//
//   I start-up replay: 1,200,000 of 2,290,000 events (52 %), 410,000/s, about 3s left
//
// For the start-up replay and Admin.RebuildProjections. Update() is cheap
// (it looks at the clock once every 4096 calls); not thread-safe (one
// operation, one thread).
#ifndef SALESOPS_SERVER_COMMON_PROGRESS_LOG_H_
#define SALESOPS_SERVER_COMMON_PROGRESS_LOG_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace salesops {

class ProgressLog {
 public:
  // `total` units of `unit` ("events") are to be done.
  ProgressLog(std::string what, std::string unit, uint64_t total, absl::Duration interval = absl::Seconds(5));

  // `done` units are done so far.
  void Update(uint64_t done) {
    if ((++calls_ & 4095) == 0) MaybeLog(done);
  }

  // The line Update would write now (tests).
  static std::string Line(const std::string& what, const std::string& unit, uint64_t done, uint64_t total,
                          absl::Duration elapsed);

 private:
  void MaybeLog(uint64_t done);

  const std::string what_;
  const std::string unit_;
  const uint64_t total_;
  const absl::Duration interval_;
  const absl::Time start_;
  absl::Time next_;
  uint64_t calls_ = 0;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_PROGRESS_LOG_H_
