// Helpers for tests that decide commands through the composition
// (server/domain/compose.h) on a State and fold what the decisions append,
// as the sequencer would: compose_test, review_feedback_test, training_test.
//
// Named DecideAndFold, not Run: inside a TEST body an unqualified Run finds
// testing::Test::Run first.
#ifndef SALESOPS_TESTS_DOMAIN_COMPOSE_TESTING_H_
#define SALESOPS_TESTS_DOMAIN_COMPOSE_TESTING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/compose.h"
#include "server/domain/state.h"

namespace salesops::domain {

// The moment the tests decide at unless they say otherwise
// (2026-09-21 14:13:20 UTC).
inline const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

// Decides `command` as `actor` at `at` and, when it is accepted, folds its
// events into `state`: each stream's events numbered on from its
// expected_version, with `actor` and `at` on their envelopes. The decision,
// or the refusal (which leaves `state` as it was).
absl::StatusOr<CommandDecision> DecideAndFold(State& state, absl::string_view actor,
                                              const v1::Command& command, absl::Time at = kNow);

// Adds member `id` (display name `id`) holding `role`, as root; a failure
// is a test failure.
void AddMember(State& state, const std::string& id, v1::Role role);

// A team: root (ADMIN, bootstrapped), then `members` added by root, then
// `deactivated` deactivated by root. A failure is a test failure.
State TeamOf(const std::vector<std::pair<std::string, v1::Role>>& members,
             const std::vector<std::string>& deactivated = {});

}  // namespace salesops::domain

#endif  // SALESOPS_TESTS_DOMAIN_COMPOSE_TESTING_H_
