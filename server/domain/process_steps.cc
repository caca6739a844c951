// The cross-aggregate process steps (compose.h, ProcessStep): each reacts to
// one kind of decided event by deciding for another aggregate, in the same
// atomic batch. Listed in ProcessSteps() (compose.cc).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/domain/account.h"
#include "server/domain/compose.h"
#include "server/domain/events.h"
#include "server/domain/ticket.h"

namespace salesops::domain {
namespace {

// A won deal opens its order (order id = lead id), handed to the member
// named with the WinDeal's options.assign_to when eligible, else to the
// least-loaded SALES_SUPPORT (Choose), with the explanation.
absl::Status OpenOrderOfWonDeal(const State& state, const DecidedEvent& decided,
                                std::vector<StreamDecision>& caused) {
  const absl::string_view lead_id = absl::StripPrefix(decided.stream_id, kLeadStreamPrefix);
  StreamDecision& order = caused.emplace_back();
  order.stream_id = OrderStreamId(lead_id);
  order.expected_version = state.Order(lead_id).version();
  order.events.push_back(OrderOpenedFor(lead_id, decided.event.deal_won().final_amount(), state.Lead(lead_id).owner));
  Choice choice = Choose(state.team, state.workload, v1::ROLE_SALES_SUPPORT, OptionsOf(decided.command).assign_to(),
                         "", "");
  v1::OrderAssigned* assigned = order.events.emplace_back().mutable_order_assigned();
  assigned->set_assignee(std::move(choice.assignee));
  assigned->set_role(v1::ROLE_SALES_SUPPORT);
  *assigned->mutable_explanation() = std::move(choice.explanation);
  return absl::OkStatus();
}

// The follow-up ticket of a survey: "followup-<ticket_id>" (or
// "followup-<lead_id>" for a deal's survey without a ticket); past the id
// limit of 64, the first 55 characters and 8 hex digits of a hash of the
// rest, so two sources never share one.
std::string FollowUpTicketId(const v1::SurveyRecorded& survey) {
  const std::string id = absl::StrCat("followup-", survey.ticket_id().empty() ? survey.lead_id() : survey.ticket_id());
  if (id.size() <= 64) return id;
  uint32_t hash = 2166136261u;  // FNV-1a: stable across builds and machines
  for (unsigned char c : id) hash = (hash ^ c) * 16777619u;
  char hex[9];
  for (int i = 7; i >= 0; --i, hash >>= 4) hex[i] = "0123456789abcdef"[hash & 0xF];
  hex[8] = '\0';
  return absl::StrCat(id.substr(0, 55), "-", hex);
}

// A survey with any score below the latest scoring policy's follow_up_below
// opens a follow-up ticket on the deal, handed to the least-loaded
// AFTER_SALES (Choose), with the reason. One per survey source: when the
// follow-up of the same ticket (or deal) exists already, it carries on.
absl::Status OpenFollowUpOfLowSurvey(const State& state, const DecidedEvent& decided,
                                     std::vector<StreamDecision>& caused) {
  if (state.team.policies.empty()) return absl::OkStatus();
  const v1::ScoringPolicy& policy = state.team.policies.back();
  const int32_t below = static_cast<int32_t>(policy.follow_up_below());
  const v1::SurveyRecorded& survey = decided.event.survey_recorded();
  const int32_t lowest = std::min({survey.product_quality(), survey.service_attitude(), survey.response_speed()});
  if (below == 0 || lowest >= below) return absl::OkStatus();
  const std::string ticket_id = FollowUpTicketId(survey);
  if (!state.Ticket(ticket_id).ticket_id().empty()) return absl::OkStatus();
  const std::string source = survey.ticket_id().empty() ? absl::StrCat("deal '", survey.lead_id(), "'")
                                                        : absl::StrCat("ticket '", survey.ticket_id(), "'");
  std::string reason = absl::StrCat(
      "survey of ", source, " scored product quality ", survey.product_quality(), ", service attitude ",
      survey.service_attitude(), ", response speed ", survey.response_speed(), "; below ", below,
      " (follow_up_below of scoring policy v", policy.version(), ")");
  StreamDecision& ticket = caused.emplace_back();
  ticket.stream_id = TicketStreamId(ticket_id);
  ticket.expected_version = 0;
  ticket.events.push_back(FollowUpOpened(ticket_id, survey.lead_id(),
                                         absl::StrCat("满意度回访 Follow-up of a low survey (", source, ")"),
                                         survey.comment(), std::move(reason)));
  Choice choice = Choose(state.team, state.workload, v1::ROLE_AFTER_SALES, "", "", "");
  v1::TicketAssigned* assigned = ticket.events.emplace_back().mutable_ticket_assigned();
  assigned->set_assignee(std::move(choice.assignee));
  assigned->set_role(v1::ROLE_AFTER_SALES);
  *assigned->mutable_explanation() = std::move(choice.explanation);
  return absl::OkStatus();
}

// An identification naming an account no event has opened opens it (the
// account id ResolveAccount wrote into the LeadIdentified).
absl::Status OpenAccountOfIdentifiedLead(const State& state, const DecidedEvent& decided,
                                         std::vector<StreamDecision>& caused) {
  const v1::LeadIdentified& identified = decided.event.lead_identified();
  if (identified.account_id().empty() || state.accounts.Find(identified.account_id()) != nullptr) {
    return absl::OkStatus();
  }
  StreamDecision& account = caused.emplace_back();
  account.stream_id = AccountStreamId(identified.account_id());
  account.expected_version = 0;
  account.events.push_back(AccountOpenedBy(identified, absl::StripPrefix(decided.stream_id, kLeadStreamPrefix)));
  return absl::OkStatus();
}

}  // namespace

const ProcessStep kIdentifiedLeadOpensAccount{"an identification naming a new account opens it",
                                              v1::Event::kLeadIdentified, OpenAccountOfIdentifiedLead};

const ProcessStep kLowSurveyOpensFollowUp{"a survey below the policy's threshold opens a follow-up for AFTER_SALES",
                                          v1::Event::kSurveyRecorded, OpenFollowUpOfLowSurvey};

const ProcessStep kWonDealOpensOrder{"a won deal opens an order handed to SALES_SUPPORT", v1::Event::kDealWon,
                                     OpenOrderOfWonDeal};

}  // namespace salesops::domain
