// Runs a program (salesctl, salesops-bench) to completion, as a user would,
// with its output captured.
#ifndef SALESOPS_TESTS_E2E_RUN_PROGRAM_H_
#define SALESOPS_TESTS_E2E_RUN_PROGRAM_H_

#include <string>
#include <vector>

namespace salesops::testing {

struct CliRun {
  int exit_code = -1;  // -1: not started, or ended by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] with `argv` in this process's environment; stdout and stderr
// go through files in `scratch_dir` (replaced on each run).
CliRun RunProgram(std::vector<std::string> argv, const std::string& scratch_dir);

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_E2E_RUN_PROGRAM_H_
