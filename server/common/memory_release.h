// Giving freed memory back to the operating system after a burst.
//
// TCMalloc (gperftools, which salesopsd links) keeps freed pages for reuse
// and returns them only slowly: after 8 concurrent 64 MiB requests (which
// gRPC buffers whole before refusing them as too large) the process stayed
// at about 435 MB. A MemoryReleaser returns what the allocator holds free,
// periodically.
#ifndef SALESOPS_SERVER_COMMON_MEMORY_RELEASE_H_
#define SALESOPS_SERVER_COMMON_MEMORY_RELEASE_H_

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace salesops {

// Returns the allocator's free pages to the OS at once. True when the
// process allocates through TCMalloc (gperftools); false, doing nothing,
// otherwise (tests, sanitizer builds). Thread-safe.
bool ReleaseFreeMemory();

// A thread that calls ReleaseFreeMemory() every `every` (which must be
// positive) until destroyed. Thread-safe to destroy from any thread but its
// own; the destructor returns once the thread has ended.
class MemoryReleaser {
 public:
  explicit MemoryReleaser(absl::Duration every);
  ~MemoryReleaser();
  MemoryReleaser(const MemoryReleaser&) = delete;
  MemoryReleaser& operator=(const MemoryReleaser&) = delete;

  // How many times the thread has released memory so far.
  int releases() const;

 private:
  void Run(absl::Duration every);

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int releases_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_MEMORY_RELEASE_H_
