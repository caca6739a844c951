// Kills a writer process with SIGKILL in the middle of a stream of appends,
// reopens the log, and checks that every acknowledged append is there, the
// positions are gap-free, and no position is ever reused.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/store/event_store.h"
#include "tests/common/testing.h"

namespace salesops::store {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::TempDir;

struct Ack {
  uint64_t position;
  uint64_t stream;  // which stream ("lead-<stream>") the append went to
};

// The writer process (this binary run as `--writer PATH FIRST_STREAM`):
// appends forever, reporting each acknowledged append on `fd`.
[[noreturn]] void Writer(const std::string& path, int fd, uint64_t first_stream) {
  auto store = EventStore::Open({path, /*sync=*/true});
  if (!store.ok()) _exit(3);
  for (uint64_t i = first_stream;; ++i) {
    AppendBatch batch;
    StreamAppend& a = batch.streams.emplace_back();
    a.stream_id = absl::StrCat("lead-", i);
    a.expected_version = 0;
    for (int k = 0; k < 3; ++k) {
      v1::EventEnvelope& e = a.events.emplace_back();
      e.mutable_event()->mutable_needs_recorded()->set_requirements(absl::StrCat("需求 ", i, "/", k));
      e.set_event_type(domain::EventTypeName(e.event()));
    }
    auto appended = (*store)->Append(std::move(batch));
    if (!appended.ok()) _exit(4);
    const Ack ack{appended->back().position(), i};
    if (write(fd, &ack, sizeof(ack)) != sizeof(ack)) _exit(5);
  }
}

std::vector<Ack> RunAndKill(const std::string& path, uint64_t first_stream, size_t acks_before_kill) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  // A fresh process (fork + exec), not a fork of this one: RocksDB's
  // background threads in this process would be missing in a forked child.
  std::vector<std::string> args = {"/proc/self/exe", "--writer", path, absl::StrCat(first_stream)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::vector<Ack> acks;
  Ack ack;
  while (acks.size() < acks_before_kill && read(fds[0], &ack, sizeof(ack)) == sizeof(ack)) {
    acks.push_back(ack);
  }
  kill(child, SIGKILL);
  // Whatever the child acknowledged before it died is still in the pipe.
  while (read(fds[0], &ack, sizeof(ack)) == sizeof(ack)) acks.push_back(ack);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer exited on its own: " << status;
  return acks;
}

TEST(StoreCrashTest, AcknowledgedAppendsSurviveSigkillAndPositionsAreNeverReused) {
  TempDir dir;
  const std::string path = dir.path() + "/db";
  uint64_t next_stream = 1;
  std::vector<Ack> all_acks;
  for (int round = 0; round < 3; ++round) {
    std::vector<Ack> acks = RunAndKill(path, next_stream, 150);
    ASSERT_GE(acks.size(), 150u);
    all_acks.insert(all_acks.end(), acks.begin(), acks.end());

    auto store = EventStore::Open({path, true});
    ASSERT_THAT(store, IsOk());
    const uint64_t head = (*store)->Head();
    ASSERT_GE(head, all_acks.back().position) << "round " << round;
    // Gap-free from 1 to head, each stream's three events together.
    uint64_t count = 0;
    ASSERT_THAT((*store)->Scan(1, [&](const v1::EventEnvelope& e) {
      ++count;
      EXPECT_EQ(e.position(), count);
      return absl::OkStatus();
    }),
                IsOk());
    EXPECT_EQ(count, head);
    EXPECT_EQ(head % 3, 0u) << "a batch was torn";
    for (const Ack& ack : all_acks) {
      auto events = (*store)->ReadStream(absl::StrCat("lead-", ack.stream), 1, 10);
      ASSERT_THAT(events, IsOk());
      ASSERT_EQ(events->size(), 3u) << "acknowledged stream lead-" << ack.stream << " lost";
      EXPECT_EQ(events->back().position(), ack.position);
      EXPECT_EQ(events->front().event().needs_recorded().requirements(),
                absl::StrCat("需求 ", ack.stream, "/0"));
    }
    // The next writer continues after everything on disk, acked or not.
    next_stream = head / 3 + 1;
  }
}

}  // namespace
}  // namespace salesops::store

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--writer") {
    salesops::store::Writer(argv[2], STDOUT_FILENO, std::stoull(argv[3]));
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
