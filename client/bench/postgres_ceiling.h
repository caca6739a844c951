// The PostgreSQL side of the cluster scenario (docs/PERFORMANCE.md,
// "Cluster"): a database of the run's own on the server --cluster-postgres
// names, and the peer's ceiling — single-row INSERTs, one row per
// transaction, from many clients at once, as an event store without group
// commit would append — measured with libpq on that database.
//
// Thread safety: the functions may be called from any thread; each opens
// its own connections.
#ifndef SALESOPS_CLIENT_BENCH_POSTGRES_CEILING_H_
#define SALESOPS_CLIENT_BENCH_POSTGRES_CEILING_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "latency_stats.h"

namespace salesops::bench {

// `conninfo` (keyword/value form) with dbname set to `database`.
// INVALID_ARGUMENT for a URI ("postgresql://…"): --cluster-postgres takes
// the keyword/value form, so the bench can point it at its own database.
absl::StatusOr<std::string> WithDatabase(const std::string& conninfo, absl::string_view database);

// CREATE DATABASE / DROP DATABASE on the server `conninfo` reaches.
// UNAVAILABLE with PostgreSQL's message when it cannot connect or refuses.
absl::Status CreateDatabase(const std::string& conninfo, absl::string_view database);
absl::Status DropDatabase(const std::string& conninfo, absl::string_view database);

struct PostgresInsertResult {
  int clients = 0;
  size_t row_bytes = 0;  // the envelope column's size
  double seconds = 0;
  uint64_t rows = 0;
  LatencySummary latency;  // one INSERT (its own transaction, COMMIT included)
  std::map<std::string, uint64_t> errors;  // by SQLSTATE

  double rows_per_second() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

// `clients` connections to `conninfo`, each inserting one row per
// transaction (autocommit) into a table shaped like the events table
// (bigint position, stream, version, type, bytea envelope of `row_bytes`,
// chain hash) for `warmup`, then measured for `duration`. The table is
// created first and dropped after. synchronous_commit is the server's.
absl::StatusOr<PostgresInsertResult> MeasurePostgresInserts(const std::string& conninfo, int clients,
                                                            size_t row_bytes, absl::Duration warmup,
                                                            absl::Duration duration);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_POSTGRES_CEILING_H_
