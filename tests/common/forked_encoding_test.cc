// ForkedEncoding: the child's result comes back whole, reflects memory as of
// the fork (not later writes), and a child that does not finish is an error.
#include "server/common/forked_encoding.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ForkedEncodingTest, ReturnsWhatTheChildEncodedWhole) {
  // Larger than a pipe's buffer, with empty strings and every byte value.
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131);
  absl::StatusOr<ForkedEncoding> child =
      ForkedEncoding::Start([&] { return std::vector<std::string>{"阶段", "", big}; });
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<std::vector<std::string>> got = child->Collect();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, ElementsAre("阶段", "", big));
}

TEST(ForkedEncodingTest, SeesMemoryAsOfTheForkNotLaterWrites) {
  std::vector<int> state = {1, 2, 3};
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  absl::StatusOr<ForkedEncoding> child = ForkedEncoding::Start([&] {
    // Wait until the parent has changed its copy, then encode ours.
    char go;
    while (read(pipe_fds[0], &go, 1) < 0) {
    }
    std::string out;
    for (int v : state) out += std::to_string(v);
    return std::vector<std::string>{out};
  });
  ASSERT_TRUE(child.ok());
  state = {9, 9, 9, 9};  // a writer right after the lock is released
  ASSERT_EQ(write(pipe_fds[1], "g", 1), 1);
  absl::StatusOr<std::vector<std::string>> got = child->Collect();
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, ElementsAre("123"));
}

TEST(ForkedEncodingTest, AChildThatDiesIsAnErrorNotAShortResult) {
  absl::StatusOr<ForkedEncoding> child = ForkedEncoding::Start([]() -> std::vector<std::string> {
    raise(SIGKILL);
    return {"never"};
  });
  ASSERT_TRUE(child.ok());
  absl::StatusOr<std::vector<std::string>> got = child->Collect();
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("killed by signal 9"));
}

TEST(ForkedEncodingTest, AnUncollectedChildIsReaped) {
  pid_t pid = 0;
  {
    absl::StatusOr<ForkedEncoding> child = ForkedEncoding::Start([] {
      pause();  // would never finish by itself
      return std::vector<std::string>{};
    });
    ASSERT_TRUE(child.ok());
    pid = child->pid();
  }
  // Reaped by the destructor: no such process (not even a zombie).
  EXPECT_EQ(kill(pid, 0), -1);
}

TEST(ForkedEncodingTest, ACancelStopsTheWaitAndTheChild) {
  absl::StatusOr<ForkedEncoding> child = ForkedEncoding::Start([] {
    pause();  // a child that hangs
    return std::vector<std::string>{"never"};
  });
  ASSERT_TRUE(child.ok());
  const pid_t pid = child->pid();
  const int cancel = eventfd(0, EFD_CLOEXEC);
  ASSERT_GE(cancel, 0);
  std::thread shutdown([cancel] {
    const uint64_t one = 1;
    EXPECT_EQ(write(cancel, &one, sizeof(one)), static_cast<ssize_t>(sizeof(one)));
  });
  absl::StatusOr<std::vector<std::string>> got = child->Collect(cancel);
  shutdown.join();
  close(cancel);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kCancelled) << got.status();
  EXPECT_EQ(kill(pid, 0), -1);  // killed and reaped
}

}  // namespace
}  // namespace salesops
