// The lifecycle scenario's plan, kept pure so it can be tested: which leads
// go where, which command each closed-loop client sends next, and which of
// them are deliberately refused.
//
// Of every 10 leads: 1 is disqualified after identification, 2 are lost in
// negotiation, 7 are won, and a won deal's order is confirmed, shipped and
// delivered, a ticket opened and resolved, and a survey recorded (the journey
// of tests/e2e/division_of_labour_e2e_test.cc). Every 10th command of a
// client is a command the lead's stage does not allow, which the server must
// refuse with FAILED_PRECONDITION: the error path under load.
#ifndef SALESOPS_CLIENT_BENCH_LIFECYCLE_PLAN_H_
#define SALESOPS_CLIENT_BENCH_LIFECYCLE_PLAN_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/common.pb.h"

namespace salesops::bench {

enum class Step {
  kIdentify,
  kQualify,
  kDisqualify,
  kRecordNeeds,
  kProposeSolution,
  kSendQuote,
  kStartNegotiation,
  kWinDeal,
  kLoseDeal,
  kConfirmOrder,
  kShipOrder,
  kDeliverOrder,
  kOpenTicket,
  kResolveTicket,
  kRecordSurvey,
};

// The RPC name, e.g. "QualifyLead".
absl::string_view StepName(Step step);

// The role whose member sends the step (docs/ROLES.md). Rep steps are sent
// by the lead's owner.
v1::Role RoleOf(Step step);

// The steps of the `n`-th lead's journey (n counts from 0).
std::vector<Step> JourneyOf(uint64_t n);

// The command a client sends next.
struct PlannedCommand {
  Step step;
  bool refusal = false;  // true: the lead's stage does not allow it
  uint64_t lead = 0;     // the number of the lead it addresses
};

// One closed-loop client's walk through its leads. Not thread-safe: each
// client owns one, and the driver never overlaps one client's operations.
class JourneyCursor {
 public:
  // The next command. When the current lead's journey is over (or was
  // abandoned) it starts a new lead numbered `new_lead_number()`. Every 10th
  // command is instead a refusal, sent to the last lead the client identified: WinDeal while the
  // lead is only IDENTIFIED, otherwise QualifyLead (allowed only from
  // IDENTIFIED). Never a refusal before the client's first lead exists.
  PlannedCommand Next(absl::FunctionRef<uint64_t()> new_lead_number);

  // Records the outcome of the last Next(): a refusal only counts; a step
  // that succeeded advances; a step that failed abandons the lead.
  void Completed(bool ok);

 private:
  std::vector<Step> steps_;
  size_t index_ = 0;           // the next step of steps_
  uint64_t lead_ = 0;
  uint64_t commands_ = 0;      // commands completed so far
  bool lead_exists_ = false;      // an IdentifyLead of this client succeeded
  uint64_t existing_lead_ = 0;    // the last lead it identified
  bool identified_only_ = false;  // that lead's last success was IdentifyLead
  PlannedCommand last_{Step::kIdentify, false};
};

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_LIFECYCLE_PLAN_H_
