// ChainWalk: the check both event logs make in VerifyChain (event_log.h),
// fed by each log's own reads: the range rule, the digest before the range,
// and per position the envelope bytes against the stored chain hash.
// Not thread-safe: one walk per call.
#ifndef SALESOPS_SERVER_STORE_CHAIN_WALK_H_
#define SALESOPS_SERVER_STORE_CHAIN_WALK_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/event_log.h"

namespace salesops::store {

class ChainWalk {
 public:
  ChainWalk(uint64_t from, uint64_t to);

  // OUT_OF_RANGE unless 1 <= from <= to <= head; else reads the digest of
  // from - 1 with `digest_at` (EventLog::ChainDigest). False when that
  // digest is missing (DATA_LOSS): the walk is broken there (Result()).
  // Other errors of `digest_at` are returned.
  absl::StatusOr<bool> Start(uint64_t head, absl::FunctionRef<absl::StatusOr<std::string>(uint64_t)> digest_at);
  // Folds the event at `position` (its stored envelope bytes) and compares
  // the stored chain hash; false when they differ (Result() says where).
  bool Step(uint64_t position, absl::string_view envelope, absl::string_view stored_hash);
  // Marks the walk broken at `position` for `what`; returns Result().
  ChainCheck Broken(uint64_t position, std::string what);
  // The check: ok with the digest at `to` when nothing broke.
  ChainCheck Result() const { return check_; }

 private:
  ChainCheck check_;
  std::string chain_;
};

}  // namespace salesops::store

#endif  // SALESOPS_SERVER_STORE_CHAIN_WALK_H_
