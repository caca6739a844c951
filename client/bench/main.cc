// salesops-bench: closed-loop load on salesopsd, reported against ceilings
// measured in the same run. See bench_options.h for the flags and
// docs/PERFORMANCE.md for what the figures mean.
#include <iostream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "bench_options.h"
#include "report.h"
#include "runner.h"
#include "server/common/openssl_exit.h"

int main(int argc, char** argv) {
  salesops::KeepOpenSslUntilExit();  // first: before gRPC's TLS (openssl_exit.h)
  // Debian's Abseil is built without NDEBUG, so every absl::Mutex (gRPC's
  // included) runs deadlock detection: about a tenth of a process's CPU
  // under load (docs/PERFORMANCE.md). Tests keep it; the binaries do not.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  namespace bench = salesops::bench;
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<bench::BenchOptions> options = bench::ParseBenchArgs(args);
  if (!options.ok()) {
    std::cerr << "salesops-bench: " << options.status().message() << "\n(salesops-bench --help lists the flags)\n";
    return 2;
  }
  if (options->help) {
    std::cout << bench::BenchUsage();
    return 0;
  }
  absl::StatusOr<bench::Report> report = bench::RunBench(*options, std::cerr);
  if (!report.ok()) {
    std::cerr << "salesops-bench: " << report.status().ToString() << "\n";
    return 1;
  }
  std::cout << (options->json ? bench::RenderJson(*report) : bench::RenderText(*report));
  if (bench::HasUnexpectedErrors(*report)) {
    std::cerr << "salesops-bench: some operations failed unexpectedly (see ERRORS and Subscribe)\n";
    return 3;
  }
  return 0;
}
