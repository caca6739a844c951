// The whole bench run: start (or reach) the server, set up the team, run
// every scenario and its ceiling at every concurrency, stop the server,
// measure the raw store ceilings and the rebuild, and collect the Report.
#ifndef SALESOPS_CLIENT_BENCH_RUNNER_H_
#define SALESOPS_CLIENT_BENCH_RUNNER_H_

#include <ostream>

#include "absl/status/statusor.h"
#include "bench_options.h"
#include "report.h"

namespace salesops::bench {

// Runs what `options` asks for, writing one progress line per step to
// `progress`. Errors: NOT_FOUND when salesopsd cannot be found, UNAVAILABLE
// when the server does not start or answer, PERMISSION_DENIED when --token
// is not an ADMIN's, INVALID_ARGUMENT for a --tokens-file without the bench
// members, and any store error of the raw ceilings. Operations that fail
// during a run are not errors here: they are counted in the report.
absl::StatusOr<Report> RunBench(const BenchOptions& options, std::ostream& progress);

// True when some run of `report` had operations fail unexpectedly, or a
// subscribe check failed (SubscribeErrors).
bool HasUnexpectedErrors(const Report& report);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_RUNNER_H_
