// The review feedback aggregate's entry in the composition (compose.h):
// authorization (a SALES_MANAGER or ADMIN writes feedback; the member
// acknowledges its own), what the decider needs from the rest of the state,
// the fold into State and the reply. Its own rules are review_feedback.h's.
#include "server/common/status_macros.h"
#include "server/domain/compose.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
namespace {

absl::Status DecideFeedbackEntry(const State& state, const v1::Command& command, const DecideContext& context,
                                 CommandDecision& decision) {
  const v1::ReviewFeedbackCommand& c = command.review_feedback();
  // The member the feedback is about acknowledges it for itself.
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth,
                            Authorize(state.team, context.actor, command,
                                      c.has_acknowledge() ? FeedbackMemberOf(c) : absl::string_view()));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  const v1::ReviewFeedback& feedback = state.feedback.Find(FeedbackMemberOf(c), FeedbackPeriodOf(c));
  absl::Time previous = absl::InfinitePast();
  for (const v1::ReviewFeedbackVersion& v : feedback.versions()) {
    previous = std::max(previous, FromProtoTime(v.written_at()));
    if (v.has_acknowledged_at()) previous = std::max(previous, FromProtoTime(v.acknowledged_at()));
  }
  SALESOPS_ASSIGN_OR_RETURN(decision.occurred_at, BusinessTime(OptionsOf(c), context.now, previous, "feedback"));
  SALESOPS_ASSIGN_OR_RETURN(FeedbackDecision d,
                            DecideReviewFeedback(state.feedback, c, FeedbackWorld{&state.team, context.actor}));
  decision.member_id = std::string(FeedbackMemberOf(c));
  decision.period = std::string(FeedbackPeriodOf(c));
  decision.streams.push_back({std::move(d.stream_id), d.expected_version, std::move(d.events)});
  return absl::OkStatus();
}

void EvolveFeedbackEntry(State& state, absl::string_view key, const v1::EventEnvelope& envelope) {
  EvolveReviewFeedback(state.feedback, key, envelope);
}

v1::CommandReply FeedbackReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  v1::ReviewFeedbackCommandReply* r = reply.mutable_review_feedback();
  const v1::ReviewFeedback& feedback = state.feedback.Find(decision.member_id, decision.period);
  const v1::ReviewFeedbackStatus status = FeedbackStatusOf(feedback);
  r->set_member_id(decision.member_id);
  r->set_period(decision.period);
  r->set_version(status.version());
  r->set_stream_version(feedback.stream_version());
  r->set_position(position);
  r->set_acknowledged(status.acknowledged());
  return reply;
}

absl::Status ValidateFeedbackEntry(const v1::Command& command) {
  return ValidateReviewFeedbackCommand(command.review_feedback());
}
const v1::CommandOptions& FeedbackOptions(const v1::Command& command) { return OptionsOf(command.review_feedback()); }

}  // namespace

const Aggregate kReviewFeedbackAggregate{
    "review_feedback",   v1::Command::kReviewFeedback, kFeedbackStreamPrefix, false, ValidateFeedbackEntry,
    FeedbackOptions,     DecideFeedbackEntry,          EvolveFeedbackEntry,   FeedbackReply,
};

}  // namespace salesops::domain
