#include "server/domain/review_feedback.h"

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/period.h"
#include "server/domain/validation.h"

namespace salesops::domain {
namespace {

using F = v1::ReviewFeedbackCommand;

absl::Status NotFoundFeedback(absl::string_view key, absl::string_view member_id, absl::string_view period) {
  return errors::NotFound("review_feedback", key,
                          absl::StrCat("no feedback on the review of member '", member_id, "' for ", period));
}

}  // namespace

std::string FeedbackKey(absl::string_view member_id, absl::string_view period) {
  return absl::StrCat(period, "-", member_id);
}

std::string FeedbackStreamId(absl::string_view member_id, absl::string_view period) {
  return absl::StrCat(kFeedbackStreamPrefix, FeedbackKey(member_id, period));
}

const v1::ReviewFeedback& FeedbackState::Find(absl::string_view member_id, absl::string_view period) const {
  auto it = feedback.find(FeedbackKey(member_id, period));
  return it == feedback.end() ? v1::ReviewFeedback::default_instance() : it->second;
}

absl::string_view FeedbackMemberOf(const F& command) {
  switch (command.command_case()) {
    case F::kRecord: return command.record().member_id();
    case F::kAcknowledge: return command.acknowledge().member_id();
    case F::COMMAND_NOT_SET: break;
  }
  return {};
}

absl::string_view FeedbackPeriodOf(const F& command) {
  switch (command.command_case()) {
    case F::kRecord: return command.record().period();
    case F::kAcknowledge: return command.acknowledge().period();
    case F::COMMAND_NOT_SET: break;
  }
  return {};
}

const v1::CommandOptions& OptionsOf(const F& command) {
  switch (command.command_case()) {
    case F::kRecord: return command.record().options();
    case F::kAcknowledge: return command.acknowledge().options();
    case F::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

absl::Status ValidateReviewFeedbackCommand(const F& command) {
  if (command.command_case() == F::COMMAND_NOT_SET) return absl::InvalidArgumentError("command: is required");
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));
  v.Add(ValidateId("member_id", FeedbackMemberOf(command)));
  if (!IsValidPeriod(FeedbackPeriodOf(command))) v.Add("period", "must be YYYY-MM or YYYY-Qn (n = 1..4)");
  const TextKind multi = TextKind::kMultiLine;
  switch (command.command_case()) {
    case F::kRecord: {
      const v1::RecordReviewFeedbackRequest& r = command.record();
      v.Add(ValidateText("strengths", r.strengths(), 0, kMaxTextChars, multi));
      v.Add(ValidateText("problems", r.problems(), 0, kMaxTextChars, multi));
      v.Add(ValidateText("guidance", r.guidance(), 0, kMaxTextChars, multi));
      v.Add(ValidateText("correction_reason", r.correction_reason(), 0, kMaxTextChars, multi));
      if (r.goals_size() > static_cast<int>(kMaxGoals)) {
        v.Add("goals", absl::StrCat("must be at most ", kMaxGoals, " goals"));
      } else {
        for (int i = 0; i < r.goals_size(); ++i) {
          v.Add(ValidateText(absl::StrCat("goals[", i, "]"), r.goals(i), 1, kMaxGoalChars));
        }
      }
      if (r.strengths().empty() && r.problems().empty() && r.guidance().empty() && r.goals().empty()) {
        v.Add("strengths", "at least one of strengths, problems, guidance and goals is required");
      }
      if (!r.input_digest().empty()) v.Add(ValidateToken("input_digest", r.input_digest()));
      break;
    }
    case F::kAcknowledge: {
      const v1::AcknowledgeReviewFeedbackRequest& r = command.acknowledge();
      if (r.version() == 0) v.Add("version", "is required: the feedback version acknowledged (1, 2, ...)");
      v.Add(ValidateText("comment", r.comment(), 0, kMaxTextChars, multi));
      break;
    }
    case F::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

const std::vector<FeedbackRule>& ReviewFeedbackRules() {
  static const std::vector<FeedbackRule>* const rules = new std::vector<FeedbackRule>{
      {"RecordReviewFeedback", false},
      {"AcknowledgeReviewFeedback", true},
  };
  return *rules;
}

absl::StatusOr<FeedbackDecision> DecideReviewFeedback(const FeedbackState& state, const F& command,
                                                      const FeedbackWorld& world) {
  const absl::string_view member_id = FeedbackMemberOf(command);
  const absl::string_view period = FeedbackPeriodOf(command);
  const std::string key = FeedbackKey(member_id, period);
  const v1::ReviewFeedback& feedback = state.Find(member_id, period);
  const v1::CommandOptions& options = OptionsOf(command);
  const FeedbackRule& rule = ReviewFeedbackRules()[static_cast<size_t>(command.command_case()) - 1];
  if (rule.needs_feedback && feedback.versions().empty()) return NotFoundFeedback(key, member_id, period);
  if (options.has_expected_version() && options.expected_version() != feedback.stream_version()) {
    return errors::VersionConflict(
        "review_feedback", key, feedback.stream_version(), options.expected_version(),
        absl::StrCat("the feedback on the review of member '", member_id, "' for ", period));
  }
  FeedbackDecision d;
  d.stream_id = FeedbackStreamId(member_id, period);
  d.expected_version = feedback.stream_version();
  v1::Event& event = d.events.emplace_back();
  const uint32_t latest = static_cast<uint32_t>(feedback.versions_size());
  switch (command.command_case()) {
    case F::kRecord: {
      const v1::RecordReviewFeedbackRequest& r = command.record();
      if (member_id == world.actor) {
        return errors::WithReason(
            absl::PermissionDeniedError(absl::StrCat(
                "RecordReviewFeedback: member '", world.actor,
                "' may not write feedback on its own review; another SALES_MANAGER or an ADMIN writes it")),
            errors::kSelfReviewFeedback,
            {{"action", "RecordReviewFeedback"}, {"member_id", std::string(world.actor)}});
      }
      SALESOPS_RETURN_IF_ERROR(
          RequireActiveMember(*world.team, member_id, v1::ROLE_UNSPECIFIED, "member_id", MemberCheck::kNamed));
      if (latest > 0 && r.correction_reason().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "correction_reason: required: feedback version ", latest,
            " exists; a new version corrects it and says why (the earlier version stays in the log)"));
      }
      if (latest == 0 && !r.correction_reason().empty()) {
        return absl::InvalidArgumentError("correction_reason: only for a correction of recorded feedback");
      }
      v1::ReviewFeedbackRecorded* e = event.mutable_review_feedback_recorded();
      e->set_member_id(std::string(member_id));
      e->set_period(std::string(period));
      e->set_version(latest + 1);
      e->set_strengths(r.strengths());
      e->set_problems(r.problems());
      e->set_guidance(r.guidance());
      *e->mutable_goals() = r.goals();
      *e->mutable_review() = command.pin();
      e->set_correction_reason(r.correction_reason());
      return d;
    }
    case F::kAcknowledge: {
      const v1::AcknowledgeReviewFeedbackRequest& r = command.acknowledge();
      const v1::ReviewFeedbackVersion& current = feedback.versions(static_cast<int>(latest) - 1);
      const auto not_allowed = [&](absl::string_view state_name, std::string why) {
        return errors::NotAllowedIn(errors::kFeedbackNotAcknowledgeable, "review_feedback", key,
                                    "REVIEW_FEEDBACK", "feedback", state_name, rule.action, why);
      };
      if (r.version() != latest) {
        return not_allowed(absl::StrCat("VERSION_", latest),
                           absl::StrCat("version: the feedback's latest version is ", latest, ", not ", r.version(),
                                        "; read it (Coaching.GetReviewFeedback) and acknowledge the latest"));
      }
      if (current.has_acknowledged_at()) {
        return not_allowed("ACKNOWLEDGED", absl::StrCat("feedback version ", latest, " on the review of member '",
                                                        member_id, "' for ", period, " is already acknowledged"));
      }
      v1::ReviewFeedbackAcknowledged* e = event.mutable_review_feedback_acknowledged();
      e->set_member_id(std::string(member_id));
      e->set_period(std::string(period));
      e->set_version(latest);
      e->set_comment(r.comment());
      return d;
    }
    case F::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("command: is required");
}

void EvolveReviewFeedback(FeedbackState& state, absl::string_view key, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  v1::ReviewFeedback& f = state.feedback[key];
  f.set_stream_version(envelope.stream_version());
  switch (event.body_case()) {
    case v1::Event::kReviewFeedbackRecorded: {
      const v1::ReviewFeedbackRecorded& e = event.review_feedback_recorded();
      f.set_member_id(e.member_id());
      f.set_period(e.period());
      v1::ReviewFeedbackVersion* v = f.add_versions();
      v->set_version(e.version());
      v->set_strengths(e.strengths());
      v->set_problems(e.problems());
      v->set_guidance(e.guidance());
      *v->mutable_goals() = e.goals();
      *v->mutable_review() = e.review();
      v->set_written_by(envelope.actor());
      *v->mutable_written_at() = envelope.occurred_at();
      v->set_correction_reason(e.correction_reason());
      v->set_position(envelope.position());
      break;
    }
    case v1::Event::kReviewFeedbackAcknowledged: {
      const v1::ReviewFeedbackAcknowledged& e = event.review_feedback_acknowledged();
      for (v1::ReviewFeedbackVersion& v : *f.mutable_versions()) {
        if (v.version() != e.version()) continue;
        *v.mutable_acknowledged_at() = envelope.occurred_at();
        v.set_comment(e.comment());
      }
      break;
    }
    default:
      break;
  }
}

v1::ReviewFeedbackStatus FeedbackStatusOf(const v1::ReviewFeedback& feedback) {
  v1::ReviewFeedbackStatus status;
  for (const v1::ReviewFeedbackVersion& v : feedback.versions()) {
    status.set_version(v.version());
    status.set_acknowledged(v.has_acknowledged_at());
    if (v.has_acknowledged_at()) status.set_acknowledged_version(v.version());
  }
  return status;
}

}  // namespace salesops::domain
