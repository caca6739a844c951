// A small real file system for full-disk tests: a tmpfs mounted on a new
// directory under `parent` (root only, as in CI), unmounted when it goes,
// and a filler file that takes its free space down to a given amount.
#ifndef SALESOPS_TESTS_COMMON_SMALL_DISK_H_
#define SALESOPS_TESTS_COMMON_SMALL_DISK_H_

#include <cstdint>
#include <string>

namespace salesops::testing {

class SmallDisk {
 public:
  // Mounts a tmpfs of `megabytes` on `parent`/mnt. ok() is false (with the
  // reason in error()) when mounting is not permitted: skip the test then.
  SmallDisk(const std::string& parent, int megabytes);
  ~SmallDisk();  // unmounts
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool ok() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  // Free bytes (statvfs f_bavail × f_frsize); 0 when unreadable.
  uint64_t Free() const;
  // Grows the filler file so that about `left` bytes stay free; false when
  // there is not that much free now or the space cannot be allocated.
  bool FillTo(uint64_t left);
  // Removes the filler: the space comes back.
  void Unfill();

 private:
  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_COMMON_SMALL_DISK_H_
