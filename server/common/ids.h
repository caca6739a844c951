// Generators of new entity ids (e.g. lead ids the server assigns), injected
// so tests can make them predictable.
#ifndef SALESOPS_SERVER_COMMON_IDS_H_
#define SALESOPS_SERVER_COMMON_IDS_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"

namespace salesops {

// Thread-safe.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // Returns a fresh id matching [A-Za-z0-9_-]{1,64}.
  virtual std::string NewId() = 0;
};

// 16 random characters of [a-z0-9] (about 82 bits): collisions are not a
// practical concern; the sequencer draws again if an id is taken.
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string NewId() override;

 private:
  absl::Mutex mu_;
  absl::BitGen gen_ ABSL_GUARDED_BY(mu_);
};

// "<prefix>1", "<prefix>2", ... for tests.
class SequentialIdGenerator final : public IdGenerator {
 public:
  explicit SequentialIdGenerator(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string NewId() override;

 private:
  const std::string prefix_;
  absl::Mutex mu_;
  uint64_t next_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_IDS_H_
