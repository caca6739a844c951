// The PostgreSQL event log (server/store/postgres/) on a real PostgreSQL
// started by the test (tests/common/postgres_cluster.h): its schema, the
// same log as the RocksDB one for the same batches, the fence, tampering,
// and a node's local copy (ClusterLog).
#include "server/store/postgres/postgres_event_log.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/event_store.h"
#include "server/store/postgres/cluster_log.h"
#include "server/store/postgres/pg_connection.h"
#include "tests/common/postgres_cluster.h"
#include "tests/common/testing.h"

namespace salesops::store::postgres {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::PostgresCluster;
using ::salesops::testing::QueryRows;
using ::salesops::testing::StatusIs;
using ::salesops::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::EventEnvelope Event(absl::string_view reason) {
  v1::EventEnvelope e;
  e.mutable_event()->mutable_lead_disqualified()->set_reason(std::string(reason));
  e.set_event_type(domain::EventTypeName(e.event()));
  e.set_actor("alice");
  e.set_request_id(absl::StrCat("req-", reason));
  return e;
}

StreamAppend Stream(std::string id, std::optional<uint64_t> expected, std::vector<std::string> reasons) {
  StreamAppend a{std::move(id), expected, {}};
  for (const std::string& r : reasons) a.events.push_back(Event(r));
  return a;
}

IdempotencyWrite Record(std::string actor, std::string request_id, uint64_t version) {
  IdempotencyWrite w;
  w.actor = std::move(actor);
  w.request_id = std::move(request_id);
  w.record.set_command(absl::StrCat("command-", w.request_id));
  w.record.mutable_command_reply()->mutable_lead()->set_version(version);
  return w;
}

// A varied sequence of batches: several streams per batch, a stream in two
// appends of one batch, Chinese text, a batch of idempotency records only.
std::vector<AppendBatch> Batches() {
  std::vector<AppendBatch> out;
  AppendBatch b1;
  b1.streams = {Stream("lead-a", 0, {"一", "二"}), Stream("lead-b", 0, {"three"})};
  b1.idempotency = {Record("alice", "r1", 2)};
  b1.expected_head = 0;
  out.push_back(b1);
  AppendBatch b2;
  b2.streams = {Stream("lead-a", 2, {"four"}), Stream("lead-c", std::nullopt, {"five"}),
                Stream("lead-a", std::nullopt, {"six"})};
  b2.expected_head = 3;
  out.push_back(b2);
  AppendBatch b3;
  b3.idempotency = {Record("bob", "r2", 0), Record("carol", "中文-请求", 7)};
  out.push_back(b3);
  AppendBatch b4;
  for (int i = 0; i < 30; ++i) b4.streams.push_back(Stream(absl::StrCat("bulk-", i), 0, {absl::StrCat("b", i)}));
  out.push_back(b4);
  return out;
}

std::vector<std::string> Serialized(const std::vector<v1::EventEnvelope>& events) {
  std::vector<std::string> out;
  for (const v1::EventEnvelope& e : events) out.push_back(e.SerializeAsString());
  return out;
}

class PostgresEventLogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!::salesops::testing::PostgresAvailable().ok()) return;
    pg_ = new PostgresCluster();
    const absl::Status started = pg_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }
  void SetUp() override {
    SALESOPS_SKIP_WITHOUT_POSTGRES();
    ASSERT_NE(pg_, nullptr);
    // A database of the test's own.
    db_ = absl::AsciiStrToLower(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_THAT(pg_->CreateDatabase(db_), IsOk());
  }
  PostgresLogOptions Options(std::optional<int64_t> epoch = std::nullopt) const {
    return {.conninfo = pg_->ConnectionString(db_), .epoch = epoch};
  }
  absl::StatusOr<std::vector<std::string>> Sql(absl::string_view sql) const { return pg_->Query(sql, db_); }
  std::unique_ptr<PostgresEventLog> OpenLog(std::optional<int64_t> epoch = std::nullopt) {
    absl::StatusOr<std::unique_ptr<PostgresEventLog>> log = PostgresEventLog::Open(Options(epoch));
    EXPECT_THAT(log, IsOk());
    return log.ok() ? *std::move(log) : nullptr;
  }

  static PostgresCluster* pg_;
  std::string db_;
  TempDir dir_;
};
PostgresCluster* PostgresEventLogTest::pg_ = nullptr;

TEST_F(PostgresEventLogTest, CreatesItsSchemaOnceAndRefusesANewerOne) {
  ASSERT_NE(OpenLog(), nullptr);
  ASSERT_NE(OpenLog(), nullptr);  // idempotent
  EXPECT_THAT(Sql("SELECT version FROM salesops_schema_migrations ORDER BY version"),
              QueryRows(ElementsAre("1", "2", "3")));
  ASSERT_THAT(Sql("INSERT INTO salesops_schema_migrations (version, description) VALUES (99, 'future')"), IsOk());
  EXPECT_THAT(PostgresEventLog::Open(Options()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("schema version 99")));
}

// A log made by a salesopsd of schema version 1 (before node heartbeats
// and the node secret) gains what versions 2 and 3 add, and keeps its
// events.
TEST_F(PostgresEventLogTest, ALogOfTheFirstSchemaVersionIsMigrated) {
  {
    std::unique_ptr<PostgresEventLog> log = OpenLog();
    ASSERT_NE(log, nullptr);
    AppendBatch batch;
    batch.streams = {Stream("lead-a", 0, {"one"})};
    ASSERT_THAT(log->Append(batch), IsOk());
  }
  ASSERT_THAT(Sql("DROP TABLE salesops_nodes"), IsOk());
  ASSERT_THAT(Sql("DROP TABLE salesops_node_secret"), IsOk());
  ASSERT_THAT(Sql("DELETE FROM salesops_schema_migrations WHERE version >= 2"), IsOk());
  std::unique_ptr<PostgresEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->Head(), 1u);
  EXPECT_THAT(Sql("SELECT version FROM salesops_schema_migrations ORDER BY version"),
              QueryRows(ElementsAre("1", "2", "3")));
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_nodes"), QueryRows(ElementsAre("0")));
  EXPECT_THAT(log->ReadNodeSecret(), IsOk());
}

// Every log gets a node secret of its own, made once: 64 hexadecimal
// digits (244 random bits) from PostgreSQL's strong random source, the
// same on every read.
TEST_F(PostgresEventLogTest, EveryLogHasANodeSecretOfItsOwnMadeOnce) {
  std::unique_ptr<PostgresEventLog> log = OpenLog();
  ASSERT_NE(log, nullptr);
  absl::StatusOr<std::string> secret = log->ReadNodeSecret();
  ASSERT_THAT(secret, IsOk());
  EXPECT_EQ(secret->size(), 64u);
  EXPECT_EQ(secret->find_first_not_of("0123456789abcdef"), std::string::npos) << *secret;
  std::unique_ptr<PostgresEventLog> again = OpenLog();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->ReadNodeSecret().value_or(""), *secret);
  ASSERT_THAT(pg_->CreateDatabase(db_ + "_other"), IsOk());
  absl::StatusOr<std::unique_ptr<PostgresEventLog>> other =
      PostgresEventLog::Open({.conninfo = pg_->ConnectionString(db_ + "_other")});
  ASSERT_THAT(other, IsOk());
  absl::StatusOr<std::string> other_secret = (*other)->ReadNodeSecret();
  ASSERT_THAT(other_secret, IsOk());
  EXPECT_NE(*other_secret, *secret);
}

TEST_F(PostgresEventLogTest, ABadConnectionStringIsRefusedNamingWhy) {
  EXPECT_THAT(PostgresEventLog::Open({.conninfo = "postgresql://[nonsense"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("URI")));
  EXPECT_THAT(PostgresEventLog::Open({.conninfo = absl::StrCat("host=", pg_->dir(), " port=1 dbname=x")}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot connect to PostgreSQL")));
}

// The same batches make the same log, byte for byte, in either engine.
TEST_F(PostgresEventLogTest, TheSameBatchesMakeTheSameLogAsRocksDb) {
  std::unique_ptr<PostgresEventLog> pg = OpenLog();
  ASSERT_NE(pg, nullptr);
  absl::StatusOr<std::unique_ptr<EventStore>> rocks = EventStore::Open({dir_.path() + "/db", true});
  ASSERT_THAT(rocks, IsOk());
  for (const AppendBatch& batch : Batches()) {
    absl::StatusOr<std::vector<v1::EventEnvelope>> a = (*rocks)->Append(batch);
    absl::StatusOr<std::vector<v1::EventEnvelope>> b = pg->Append(batch);
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    EXPECT_EQ(Serialized(*a), Serialized(*b));
    ASSERT_EQ((*rocks)->Head(), pg->Head());
    EXPECT_EQ(*(*rocks)->ChainDigest(pg->Head()), *pg->ChainDigest(pg->Head()));
  }
  EXPECT_EQ(pg->Head(), 36u);
  // Reads agree.
  const LogFilter filter{.event_types = {}, .stream_prefix = "lead-"};
  absl::StatusOr<LogPage> ra = (*rocks)->ReadLog(2, 100, filter, 1000);
  absl::StatusOr<LogPage> rb = pg->ReadLog(2, 100, filter, 1000);
  ASSERT_THAT(rb, IsOk());
  EXPECT_EQ(Serialized(ra->events), Serialized(rb->events));
  EXPECT_EQ(rb->events.size(), 5u);
  EXPECT_TRUE(rb->reached_head);
  EXPECT_EQ(rb->next_position, 37u);
  absl::StatusOr<LogPage> bounded = pg->ReadLog(1, 100, {}, 4);
  ASSERT_THAT(bounded, IsOk());
  EXPECT_EQ(bounded->events.size(), 4u);
  EXPECT_EQ(bounded->next_position, 5u);
  EXPECT_FALSE(bounded->reached_head);
  EXPECT_EQ(Serialized(*(*rocks)->ReadStream("lead-a", 2, 10)), Serialized(*pg->ReadStream("lead-a", 2, 10)));
  EXPECT_EQ(*pg->StreamVersion("lead-a"), 4u);
  EXPECT_EQ(*pg->StreamVersion("nobody"), 0u);
  absl::StatusOr<std::optional<v1::IdempotencyRecord>> record = pg->GetIdempotency("carol", "中文-请求");
  ASSERT_THAT(record, IsOk());
  ASSERT_TRUE(record->has_value());
  EXPECT_EQ((*record)->command_reply().lead().version(), 7u);
  EXPECT_FALSE(pg->GetIdempotency("carol", "other")->has_value());
  std::vector<uint64_t> scanned;
  ASSERT_THAT(pg->Scan(30, [&](v1::EventEnvelope& e) {
    scanned.push_back(e.position());
    return absl::OkStatus();
  }),
              IsOk());
  EXPECT_THAT(scanned, ElementsAre(30, 31, 32, 33, 34, 35, 36));
  absl::StatusOr<ChainCheck> check = pg->VerifyChain(1, 36);
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->digest, *(*rocks)->ChainDigest(36));
  EXPECT_THAT(pg->ChainDigest(37), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("beyond the head")));

  // Reopened, it continues where it was.
  pg.reset();
  pg = OpenLog();
  ASSERT_NE(pg, nullptr);
  EXPECT_EQ(pg->Head(), 36u);
  EXPECT_THAT(pg->open_check(), IsOk());
  AppendBatch more;
  more.streams = {Stream("lead-a", 4, {"seven"})};
  absl::StatusOr<std::vector<v1::EventEnvelope>> a = (*rocks)->Append(more);
  absl::StatusOr<std::vector<v1::EventEnvelope>> b = pg->Append(more);
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(Serialized(*a), Serialized(*b));
  EXPECT_EQ(*(*rocks)->ChainDigest(37), *pg->ChainDigest(37));
}

TEST_F(PostgresEventLogTest, AConflictingVersionOrHeadWritesNothing) {
  std::unique_ptr<PostgresEventLog> pg = OpenLog();
  ASSERT_NE(pg, nullptr);
  AppendBatch first;
  first.streams = {Stream("lead-a", 0, {"one"})};
  ASSERT_THAT(pg->Append(first), IsOk());
  AppendBatch stale;
  stale.streams = {Stream("lead-b", 0, {"two"}), Stream("lead-a", 0, {"again"})};
  EXPECT_THAT(pg->Append(stale), StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-a is at version 1")));
  AppendBatch wrong_head;
  wrong_head.expected_head = 7;
  wrong_head.streams = {Stream("lead-b", 0, {"two"})};
  EXPECT_THAT(pg->Append(wrong_head), StatusIs(absl::StatusCode::kAborted, HasSubstr("expected 7")));
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events"), QueryRows(ElementsAre("1")));
  // Neither refusal stops the log.
  EXPECT_FALSE(pg->failed());
  first.streams = {Stream("lead-b", 0, {"two"})};
  EXPECT_THAT(pg->Append(first), IsOk());
  EXPECT_EQ(pg->Head(), 2u);
}

// A deposed writer cannot append: the epoch is checked in the transaction.
TEST_F(PostgresEventLogTest, ANewerLeaseEpochFencesTheWriter) {
  ASSERT_NE(OpenLog(), nullptr);  // the schema
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = 4, holder = 'me'"), IsOk());
  std::unique_ptr<PostgresEventLog> pg = OpenLog(/*epoch=*/4);
  ASSERT_NE(pg, nullptr);
  AppendBatch batch;
  batch.streams = {Stream("lead-a", std::nullopt, {"one"})};
  ASSERT_THAT(pg->Append(batch), IsOk());
  // Another node takes over.
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = 5, holder = 'other'"), IsOk());
  batch.streams = {Stream("lead-a", std::nullopt, {"two"})};
  batch.idempotency = {Record("alice", "r9", 2)};
  EXPECT_THAT(pg->Append(batch), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("fenced: this node appends under lease epoch 4 but the lease is "
                                                    "at epoch 5 (held by other)")));
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events"), QueryRows(ElementsAre("1")));
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_idempotency"), QueryRows(ElementsAre("0")));
  EXPECT_THAT(Sql("SELECT position FROM salesops_head"), QueryRows(ElementsAre("1")));
  EXPECT_TRUE(pg->failed());
  EXPECT_THAT(pg->write_state().status, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("lease")));
  EXPECT_THAT(pg->Append(batch), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("restart")));
}

// The same for a sequencer's batch (every stream's version expected),
// which goes as one pipeline: the fence is in its SQL, and a stale stream
// version refused there leaves the log writable.
TEST_F(PostgresEventLogTest, APipelinedBatchIsFencedAndVersionCheckedInPostgres) {
  ASSERT_NE(OpenLog(), nullptr);  // the schema
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = 4, holder = 'me'"), IsOk());
  std::unique_ptr<PostgresEventLog> pg = OpenLog(/*epoch=*/4);
  ASSERT_NE(pg, nullptr);
  AppendBatch batch;
  batch.streams = {Stream("lead-a", 0, {"one"}), Stream("lead-b", 0, {"二"})};
  batch.idempotency = {Record("alice", "r1", 1)};
  ASSERT_THAT(pg->Append(batch), IsOk());
  batch.streams = {Stream("lead-a", 1, {"three"}), Stream("lead-b", 0, {"again"})};
  batch.idempotency = {Record("alice", "r2", 2)};
  EXPECT_THAT(pg->Append(batch), StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-b is at version 1, expected 0")));
  EXPECT_FALSE(pg->failed());
  batch.streams = {Stream("lead-a", 1, {"three"}), Stream("lead-a", 0, {"twice"})};
  EXPECT_THAT(pg->Append(batch), StatusIs(absl::StatusCode::kAborted, HasSubstr("lead-a is at version 2, expected 0")));
  EXPECT_FALSE(pg->failed());
  ASSERT_THAT(Sql("UPDATE salesops_lease SET epoch = 5, holder = 'other'"), IsOk());
  batch.streams = {Stream("lead-a", 1, {"three"})};
  EXPECT_THAT(pg->Append(batch), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("fenced: this node appends under lease epoch 4 but the lease is "
                                                    "at epoch 5 (held by other)")));
  EXPECT_TRUE(pg->failed());
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events"), QueryRows(ElementsAre("2")));
  EXPECT_THAT(Sql("SELECT string_agg(request_id, ',') FROM salesops_idempotency"), QueryRows(ElementsAre("r1")));
  EXPECT_THAT(Sql("SELECT position FROM salesops_head"), QueryRows(ElementsAre("2")));
}

// A sequencer's batch too large for one pipeline (over kMaxPipelineBytes)
// goes statement by statement: every event once, the chain intact.
TEST_F(PostgresEventLogTest, ABatchTooLargeForAPipelineIsWrittenStatementByStatement) {
  std::unique_ptr<PostgresEventLog> pg = OpenLog();
  ASSERT_NE(pg, nullptr);
  AppendBatch batch;
  const std::string reason(400, 'x');
  for (int i = 0; i < 200; ++i) batch.streams.push_back(Stream(absl::StrCat("big-", i), 0, {reason + "一"}));
  batch.idempotency = {Record("alice", "big", 1)};
  absl::StatusOr<std::vector<v1::EventEnvelope>> appended = pg->Append(batch);
  ASSERT_THAT(appended, IsOk());
  EXPECT_EQ(appended->size(), 200u);
  EXPECT_EQ(appended->back().position(), 200u);
  EXPECT_THAT(Sql("SELECT count(*) || '/' || max(position) FROM salesops_events"), QueryRows(ElementsAre("200/200")));
  absl::StatusOr<std::vector<v1::EventEnvelope>> stored = pg->ReadStream("big-199", 1, 10);
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().event().lead_disqualified().reason(), reason + "一");
  EXPECT_EQ(stored->front().request_id(), "req-" + reason + "一");
  absl::StatusOr<ChainCheck> check = pg->VerifyChain(1, pg->Head());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok);
}

// Another writer that moved the head (without the lease) is noticed.
TEST_F(PostgresEventLogTest, AHeadMovedByAnotherWriterStopsTheLog) {
  std::unique_ptr<PostgresEventLog> a = OpenLog();
  std::unique_ptr<PostgresEventLog> b = OpenLog();
  AppendBatch batch;
  batch.streams = {Stream("lead-a", std::nullopt, {"one"})};
  ASSERT_THAT(a->Append(batch), IsOk());
  batch.streams = {Stream("lead-b", std::nullopt, {"two"})};
  EXPECT_THAT(b->Append(batch), StatusIs(absl::StatusCode::kAborted, HasSubstr("another writer appended")));
  EXPECT_TRUE(b->failed());
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events"), QueryRows(ElementsAre("1")));
}

// Polls `sql` (one row, one column) until it reads `want`, up to 20 s.
bool SqlReads(const std::function<absl::StatusOr<std::vector<std::string>>(absl::string_view)>& sql,
              absl::string_view query, absl::string_view want) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (;;) {
    const absl::StatusOr<std::vector<std::string>> rows = sql(query);
    if (rows.ok() && rows->size() == 1 && (*rows)[0] == want) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

// The two kinds of batch an append may be cut off in: one with a stream of
// no expected version (written statement by statement) and a sequencer's
// (every stream's version expected: written as one pipeline), each three
// events, the first at position 4 after Batches()[0], the second at 7.
std::vector<AppendBatch> CutOffBatches() {
  AppendBatch pipelined;
  pipelined.streams = {Stream("lead-a", 4, {"七", "eight"}), Stream("lead-d", 0, {"nine"})};
  return {Batches()[1], pipelined};
}

// A COMMIT whose wait for a synchronous standby is cut short — its backend
// terminated (the connection lost), or the wait cancelled (PostgreSQL then
// answers COMMIT with success and a warning) — is committed on the primary
// alone. The append reads the batch back, and acknowledges it only once a
// later commit's wait for the standbys has ended without a warning: here,
// once the test stops asking for a standby. Each way, for a batch written
// statement by statement and for a pipelined one; each acknowledged once.
TEST_F(PostgresEventLogTest, ACommitCutOffAfterItCommittedIsAcknowledgedOnceReplicated) {
  std::unique_ptr<PostgresEventLog> pg = OpenLog();
  ASSERT_NE(pg, nullptr);
  std::vector<AppendBatch> batches = Batches();
  ASSERT_THAT(pg->Append(batches[0]), IsOk());
  const auto sql = [this](absl::string_view query) { return Sql(query); };
  const std::string waiting =
      absl::StrCat("FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND datname = '", db_, "'");
  uint64_t head = 3;
  int round = 0;
  for (const char* cut : {"pg_terminate_backend", "pg_cancel_backend"}) {
    for (const bool pipelined : {false, true}) {
      SCOPED_TRACE(absl::StrCat(cut, pipelined ? ", pipelined" : ", statement by statement"));
      ++round;
      const std::optional<uint64_t> expected = pipelined ? std::optional<uint64_t>(0) : std::nullopt;
      AppendBatch batch;
      batch.streams = {Stream(absl::StrCat("cut-", round), expected, {"一", "two"}),
                       Stream(absl::StrCat("cut-other-", round), expected, {"三"})};
      ASSERT_THAT(Sql("ALTER SYSTEM SET synchronous_standby_names = 'nobody'"), IsOk());
      ASSERT_THAT(Sql("SELECT pg_reload_conf()"), IsOk());
      ASSERT_TRUE(SqlReads(sql, "SHOW synchronous_standby_names", "nobody"));
      absl::StatusOr<std::vector<v1::EventEnvelope>> appended;
      std::atomic<bool> returned{false};
      std::thread append([&] {
        appended = pg->Append(batch);
        returned.store(true);
      });
      // The batch's COMMIT waits for the standby; cut it short.
      ASSERT_TRUE(SqlReads(sql, absl::StrCat("SELECT count(*) ", waiting), "1"));
      ASSERT_THAT(Sql(absl::StrCat("SELECT ", cut, "(pid) ", waiting)), IsOk());
      // The append waits again — for the standby, behind a later commit of
      // no effect (AwaitReplicated's) — and has not answered.
      const bool waits_again = SqlReads(
          sql, absl::StrCat("SELECT count(*) ", waiting, " AND query LIKE '%SET position = position%'"), "1");
      const bool answered_early = returned.load();
      EXPECT_THAT(Sql("ALTER SYSTEM RESET synchronous_standby_names"), IsOk());
      EXPECT_THAT(Sql("SELECT pg_reload_conf()"), IsOk());
      append.join();
      EXPECT_TRUE(waits_again);
      EXPECT_FALSE(answered_early) << "acknowledged while committed on the primary alone";
      ASSERT_THAT(appended, IsOk());
      ASSERT_EQ(appended->size(), 3u);
      EXPECT_EQ(appended->front().position(), head + 1);
      EXPECT_EQ(appended->back().position(), head + 3);
      head += 3;
      EXPECT_FALSE(pg->failed());
      EXPECT_EQ(pg->Head(), head);
      EXPECT_THAT(Sql("SELECT count(*) || '/' || max(position) FROM salesops_events"),
                  QueryRows(ElementsAre(absl::StrCat(head, "/", head))));
    }
  }
  // The next batches continue the chain.
  ASSERT_THAT(pg->Append(batches[2]), IsOk());
  ASSERT_THAT(pg->Append(batches[3]), IsOk());
  absl::StatusOr<ChainCheck> check = pg->VerifyChain(1, pg->Head());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(pg->Head(), head + 30);
}

// A transaction cut off before its COMMIT (its backend terminated while it
// waits for a row lock) is found not written, and written again, once.
TEST_F(PostgresEventLogTest, ABatchCutOffBeforeItsCommitIsWrittenAgainOnce) {
  std::unique_ptr<PostgresEventLog> pg = OpenLog();
  ASSERT_NE(pg, nullptr);
  std::vector<AppendBatch> batches = Batches();
  ASSERT_THAT(pg->Append(batches[0]), IsOk());
  const auto sql = [this](absl::string_view query) { return Sql(query); };
  uint64_t head = 3;
  for (AppendBatch& batch : CutOffBatches()) {
    SCOPED_TRACE(absl::StrCat("the batch from position ", head + 1));
    absl::StatusOr<std::unique_ptr<PgConnection>> locker = PgConnection::Connect(pg_->ConnectionString(db_));
    ASSERT_THAT(locker, IsOk());
    ASSERT_THAT((*locker)->ExecScript("BEGIN; SELECT 1 FROM salesops_head WHERE id = 1 FOR UPDATE"), IsOk());
    absl::StatusOr<std::vector<v1::EventEnvelope>> appended;
    std::thread append([&] { appended = pg->Append(batch); });
    const std::string waiting =
        absl::StrCat("FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = '", db_, "'");
    const bool cut = SqlReads(sql, absl::StrCat("SELECT count(*) ", waiting), "1") &&
                     Sql(absl::StrCat("SELECT pg_terminate_backend(pid) ", waiting)).ok();
    EXPECT_THAT((*locker)->ExecScript("ROLLBACK"), IsOk());
    append.join();
    ASSERT_TRUE(cut);
    ASSERT_THAT(appended, IsOk());
    EXPECT_EQ(appended->back().position(), head + 3);
    head += 3;
    EXPECT_FALSE(pg->failed());
    EXPECT_THAT(Sql("SELECT count(*) || '/' || max(position) FROM salesops_events"),
                QueryRows(ElementsAre(absl::StrCat(head, "/", head))));
  }
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events WHERE stream_id = 'lead-a'"), QueryRows(ElementsAre("6")));
  ASSERT_THAT(pg->Append(batches[2]), IsOk());
  absl::StatusOr<ChainCheck> check = pg->VerifyChain(1, pg->Head());
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->ok);
}

// PostgreSQL gone for longer than reconnect_timeout: the append gives up,
// saying nothing was written, and the log refuses further writes.
TEST_F(PostgresEventLogTest, PostgresUnreachableForLongerThanTheReconnectTimeoutFailsTheLog) {
  PostgresLogOptions options = Options();
  options.reconnect_timeout = absl::Milliseconds(300);
  absl::StatusOr<std::unique_ptr<PostgresEventLog>> pg = PostgresEventLog::Open(options);
  ASSERT_THAT(pg, IsOk());
  std::vector<AppendBatch> batches = Batches();
  ASSERT_THAT((*pg)->Append(batches[0]), IsOk());
  pg_->Stop();
  const absl::Time start = absl::Now();
  EXPECT_THAT((*pg)->Append(batches[1]),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("could not be reached; nothing was written")));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(250));
  EXPECT_TRUE((*pg)->failed());
  ASSERT_THAT(pg_->Restart(), IsOk());
  EXPECT_THAT((*pg)->Append(batches[2]), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("restart")));
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_events"), QueryRows(ElementsAre("3")));
}

TEST_F(PostgresEventLogTest, AnEventChangedInPostgresIsFoundAndStopsWrites) {
  std::unique_ptr<PostgresEventLog> pg = OpenLog();
  for (const AppendBatch& batch : Batches()) ASSERT_THAT(pg->Append(batch), IsOk());
  ASSERT_THAT(Sql("UPDATE salesops_events SET envelope = envelope || '\\x00'::bytea WHERE position = 3"), IsOk());
  absl::StatusOr<ChainCheck> check = pg->VerifyChain(1, pg->Head());
  ASSERT_THAT(check, IsOk());
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_broken, 3u);
  pg = OpenLog();
  EXPECT_THAT(pg->open_check(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("breaks at position 3")));
  AppendBatch batch;
  batch.streams = {Stream("lead-z", std::nullopt, {"z"})};
  EXPECT_THAT(pg->Append(batch), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("breaks")));
}

// --- A node's log: PostgreSQL plus the local copy. ---

ClusterLogOptions NodeOptions(const PostgresLogOptions& postgres, const std::string& local) {
  ClusterLogOptions options;
  options.postgres = postgres;
  options.local.path = local;
  options.local.min_free_bytes = 0;
  return options;
}

TEST_F(PostgresEventLogTest, ANodeAppendsToPostgresThenItsLocalCopy) {
  absl::StatusOr<std::unique_ptr<ClusterLog>> node = ClusterLog::Open(NodeOptions(Options(), dir_.path() + "/a"));
  ASSERT_THAT(node, IsOk());
  for (const AppendBatch& batch : Batches()) ASSERT_THAT((*node)->Append(batch), IsOk());
  EXPECT_EQ((*node)->Head(), 36u);
  EXPECT_EQ((*node)->postgres().Head(), 36u);
  EXPECT_EQ(*(*node)->local().ChainDigest(36), *(*node)->postgres().ChainDigest(36));
  EXPECT_TRUE((*node)->GetIdempotency("carol", "中文-请求")->has_value());
  EXPECT_THAT(Sql("SELECT count(*) FROM salesops_idempotency"), QueryRows(ElementsAre("3")));
}

// A node started on an empty directory copies the whole log, idempotency
// records included; one that fell behind copies what it lacks.
TEST_F(PostgresEventLogTest, ANodeCatchesItsLocalCopyUpFromPostgres) {
  {
    absl::StatusOr<std::unique_ptr<ClusterLog>> first = ClusterLog::Open(NodeOptions(Options(), dir_.path() + "/a"));
    ASSERT_THAT(first, IsOk());
    std::vector<AppendBatch> batches = Batches();
    for (size_t i = 0; i < 2; ++i) ASSERT_THAT((*first)->Append(batches[i]), IsOk());
  }
  // Batches committed in PostgreSQL that never reached node a's copy (as
  // after a crash between the two writes), the last of them records only.
  {
    std::unique_ptr<PostgresEventLog> pg = OpenLog();
    std::vector<AppendBatch> batches = Batches();
    ASSERT_THAT(pg->Append(batches[3]), IsOk());
    ASSERT_THAT(pg->Append(batches[2]), IsOk());
  }
  absl::StatusOr<std::unique_ptr<ClusterLog>> behind = ClusterLog::Open(NodeOptions(Options(), dir_.path() + "/a"));
  ASSERT_THAT(behind, IsOk());
  EXPECT_EQ((*behind)->copied_at_open(), 30u);
  absl::StatusOr<std::unique_ptr<ClusterLog>> fresh = ClusterLog::Open(NodeOptions(Options(), dir_.path() + "/b"));
  ASSERT_THAT(fresh, IsOk());
  EXPECT_EQ((*fresh)->copied_at_open(), 36u);
  for (ClusterLog* node : {behind->get(), fresh->get()}) {
    EXPECT_EQ(node->Head(), 36u);
    EXPECT_EQ(*node->local().ChainDigest(36), *node->postgres().ChainDigest(36));
    EXPECT_TRUE(node->local().VerifyChain(1, 36)->ok);
    EXPECT_TRUE(node->local().GetIdempotency("alice", "r1")->has_value());
    EXPECT_TRUE(node->local().GetIdempotency("carol", "中文-请求")->has_value());
  }
}

TEST_F(PostgresEventLogTest, ALocalCopyOfAnotherLogIsRefused) {
  {
    absl::StatusOr<std::unique_ptr<EventStore>> embedded = EventStore::Open({dir_.path() + "/embedded", true});
    ASSERT_THAT(embedded, IsOk());
    for (const AppendBatch& batch : Batches()) ASSERT_THAT((*embedded)->Append(batch), IsOk());
  }
  EXPECT_THAT(ClusterLog::Open(NodeOptions(Options(), dir_.path() + "/embedded")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("holds 36 events but the PostgreSQL log only 0")));
  // The same number of events, other bytes.
  std::unique_ptr<PostgresEventLog> pg = OpenLog();
  for (int i = 0; i < 36; ++i) {
    AppendBatch batch;
    batch.streams = {Stream(absl::StrCat("other-", i), 0, {"x"})};
    ASSERT_THAT(pg->Append(batch), IsOk());
  }
  pg.reset();
  EXPECT_THAT(ClusterLog::Open(NodeOptions(Options(), dir_.path() + "/embedded")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("differs from the PostgreSQL log at position 36")));
}

}  // namespace
}  // namespace salesops::store::postgres
