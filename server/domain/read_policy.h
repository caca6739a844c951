// Who may read what: the one table deciding the role-restricted reads
// (docs/ROLES.md, "Reads"). Pure: no I/O, no team lookup; the caller passes
// the member as the team knows it now and, for a call about one lead, that
// lead's owner and assignee. Thread-safe.
//
// Reads not in the table (GetLead, ListMembers, the views, ...) need only an
// active member; the service checks that before asking here.
#ifndef SALESOPS_SERVER_DOMAIN_READ_POLICY_H_
#define SALESOPS_SERVER_DOMAIN_READ_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/team.pb.h"

namespace salesops::domain {

struct ReadRule {
  absl::string_view rpc;         // "Audit.ReadLog"
  std::vector<v1::Role> roles;   // holding any one of them is enough
  // True: a member that owns, or is assigned, the lead the call is about may
  // read it without those roles.
  bool lead_parties = false;
};

// The lead a call is about: its current owner and assignee.
struct LeadParties {
  std::string owner;
  std::string assignee;
};

// Every rule, in documentation order.
const std::vector<ReadRule>& ReadRules();

// The rule for `rpc` ("Service.Method"), or nullptr.
const ReadRule* FindReadRule(absl::string_view rpc);

// OK when `member` may call `rpc`: it holds one of the rule's roles, or the
// rule admits lead parties and `lead` names it as owner or assignee.
// PERMISSION_DENIED naming the roles needed (and the lead rule) otherwise,
// and for an RPC without a rule (fail closed). `member` must be active (the
// caller checked).
absl::Status AuthorizeRead(absl::string_view rpc, const v1::Member& member, const LeadParties* lead = nullptr);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_READ_POLICY_H_
