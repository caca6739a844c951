// Runs a shell command line and collects its standard output and exit
// status, for the tests that drive salesops-bench as a user would.
#ifndef SALESOPS_TESTS_BENCH_RUN_COMMAND_H_
#define SALESOPS_TESTS_BENCH_RUN_COMMAND_H_

#include <stdio.h>
#include <sys/wait.h>

#include <string>

namespace salesops::testing {

struct CommandOutput {
  int exit_status = -1;  // -1 when it did not exit normally (or did not start)
  std::string stdout_text;
};

inline CommandOutput RunCommand(const std::string& command) {
  CommandOutput out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.stdout_text.append(buffer, n);
  const int status = pclose(pipe);
  out.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_BENCH_RUN_COMMAND_H_
