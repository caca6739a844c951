#include "server/store/chain_walk.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace salesops::store {

ChainWalk::ChainWalk(uint64_t from, uint64_t to) {
  check_.from = from;
  check_.to = to;
}

absl::StatusOr<bool> ChainWalk::Start(uint64_t head,
                                      absl::FunctionRef<absl::StatusOr<std::string>(uint64_t)> digest_at) {
  if (check_.from == 0 || check_.from > check_.to || check_.to > head) {
    return absl::OutOfRangeError(absl::StrCat("range ", check_.from, "..", check_.to, " is not within 1..", head));
  }
  absl::StatusOr<std::string> start = digest_at(check_.from - 1);
  if (absl::IsDataLoss(start.status())) {
    Broken(check_.from - 1, absl::StrCat("the chain hash at position ", check_.from - 1, " is missing or unreadable"));
    return false;
  }
  if (!start.ok()) return start.status();
  chain_ = *std::move(start);
  check_.digest = chain_;
  return true;
}

bool ChainWalk::Step(uint64_t position, absl::string_view envelope, absl::string_view stored_hash) {
  chain_ = ChainNext(chain_, envelope);
  if (stored_hash != chain_) {
    Broken(position, absl::StrCat("the event or the chain hash at position ", position, " was changed"));
    return false;
  }
  check_.digest = chain_;
  return true;
}

ChainCheck ChainWalk::Broken(uint64_t position, std::string what) {
  check_.ok = false;
  check_.first_broken = position;
  check_.what = std::move(what);
  check_.digest.clear();
  return check_;
}

}  // namespace salesops::store
