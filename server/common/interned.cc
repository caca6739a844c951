#include "server/common/interned.h"

#include <atomic>
#include <cstdlib>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace salesops {
namespace {

// Names live in chunks that never move, so Name needs no lock: a number
// reaches a reader only through the data that holds it, which was
// published after Intern stored the name.
constexpr uint32_t kChunkBits = 12;
constexpr uint32_t kChunkSize = 1u << kChunkBits;
constexpr uint32_t kChunks = 1u << 14;  // 64 M names

class Table {
 public:
  Table() { Add(""); }

  uint32_t Intern(absl::string_view name) {
    absl::MutexLock lock(&mu_);
    if (auto it = ids_.find(name); it != ids_.end()) return it->second;
    return Add(name);
  }

  const std::string& Name(uint32_t id) const {
    return chunks_[id >> kChunkBits].load(std::memory_order_acquire)[id & (kChunkSize - 1)];
  }

 private:
  uint32_t Add(absl::string_view name) ABSL_NO_THREAD_SAFETY_ANALYSIS {  // mu_ held, or the constructor
    const uint32_t id = size_;
    if (id >> kChunkBits >= kChunks) std::abort();  // never for the value sets interned here
    std::string* chunk = chunks_[id >> kChunkBits].load(std::memory_order_relaxed);
    if (chunk == nullptr) {
      chunk = new std::string[kChunkSize];
      chunks_[id >> kChunkBits].store(chunk, std::memory_order_release);
    }
    std::string& slot = chunk[id & (kChunkSize - 1)];
    slot.assign(name.data(), name.size());
    ids_.emplace(absl::string_view(slot), id);
    ++size_;
    return id;
  }

  absl::Mutex mu_;
  absl::flat_hash_map<absl::string_view, uint32_t> ids_ ABSL_GUARDED_BY(mu_);  // views into chunks_
  uint32_t size_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<std::string*> chunks_[kChunks] = {};
};

Table& Names() {
  static Table* const table = new Table();
  return *table;
}

}  // namespace

uint32_t Intern(absl::string_view name) { return name.empty() ? 0 : Names().Intern(name); }

const std::string& InternedName(uint32_t id) { return Names().Name(id); }

}  // namespace salesops
