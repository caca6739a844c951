// A thin RAII wrapper of one libpq connection, for the PostgreSQL event log
// only (internal to server/store/postgres/: nothing above the storage seam
// includes it, and no libpq type appears in its interface).
//
// Errors: UNAVAILABLE when the connection is lost or cannot be made (SQLSTATE
// class 08, or no result at all: retrying on a new connection is safe for
// reads; for a write the outcome of an unfinished COMMIT is unknown);
// ABORTED for serialization failures and deadlocks (40001, 40P01) and
// unique violations (23505); FAILED_PRECONDITION for a statement PostgreSQL
// refused otherwise. The server's message is logged, and kept in the
// status's message for operators (start-up errors); the sequencer never
// passes it to a client.
//
// Thread safety: none. One thread at a time uses a PgConnection (its owner
// holds a mutex around it).
#ifndef SALESOPS_SERVER_STORE_POSTGRES_PG_CONNECTION_H_
#define SALESOPS_SERVER_STORE_POSTGRES_PG_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace salesops::store::postgres {

// One statement parameter: text (PostgreSQL parses it by the type the
// statement gives it) or binary bytes (for bytea), or NULL.
struct PgParam {
  static PgParam Text(std::string value) { return {std::move(value), false, false}; }
  static PgParam Int(int64_t value) { return {std::to_string(value), false, false}; }
  static PgParam Bytes(std::string value) { return {std::move(value), true, false}; }
  static PgParam Null() { return {"", false, true}; }
  std::string value;
  bool binary = false;
  bool null = false;
};

// One statement of a pipeline (PgConnection::ExecPipeline).
struct PgStatement {
  std::string sql;
  std::vector<PgParam> params;
};

// A statement's result: rows of columns as text (bytea columns as their raw
// bytes); NULL reads as "".
class PgResult {
 public:
  PgResult() = default;
  size_t rows() const { return rows_; }
  size_t columns() const { return columns_; }
  const std::string& at(size_t row, size_t column) const { return cells_[row * columns_ + column]; }
  bool is_null(size_t row, size_t column) const { return nulls_[row * columns_ + column]; }
  // The number of rows an INSERT, UPDATE or DELETE touched.
  uint64_t affected() const { return affected_; }
  // at() as an integer; 0 when it is not one.
  int64_t Int(size_t row, size_t column) const;

 private:
  friend struct PgResultBuilder;  // pg_connection.cc fills it in
  size_t rows_ = 0, columns_ = 0;
  uint64_t affected_ = 0;
  std::vector<std::string> cells_;
  std::vector<bool> nulls_;
};

class PgConnection {
 public:
  // Connects with `conninfo` (a libpq connection string or URI). UNAVAILABLE
  // naming the server's reason when it fails; INVALID_ARGUMENT when
  // `conninfo` does not parse.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with parameters ($1, $2, ...). Columns come back as
  // text, except bytea columns, which come back as their raw bytes.
  absl::StatusOr<PgResult> Exec(absl::string_view sql, const std::vector<PgParam>& params = {});
  // Runs statements without parameters (BEGIN, COMMIT, several separated by
  // ';'): the last one's result.
  absl::StatusOr<PgResult> ExecScript(absl::string_view sql);
  // Sends every statement at once and then reads their results (libpq's
  // pipeline mode: one round trip for all of them), each as Exec would
  // return it. The first statement that fails is the error returned; the
  // statements after it are not run. A transaction begun in the pipeline
  // and not committed by it is still open (the caller rolls it back).
  absl::StatusOr<std::vector<PgResult>> ExecPipeline(const std::vector<PgStatement>& statements);
  // ROLLBACK, ignoring its outcome (after a failed statement in a
  // transaction; a lost connection rolls back by itself).
  void Rollback();
  // False once the connection was lost (or left in a state no statement
  // can follow: a pipeline that could not be finished).
  bool ok() const;
  // How many WARNING notices the server sent on this connection so far.
  // One during a COMMIT means the commit is not what it claims: PostgreSQL
  // answers a COMMIT whose wait for the synchronous standbys was cancelled
  // with success and a warning ("committed locally, but might not have
  // been replicated").
  uint64_t warnings() const { return warnings_; }

 private:
  explicit PgConnection(void* conn) : conn_(conn) {}
  void* conn_;  // PGconn
  bool broken_ = false;
  uint64_t warnings_ = 0;  // counted by the notice receiver Connect sets
};

// Checks that `conninfo` parses as a libpq connection string or URI;
// INVALID_ARGUMENT with libpq's reason otherwise.
absl::Status ValidateConninfo(const std::string& conninfo);
// `conninfo` for logs: host(s), port and database, never a password.
std::string DescribeConninfo(const std::string& conninfo);

// A PostgreSQL array literal of `values` ({"a","b"}), for a text[] parameter.
std::string TextArrayLiteral(const std::vector<std::string>& values);

}  // namespace salesops::store::postgres

#endif  // SALESOPS_SERVER_STORE_POSTGRES_PG_CONNECTION_H_
