// The training decider: training sessions and each member's attendance, one
// stream per session: "training-<session_id>". Pure. The state is the
// TrainingSession read model itself (a team records a few sessions a month).
//
// Rules (TrainingRules()): RecordTrainingSession creates a session once;
// RecordTrainingAttendance records a member's minutes on a recorded session,
// and recording them again is a correction with its reason. Nobody edits an
// event; the session's attendance shows the last record per member.
#ifndef SALESOPS_SERVER_DOMAIN_TRAINING_H_
#define SALESOPS_SERVER_DOMAIN_TRAINING_H_

#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "salesops/v1/coaching.pb.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/team.h"

namespace salesops::domain {

inline constexpr absl::string_view kTrainingStreamPrefix = "training-";
inline constexpr uint32_t kMaxTrainingMinutes = 24 * 60;

std::string TrainingStreamId(absl::string_view session_id);

struct TrainingState {
  absl::node_hash_map<std::string, v1::TrainingSession> sessions;  // by session id

  // The session (an empty TrainingSession when none was recorded).
  const v1::TrainingSession& Find(absl::string_view session_id) const;
};

// The session the command is about, and its options.
absl::string_view TrainingSessionIdOf(const v1::TrainingCommand& command);
const v1::CommandOptions& OptionsOf(const v1::TrainingCommand& command);

// INVALID_ARGUMENT naming every malformed field.
absl::Status ValidateTrainingCommand(const v1::TrainingCommand& command);

// What the decider needs to know about the rest of the state.
struct TrainingWorld {
  const TeamState* team = nullptr;
  absl::Time now;
};

struct TrainingDecision {
  std::string stream_id;
  uint64_t expected_version = 0;
  std::vector<v1::Event> events;  // one
};

// Decide a validated, authorized command. Errors: ALREADY_EXISTS (a session
// id taken), NOT_FOUND (attendance of an unknown session), ABORTED
// (expected_version), INVALID_ARGUMENT (a member that is not active, minutes
// over the session's duration, a correction without its reason or a first
// record with one, a start more than 366 days from now).
absl::StatusOr<TrainingDecision> DecideTraining(const TrainingState& state, const v1::TrainingCommand& command,
                                                const TrainingWorld& world);

// The rules as data: what each command needs of the session as it stands.
struct TrainingRule {
  absl::string_view action;
  bool needs_session;  // refused (NOT_FOUND) when none was recorded
};
const std::vector<TrainingRule>& TrainingRules();  // by v1::TrainingCommand case (1-based - 1)

// The attendance of `member_id` at `session` as last recorded (null: never
// recorded), and its minutes (0: never recorded, or withdrawn).
const v1::TrainingAttendance* AttendanceOf(const v1::TrainingSession& session, absl::string_view member_id);
uint32_t AttendedMinutes(const v1::TrainingSession& session, absl::string_view member_id);

// Fold one committed event of the session stream `session_id`.
void EvolveTraining(TrainingState& state, absl::string_view session_id, const v1::EventEnvelope& envelope);

// "PRODUCT_KNOWLEDGE", ...
absl::string_view TrainingCategoryName(v1::TrainingCategory category);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_TRAINING_H_
