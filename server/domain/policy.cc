#include "server/domain/policy.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/errors.h"
#include "server/domain/state.h"

namespace salesops::domain {
namespace {

using v1::ROLE_ADMIN;
using v1::ROLE_BD_MANAGER;
using v1::ROLE_SALES_MANAGER;
using v1::ROLE_SALES_REP;

// The row index of a command in the table below.
size_t RowOf(const v1::Command& command) {
  if (command.has_lead()) {
    switch (command.lead().command_case()) {
      case v1::LeadCommand::kIdentify: return 0;
      case v1::LeadCommand::kQualify: return 1;
      case v1::LeadCommand::kDisqualify: return 2;
      case v1::LeadCommand::kRecordNeeds: return 3;
      case v1::LeadCommand::kProposeSolution: return 4;
      case v1::LeadCommand::kSendQuote: return 5;
      case v1::LeadCommand::kStartNegotiation: return 6;
      case v1::LeadCommand::kWinDeal: return 7;
      case v1::LeadCommand::kLoseDeal: return 8;
      case v1::LeadCommand::kReopen: return 9;
      case v1::LeadCommand::kUpdate: return 10;
      case v1::LeadCommand::kAssign: return 16;
      case v1::LeadCommand::kChangeOwner: return 17;
      case v1::LeadCommand::COMMAND_NOT_SET: break;
    }
  } else if (command.has_order()) {
    switch (command.order().command_case()) {
      case v1::OrderCommand::kConfirm: return 18;
      case v1::OrderCommand::kShip: return 19;
      case v1::OrderCommand::kDeliver: return 20;
      case v1::OrderCommand::kCancel: return 21;
      case v1::OrderCommand::kAssign: return 29;
      case v1::OrderCommand::COMMAND_NOT_SET: break;
    }
  } else if (command.has_support()) {
    switch (command.support().command_case()) {
      case v1::SupportCommand::kOpen: return 22;
      case v1::SupportCommand::kAssign: return 23;
      case v1::SupportCommand::kResolve: return 24;
      case v1::SupportCommand::kClose: return 25;
      case v1::SupportCommand::kReopen: return 26;
      case v1::SupportCommand::kSurvey: return 27;
      case v1::SupportCommand::COMMAND_NOT_SET: break;
    }
  } else if (command.has_meeting()) {
    switch (command.meeting().command_case()) {
      case v1::MeetingCommand::kSchedule: return 31;
      case v1::MeetingCommand::kMinutes: return 32;
      case v1::MeetingCommand::kCancel: return 33;
      case v1::MeetingCommand::COMMAND_NOT_SET: break;
    }
  } else if (command.has_action_item()) {
    switch (command.action_item().command_case()) {
      case v1::ActionItemCommand::kAdd: return 34;
      case v1::ActionItemCommand::kComplete: return 35;
      case v1::ActionItemCommand::kCancel: return 36;
      case v1::ActionItemCommand::COMMAND_NOT_SET: break;
    }
  } else if (command.has_review_feedback()) {
    switch (command.review_feedback().command_case()) {
      case v1::ReviewFeedbackCommand::kRecord: return 37;
      case v1::ReviewFeedbackCommand::kAcknowledge: return 38;
      case v1::ReviewFeedbackCommand::COMMAND_NOT_SET: break;
    }
  } else if (command.has_training()) {
    switch (command.training().command_case()) {
      case v1::TrainingCommand::kRecordSession: return 39;
      case v1::TrainingCommand::kRecordAttendance: return 40;
      case v1::TrainingCommand::COMMAND_NOT_SET: break;
    }
  } else if (command.has_team()) {
    switch (command.team().command_case()) {
      case v1::TeamCommand::kAddMember: return 11;
      case v1::TeamCommand::kSetRoles: return 12;
      case v1::TeamCommand::kDeactivate: return 13;
      case v1::TeamCommand::kReactivate: return 14;
      case v1::TeamCommand::kBootstrap: return 15;
      case v1::TeamCommand::kSetTarget: return 28;
      case v1::TeamCommand::kSetScoringPolicy: return 30;
      case v1::TeamCommand::COMMAND_NOT_SET: break;
    }
  }
  return 41;
}

// The member an assignment command names (AssignLead, AssignTicket).
absl::string_view AssigneeOf(const v1::Command& command) {
  if (command.has_lead() && command.lead().has_assign()) return command.lead().assign().assignee();
  if (command.has_support() && command.support().has_assign()) return command.support().assign().assignee();
  if (command.has_order() && command.order().has_assign()) return command.order().assign().assignee();
  return {};
}

std::string RoleList(const std::vector<v1::Role>& roles) {
  return absl::StrJoin(roles, " or ", [](std::string* out, v1::Role r) { absl::StrAppend(out, RoleName(r)); });
}

std::string HeldRoles(const v1::Member& member) {
  if (member.roles().empty()) return "no role";
  return absl::StrJoin(member.roles(), ", ", [](std::string* out, int r) {
    absl::StrAppend(out, RoleName(static_cast<v1::Role>(r)));
  });
}

// Who a refused command needs: "role SALES_MANAGER", "the owner ('rep1')",
// or both.
std::string Needed(const Responsibility& row, absl::string_view owner) {
  std::string out = row.roles.empty() ? "" : absl::StrCat("role ", RoleList(row.roles));
  if (row.owner_may_act) {
    absl::StrAppend(&out, out.empty() ? "" : ", or ", "its owner acting for itself ('", owner, "')");
  }
  return out;
}

}  // namespace

const std::vector<Responsibility>& ResponsibilityTable() {
  static const std::vector<Responsibility>* const table = new std::vector<Responsibility>{
      {"IdentifyLead", {ROLE_SALES_REP, ROLE_SALES_MANAGER}},
      {"QualifyLead", {ROLE_BD_MANAGER}, false, true},
      {"DisqualifyLead", {ROLE_BD_MANAGER}, false, true},
      {"RecordNeeds", {ROLE_BD_MANAGER}, false, true},
      {"ProposeSolution", {ROLE_SALES_REP}, true, true},
      {"SendQuote", {ROLE_SALES_REP}, true, true},
      {"StartNegotiation", {ROLE_SALES_REP}, true, true},
      {"WinDeal", {ROLE_SALES_REP}, true, true},
      {"LoseDeal", {ROLE_SALES_REP}, true, true},
      {"ReopenLead", {ROLE_SALES_MANAGER}},
      {"UpdateLead", {ROLE_SALES_REP, ROLE_BD_MANAGER, ROLE_SALES_MANAGER}, true},
      {"AddMember", {ROLE_ADMIN}},
      {"SetMemberRoles", {ROLE_ADMIN}},
      {"DeactivateMember", {ROLE_ADMIN}},
      {"ReactivateMember", {ROLE_ADMIN}},
      {"BootstrapAdmin", {ROLE_ADMIN}, false, false, true},
      {"AssignLead", {ROLE_SALES_MANAGER}, false, false, false, true},
      {"ChangeOwner", {ROLE_SALES_MANAGER}},
      {"ConfirmOrder", {v1::ROLE_SALES_SUPPORT}, false, true},
      {"ShipOrder", {v1::ROLE_SALES_SUPPORT}, false, true},
      {"DeliverOrder", {v1::ROLE_SALES_SUPPORT}, false, true},
      {"CancelOrder", {ROLE_SALES_MANAGER}},
      {"OpenTicket", {v1::ROLE_AFTER_SALES}, false, true},
      {"AssignTicket", {ROLE_SALES_MANAGER}, false, false, false, true},
      {"ResolveTicket", {v1::ROLE_AFTER_SALES}, false, true},
      {"CloseTicket", {v1::ROLE_AFTER_SALES}, false, true},
      {"ReopenTicket", {v1::ROLE_AFTER_SALES}, false, true},
      {"RecordSurvey", {v1::ROLE_AFTER_SALES, ROLE_SALES_REP}, true, true},
      {"SetTarget", {ROLE_SALES_MANAGER}},
      {"AssignOrder", {ROLE_SALES_MANAGER}, false, false, false, true},
      {"SetScoringPolicy", {ROLE_SALES_MANAGER}},
      {"ScheduleMeeting", {ROLE_SALES_MANAGER}},
      {"RecordMinutes", {ROLE_SALES_MANAGER}},
      {"CancelMeeting", {ROLE_SALES_MANAGER}},
      {"AddActionItem", {ROLE_SALES_MANAGER}, false, false, false, false, true},
      {"CompleteActionItem", {}, false, true, false, false, true},
      {"CancelActionItem", {ROLE_SALES_MANAGER}, false, false, false, false, true},
      {"RecordReviewFeedback", {ROLE_SALES_MANAGER, ROLE_ADMIN}},
      {"AcknowledgeReviewFeedback", {}, false, false, false, false, true},
      {"RecordTrainingSession", {ROLE_SALES_MANAGER, ROLE_ADMIN}},
      {"RecordTrainingAttendance", {ROLE_SALES_MANAGER, ROLE_ADMIN}},
      {"(no command)", {}},
  };
  return *table;
}

const Responsibility& ResponsibilityFor(const v1::Command& command) { return ResponsibilityTable()[RowOf(command)]; }

absl::StatusOr<Authorization> Authorize(const TeamState& team, absl::string_view actor,
                                        const v1::Command& command, absl::string_view lead_owner,
                                        v1::Role lead_awaits) {
  const Responsibility& row = ResponsibilityFor(command);
  if (row.system_only || actor == kSystemActor) {
    if (row.system_only && actor == kSystemActor) return Authorization{v1::ROLE_ADMIN, ""};
    return errors::WithReason(
        absl::PermissionDeniedError(absl::StrCat(row.action, " is not available to '", actor, "'")),
        errors::kSystemOnly, {{"action", std::string(row.action)}, {"member_id", std::string(actor)}});
  }
  const v1::Member* member = team.Find(actor);
  if (member == nullptr) {
    return errors::WithReason(
        absl::PermissionDeniedError(
            absl::StrCat("member '", actor, "' is not in the team; an ADMIN must add it (Team.AddMember)")),
        errors::kMemberNotInTeam, {{"member_id", std::string(actor)}});
  }
  if (!member->active()) {
    return errors::WithReason(absl::PermissionDeniedError(absl::StrCat("member '", actor, "' is deactivated")),
                              errors::kMemberDeactivated, {{"member_id", std::string(actor)}});
  }
  const v1::CommandOptions& options = OptionsOf(command);
  if (options.has_occurred_at() && !HasRole(*member, v1::ROLE_ADMIN)) {
    return errors::WithReason(
        absl::PermissionDeniedError(
            absl::StrCat("options.occurred_at: backfilling business time needs role ADMIN; member '", actor,
                         "' holds ", HeldRoles(*member))),
        errors::kRoleRequired,
        {{"action", std::string(row.action)}, {"required_roles", "ADMIN"}, {"member_id", std::string(actor)},
         {"member_roles", HeldRoles(*member)}, {"field", "options.occurred_at"}});
  }

  bool holds_role_but_not_owner = false;
  for (v1::Role role : row.roles) {
    if (!HasRole(*member, role)) continue;
    if (role == ROLE_SALES_REP && row.rep_must_own && !lead_owner.empty() && lead_owner != actor) {
      holds_role_but_not_owner = true;
      continue;
    }
    if (!options.override_reason().empty()) {
      return errors::WithReason(
          absl::InvalidArgumentError(absl::StrCat(
              "options.override_reason: only for a SALES_MANAGER acting outside the responsibility table; member '",
              actor, "' may ", row.action, " as ", RoleName(role))),
          errors::kOverrideNotAllowed, {{"action", std::string(row.action)}, {"member_id", std::string(actor)}});
    }
    return Authorization{role, ""};
  }

  if (row.awaited_role_may_self_assign && lead_awaits != v1::ROLE_UNSPECIFIED &&
      HasRole(*member, lead_awaits) && AssigneeOf(command) == actor) {
    if (!options.override_reason().empty()) {
      return errors::WithReason(
          absl::InvalidArgumentError(absl::StrCat(
              "options.override_reason: only for a SALES_MANAGER acting outside the responsibility table; member '",
              actor, "' may take the work as ", RoleName(lead_awaits))),
          errors::kOverrideNotAllowed, {{"action", std::string(row.action)}, {"member_id", std::string(actor)}});
    }
    return Authorization{lead_awaits, ""};
  }
  if (row.owner_may_act && !lead_owner.empty() && lead_owner == actor && member->roles_size() > 0) {
    if (!options.override_reason().empty()) {
      return errors::WithReason(
          absl::InvalidArgumentError(absl::StrCat(
              "options.override_reason: only for a SALES_MANAGER acting outside the responsibility table; member '",
              actor, "' may ", row.action, " as the owner")),
          errors::kOverrideNotAllowed, {{"action", std::string(row.action)}, {"member_id", std::string(actor)}});
    }
    return Authorization{member->roles(0), ""};
  }
  if (row.manager_may_override && HasRole(*member, ROLE_SALES_MANAGER)) {
    if (!options.override_reason().empty()) return Authorization{ROLE_SALES_MANAGER, options.override_reason()};
    return errors::WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            row.action, " needs ", Needed(row, lead_owner), holds_role_but_not_owner ? " owning the lead" : "",
            "; a SALES_MANAGER may act outside the responsibility table only with options.override_reason")),
        errors::kOverrideReasonRequired,
        {{"action", std::string(row.action)}, {"required_roles", RoleList(row.roles)}, {"member_id", std::string(actor)},
         {"field", "options.override_reason"}});
  }
  if (holds_role_but_not_owner) {
    return errors::WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            row.action, " needs the lead's owning SALES_REP ('", lead_owner, "'); member '", actor,
            "' is not the owner (a SALES_MANAGER can change the owner)")),
        errors::kOwnerRequired,
        {{"action", std::string(row.action)}, {"owner", std::string(lead_owner)}, {"member_id", std::string(actor)}});
  }
  return errors::WithReason(
      absl::PermissionDeniedError(absl::StrCat(row.action, " needs ", Needed(row, lead_owner), "; member '",
                                               actor, "' holds ", HeldRoles(*member))),
      errors::kRoleRequired,
      {{"action", std::string(row.action)}, {"required_roles", RoleList(row.roles)}, {"member_id", std::string(actor)},
       {"member_roles", HeldRoles(*member)}});
}

}  // namespace salesops::domain
