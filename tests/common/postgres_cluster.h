// A private PostgreSQL 15 cluster for tests: initdb in a new temporary
// directory, the postmaster started on a free loopback port with its unix
// socket in that directory, ready once a connection succeeds, stopped by its
// PID and removed when the object goes.
//
// PostgreSQL refuses to run as root: when the test runs as root (CI, the
// dev container), initdb and the postmaster run as the `postgres` user (a
// forked child drops to it before exec) and the directory is given to it.
// Otherwise they run as the calling user.
//
// The postmaster is this process's child and gets SIGKILL should the test
// process die (PR_SET_PDEATHSIG), so a crashed test leaves no server behind.
//
// Thread safety: none; one test thread drives it.
#ifndef SALESOPS_TESTS_COMMON_POSTGRES_CLUSTER_H_
#define SALESOPS_TESTS_COMMON_POSTGRES_CLUSTER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"

namespace salesops::testing {

// The directory of PostgreSQL's server binaries: $SALESOPS_PG_BIN, else
// /usr/lib/postgresql/15/bin.
std::string PostgresBinDir();
// OK when initdb and postgres are there (and, as root, the `postgres` user
// exists); otherwise FAILED_PRECONDITION saying what is missing, for a
// GTEST_SKIP. deploy/dev.sh installs postgresql-15, so CI never skips.
absl::Status PostgresAvailable();

// In a test body: skip, saying why, when PostgreSQL is not installed.
#define SALESOPS_SKIP_WITHOUT_POSTGRES()                                                           \
  if (const absl::Status pg_available = ::salesops::testing::PostgresAvailable(); !pg_available.ok()) { \
    GTEST_SKIP() << "PostgreSQL is not installed: " << pg_available.message();                       \
  }

// Matches what PostgresCluster::Query returns when it is OK and its rows
// match `rows` (e.g. ElementsAre("1")).
MATCHER_P(QueryRows, rows,
          absl::StrCat("is OK with rows that ", ::testing::DescribeMatcher<std::vector<std::string>>(rows))) {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  *result_listener << "rows are [" << absl::StrJoin(*arg, ", ") << "] ";
  return ::testing::ExplainMatchResult(rows, *arg, result_listener);
}

class PostgresCluster {
 public:
  // Does nothing yet: Start() makes the cluster.
  PostgresCluster();
  // Stops the server (Stop()) and removes the directory.
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // Runs initdb (trust authentication for local and loopback connections,
  // user `postgres`, UTF-8, C locale) into a new directory under $TMPDIR
  // (under /tmp when $TMPDIR is long, or unreachable for `postgres`),
  // starts the postmaster on a free 127.0.0.1 port with `settings` as
  // extra "-c NAME=VALUE" options, and waits until a connection succeeds
  // (polling, up to `timeout`). Errors: FAILED_PRECONDITION when the
  // binaries are missing; INTERNAL with initdb's or the server's log when
  // either fails; DEADLINE_EXCEEDED when it is not ready in time.
  absl::Status Start(const std::vector<std::string>& settings = {}, absl::Duration timeout = absl::Seconds(60));

  // A streaming-replication standby of `primary` (which must be running):
  // pg_basebackup of it into a new directory, standby.signal, and the
  // postmaster started on its own free port with primary_conninfo naming
  // `application_name` (so the primary's synchronous_standby_names can
  // name it) and `settings`. Ready once it accepts connections (hot
  // standby: read-only). Errors as Start().
  absl::Status StartStandby(const PostgresCluster& primary, absl::string_view application_name,
                            const std::vector<std::string>& settings = {},
                            absl::Duration timeout = absl::Seconds(60));
  // Promotes a standby to a primary (pg_promote, waiting up to 60 s).
  absl::Status Promote();

  // Fast shutdown (SIGINT to the postmaster), waiting up to 20 s, then
  // SIGKILL. Idempotent. The data stays until the object goes, so the
  // cluster can be started again with Restart().
  void Stop();
  // SIGKILL to the postmaster (a crash), then waits for it.
  void Kill();
  // Starts the stopped (or killed) server again on the same port and data.
  absl::Status Restart(absl::Duration timeout = absl::Seconds(60));

  // "host=SOCKET_DIR port=PORT user=postgres dbname=DBNAME": a libpq
  // connection string over the unix socket.
  std::string ConnectionString(absl::string_view dbname = "postgres") const;
  // The same as a URI over TCP: postgresql://postgres@127.0.0.1:PORT/DBNAME.
  std::string Uri(absl::string_view dbname = "postgres") const;

  // Creates a database (CREATE DATABASE name); each test can take its own.
  absl::Status CreateDatabase(absl::string_view name);
  // Runs `sql` (one or more statements) on `dbname` and returns the first
  // column of each row of the last statement's result, as text ("" for
  // NULL). INTERNAL with the server's message when it fails.
  absl::StatusOr<std::vector<std::string>> Query(absl::string_view sql, absl::string_view dbname = "postgres") const;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // The server's log (stderr of the postmaster) so far.
  std::string Log() const;

 private:
  // Forks `argv` (as `postgres` when root), stdout and stderr to `log`;
  // returns the child's PID.
  absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log) const;
  absl::Status StartServer(absl::Duration timeout);
  // Makes dir_ (a new temporary directory, given to `postgres` when root).
  absl::Status MakeDir();
  // Runs `argv` to completion (up to 120 s); INTERNAL with its log when it
  // fails.
  absl::Status RunToEnd(const std::vector<std::string>& argv, const std::string& log) const;

  std::string dir_;     // the cluster's directory: data/, the socket, logs
  std::vector<std::string> settings_;
  pid_t pid_ = -1;      // the postmaster; -1 when not running
  int port_ = 0;
  uid_t uid_ = 0;       // whom the server runs as (when root: postgres)
  gid_t gid_ = 0;
  bool drop_privileges_ = false;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_COMMON_POSTGRES_CLUSTER_H_
