#include "server/domain/read_policy.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/errors.h"
#include "server/domain/team.h"

namespace salesops::domain {
namespace {

// Who reads the audit trail: managers, admins and the read-only auditors
// (service accounts of internal systems usually hold AUDITOR).
const std::vector<v1::Role> kAuditTrail = {v1::ROLE_ADMIN, v1::ROLE_SALES_MANAGER, v1::ROLE_AUDITOR};
const std::vector<v1::Role> kAdmin = {v1::ROLE_ADMIN};

}  // namespace

const std::vector<ReadRule>& ReadRules() {
  static const std::vector<ReadRule>* const kRules = new std::vector<ReadRule>{
      {"Audit.GetLeadHistory", kAuditTrail, /*lead_parties=*/true},
      {"Audit.ListStageChanges", kAuditTrail, /*lead_parties=*/true},
      {"Audit.ReadLog", kAuditTrail},
      {"Audit.Subscribe", kAuditTrail, /*lead_parties=*/true},  // one lead's stream
      {"Audit.VerifyLog", kAuditTrail},
      {"Audit.GetLogDigest", kAuditTrail},
      {"Admin.Ping", kAdmin},
      {"Admin.RebuildProjections", kAdmin},
      {"Admin.Backup", kAdmin},
      {"Admin.ImportEvents", kAdmin},
      {"Admin.GetClusterStatus", kAdmin},
      // Another member's review feedback (a member reads its own).
      {"Coaching.GetReviewFeedback", kAuditTrail},
  };
  return *kRules;
}

const ReadRule* FindReadRule(absl::string_view rpc) {
  for (const ReadRule& rule : ReadRules()) {
    if (rule.rpc == rpc) return &rule;
  }
  return nullptr;
}

absl::Status AuthorizeRead(absl::string_view rpc, const v1::Member& member, const LeadParties* lead) {
  const ReadRule* rule = FindReadRule(rpc);
  if (rule == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(rpc, " has no access rule; refused"));
  }
  for (int held : member.roles()) {
    for (v1::Role wanted : rule->roles) {
      if (held == wanted) return absl::OkStatus();
    }
  }
  if (rule->lead_parties && lead != nullptr && !member.member_id().empty() &&
      (lead->owner == member.member_id() || lead->assignee == member.member_id())) {
    return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (v1::Role wanted : rule->roles) names.push_back(RoleName(wanted));
  if (rule->lead_parties) {
    return errors::WithReason(
        absl::PermissionDeniedError(absl::StrCat(rpc, " needs the role ", absl::StrJoin(names, " or "),
                                                 ", or the lead's owner or assignee; member '", member.member_id(),
                                                 "' is neither")),
        errors::kRoleRequired,
        {{"action", std::string(rpc)}, {"required_roles", absl::StrJoin(names, " or ")},
         {"member_id", member.member_id()}, {"or", "lead_owner_or_assignee"}});
  }
  return errors::WithReason(
      absl::PermissionDeniedError(absl::StrCat(rpc, " needs the role ", absl::StrJoin(names, " or "), "; member '",
                                               member.member_id(), "' does not hold it")),
      errors::kRoleRequired,
      {{"action", std::string(rpc)}, {"required_roles", absl::StrJoin(names, " or ")},
       {"member_id", member.member_id()}});
}

}  // namespace salesops::domain
