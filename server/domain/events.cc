#include "server/domain/events.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "server/domain/training.h"

namespace salesops::domain {

std::string EventTypeName(const v1::Event& event) {
  const google::protobuf::OneofDescriptor* body = v1::Event::descriptor()->FindOneofByName("body");
  const google::protobuf::FieldDescriptor* field =
      event.GetReflection()->GetOneofFieldDescriptor(event, body);
  return field == nullptr ? std::string() : std::string(field->message_type()->name());
}

bool IsKnownEventType(absl::string_view name) {
  const google::protobuf::Descriptor* d = v1::Event::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->message_type()->name() == name) return true;
  }
  return false;
}

std::optional<v1::StageTransition> TransitionOf(const v1::Event& event) {
  switch (event.body_case()) {
    case v1::Event::kLeadIdentified: return event.lead_identified().transition();
    case v1::Event::kLeadQualified: return event.lead_qualified().transition();
    case v1::Event::kLeadDisqualified: return event.lead_disqualified().transition();
    case v1::Event::kNeedsRecorded: return event.needs_recorded().transition();
    case v1::Event::kSolutionProposed: return event.solution_proposed().transition();
    case v1::Event::kQuoteSent: return event.quote_sent().transition();
    case v1::Event::kNegotiationStarted: return event.negotiation_started().transition();
    case v1::Event::kDealWon: return event.deal_won().transition();
    case v1::Event::kDealLost: return event.deal_lost().transition();
    case v1::Event::kLeadReopened: return event.lead_reopened().transition();
    default:
      return std::nullopt;
  }
}

std::string LeadStreamId(absl::string_view lead_id) {
  return absl::StrCat(kLeadStreamPrefix, lead_id);
}

namespace {

// The enum value's name without its type prefix ("REFERRAL" for
// LEAD_SOURCE_REFERRAL), or its number for a value from a newer schema.
template <typename Enum>
std::string ShortEnumName(const std::string& full, absl::string_view prefix, Enum value) {
  if (full.size() > prefix.size() && absl::string_view(full).substr(0, prefix.size()) == prefix) {
    return full.substr(prefix.size());
  }
  return absl::StrCat(static_cast<int>(value));
}

}  // namespace

std::string RoleNames(const google::protobuf::RepeatedField<int>& roles) {
  return absl::StrJoin(roles, ", ", [](std::string* out, int role) {
    absl::StrAppend(out, ShortEnumName(v1::Role_Name(role), "ROLE_", role));
  });
}

std::string SourceName(v1::LeadSource source) {
  return ShortEnumName(v1::LeadSource_Name(source), "LEAD_SOURCE_", source);
}

std::string LossReasonName(v1::LossReason reason) {
  return ShortEnumName(v1::LossReason_Name(reason), "LOSS_REASON_", reason);
}

std::string StageName(v1::Stage stage) {
  return ShortEnumName(v1::Stage_Name(stage), "STAGE_", stage);
}

std::string FormatMoney(const v1::Money& money) {
  const int64_t a = money.amount_minor();
  return absl::StrFormat("%s%d.%02d %s", a < 0 ? "-" : "", std::llabs(a) / 100,
                         std::llabs(a) % 100, money.currency());
}

std::string DescribeEvent(const v1::Event& event) {
  switch (event.body_case()) {
    case v1::Event::kLeadIdentified: {
      const auto& e = event.lead_identified();
      std::string s = absl::StrCat(e.company(), " / ", e.contact().name(), ", source ",
                                   SourceName(e.source()), ", owner ", e.owner());
      if (e.has_estimated_value()) absl::StrAppend(&s, ", est. ", FormatMoney(e.estimated_value()));
      if (!e.account_id().empty()) absl::StrAppend(&s, ", account ", e.account_id());
      if (!e.referred_by_account_id().empty()) absl::StrAppend(&s, ", referred by ", e.referred_by_account_id());
      return s;
    }
    case v1::Event::kLeadQualified: {
      const auto& e = event.lead_qualified();
      std::string s = absl::StrCat("score ", e.score());
      if (e.has_budget()) absl::StrAppend(&s, ", budget ", FormatMoney(e.budget()));
      if (!e.timeline().empty()) absl::StrAppend(&s, ", timeline ", e.timeline());
      return s;
    }
    case v1::Event::kLeadDisqualified:
      return absl::StrCat("reason: ", event.lead_disqualified().reason());
    case v1::Event::kNeedsRecorded:
      return event.needs_recorded().requirements();
    case v1::Event::kSolutionProposed: {
      const auto& e = event.solution_proposed();
      std::string s = absl::StrCat(FormatMoney(e.value()), ": ", e.summary());
      if (e.products_size() > 0) absl::StrAppend(&s, " [", absl::StrJoin(e.products(), ", "), "]");
      return s;
    }
    case v1::Event::kQuoteSent: {
      const auto& e = event.quote_sent();
      std::string s = absl::StrCat("quote ", e.quote_id(), " rev ", e.revision(), ": ",
                                   FormatMoney(e.amount()), ", valid until ", e.valid_until());
      if (e.discount_basis_points() > 0) {
        absl::StrAppend(&s, absl::StrFormat(", discount %d.%02d%%", e.discount_basis_points() / 100,
                                            e.discount_basis_points() % 100));
      }
      return s;
    }
    case v1::Event::kNegotiationStarted:
      return event.negotiation_started().note();
    case v1::Event::kDealWon: {
      const auto& e = event.deal_won();
      return absl::StrCat(FormatMoney(e.final_amount()), ", signed ", e.signed_date());
    }
    case v1::Event::kDealLost: {
      const auto& e = event.deal_lost();
      std::string s = LossReasonName(e.reason());
      if (!e.competitor().empty()) absl::StrAppend(&s, ", competitor ", e.competitor());
      if (!e.note().empty()) absl::StrAppend(&s, ": ", e.note());
      return s;
    }
    case v1::Event::kLeadReopened:
      return absl::StrCat("reason: ", event.lead_reopened().reason());
    case v1::Event::kLeadUpdated:
      return absl::StrCat("changed ", absl::StrJoin(event.lead_updated().changed_fields(), ", "));
    case v1::Event::kLeadAssigned: {
      const auto& e = event.lead_assigned();
      const v1::HandOff& h = e.explanation();
      std::string s = absl::StrCat(e.assignee().empty() ? "(unassigned queue)" : e.assignee(), " as ",
                                   ShortEnumName(v1::Role_Name(e.role()), "ROLE_", e.role()), ": ", h.rule());
      if (h.candidates_size() > 0) {
        absl::StrAppend(&s, "; candidates ",
                        absl::StrJoin(h.candidates(), ", ", [](std::string* out, const v1::HandOffCandidate& c) {
                          absl::StrAppend(out, c.member_id(), "=", c.open_items());
                        }));
      }
      if (h.skipped_size() > 0) absl::StrAppend(&s, "; skipped ", absl::StrJoin(h.skipped(), ", "));
      if (!e.reason().empty()) absl::StrAppend(&s, "; reason: ", e.reason());
      return s;
    }
    case v1::Event::kOwnerChanged: {
      const auto& e = event.owner_changed();
      return absl::StrCat("owner ", e.previous_owner(), " -> ", e.owner(), ": ", e.reason());
    }
    case v1::Event::kOrderOpened:
      return absl::StrCat("order for ", FormatMoney(event.order_opened().amount()), ", owner ",
                          event.order_opened().owner());
    case v1::Event::kOrderConfirmed:
      return absl::StrCat("confirmed ", event.order_confirmed().note());
    case v1::Event::kOrderShipped:
      return absl::StrCat("shipped by ", event.order_shipped().carrier(), ", tracking ",
                          event.order_shipped().tracking_number());
    case v1::Event::kOrderDelivered:
      return absl::StrCat("delivered ", event.order_delivered().note());
    case v1::Event::kOrderCancelled:
      return absl::StrCat("cancelled: ", event.order_cancelled().reason());
    case v1::Event::kOrderAssigned: {
      const auto& e = event.order_assigned();
      return absl::StrCat(e.assignee().empty() ? "(unassigned queue)" : e.assignee(), " as SALES_SUPPORT: ",
                          e.explanation().rule(), e.reason().empty() ? "" : "; reason: ", e.reason());
    }
    case v1::Event::kTicketOpened: {
      const auto& e = event.ticket_opened();
      return absl::StrCat(ShortEnumName(v1::Severity_Name(e.severity()), "SEVERITY_", e.severity()), " ",
                          e.subject(), " (lead ", e.lead_id(), ")");
    }
    case v1::Event::kTicketAssigned: {
      const auto& e = event.ticket_assigned();
      std::string s = absl::StrCat(e.assignee().empty() ? "(unassigned queue)" : e.assignee(),
                                   " as AFTER_SALES: ", e.explanation().rule());
      if (!e.reason().empty()) absl::StrAppend(&s, "; reason: ", e.reason());
      return s;
    }
    case v1::Event::kTicketResolved:
      return absl::StrCat("resolved: ", event.ticket_resolved().resolution());
    case v1::Event::kTicketClosed:
      return "closed";
    case v1::Event::kTicketReopened:
      return absl::StrCat("reopened: ", event.ticket_reopened().reason());
    case v1::Event::kSurveyRecorded: {
      const auto& e = event.survey_recorded();
      return absl::StrCat("survey: product ", e.product_quality(), ", attitude ", e.service_attitude(), ", speed ",
                          e.response_speed(), e.comment().empty() ? "" : ": ", e.comment());
    }
    case v1::Event::kTargetSet: {
      const auto& e = event.target_set();
      return absl::StrCat("target ", e.member_id(), " ", e.period(), ": ",
                          e.metric() == v1::TARGET_METRIC_WON_VALUE ? FormatMoney(e.won_value())
                                                                     : absl::StrCat(e.won_count(), " deals"),
                          " (revision ", e.revision(), ")");
    }
    case v1::Event::kScoringPolicySet: {
      const auto& e = event.scoring_policy_set();
      return absl::StrCat("scoring policy version ", e.version(), " for ",
                          absl::StrJoin(e.roles(), ", ", [](std::string* out, const v1::RoleWeights& r) {
                            absl::StrAppend(out, ShortEnumName(v1::Role_Name(r.role()), "ROLE_", r.role()));
                          }),
                          e.note().empty() ? "" : ": ", e.note());
    }
    case v1::Event::kMemberAdded: {
      const auto& e = event.member_added();
      return absl::StrCat(e.member_id(), " (", e.display_name(), ") as ", RoleNames(e.roles()));
    }
    case v1::Event::kMemberRolesChanged: {
      const auto& e = event.member_roles_changed();
      return absl::StrCat(e.member_id(), ": ", RoleNames(e.previous_roles()), " -> ", RoleNames(e.roles()));
    }
    case v1::Event::kMemberDeactivated:
      return absl::StrCat(event.member_deactivated().member_id(), " deactivated: ",
                          event.member_deactivated().reason());
    case v1::Event::kMemberReactivated:
      return absl::StrCat(event.member_reactivated().member_id(), " reactivated");
    case v1::Event::kMeetingScheduled: {
      const auto& e = event.meeting_scheduled();
      return absl::StrCat(e.member_id().empty() ? "team meeting" : absl::StrCat("one-to-one with ", e.member_id()),
                          ", ", ShortEnumName(v1::MeetingCadence_Name(e.cadence()), "MEETING_CADENCE_", e.cadence()),
                          ": ", e.title());
    }
    case v1::Event::kMinutesRecorded: {
      const auto& e = event.minutes_recorded();
      return absl::StrCat("minutes revision ", e.revision(), " (", e.attendees_size(), " attended)",
                          e.correction_reason().empty() ? "" : ", corrected: ", e.correction_reason());
    }
    case v1::Event::kMeetingCancelled:
      return absl::StrCat("cancelled: ", event.meeting_cancelled().reason());
    case v1::Event::kActionItemAdded: {
      const auto& e = event.action_item_added();
      return absl::StrCat(e.owner(), " by ", e.due_date(), ": ", e.title());
    }
    case v1::Event::kActionItemCompleted:
      return absl::StrCat("done", event.action_item_completed().note().empty() ? "" : ": ",
                          event.action_item_completed().note());
    case v1::Event::kActionItemCancelled:
      return absl::StrCat("cancelled: ", event.action_item_cancelled().reason());
    case v1::Event::kReviewFeedbackRecorded: {
      const auto& e = event.review_feedback_recorded();
      return absl::StrCat("feedback v", e.version(), " on ", e.member_id(), "'s review for ", e.period(), " (",
                          e.goals_size(), " goals, review ", e.review().input_digest().empty() ? "not pinned" : "pinned",
                          ")", e.correction_reason().empty() ? "" : ", corrected: ", e.correction_reason());
    }
    case v1::Event::kReviewFeedbackAcknowledged: {
      const auto& e = event.review_feedback_acknowledged();
      return absl::StrCat(e.member_id(), " acknowledged feedback v", e.version(), " for ", e.period(),
                          e.comment().empty() ? "" : ": ", e.comment());
    }
    case v1::Event::kTrainingSessionRecorded: {
      const auto& e = event.training_session_recorded();
      return absl::StrCat("training '", e.topic(), "' (", TrainingCategoryName(e.category()), ", ",
                          e.duration_minutes(), " min) by ", e.trainer());
    }
    case v1::Event::kTrainingAttendanceRecorded: {
      const auto& e = event.training_attendance_recorded();
      return absl::StrCat(e.member_id(), " attended ", e.minutes(), " min of training ", e.session_id(),
                          e.correction_reason().empty() ? "" : ", corrected: ", e.correction_reason());
    }
    case v1::Event::kAccountOpened: {
      const auto& e = event.account_opened();
      return absl::StrCat("account ", e.account_id(), " opened for ", e.company(), " by lead ", e.lead_id());
    }
    case v1::Event::BODY_NOT_SET:
      return "";
  }
  return "";
}

}  // namespace salesops::domain
