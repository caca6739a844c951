#include "server/store/postgres/pg_connection.h"

#include <cstdlib>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libpq-fe.h"
#include "server/common/log.h"

namespace salesops::store::postgres {
namespace {

constexpr Oid kByteaOid = 17;

PGconn* Raw(void* conn) { return static_cast<PGconn*>(conn); }

std::string Trimmed(const char* message) {
  return std::string(absl::StripTrailingAsciiWhitespace(message != nullptr ? message : ""));
}

// The status for a failed statement, by its SQLSTATE.
absl::Status StatementError(PGconn* conn, const PGresult* result, absl::string_view sql) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state != nullptr ? state : "";
  const std::string message =
      Trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  const std::string what = absl::StrCat("PostgreSQL: ", message, code.empty() ? "" : absl::StrCat(" (", code, ")"));
  LogError("storage: %s failed: %s", sql.substr(0, 60), what);
  if (code.empty() || absl::StartsWith(code, "08") || PQstatus(conn) != CONNECTION_OK || code == "57P01" ||
      code == "57P02" || code == "57P03") {
    return absl::UnavailableError(what);
  }
  if (code == "40001" || code == "40P01" || code == "23505") return absl::AbortedError(what);
  return absl::FailedPreconditionError(what);
}

// A bytea column's text form (\x and hex digits) as raw bytes.
std::string DecodeBytea(const char* text, int length) {
  if (length < 2 || text[0] != '\\' || text[1] != 'x') return std::string(text, length);
  std::string out;
  out.reserve((length - 2) / 2);
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  for (int i = 2; i + 1 < length; i += 2) out.push_back(static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  return out;
}

}  // namespace

struct PgResultBuilder {
static absl::StatusOr<PgResult> Collect(PGconn* conn, PGresult* result, absl::string_view sql, PgResult& out) {
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    absl::Status error = StatementError(conn, result, sql);
    PQclear(result);
    return error;
  }
  out.rows_ = PQntuples(result);
  out.columns_ = PQnfields(result);
  out.cells_.reserve(out.rows_ * out.columns_);
  out.nulls_.reserve(out.rows_ * out.columns_);
  for (size_t r = 0; r < out.rows_; ++r) {
    for (size_t c = 0; c < out.columns_; ++c) {
      const bool null = PQgetisnull(result, r, c);
      out.nulls_.push_back(null);
      const char* value = PQgetvalue(result, r, c);
      const int length = PQgetlength(result, r, c);
      out.cells_.push_back(null ? std::string()
                                : PQftype(result, c) == kByteaOid ? DecodeBytea(value, length)
                                                                  : std::string(value, length));
    }
  }
  const char* affected = PQcmdTuples(result);
  if (affected != nullptr && *affected != '\0') absl::SimpleAtoi(affected, &out.affected_);
  PQclear(result);
  return std::move(out);
}
};

int64_t PgResult::Int(size_t row, size_t column) const {
  int64_t value = 0;
  return absl::SimpleAtoi(at(row, column), &value) ? value : 0;
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo) {
  if (absl::Status valid = ValidateConninfo(conninfo); !valid.ok()) return valid;
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return absl::UnavailableError("PostgreSQL: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL (", DescribeConninfo(conninfo), "): ",
                                               message));
  }
  std::unique_ptr<PgConnection> connection(new PgConnection(conn));
  // Our text is UTF-8 (validated ids and names). Notices are not printed;
  // warnings are counted (warnings()).
  PQsetClientEncoding(conn, "UTF8");
  PQsetNoticeReceiver(
      conn,
      [](void* self, const PGresult* notice) {
        const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
        if (severity != nullptr && std::string_view(severity) == "WARNING") {
          ++static_cast<PgConnection*>(self)->warnings_;
        }
      },
      connection.get());
  return connection;
}

PgConnection::~PgConnection() { PQfinish(Raw(conn_)); }

bool PgConnection::ok() const { return !broken_ && PQstatus(Raw(conn_)) == CONNECTION_OK; }

absl::StatusOr<PgResult> PgConnection::Exec(absl::string_view sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  values.reserve(params.size());
  for (const PgParam& p : params) {
    values.push_back(p.null ? nullptr : p.value.data());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  const std::string statement(sql);
  PGresult* result = PQexecParams(Raw(conn_), statement.c_str(), static_cast<int>(params.size()), nullptr,
                                  values.data(), lengths.data(), formats.data(), /*resultFormat=*/0);
  PgResult out;
  return PgResultBuilder::Collect(Raw(conn_), result, sql, out);
}

absl::StatusOr<PgResult> PgConnection::ExecScript(absl::string_view sql) {
  const std::string statement(sql);
  PGresult* result = PQexec(Raw(conn_), statement.c_str());
  PgResult out;
  return PgResultBuilder::Collect(Raw(conn_), result, sql, out);
}

absl::StatusOr<std::vector<PgResult>> PgConnection::ExecPipeline(const std::vector<PgStatement>& statements) {
  PGconn* conn = Raw(conn_);
  // A pipeline that cannot be finished leaves the connection unusable (in
  // pipeline mode, results unread): it counts as lost from then on.
  const auto lost = [this, conn](absl::string_view what) {
    broken_ = true;
    return absl::UnavailableError(
        absl::StrCat("PostgreSQL: ", what, ": ", Trimmed(PQerrorMessage(conn))));
  };
  if (PQenterPipelineMode(conn) != 1) return lost("cannot enter pipeline mode");
  for (const PgStatement& statement : statements) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    for (const PgParam& p : statement.params) {
      values.push_back(p.null ? nullptr : p.value.data());
      lengths.push_back(static_cast<int>(p.value.size()));
      formats.push_back(p.binary ? 1 : 0);
    }
    if (PQsendQueryParams(conn, statement.sql.c_str(), static_cast<int>(statement.params.size()), nullptr,
                          values.data(), lengths.data(), formats.data(), /*resultFormat=*/0) != 1) {
      return lost("sending a statement failed");
    }
  }
  if (PQpipelineSync(conn) != 1) return lost("sending the pipeline failed");
  std::vector<PgResult> out(statements.size());
  absl::Status first_error;
  for (size_t i = 0; i < statements.size(); ++i) {
    PGresult* result = PQgetResult(conn);
    if (result == nullptr) return lost("the pipeline's results ended early");
    if (PQresultStatus(result) == PGRES_PIPELINE_ABORTED) {
      PQclear(result);  // skipped after an earlier error
    } else {
      PgResult collected;
      absl::StatusOr<PgResult> one = PgResultBuilder::Collect(conn, result, statements[i].sql, collected);
      if (one.ok()) {
        out[i] = *std::move(one);
      } else if (first_error.ok()) {
        first_error = one.status();
      }
    }
    // Each statement's results end with a null.
    if (PGresult* extra = PQgetResult(conn); extra != nullptr) {
      PQclear(extra);
      return lost("a statement of the pipeline returned more than one result");
    }
  }
  PGresult* sync = PQgetResult(conn);
  const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || PQexitPipelineMode(conn) != 1) return lost("the pipeline did not end");
  if (!first_error.ok()) return first_error;
  return out;
}

void PgConnection::Rollback() {
  if (!ok()) return;
  PQclear(PQexec(Raw(conn_), "ROLLBACK"));
}

absl::Status ValidateConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    const std::string why = Trimmed(error != nullptr ? error : "it does not parse");
    PQfreemem(error);
    return absl::InvalidArgumentError(why);
  }
  PQconninfoFree(options);
  return absl::OkStatus();
}

std::string DescribeConninfo(const std::string& conninfo) {
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), nullptr);
  if (options == nullptr) return "an unparsable connection string";
  std::vector<std::string> parts;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const absl::string_view key = o->keyword;
    if (key == "host" || key == "hostaddr" || key == "port" || key == "dbname" || key == "user" ||
        key == "target_session_attrs") {
      parts.push_back(absl::StrCat(key, "=", o->val));
    }
  }
  PQconninfoFree(options);
  return parts.empty() ? "libpq defaults" : absl::StrJoin(parts, " ");
}

std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace salesops::store::postgres
