#include "server/common/memory_release.h"

// gperftools' C entry point, weak: resolved when TCMalloc is linked (it
// replaces malloc; nothing else names it), null otherwise.
extern "C" void MallocExtension_ReleaseFreeMemory(void) __attribute__((weak));

namespace salesops {

bool ReleaseFreeMemory() {
  if (MallocExtension_ReleaseFreeMemory == nullptr) return false;
  MallocExtension_ReleaseFreeMemory();
  return true;
}

MemoryReleaser::MemoryReleaser(absl::Duration every) : thread_([this, every] { Run(every); }) {}

MemoryReleaser::~MemoryReleaser() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

int MemoryReleaser::releases() const {
  absl::MutexLock lock(&mu_);
  return releases_;
}

void MemoryReleaser::Run(absl::Duration every) {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stop_), every)) {
    mu_.Unlock();
    ReleaseFreeMemory();
    mu_.Lock();
    ++releases_;
  }
}

}  // namespace salesops
