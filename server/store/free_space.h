// The disk-space reserve of the event log (docs/STORAGE.md, "A full disk"):
// writes are refused while the data directory's file system has less than
// a configured reserve free, before RocksDB itself runs out (which, in
// Debian's assertion-enabled build, aborts the process).
//
// Thread safety: every method may be called from any thread.
#ifndef SALESOPS_SERVER_STORE_FREE_SPACE_H_
#define SALESOPS_SERVER_STORE_FREE_SPACE_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace salesops::store {

// The bytes an unprivileged writer may still use on the file system holding
// `path` (statvfs: f_bavail × f_frsize). UNAVAILABLE when it cannot be read.
absl::StatusOr<uint64_t> FreeBytes(const std::string& path);

class FreeSpaceGuard {
 public:
  // `reserve`: the free bytes below which writes are refused (0: never).
  // `recheck`: the longest a reading of the file system is trusted.
  FreeSpaceGuard(std::string path, uint64_t reserve, absl::Duration recheck);

  // OK when writing `bytes` more leaves at least the reserve free;
  // otherwise RESOURCE_EXHAUSTED naming the free bytes and the reserve.
  // Reads the file system again when its last reading is older than
  // `recheck`, when a quarter of the headroom it showed has been written
  // since (Wrote), or when the last reading refused: cheap far from the
  // limit, exact near it, and a refusal ends as soon as space returns.
  // A file system that cannot be read counts as full. `admitted`: the
  // writer checked (Check(0)) before it prepared these bytes, so they are
  // taken unless they would leave less than half the reserve — a batch
  // decided just before the reserve was crossed is written, not failed.
  absl::Status Check(uint64_t bytes, bool admitted = false);
  // Counts bytes written since the last reading.
  void Wrote(uint64_t bytes);

 private:
  const std::string path_;
  const uint64_t reserve_;
  const absl::Duration recheck_;
  absl::Mutex mu_;
  absl::Time read_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t free_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // since read_at_
  bool refused_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace salesops::store

#endif  // SALESOPS_SERVER_STORE_FREE_SPACE_H_
