#include "server/store/postgres/lease.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"
#include "server/store/postgres/pg_connection.h"

namespace salesops::store::postgres {
namespace {

PgParam Millis(absl::Duration d) { return PgParam::Int(absl::ToInt64Milliseconds(d)); }

// A connection whose statements give up after `timeout` (a renewal must
// not hang behind a lock or a dead server for longer than its lease).
absl::StatusOr<std::unique_ptr<PgConnection>> LeaseConnection(const std::string& conninfo, absl::Duration timeout) {
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(conninfo));
  SALESOPS_RETURN_IF_ERROR(
      conn->ExecScript(absl::StrCat("SET statement_timeout = ", absl::ToInt64Milliseconds(timeout))).status());
  return conn;
}

}  // namespace

absl::Status Lease::ValidateDurations(absl::Duration duration, absl::Duration renew_every) {
  if (duration <= absl::ZeroDuration() || renew_every <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("--lease-duration and --lease-renewal must be positive (got ",
                                                   absl::FormatDuration(duration), " and ",
                                                   absl::FormatDuration(renew_every), ")"));
  }
  if (renew_every >= duration) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--lease-renewal must be shorter than --lease-duration, or the lease expires between renewals (got ",
        absl::FormatDuration(renew_every), " and ", absl::FormatDuration(duration), ")"));
  }
  if (duration < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lease-duration must be at least 100ms (got ", absl::FormatDuration(duration), ")"));
  }
  return absl::OkStatus();
}

Lease::Lease(const LeaseOptions& options, std::unique_ptr<PgConnection> conn, int64_t epoch)
    : options_(options), conn_(std::move(conn)), epoch_(epoch), address_(options.address) {}

void Lease::SetAddress(std::string address) {
  absl::MutexLock lock(&mu_);
  if (address == address_) return;
  address_ = std::move(address);
  address_changed_ = true;
}

Lease::~Lease() { Release(); }

namespace {

// One attempt on `conn`: the new epoch, or nullopt while the lease is held.
absl::StatusOr<std::optional<int64_t>> TakeIfFree(PgConnection& conn, const LeaseOptions& options) {
  SALESOPS_ASSIGN_OR_RETURN(
      PgResult taken,
      conn.Exec("UPDATE salesops_lease SET epoch = epoch + 1, holder = $1, address = $2, "
                "expires_at = now() + $3::bigint * interval '1 millisecond', acquired_at = now() "
                "WHERE id = 1 AND expires_at <= now() RETURNING epoch",
                {PgParam::Text(options.holder), PgParam::Text(options.address), Millis(options.duration)}));
  if (taken.rows() != 1) return std::optional<int64_t>();
  LogInfo("cluster: took the lease as %s, epoch %d (lasts %s, renewed every %s)", options.holder, taken.Int(0, 0),
          absl::FormatDuration(options.duration), absl::FormatDuration(options.renew_every));
  return std::optional<int64_t>(taken.Int(0, 0));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Lease>> Lease::TryAcquire(const LeaseOptions& options) {
  SALESOPS_RETURN_IF_ERROR(ValidateDurations(options.duration, options.renew_every));
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, LeaseConnection(options.conninfo, options.duration));
  SALESOPS_ASSIGN_OR_RETURN(const std::optional<int64_t> epoch, TakeIfFree(*conn, options));
  if (!epoch.has_value()) return std::unique_ptr<Lease>();
  return std::unique_ptr<Lease>(new Lease(options, std::move(conn), *epoch));
}

absl::StatusOr<std::unique_ptr<Lease>> Lease::Acquire(const LeaseOptions& options) {
  SALESOPS_RETURN_IF_ERROR(ValidateDurations(options.duration, options.renew_every));
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, LeaseConnection(options.conninfo, options.duration));
  const absl::Time deadline = absl::Now() + options.acquire_timeout;
  absl::Time next_log = absl::InfinitePast();
  for (;;) {
    SALESOPS_ASSIGN_OR_RETURN(const std::optional<int64_t> epoch, TakeIfFree(*conn, options));
    if (epoch.has_value()) return std::unique_ptr<Lease>(new Lease(options, std::move(conn), *epoch));
    SALESOPS_ASSIGN_OR_RETURN(
        PgResult held, conn->Exec("SELECT holder, epoch, address, "
                                  "greatest(0, extract(epoch FROM expires_at - now()))::numeric(12,3)::text "
                                  "FROM salesops_lease WHERE id = 1"));
    if (held.rows() != 1) return absl::FailedPreconditionError("the PostgreSQL log has no lease row (salesops_lease)");
    const std::string who = absl::StrCat(held.at(0, 0), " (epoch ", held.at(0, 1), ", serving ", held.at(0, 2),
                                         ") for another ", held.at(0, 3), " s");
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(absl::StrCat(
          "the lease is held by ", who, " and was renewed throughout the ", absl::FormatDuration(options.acquire_timeout),
          " this node waited: another salesopsd leads this log; stop it, or "
          "retry once it is gone"));
    }
    if (absl::Now() >= next_log) {
      LogInfo("cluster: waiting for the lease, held by %s", who);
      next_log = absl::Now() + absl::Seconds(5);
    }
    absl::SleepFor(std::min(options.renew_every, absl::Milliseconds(500)));
  }
}

void Lease::Start(std::function<void(const absl::Status&)> on_lost) {
  on_lost_ = std::move(on_lost);
  renewer_ = std::thread([this] { Renew(); });
}

void Lease::Renew() {
  // The lease surely lasts until the start of the last successful renewal
  // (or of the acquisition) plus the duration, whatever the clocks say.
  absl::Time renewed = absl::Now() - options_.renew_every;
  absl::Status last_error;
  const auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || address_changed_; };
  for (;;) {
    std::string address;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&wake), options_.renew_every);
      if (stopping_) return;
      address_changed_ = false;
      address = address_;
    }
    const absl::Time attempt = absl::Now();
    absl::StatusOr<PgResult> result = absl::UnavailableError("no connection");
    if (conn_ == nullptr || !conn_->ok()) {
      absl::StatusOr<std::unique_ptr<PgConnection>> conn = LeaseConnection(options_.conninfo, options_.duration);
      if (conn.ok()) conn_ = *std::move(conn);
      else result = conn.status();
    }
    if (conn_ != nullptr && conn_->ok()) {
      result = conn_->Exec(
          "UPDATE salesops_lease SET expires_at = now() + $2::bigint * interval '1 millisecond', address = $3 "
          "WHERE id = 1 AND epoch = $1",
          {PgParam::Int(epoch_), Millis(options_.duration), PgParam::Text(address)});
    }
    absl::Status lost;
    if (result.ok() && result->affected() == 1) {
      renewed = attempt;
      continue;
    }
    if (result.ok()) {
      lost = absl::FailedPreconditionError(
          absl::StrCat("the lease (epoch ", epoch_, ") was taken over by another node: this node no longer leads"));
    } else if (absl::Now() - renewed >= options_.duration) {
      lost = absl::UnavailableError(absl::StrCat("the lease (epoch ", epoch_, ") could not be renewed for ",
                                                 absl::FormatDuration(options_.duration), " (",
                                                 result.status().message(), "): this node no longer leads"));
    } else {
      LogWarning("cluster: lease renewal failed (%s); retrying", result.status().ToString());
      continue;
    }
    lost_.store(true, std::memory_order_release);
    LogError("cluster: %s", lost.message());
    if (on_lost_) on_lost_(lost);
    return;
  }
}

void Lease::Release() {
  if (released_) return;
  released_ = true;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (renewer_.joinable()) renewer_.join();
  if (lost()) return;
  if (conn_ == nullptr || !conn_->ok()) {
    absl::StatusOr<std::unique_ptr<PgConnection>> conn = LeaseConnection(options_.conninfo, options_.duration);
    if (!conn.ok()) {
      LogWarning("cluster: the lease (epoch %d) was not released: %s; it expires by itself", epoch_,
                 conn.status().ToString());
      return;
    }
    conn_ = *std::move(conn);
  }
  const absl::StatusOr<PgResult> released =
      conn_->Exec("UPDATE salesops_lease SET expires_at = now() WHERE id = 1 AND epoch = $1", {PgParam::Int(epoch_)});
  if (released.ok() && released->affected() == 1) {
    LogInfo("cluster: released the lease (epoch %d)", epoch_);
  } else if (!released.ok()) {
    LogWarning("cluster: the lease (epoch %d) was not released: %s; it expires by itself", epoch_,
               released.status().ToString());
  }
}

}  // namespace salesops::store::postgres
