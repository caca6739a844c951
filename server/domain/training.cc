#include "server/domain/training.h"

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"

namespace salesops::domain {
namespace {

using T = v1::TrainingCommand;

// The longest a session may be recorded ahead of, or behind, now.
constexpr absl::Duration kMaxTrainingDistance = absl::Hours(24 * 366);

absl::Status NotFoundSession(absl::string_view id) {
  return errors::NotFound("training_session", id, absl::StrCat("training session '", id, "' not found"));
}

}  // namespace

const v1::TrainingAttendance* AttendanceOf(const v1::TrainingSession& session, absl::string_view member_id) {
  for (const v1::TrainingAttendance& a : session.attendance()) {
    if (a.member_id() == member_id) return &a;
  }
  return nullptr;
}

uint32_t AttendedMinutes(const v1::TrainingSession& session, absl::string_view member_id) {
  const v1::TrainingAttendance* a = AttendanceOf(session, member_id);
  return a == nullptr ? 0 : a->minutes();
}

std::string TrainingStreamId(absl::string_view session_id) { return absl::StrCat(kTrainingStreamPrefix, session_id); }

const v1::TrainingSession& TrainingState::Find(absl::string_view session_id) const {
  auto it = sessions.find(session_id);
  return it == sessions.end() ? v1::TrainingSession::default_instance() : it->second;
}

absl::string_view TrainingSessionIdOf(const T& command) {
  switch (command.command_case()) {
    case T::kRecordSession: return command.record_session().session_id();
    case T::kRecordAttendance: return command.record_attendance().session_id();
    case T::COMMAND_NOT_SET: break;
  }
  return {};
}

const v1::CommandOptions& OptionsOf(const T& command) {
  switch (command.command_case()) {
    case T::kRecordSession: return command.record_session().options();
    case T::kRecordAttendance: return command.record_attendance().options();
    case T::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

absl::string_view TrainingCategoryName(v1::TrainingCategory category) {
  switch (category) {
    case v1::TRAINING_CATEGORY_PRODUCT_KNOWLEDGE: return "PRODUCT_KNOWLEDGE";
    case v1::TRAINING_CATEGORY_SALES_SKILLS: return "SALES_SKILLS";
    case v1::TRAINING_CATEGORY_MARKET_TRENDS: return "MARKET_TRENDS";
    case v1::TRAINING_CATEGORY_OTHER: return "OTHER";
    default: return "UNSPECIFIED";
  }
}

absl::Status ValidateTrainingCommand(const T& command) {
  if (command.command_case() == T::COMMAND_NOT_SET) return absl::InvalidArgumentError("command: is required");
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));
  v.Add(ValidateId("session_id", TrainingSessionIdOf(command)));
  switch (command.command_case()) {
    case T::kRecordSession: {
      const v1::RecordTrainingSessionRequest& r = command.record_session();
      v.Add(ValidateText("topic", r.topic(), 1, kMaxNameChars));
      if (r.category() == v1::TRAINING_CATEGORY_UNSPECIFIED || !v1::TrainingCategory_IsValid(r.category())) {
        v.Add("category", "is required: PRODUCT_KNOWLEDGE, SALES_SKILLS, MARKET_TRENDS or OTHER");
      }
      v.Add(ValidateText("trainer", r.trainer(), 1, kMaxNameChars));
      if (!r.has_starts_at()) {
        v.Add("starts_at", "is required");
      } else {
        v.Add(ValidateTimestamp("starts_at", r.starts_at()));
      }
      if (r.duration_minutes() == 0 || r.duration_minutes() > kMaxTrainingMinutes) {
        v.Add("duration_minutes", absl::StrCat("must be 1..", kMaxTrainingMinutes, " (got ", r.duration_minutes(), ")"));
      }
      v.Add(ValidateText("notes", r.notes(), 0, kMaxTextChars, TextKind::kMultiLine));
      break;
    }
    case T::kRecordAttendance: {
      const v1::RecordTrainingAttendanceRequest& r = command.record_attendance();
      v.Add(ValidateId("member_id", r.member_id()));
      if (r.minutes() > kMaxTrainingMinutes) {
        v.Add("minutes", absl::StrCat("must be at most ", kMaxTrainingMinutes, " (got ", r.minutes(), ")"));
      }
      v.Add(ValidateText("correction_reason", r.correction_reason(), 0, kMaxTextChars, TextKind::kMultiLine));
      break;
    }
    case T::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

const std::vector<TrainingRule>& TrainingRules() {
  static const std::vector<TrainingRule>* const rules = new std::vector<TrainingRule>{
      {"RecordTrainingSession", false},
      {"RecordTrainingAttendance", true},
  };
  return *rules;
}

absl::StatusOr<TrainingDecision> DecideTraining(const TrainingState& state, const T& command,
                                                const TrainingWorld& world) {
  const absl::string_view id = TrainingSessionIdOf(command);
  const v1::TrainingSession& session = state.Find(id);
  const bool exists = !session.session_id().empty();
  const v1::CommandOptions& options = OptionsOf(command);
  const TrainingRule& rule = TrainingRules()[static_cast<size_t>(command.command_case()) - 1];
  if (rule.needs_session && !exists) return NotFoundSession(id);
  if (!rule.needs_session && exists) {
    return errors::AlreadyExists("training_session", id, absl::StrCat("training session '", id, "' already exists"));
  }
  if (options.has_expected_version() && options.expected_version() != session.stream_version()) {
    return errors::VersionConflict("training_session", id, session.stream_version(), options.expected_version());
  }
  TrainingDecision d;
  d.stream_id = TrainingStreamId(id);
  d.expected_version = session.stream_version();
  v1::Event& event = d.events.emplace_back();
  switch (command.command_case()) {
    case T::kRecordSession: {
      const v1::RecordTrainingSessionRequest& r = command.record_session();
      const absl::Time starts_at = FromProtoTime(r.starts_at());
      if (starts_at > world.now + kMaxTrainingDistance || starts_at < world.now - kMaxTrainingDistance) {
        return absl::InvalidArgumentError("starts_at: must be within 366 days of now");
      }
      v1::TrainingSessionRecorded* e = event.mutable_training_session_recorded();
      e->set_session_id(std::string(id));
      e->set_topic(r.topic());
      e->set_category(r.category());
      e->set_trainer(r.trainer());
      *e->mutable_starts_at() = r.starts_at();
      e->set_duration_minutes(r.duration_minutes());
      e->set_notes(r.notes());
      return d;
    }
    case T::kRecordAttendance: {
      const v1::RecordTrainingAttendanceRequest& r = command.record_attendance();
      SALESOPS_RETURN_IF_ERROR(
          RequireActiveMember(*world.team, r.member_id(), v1::ROLE_UNSPECIFIED, "member_id", MemberCheck::kNamed));
      if (r.minutes() > session.duration_minutes()) {
        return absl::InvalidArgumentError(absl::StrCat("minutes: must be at most the session's duration, ",
                                                       session.duration_minutes(), " (got ", r.minutes(), ")"));
      }
      const v1::TrainingAttendance* before = AttendanceOf(session, r.member_id());
      if (before != nullptr && r.correction_reason().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "correction_reason: required: the attendance of member '", r.member_id(), "' at training session '", id,
            "' was recorded (", before->minutes(), " minutes); a new record corrects it and says why"));
      }
      if (before == nullptr && !r.correction_reason().empty()) {
        return absl::InvalidArgumentError("correction_reason: only for a correction of a recorded attendance");
      }
      v1::TrainingAttendanceRecorded* e = event.mutable_training_attendance_recorded();
      e->set_session_id(std::string(id));
      e->set_member_id(r.member_id());
      // A first record of 0 minutes means the whole session.
      e->set_minutes(before == nullptr && r.minutes() == 0 ? session.duration_minutes() : r.minutes());
      e->set_revision(before == nullptr ? 1 : before->revision() + 1);
      e->set_correction_reason(r.correction_reason());
      return d;
    }
    case T::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("command: is required");
}

void EvolveTraining(TrainingState& state, absl::string_view session_id, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  v1::TrainingSession& s = state.sessions[session_id];
  s.set_stream_version(envelope.stream_version());
  switch (event.body_case()) {
    case v1::Event::kTrainingSessionRecorded: {
      const v1::TrainingSessionRecorded& e = event.training_session_recorded();
      s.set_session_id(e.session_id());
      s.set_topic(e.topic());
      s.set_category(e.category());
      s.set_trainer(e.trainer());
      *s.mutable_starts_at() = e.starts_at();
      s.set_duration_minutes(e.duration_minutes());
      s.set_notes(e.notes());
      s.set_recorded_by(envelope.actor());
      *s.mutable_recorded_at() = envelope.occurred_at();
      break;
    }
    case v1::Event::kTrainingAttendanceRecorded: {
      const v1::TrainingAttendanceRecorded& e = event.training_attendance_recorded();
      v1::TrainingAttendance* a = nullptr;
      for (v1::TrainingAttendance& x : *s.mutable_attendance()) {
        if (x.member_id() == e.member_id()) a = &x;
      }
      if (a == nullptr) {  // a new member: moved into its place by member id
        int i = s.attendance_size();
        s.add_attendance()->set_member_id(e.member_id());
        for (; i > 0 && s.attendance(i - 1).member_id() > e.member_id(); --i) {
          s.mutable_attendance()->SwapElements(i, i - 1);
        }
        a = s.mutable_attendance(i);
      }
      a->set_minutes(e.minutes());
      a->set_revision(e.revision());
      a->set_recorded_by(envelope.actor());
      *a->mutable_recorded_at() = envelope.occurred_at();
      a->set_correction_reason(e.correction_reason());
      break;
    }
    default:
      break;
  }
}

}  // namespace salesops::domain
