#include "tests/common/postgres_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libpq-fe.h"

namespace salesops::testing {
namespace {

constexpr char kUser[] = "postgres";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A port free on 127.0.0.1 now (the kernel's choice for port 0).
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Waits for `pid` up to `timeout`; true when it exited (status in *status).
bool WaitFor(pid_t pid, absl::Duration timeout, int* status) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

// Whether every directory on the way to `path` lets others through (the
// `postgres` user must reach the cluster's directory).
bool TraversableByOthers(const std::string& path) {
  std::filesystem::path p = std::filesystem::absolute(path);
  for (;;) {
    struct stat st {};
    if (stat(p.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return false;
    if (p == p.root_path()) return true;
    p = p.parent_path();
  }
}

// Where the cluster's directory goes: $TMPDIR when it suits, else /tmp.
// It must be short (the unix socket's path, DIR/.s.PGSQL.PORT, must fit 107
// bytes) and, when the server runs as `postgres`, reachable by it.
std::string BaseDir(bool as_postgres) {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir != nullptr && *tmpdir != '\0' && std::string(tmpdir).size() < 60 &&
      (!as_postgres || TraversableByOthers(tmpdir))) {
    return tmpdir;
  }
  return "/tmp";
}

}  // namespace

std::string PostgresBinDir() {
  const char* dir = std::getenv("SALESOPS_PG_BIN");
  return dir != nullptr && *dir != '\0' ? dir : "/usr/lib/postgresql/15/bin";
}

absl::Status PostgresAvailable() {
  const std::string bin = PostgresBinDir();
  for (const char* program : {"initdb", "postgres"}) {
    const std::string path = absl::StrCat(bin, "/", program);
    if (access(path.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is missing: install postgresql-15 (./deploy/dev.sh install) or set SALESOPS_PG_BIN"));
    }
  }
  if (geteuid() == 0 && getpwnam(kUser) == nullptr) {
    return absl::FailedPreconditionError("running as root and there is no 'postgres' user to run PostgreSQL as");
  }
  return absl::OkStatus();
}

PostgresCluster::PostgresCluster() = default;

PostgresCluster::~PostgresCluster() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

absl::StatusOr<pid_t> PostgresCluster::Spawn(const std::vector<std::string>& argv, const std::string& log) const {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return absl::InternalError(absl::StrCat("cannot open ", log, ": ", std::strerror(errno)));
  if (drop_privileges_ && fchown(out, uid_, gid_) != 0) {
    close(out);
    return absl::InternalError(absl::StrCat("cannot chown ", log, ": ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(out);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls from here to exec.
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (drop_privileges_) {
      if (setgroups(0, nullptr) != 0 || setgid(gid_) != 0 || setuid(uid_) != 0) _exit(126);
    }
    // After the credentials change, which clears it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(125);
    if (chdir(dir_.c_str()) != 0) _exit(124);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out);
  return pid;
}

absl::Status PostgresCluster::MakeDir() {
  if (absl::Status available = PostgresAvailable(); !available.ok()) return available;
  if (!dir_.empty()) return absl::FailedPreconditionError("the cluster was started already (use Restart)");
  std::string pattern = absl::StrCat(BaseDir(geteuid() == 0), "/salesops-pg-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  dir_ = pattern;
  if (geteuid() == 0) {
    const passwd* pw = getpwnam(kUser);
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    drop_privileges_ = true;
    if (chown(dir_.c_str(), uid_, gid_) != 0) {
      return absl::InternalError(absl::StrCat("chown ", dir_, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status PostgresCluster::RunToEnd(const std::vector<std::string>& argv, const std::string& log) const {
  absl::StatusOr<pid_t> pid = Spawn(argv, log);
  if (!pid.ok()) return pid.status();
  int status = 0;
  if (!WaitFor(*pid, absl::Seconds(120), &status)) {
    kill(*pid, SIGKILL);
    WaitFor(*pid, absl::Seconds(5), &status);
    return absl::DeadlineExceededError(absl::StrCat(argv[0], " did not finish in 120 s: ", ReadFile(log)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed (status ", status, "): ", ReadFile(log)));
  }
  return absl::OkStatus();
}

absl::Status PostgresCluster::Start(const std::vector<std::string>& settings, absl::Duration timeout) {
  if (absl::Status made = MakeDir(); !made.ok()) return made;
  settings_ = settings;
  if (absl::Status created = RunToEnd({absl::StrCat(PostgresBinDir(), "/initdb"), "-D", dir_ + "/data", "-U", kUser,
                                       "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                                      dir_ + "/initdb.log");
      !created.ok()) {
    return created;
  }
  return StartServer(timeout);
}

absl::Status PostgresCluster::StartStandby(const PostgresCluster& primary, absl::string_view application_name,
                                           const std::vector<std::string>& settings, absl::Duration timeout) {
  if (primary.pid_ <= 0) return absl::FailedPreconditionError("the primary is not running");
  if (absl::Status made = MakeDir(); !made.ok()) return made;
  // A copy of the primary, its WAL streamed meanwhile, after a fast
  // checkpoint.
  if (absl::Status copied = RunToEnd({absl::StrCat(PostgresBinDir(), "/pg_basebackup"), "-D", dir_ + "/data", "-h",
                                      primary.dir_, "-p", absl::StrCat(primary.port_), "-U", kUser, "-X", "stream",
                                      "-c", "fast", "--no-sync"},
                                     dir_ + "/basebackup.log");
      !copied.ok()) {
    return copied;
  }
  const std::string signal = dir_ + "/data/standby.signal";
  const int fd = open(signal.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", signal, ": ", std::strerror(errno)));
  const bool given = !drop_privileges_ || fchown(fd, uid_, gid_) == 0;
  close(fd);
  if (!given) return absl::InternalError(absl::StrCat("cannot chown ", signal, ": ", std::strerror(errno)));
  settings_ = settings;
  settings_.push_back(absl::StrCat("primary_conninfo=host=", primary.dir_, " port=", primary.port_, " user=", kUser,
                                   " application_name=", application_name));
  return StartServer(timeout);
}

absl::Status PostgresCluster::Promote() {
  absl::StatusOr<std::vector<std::string>> promoted = Query("SELECT pg_promote(true, 60)");
  if (!promoted.ok()) return promoted.status();
  if (promoted->size() != 1 || (*promoted)[0] != "t") {
    return absl::InternalError(absl::StrCat("pg_promote did not finish in 60 s: ", Log()));
  }
  return absl::OkStatus();
}

absl::Status PostgresCluster::StartServer(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  const bool fixed_port = port_ != 0;  // a restart keeps its port
  for (int attempt = 0;; ++attempt) {
    if (!fixed_port) port_ = FreeLoopbackPort();
    if (port_ == 0) return absl::InternalError("no free loopback port");
    std::vector<std::string> argv = {absl::StrCat(PostgresBinDir(), "/postgres"),
                                     "-D",
                                     dir_ + "/data",
                                     "-p",
                                     absl::StrCat(port_),
                                     "-k",
                                     dir_,
                                     "-c",
                                     "listen_addresses=127.0.0.1",
                                     "-c",
                                     "logging_collector=off",
                                     "-c",
                                     "max_connections=60",
                                     "-c",
                                     "shared_buffers=32MB"};
    for (const std::string& s : settings_) {
      argv.push_back("-c");
      argv.push_back(s);
    }
    absl::StatusOr<pid_t> pid = Spawn(argv, dir_ + "/postgres.log");
    if (!pid.ok()) return pid.status();
    pid_ = *pid;
    // Ready when a connection succeeds; polled, with the deadline.
    const std::string conninfo = ConnectionString();
    for (;;) {
      if (PQping(conninfo.c_str()) == PQPING_OK) return absl::OkStatus();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        const std::string log = Log();
        // Another process took the port between our probe and the bind.
        if (!fixed_port && attempt < 5 && absl::StrContains(log, "could not bind")) break;
        // A killed postmaster's backends still held its shared memory:
        // PostgreSQL exits rather than wait for them, so start it again
        // once they are gone (until the deadline).
        if (absl::StrContains(log, "pre-existing shared memory block") && absl::Now() < deadline) {
          absl::SleepFor(absl::Milliseconds(50));
          break;
        }
        return absl::InternalError(absl::StrCat("postgres exited (status ", status, ") before it was ready: ", log));
      }
      if (absl::Now() >= deadline) {
        Stop();
        return absl::DeadlineExceededError(absl::StrCat("postgres not ready in ", absl::FormatDuration(timeout), ": ",
                                                        Log()));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
}

void PostgresCluster::Stop() {
  if (pid_ <= 0) return;
  int status = 0;
  kill(pid_, SIGINT);  // fast shutdown: end sessions, checkpoint, exit
  if (!WaitFor(pid_, absl::Seconds(20), &status)) {
    kill(pid_, SIGKILL);
    WaitFor(pid_, absl::Seconds(10), &status);
  }
  pid_ = -1;
}

void PostgresCluster::Kill() {
  if (pid_ <= 0) return;
  int status = 0;
  kill(pid_, SIGKILL);
  WaitFor(pid_, absl::Seconds(10), &status);
  pid_ = -1;
  // Its backends notice the postmaster's death and exit; until they have,
  // PostgreSQL refuses to start (they hold the shared memory), and
  // StartServer starts it again until they are gone.
}

absl::Status PostgresCluster::Restart(absl::Duration timeout) {
  if (dir_.empty()) return absl::FailedPreconditionError("the cluster was never started");
  Stop();
  return StartServer(timeout);
}

std::string PostgresCluster::ConnectionString(absl::string_view dbname) const {
  return absl::StrCat("host=", dir_, " port=", port_, " user=", kUser, " dbname=", dbname, " connect_timeout=5");
}

std::string PostgresCluster::Uri(absl::string_view dbname) const {
  return absl::StrCat("postgresql://", kUser, "@127.0.0.1:", port_, "/", dbname);
}

absl::Status PostgresCluster::CreateDatabase(absl::string_view name) {
  return Query(absl::StrCat("CREATE DATABASE \"", name, "\"")).status();
}

absl::StatusOr<std::vector<std::string>> PostgresCluster::Query(absl::string_view sql,
                                                                absl::string_view dbname) const {
  PGconn* conn = PQconnectdb(ConnectionString(dbname).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::InternalError(absl::StrCat("cannot connect: ", error));
  }
  PGresult* result = PQexec(conn, std::string(sql).c_str());
  const ExecStatusType status = PQresultStatus(result);
  absl::StatusOr<std::vector<std::string>> out;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    out = absl::InternalError(absl::StrCat(sql, ": ", PQresultErrorMessage(result)));
  } else {
    std::vector<std::string> rows;
    for (int i = 0; i < PQntuples(result); ++i) rows.emplace_back(PQgetvalue(result, i, 0));
    out = std::move(rows);
  }
  PQclear(result);
  PQfinish(conn);
  return out;
}

std::string PostgresCluster::Log() const { return dir_.empty() ? "" : ReadFile(dir_ + "/postgres.log"); }

}  // namespace salesops::testing
