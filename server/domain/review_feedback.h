// The review feedback decider: a manager's feedback on a member's review for
// a named period and the member's acknowledgement, one stream per (member,
// period): "feedback-<period>-<member_id>" (the period has a fixed width, so
// the id splits unambiguously). Pure. The state is the ReviewFeedback read
// model itself (a team writes a few feedbacks per member and period).
//
// Rules (ReviewFeedbackRules()): RecordReviewFeedback writes version 1, or a
// corrected version n+1 with its reason; AcknowledgeReviewFeedback
// acknowledges the latest version once. Nobody edits a version.
#ifndef SALESOPS_SERVER_DOMAIN_REVIEW_FEEDBACK_H_
#define SALESOPS_SERVER_DOMAIN_REVIEW_FEEDBACK_H_

#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/coaching.pb.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/team.h"

namespace salesops::domain {

inline constexpr absl::string_view kFeedbackStreamPrefix = "feedback-";
inline constexpr size_t kMaxGoals = 20;
inline constexpr size_t kMaxGoalChars = 500;

// "<period>-<member_id>": the id in the stream id, and the state's key.
std::string FeedbackKey(absl::string_view member_id, absl::string_view period);
std::string FeedbackStreamId(absl::string_view member_id, absl::string_view period);

struct FeedbackState {
  absl::node_hash_map<std::string, v1::ReviewFeedback> feedback;  // by FeedbackKey

  // The feedback (an empty ReviewFeedback when none was recorded).
  const v1::ReviewFeedback& Find(absl::string_view member_id, absl::string_view period) const;
};

// The member the command is about, its period, its options.
absl::string_view FeedbackMemberOf(const v1::ReviewFeedbackCommand& command);
absl::string_view FeedbackPeriodOf(const v1::ReviewFeedbackCommand& command);
const v1::CommandOptions& OptionsOf(const v1::ReviewFeedbackCommand& command);

// INVALID_ARGUMENT naming every malformed field.
absl::Status ValidateReviewFeedbackCommand(const v1::ReviewFeedbackCommand& command);

// What the decider needs to know about the rest of the state.
struct FeedbackWorld {
  const TeamState* team = nullptr;
  absl::string_view actor;
};

struct FeedbackDecision {
  std::string stream_id;
  uint64_t expected_version = 0;
  std::vector<v1::Event> events;  // one
};

// Decide a validated, authorized command. Errors: NOT_FOUND (acknowledging
// feedback that does not exist), ABORTED (expected_version),
// FAILED_PRECONDITION (acknowledging a version that is not the latest or
// is acknowledged already), PERMISSION_DENIED (feedback on one's own
// review), INVALID_ARGUMENT (a member that is not active, a correction
// without its reason, a first version with one).
absl::StatusOr<FeedbackDecision> DecideReviewFeedback(const FeedbackState& state,
                                                      const v1::ReviewFeedbackCommand& command,
                                                      const FeedbackWorld& world);

// The rules as data: what each command needs of the feedback as it stands.
struct FeedbackRule {
  absl::string_view action;
  bool needs_feedback;  // refused (NOT_FOUND) when none was recorded
};
const std::vector<FeedbackRule>& ReviewFeedbackRules();  // by v1::ReviewFeedbackCommand case (1-based - 1)

// Fold one committed event of the feedback stream `key` (FeedbackKey).
void EvolveReviewFeedback(FeedbackState& state, absl::string_view key, const v1::EventEnvelope& envelope);

// The status a PerformanceReview shows for `feedback`.
v1::ReviewFeedbackStatus FeedbackStatusOf(const v1::ReviewFeedback& feedback);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_REVIEW_FEEDBACK_H_
