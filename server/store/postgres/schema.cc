#include "server/store/postgres/schema.h"

#include "absl/strings/str_cat.h"
#include "server/common/log.h"
#include "server/common/status_macros.h"

namespace salesops::store::postgres {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Append only: a migration, once released, is never changed; a new version
// adds one. Portable SQL (no functions of our own, triggers or advisory
// locks; gen_random_uuid(), which PostgreSQL has since 13 and the
// distributed engines have too), so the same schema can run on an engine
// that speaks the PostgreSQL protocol.
constexpr Migration kMigrations[] = {
    {1, "events, stream index, idempotency records, head and lease",
     R"sql(
CREATE TABLE salesops_events (
  position bigint PRIMARY KEY CHECK (position > 0),
  stream_id text NOT NULL,
  stream_version bigint NOT NULL CHECK (stream_version > 0),
  event_type text NOT NULL,
  envelope bytea NOT NULL,
  chain bytea NOT NULL,
  CONSTRAINT salesops_events_stream UNIQUE (stream_id, stream_version)
);
CREATE TABLE salesops_idempotency (
  actor text NOT NULL,
  request_id text NOT NULL,
  record bytea NOT NULL,
  at_position bigint NOT NULL,
  PRIMARY KEY (actor, request_id)
);
CREATE INDEX salesops_idempotency_at ON salesops_idempotency (at_position);
CREATE TABLE salesops_head (
  id int PRIMARY KEY CHECK (id = 1),
  position bigint NOT NULL,
  chain bytea NOT NULL
);
INSERT INTO salesops_head (id, position, chain) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
CREATE TABLE salesops_lease (
  id int PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL,
  holder text NOT NULL,
  address text NOT NULL,
  expires_at timestamptz NOT NULL,
  acquired_at timestamptz
);
INSERT INTO salesops_lease (id, epoch, holder, address, expires_at) VALUES (1, 0, '', '', '-infinity');
)sql"},
    {2, "node heartbeats (Admin.GetClusterStatus)",
     R"sql(
CREATE TABLE salesops_nodes (
  node_id text PRIMARY KEY,
  address text NOT NULL,
  is_leader boolean NOT NULL,
  epoch bigint NOT NULL,
  applied_position bigint NOT NULL CHECK (applied_position >= 0),
  serving boolean NOT NULL,
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL
);
)sql"},
    {3, "the node secret (write forwarding between nodes)",
     // 244 random bits (two version-4 UUIDs from a strong source), made once.
     R"sql(
CREATE TABLE salesops_node_secret (
  id int PRIMARY KEY CHECK (id = 1),
  secret text NOT NULL
);
INSERT INTO salesops_node_secret (id, secret)
  VALUES (1, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
)sql"},
};

absl::Status MigrateOnce(PgConnection& conn) {
  SALESOPS_RETURN_IF_ERROR(conn.ExecScript("BEGIN").status());
  const auto fail = [&conn](absl::Status s) {
    conn.Rollback();
    return s;
  };
  absl::StatusOr<PgResult> r = conn.ExecScript(
      "CREATE TABLE IF NOT EXISTS salesops_schema_migrations (version int PRIMARY KEY, description text NOT NULL, "
      "applied_at timestamptz NOT NULL DEFAULT now())");
  if (!r.ok()) return fail(r.status());
  // One migrating node at a time; the others wait here and then find the
  // versions recorded.
  r = conn.ExecScript("LOCK TABLE salesops_schema_migrations IN EXCLUSIVE MODE");
  if (!r.ok()) return fail(r.status());
  r = conn.ExecScript("SELECT coalesce(max(version), 0) FROM salesops_schema_migrations");
  if (!r.ok()) return fail(r.status());
  const int64_t current = r->Int(0, 0);
  if (current > kSchemaVersion) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("the PostgreSQL log has schema version ", current, "; this salesopsd knows up to ",
                     kSchemaVersion, ": run a newer salesopsd")));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    LogInfo("storage: PostgreSQL schema migration %d: %s", m.version, m.description);
    r = conn.ExecScript(m.sql);
    if (!r.ok()) return fail(r.status());
    r = conn.Exec("INSERT INTO salesops_schema_migrations (version, description) VALUES ($1, $2)",
                  {PgParam::Int(m.version), PgParam::Text(m.description)});
    if (!r.ok()) return fail(r.status());
  }
  return conn.ExecScript("COMMIT").status();
}

}  // namespace

absl::Status Migrate(PgConnection& conn) {
  absl::Status s = MigrateOnce(conn);
  // Two nodes creating salesops_schema_migrations at the same moment: one
  // of them fails on the catalog's unique index; the second try finds it.
  if (absl::IsAborted(s)) s = MigrateOnce(conn);
  return s;
}

}  // namespace salesops::store::postgres
