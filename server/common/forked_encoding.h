// Encoding a large in-memory state without holding its lock while it
// encodes: fork() under the lock, and let the child — whose memory is a
// copy-on-write image of this process as of the fork — encode its copy and
// send the bytes back through a pipe, the way Redis' BGSAVE writes a
// snapshot. The lock is held only for the fork itself (page tables are
// copied, not pages: milliseconds for gigabytes), so writers never wait for
// an encoding; pages a writer changes meanwhile are copied once, so memory
// grows by at most what is written during the encoding.
//
// The child touches nothing but memory and the pipe: no locks, no logging,
// no gRPC, no files; it leaves with _exit(), and dies with its parent
// (PR_SET_PDEATHSIG, and EPIPE once the parent is gone).
#ifndef SALESOPS_SERVER_COMMON_FORKED_ENCODING_H_
#define SALESOPS_SERVER_COMMON_FORKED_ENCODING_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace salesops {

class ForkedEncoding {
 public:
  // Forks; the child runs `encode` and sends its result. Call with the lock
  // that keeps the state consistent held, and release it on return. `encode`
  // runs only in the child.
  static absl::StatusOr<ForkedEncoding> Start(absl::FunctionRef<std::vector<std::string>()> encode);

  ForkedEncoding(ForkedEncoding&& other) noexcept;
  ForkedEncoding& operator=(ForkedEncoding&&) = delete;
  ForkedEncoding(const ForkedEncoding&) = delete;
  // Kills and reaps a child whose result was not collected.
  ~ForkedEncoding();

  // Reads the child's result and reaps it. UNAVAILABLE when the child did not
  // finish (killed, out of memory, a broken pipe); DATA_LOSS when what it
  // sent is cut short. Call once.
  //
  // With `cancel_fd` (e.g. an eventfd), a wait that would outlast the caller
  // is cut short: once `cancel_fd` is readable, the child is killed and
  // reaped, and Collect returns CANCELLED (a server shutting down does not
  // wait for an encoding, nor for a child that hangs).
  absl::StatusOr<std::vector<std::string>> Collect(int cancel_fd = -1);

  pid_t pid() const { return pid_; }

 private:
  ForkedEncoding(pid_t pid, int fd) : pid_(pid), fd_(fd) {}

  pid_t pid_ = -1;
  int fd_ = -1;  // the pipe's read end
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_FORKED_ENCODING_H_
