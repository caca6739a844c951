// A background check of the whole log, round after round: the hash chain
// from position 1 to the head, then the stream index against the events
// (EventStore::VerifyChain, EventStore::VerifyStreamIndex), rate-limited so
// it never competes with the write path for the disk. It finds damage that
// the open-time tail check (the last 10 000 events) cannot see: a bad
// block deep in the log, a changed old event, a stream index out of step.
//
// Thread safety: every method may be called from any thread. The store must
// outlive the Scrubber.
#ifndef SALESOPS_SERVER_STORE_SCRUBBER_H_
#define SALESOPS_SERVER_STORE_SCRUBBER_H_

#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/event_store.h"

namespace salesops::store {

struct ScrubberOptions {
  // At most this many items per second, counting each chain position and
  // each event and entry of the stream index check (a full round costs
  // about 3 × head items).
  uint64_t items_per_second = 20'000;
  // The pause between the end of one round and the start of the next.
  absl::Duration interval = absl::Hours(6);
  // Positions per VerifyChain call (the pacing granularity of the chain pass).
  uint64_t chunk = 1'000;
};

// What the scrubber knows, as of the last completed round.
struct ScrubStatus {
  uint64_t rounds = 0;  // rounds completed since Start
  // False when the last completed round found damage.
  bool ok = true;
  // When !ok: the first position found broken (0 for a stream index entry
  // that names no readable position) and what broke: "hash chain: …" or
  // "stream index: …".
  uint64_t first_broken = 0;
  std::string what;
  // OK, or why the last round could not finish (UNAVAILABLE: a storage
  // error; it is tried again next round). A round that could not finish
  // changes neither `ok` nor `rounds`.
  absl::Status error;
  // Progress of the round under way (or the last one): the head it checks
  // up to, the chain verified up to, the stream index items checked.
  uint64_t round_head = 0;
  uint64_t chain_verified_to = 0;
  uint64_t index_items_checked = 0;
  absl::Time last_round_end = absl::InfinitePast();
};

class Scrubber {
 public:
  Scrubber(const EventStore& store, ScrubberOptions options);
  // Stops the thread (Stop()).
  ~Scrubber();
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  // Starts the background thread; the first round begins at once. Call once.
  void Start();
  // Stops the thread, interrupting a round (within one chunk), and waits
  // for it. Idempotent.
  void Stop();

  ScrubStatus status() const;
  // Waits until at least `rounds` rounds have completed, or `timeout`
  // passed; returns whether they have.
  bool WaitForRounds(uint64_t rounds, absl::Duration timeout) const;

 private:
  void Run();
  // One round; false when stopped.
  bool Round();
  // Counts `items` against the rate and waits as needed; false when stopped.
  bool Pace(uint64_t items);
  // Publishes a completed round's finding (logging a new one once).
  void Finish(bool ok, uint64_t first_broken, std::string what);

  const EventStore& store_;
  const ScrubberOptions options_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  ScrubStatus status_ ABSL_GUARDED_BY(mu_);
  std::string logged_ ABSL_GUARDED_BY(mu_);  // the finding last logged

  // The pace of the round under way; only the scrubber's thread uses them.
  absl::Time round_start_;
  uint64_t round_items_ = 0;
};

}  // namespace salesops::store

#endif  // SALESOPS_SERVER_STORE_SCRUBBER_H_
