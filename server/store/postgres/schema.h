// The PostgreSQL schema of the cluster-mode event log, created and migrated
// by salesopsd itself (docs/STORAGE.md, "PostgreSQL"). Every table's name
// starts with salesops_, so the log can share a database with others.
//
//   salesops_schema_migrations  version, description, applied_at: one row per applied migration
//   salesops_events             position (PK), stream_id, stream_version (UNIQUE with stream_id:
//                               the stream index), event_type, envelope (the stored bytes),
//                               chain (SHA-256 chain hash at this position)
//   salesops_idempotency        (actor, request_id) PK -> record, at_position (the head after
//                               the batch that wrote it; followers copy records by it)
//   salesops_head               one row: position and chain digest of the last event
//   salesops_lease              one row: epoch (the fencing token), holder, address, expires_at
//   salesops_nodes              one row per node: its last heartbeat (cluster status)
//   salesops_node_secret        one row: the secret nodes show each other when forwarding writes
//
// Internal to server/store/postgres/.
#ifndef SALESOPS_SERVER_STORE_POSTGRES_SCHEMA_H_
#define SALESOPS_SERVER_STORE_POSTGRES_SCHEMA_H_

#include <cstdint>

#include "absl/status/status.h"
#include "server/store/postgres/pg_connection.h"

namespace salesops::store::postgres {

// The newest schema version this salesopsd knows.
inline constexpr int kSchemaVersion = 3;

// Brings the database to kSchemaVersion: applies, in one transaction, every
// migration not recorded in salesops_schema_migrations (creating that table
// first), recording each. Idempotent: a migrated database is left alone;
// several nodes starting at once serialize on a lock of the migrations
// table, and the later ones find the work done. Errors: FAILED_PRECONDITION
// when the database has a newer version than this salesopsd knows (nothing
// is changed) or refuses a statement (e.g. no CREATE privilege); UNAVAILABLE
// when the connection fails (nothing is changed: the transaction rolls
// back).
absl::Status Migrate(PgConnection& conn);

}  // namespace salesops::store::postgres

#endif  // SALESOPS_SERVER_STORE_POSTGRES_SCHEMA_H_
