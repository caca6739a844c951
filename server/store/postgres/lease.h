// The leader's lease in PostgreSQL (docs/CLUSTER.md, "The lease and the
// fence"): one row of salesops_lease with a monotonically increasing epoch
// (the fencing token), the holder, its address and an expiry in
// PostgreSQL's clock.
//
// Taking the lease is one UPDATE that succeeds only when the lease has
// expired, and raises the epoch; renewing is one UPDATE that succeeds only
// while the epoch is still this holder's. Every append checks the epoch in
// its own transaction (postgres_event_log.h), so a node that lost the lease
// cannot append even before it notices. Expiry is judged by PostgreSQL's
// now(), never by a node's clock.
//
// Thread safety: epoch(), lost() and SetAddress from any thread; Acquire,
// Start and Release from one thread (the owner's).
#ifndef SALESOPS_SERVER_STORE_POSTGRES_LEASE_H_
#define SALESOPS_SERVER_STORE_POSTGRES_LEASE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace salesops::store::postgres {

class PgConnection;

struct LeaseOptions {
  std::string conninfo;
  // Who takes it (logged, and shown to the next node that waits) and the
  // gRPC address it serves (where followers forward writes; SetAddress
  // changes it).
  std::string holder;
  std::string address;
  // How long a lease lasts unless renewed, and how often it is renewed
  // (must be shorter). --lease-duration, --lease-renewal.
  absl::Duration duration = absl::Seconds(5);
  absl::Duration renew_every = absl::Seconds(1);
  // How long Acquire waits for a lease held by another node to expire.
  absl::Duration acquire_timeout = absl::Seconds(15);
};

class Lease {
 public:
  // Takes the lease: polls every renew_every while another holder's lease
  // has not expired, up to acquire_timeout, then raises the epoch and
  // records this holder. The schema must exist (schema.h). Errors:
  // INVALID_ARGUMENT for durations that break the rules (naming the
  // flags); UNAVAILABLE when PostgreSQL cannot be reached, or the lease is
  // still held after acquire_timeout (naming the holder and when it
  // expires: retry later).
  static absl::StatusOr<std::unique_ptr<Lease>> Acquire(const LeaseOptions& options);
  // One attempt: the lease when it was free, nullptr (OK) when another
  // holder's lease has not expired. Errors as Acquire's, never "held".
  static absl::StatusOr<std::unique_ptr<Lease>> TryAcquire(const LeaseOptions& options);
  // Releases (see Release).
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // The epoch this lease was taken with: the fencing token of every append.
  int64_t epoch() const { return epoch_; }

  // Renews every renew_every on a thread of its own. `on_lost` runs once,
  // on that thread, when the lease is lost: another holder raised the epoch,
  // or no renewal succeeded for a whole lease duration (PostgreSQL
  // unreachable: this node cannot know whether another took over). It must
  // not block or call Release.
  void Start(std::function<void(const absl::Status&)> on_lost);
  // True once the lease was lost.
  bool lost() const { return lost_.load(std::memory_order_acquire); }

  // The address followers forward writes to, written into the lease row by
  // the next renewal, which runs at once (after Start). Any thread.
  void SetAddress(std::string address);

  // Stops renewing and lets the lease expire now (when it is still ours),
  // so that the next node need not wait out the duration. Idempotent.
  void Release();

  // Checks the rules for the flags: both positive, renewal shorter than
  // the duration. INVALID_ARGUMENT naming the flags otherwise.
  static absl::Status ValidateDurations(absl::Duration duration, absl::Duration renew_every);

 private:
  Lease(const LeaseOptions& options, std::unique_ptr<PgConnection> conn, int64_t epoch);
  void Renew();

  const LeaseOptions options_;  // its address as taken; address_ from then on
  std::unique_ptr<PgConnection> conn_;  // the renewal thread's, after Start
  const int64_t epoch_;
  std::atomic<bool> lost_{false};
  std::function<void(const absl::Status&)> on_lost_;
  std::thread renewer_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::string address_ ABSL_GUARDED_BY(mu_);
  bool address_changed_ ABSL_GUARDED_BY(mu_) = false;  // renew now
  bool released_ = false;
};

}  // namespace salesops::store::postgres

#endif  // SALESOPS_SERVER_STORE_POSTGRES_LEASE_H_
