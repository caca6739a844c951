#include "postgres_ceiling.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "libpq-fe.h"

namespace salesops::bench {
namespace {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;

absl::StatusOr<Conn> Connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to PostgreSQL: ",
        absl::StripTrailingAsciiWhitespace(conn != nullptr ? PQerrorMessage(conn.get()) : "out of memory")));
  }
  return conn;
}

// Runs `sql`; UNAVAILABLE with PostgreSQL's message when it fails.
absl::Status Exec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  absl::Status out;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    out = absl::UnavailableError(
        absl::StrCat(sql, ": ", absl::StripTrailingAsciiWhitespace(PQresultErrorMessage(r))));
  }
  PQclear(r);
  return out;
}

constexpr char kTable[] = "salesops_bench_inserts";

}  // namespace

absl::StatusOr<std::string> WithDatabase(const std::string& conninfo, absl::string_view database) {
  if (absl::StartsWith(conninfo, "postgresql://") || absl::StartsWith(conninfo, "postgres://")) {
    return absl::InvalidArgumentError(
        "--cluster-postgres: give a keyword/value connection string (host=… port=… user=…), not a URI");
  }
  // libpq takes the last of a repeated keyword.
  return absl::StrCat(conninfo, " dbname=", database);
}

absl::Status CreateDatabase(const std::string& conninfo, absl::string_view database) {
  absl::StatusOr<Conn> conn = Connect(conninfo);
  if (!conn.ok()) return conn.status();
  return Exec(conn->get(), absl::StrCat("CREATE DATABASE \"", database, "\""));
}

absl::Status DropDatabase(const std::string& conninfo, absl::string_view database) {
  absl::StatusOr<Conn> conn = Connect(conninfo);
  if (!conn.ok()) return conn.status();
  return Exec(conn->get(), absl::StrCat("DROP DATABASE IF EXISTS \"", database, "\" WITH (FORCE)"));
}

absl::StatusOr<PostgresInsertResult> MeasurePostgresInserts(const std::string& conninfo, int clients,
                                                            size_t row_bytes, absl::Duration warmup,
                                                            absl::Duration duration) {
  {
    absl::StatusOr<Conn> conn = Connect(conninfo);
    if (!conn.ok()) return conn.status();
    if (absl::Status s = Exec(conn->get(), absl::StrCat("DROP TABLE IF EXISTS ", kTable, "; CREATE TABLE ", kTable,
                                                        " (position bigserial PRIMARY KEY, stream_id text NOT NULL, "
                                                        "stream_version bigint NOT NULL, event_type text NOT NULL, "
                                                        "envelope bytea NOT NULL, chain bytea NOT NULL, "
                                                        "UNIQUE (stream_id, stream_version))"));
        !s.ok()) {
      return s;
    }
  }
  std::vector<Conn> conns;
  for (int c = 0; c < clients; ++c) {
    absl::StatusOr<Conn> conn = Connect(conninfo);
    if (!conn.ok()) return conn.status();
    conns.push_back(*std::move(conn));
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point measured_from = start + absl::ToChronoNanoseconds(warmup);
  const Clock::time_point end = measured_from + absl::ToChronoNanoseconds(duration);
  const std::string envelope(row_bytes, 'e');
  const std::string chain(32, 'c');
  const std::string sql = absl::StrCat("INSERT INTO ", kTable,
                                       " (stream_id, stream_version, event_type, envelope, chain) "
                                       "VALUES ($1, $2, 'LeadIdentified', $3, $4)");
  absl::Mutex mu;
  std::vector<int64_t> latencies;
  std::map<std::string, uint64_t> errors;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      PGconn* conn = conns[static_cast<size_t>(c)].get();
      const std::string stream = absl::StrCat("bench-", c);
      std::vector<int64_t> mine;
      std::map<std::string, uint64_t> my_errors;
      for (uint64_t version = 1;; ++version) {
        const Clock::time_point sent = Clock::now();
        if (sent >= end) break;
        const std::string version_text = absl::StrCat(version);
        const char* values[] = {stream.c_str(), version_text.c_str(), envelope.data(), chain.data()};
        const int lengths[] = {0, 0, static_cast<int>(envelope.size()), static_cast<int>(chain.size())};
        const int formats[] = {0, 0, 1, 1};
        PGresult* r = PQexecParams(conn, sql.c_str(), 4, nullptr, values, lengths, formats, 0);
        const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        const char* state = ok ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const std::string code = ok ? "" : state != nullptr ? state : "connection";
        PQclear(r);
        const Clock::time_point done = Clock::now();
        const bool measured = sent >= measured_from && done <= end;
        if (ok) {
          if (measured) mine.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(done - sent).count());
        } else {
          ++my_errors[code];  // warm-up's too: a failure is never hidden
          if (PQstatus(conn) != CONNECTION_OK) break;
        }
      }
      absl::MutexLock lock(&mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      for (const auto& [code, n] : my_errors) errors[code] += n;
    });
  }
  for (std::thread& t : threads) t.join();
  PostgresInsertResult out;
  out.clients = clients;
  out.row_bytes = row_bytes;
  out.seconds = absl::ToDoubleSeconds(duration);
  out.rows = latencies.size();
  out.latency = Summarize(latencies);
  out.errors = std::move(errors);
  if (absl::Status s = Exec(conns.front().get(), absl::StrCat("DROP TABLE ", kTable)); !s.ok()) return s;
  return out;
}

}  // namespace salesops::bench
