// The data of "salesctl demo": a team and a few hundred customers' histories
// as the RPC requests that record them. Pure and deterministic: the same
// options give the same requests, byte for byte, request ids included, so a
// second run against the same server is answered from the server's
// idempotency records and appends nothing (demo.h runs the plan).
//
// How the history is recorded (docs/CLI.md, "demo"): the only token is the
// ADMIN's, and the server takes the actor from the token, so every event
// names that member as its actor. It acts as:
//   * ADMIN for the team (AddMember) and to backfill business time
//     (options.occurred_at) on every lead, order and ticket event;
//   * SALES_MANAGER where the responsibility table allows a manager
//     (IdentifyLead naming the owning rep, ReopenLead, CancelOrder,
//     SetTarget, SetScoringPolicy);
//   * SALES_MANAGER with an explicit options.override_reason for every other
//     action, the reason naming the team member on whose behalf it was
//     recorded ("salesctl demo: backfilled for 赵磊 (zhao_lei) as
//     BD_MANAGER").
// Credit that the server derives from ownership and assignment (the lead's
// owner, the member handed the work) goes to the team members; credit that
// it derives from the actor (e.g. a BD manager's qualifications) stays with
// the importing member, which is what the events truthfully say.
//
// Who takes each piece of work is named in the request (options.assign_to)
// wherever the server would otherwise pick the least-loaded member, so the
// outcome does not depend on the order concurrent requests arrive in; the
// closing "fresh" leads are left to the server's least-loaded rule.
#ifndef SALESOPS_CLIENT_SALESCTL_DEMO_PLAN_H_
#define SALESOPS_CLIENT_SALESCTL_DEMO_PLAN_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "salesops/v1/common.pb.h"

namespace salesctl {

struct DemoPlanOptions {
  uint64_t seed = 1;
  int leads = 300;  // 1..kMaxDemoLeads
  // The latest business time: every backfilled event happens at or before
  // it, the first about 120 days earlier. Must not be in the server's future.
  absl::Time anchor;
  // The member the token belongs to, which records everything.
  std::string actor;
};

inline constexpr int kMaxDemoLeads = 5000;
// Most stories sent at once. With the default 300 leads every member's load
// stays below its capacity by at least this much, so a named member is never
// passed over, whatever order concurrent stories arrive in.
inline constexpr int kMaxDemoParallel = 16;
// How far back the first lead is identified.
inline constexpr absl::Duration kDemoHistory = absl::Hours(24 * 120);

struct DemoMember {
  std::string id;            // "zhao_lei"
  std::string display_name;  // "赵磊"
  std::vector<salesops::v1::Role> roles;
  uint32_t capacity;
};

// One request of the plan.
struct DemoCall {
  std::string rpc;  // the generic command's qualified name, "leads.identify-lead"
  std::unique_ptr<google::protobuf::Message> request;
};

// One customer: its lead, then its order, tickets and surveys, in the order
// they must be sent (business times ascend on every stream).
struct DemoStory {
  std::string lead_id;
  std::vector<DemoCall> calls;
  std::string company;                         // as its lead gives it
  absl::Time won_at = absl::InfinitePast();    // the deal's win; InfinitePast when not won
};

// What the plan records, for the summary.
struct DemoCounts {
  int leads = 0, won = 0, lost = 0, disqualified = 0, open = 0, reopened = 0;
  int orders = 0, delivered = 0, cancelled = 0, tickets = 0, tickets_reopened = 0, surveys = 0;
  int targets = 0, policies = 0, fresh_leads = 0;
  int meetings = 0, action_items = 0, action_items_done = 0;
  int feedback = 0;  // members whose last month's review has feedback
  int follow_ups = 0;  // low surveys today, each opening a follow-up ticket
  int returning = 0;  // leads of customers that had bought before (repeat business)
  int referrals = 0;  // leads referred by such a customer's account
  int training_sessions = 0;  // training sessions recorded
  int attendances = 0;        // first attendance records (corrections not counted)
  int calls = 0;  // in stories and closing
  // Open items each member is left holding (leads, orders, tickets) once
  // every story has run, before the fresh leads.
  std::map<std::string, int> open_items;
};

struct DemoPlan {
  std::vector<DemoMember> members;
  std::vector<DemoCall> team;      // AddMember: first, one at a time
  std::vector<DemoStory> stories;  // after the team, any number at once
  // Then customers coming back and those they referred (they need the
  // stories' accounts): any number at once.
  std::vector<DemoStory> returning;
  std::vector<DemoCall> closing;   // then these, one at a time: targets, policies, fresh leads
  DemoCounts counts;
};

// The team every plan uses (ids are pinyin with '_', so they do not clash
// with the README's examples).
const std::vector<DemoMember>& DemoTeam();

// AddMember for every member of DemoTeam(), in order; they do not depend on
// the plan's options and go first, one at a time.
std::vector<DemoCall> DemoTeamCalls();

// The lead id of story `index` (1-based): "demo-0042" for seed 1,
// "demo7-0042" for seed 7.
std::string DemoLeadId(uint64_t seed, int index);

DemoPlan BuildDemoPlan(const DemoPlanOptions& options);

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_DEMO_PLAN_H_
