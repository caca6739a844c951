#ifndef SALESOPS_PROJECTIONS_BESIDE_H_
#define SALESOPS_PROJECTIONS_BESIDE_H_

#include <cstddef>
#include <functional>
#include <thread>
#include <utility>

namespace salesops::projections {

// Work big enough to pay for a thread of its own: a restart's state from
// this many leads on. Below it (a new server, a test, a fuzz input) a thread
// costs more than it saves, so the work runs on the caller's thread.
inline constexpr size_t kLeadsWorthAThread = 4096;

// Runs `work` on a thread of its own while the caller goes on, when
// `parallel`; otherwise on the caller's thread at Join(). Either way the
// work is done when Join() (or the destructor) returns.
class Beside {
 public:
  Beside(bool parallel, std::function<void()> work) {
    if (parallel) {
      thread_ = std::thread(std::move(work));
    } else {
      work_ = std::move(work);
    }
  }
  Beside(const Beside&) = delete;
  Beside& operator=(const Beside&) = delete;
  ~Beside() { Join(); }

  void Join() {
    if (thread_.joinable()) thread_.join();
    if (work_) std::exchange(work_, nullptr)();
  }

 private:
  std::thread thread_;
  std::function<void()> work_;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_BESIDE_H_
