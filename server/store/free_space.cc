#include "server/store/free_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"

namespace salesops::store {

absl::StatusOr<uint64_t> FreeBytes(const std::string& path) {
  struct statvfs fs;
  if (statvfs(path.c_str(), &fs) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot read the free space of ", path, ": ", std::strerror(errno)));
  }
  return static_cast<uint64_t>(fs.f_bavail) * static_cast<uint64_t>(fs.f_frsize);
}

FreeSpaceGuard::FreeSpaceGuard(std::string path, uint64_t reserve, absl::Duration recheck)
    : path_(std::move(path)), reserve_(reserve), recheck_(recheck) {}

void FreeSpaceGuard::Wrote(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  written_ += bytes;
}

absl::Status FreeSpaceGuard::Check(uint64_t bytes, bool admitted) {
  if (reserve_ == 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  const uint64_t headroom = free_ > reserve_ ? free_ - reserve_ : 0;
  if (refused_ || now - read_at_ >= recheck_ || written_ + bytes >= headroom / 4) {
    absl::StatusOr<uint64_t> free = FreeBytes(path_);
    free_ = free.value_or(0);
    read_at_ = now;
    written_ = 0;
  }
  const uint64_t after = written_ + bytes <= free_ ? free_ - written_ - bytes : 0;
  refused_ = after < reserve_;
  if (!refused_ || (admitted && after >= reserve_ / 2)) return absl::OkStatus();
  return errors::WithRetryDelay(
      errors::WithReason(
          absl::ResourceExhaustedError(absl::StrCat(
              "the data directory ", path_, " has ", free_ - std::min(free_, written_),
              " bytes free, below the reserve of ", reserve_,
              " bytes (min_free_bytes) the log keeps; writes resume by themselves once space is freed")),
          errors::kDiskReserve,
          {{"free_bytes", absl::StrCat(free_ - std::min(free_, written_))}, {"reserve_bytes", absl::StrCat(reserve_)}}),
      recheck_);
}

}  // namespace salesops::store
