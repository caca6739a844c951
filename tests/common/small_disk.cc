#include "tests/common/small_disk.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace salesops::testing {

SmallDisk::SmallDisk(const std::string& parent, int megabytes) : path_(parent + "/mnt") {
  std::error_code ignored;
  std::filesystem::create_directory(path_, ignored);
  const std::string size = absl::StrCat("size=", megabytes, "m");
  if (mount("tmpfs", path_.c_str(), "tmpfs", 0, size.c_str()) != 0) {
    error_ = absl::StrCat("cannot mount a tmpfs (", std::strerror(errno), "): needs root");
    return;
  }
  mounted_ = true;
}

SmallDisk::~SmallDisk() {
  if (mounted_) umount2(path_.c_str(), MNT_DETACH);
}

uint64_t SmallDisk::Free() const {
  struct statvfs fs {};
  if (statvfs(path_.c_str(), &fs) != 0) return 0;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

bool SmallDisk::FillTo(uint64_t left) {
  const uint64_t free = Free();
  if (free <= left) return false;
  const int fd = open((path_ + "/filler").c_str(), O_CREAT | O_WRONLY, 0600);
  if (fd < 0) return false;
  const off_t size = lseek(fd, 0, SEEK_END);
  const bool grown = posix_fallocate(fd, size, static_cast<off_t>(free - left)) == 0;
  close(fd);
  return grown;
}

void SmallDisk::Unfill() {
  std::error_code ignored;
  std::filesystem::remove(path_ + "/filler", ignored);
}

}  // namespace salesops::testing
