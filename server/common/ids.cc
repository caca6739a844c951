#include "server/common/ids.h"

#include "absl/strings/str_cat.h"

namespace salesops {

std::string RandomIdGenerator::NewId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(16, ' ');
  absl::MutexLock lock(&mu_);
  for (char& c : id) {
    c = kAlphabet[absl::Uniform<size_t>(gen_, 0, sizeof(kAlphabet) - 1)];
  }
  return id;
}

std::string SequentialIdGenerator::NewId() {
  absl::MutexLock lock(&mu_);
  return absl::StrCat(prefix_, next_++);
}

}  // namespace salesops
