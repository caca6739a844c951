// The subscribe scenario's clients: Audit.Subscribe streams read with the
// callback API (one grpc::ClientReadReactor per subscription, no thread
// per subscriber), docs/AUDIT.md "Subscriptions".
//
//   CatchUp  one subscriber from a position (1: the whole log) until the
//            server's caught_up marker: how fast the stored log streams
//   FanOut   N subscribers from now, kept open while the caller writes,
//            then checked: did every one of them get every event the
//            caller wrote exactly once, and how long did each take from
//            its recorded_at to the subscriber
//
// Failures of the streams themselves (a status other than the bench's own
// cancel, a gap, a duplicate, a subscriber that fell short) are returned in
// the results' `errors`, not as a Status: they are findings of the run.
#ifndef SALESOPS_CLIENT_BENCH_SUBSCRIBERS_H_
#define SALESOPS_CLIENT_BENCH_SUBSCRIBERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "latency_stats.h"

namespace salesops::bench {

class BenchClient;

struct CatchUpResult {
  uint64_t from_position = 1;
  uint64_t caught_up_position = 0;  // the head the server reported reaching
  uint64_t events = 0;              // events received before caught_up
  uint64_t bytes = 0;               // their serialized envelope bytes
  double first_event_seconds = 0;   // call start to the first event
  double seconds = 0;               // call start to caught_up
  std::vector<std::string> errors;  // empty when every event came once, in order

  double events_per_second() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// Subscribes (no filter) from `from_position` with `token` (an ADMIN's or
// AUDITOR's), reads until caught_up, then cancels the stream. Gives up
// after `timeout` (an error in the result). Blocks the calling thread,
// which must not be a gRPC callback thread.
CatchUpResult CatchUp(const BenchClient& client, const std::string& token, uint64_t from_position,
                      absl::Duration timeout);

struct FanOutResult {
  int subscribers = 0;
  uint64_t from_position = 0;       // the first position after the subscriptions' caught_up
  uint64_t to_position = 0;         // the last position the caller wrote
  uint64_t expected_events = 0;     // to_position - from_position + 1, per subscriber
  uint64_t received_min = 0;        // events up to to_position, the fewest any subscriber got
  uint64_t received_max = 0;        // and the most
  int complete = 0;                 // subscribers that got every expected event exactly once
  LatencySummary delivery;          // recorded_at -> received, every event at every subscriber
  std::vector<std::string> errors;  // one line per failed check; empty when complete == subscribers
};

// Open subscriptions from now. Not thread-safe: one thread starts, then
// finishes it.
class FanOut {
 public:
  // Starts `subscribers` subscriptions with `from_now` and returns once
  // every one of them has reported caught_up. UNAVAILABLE when one ended
  // (its status in the message) or `timeout` passed first; the streams are
  // then cancelled. `token` as for CatchUp. Each stream's deadline is
  // `stream_deadline` from now.
  static absl::StatusOr<std::unique_ptr<FanOut>> Start(const BenchClient& client, const std::string& token,
                                                       int subscribers, absl::Duration timeout,
                                                       absl::Duration stream_deadline);
  // Cancels any stream still open and waits for every one to end.
  ~FanOut();

  // Waits until every subscriber has received position `last_written` (or
  // its stream ended, or `timeout` passed), cancels the streams and checks
  // what each received. Call once.
  FanOutResult Finish(uint64_t last_written, absl::Duration timeout);

  class Follower;
  struct Shared;

 private:
  FanOut();

  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Follower>> followers_;
};

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_SUBSCRIBERS_H_
