// The cross-aggregate process steps (compose.h, ProcessStep): each reacts to
// one kind of decided event by deciding for another aggregate, in the same
// atomic batch. Listed in ProcessSteps() (compose.cc).
#include "absl/strings/strip.h"
#include "server/domain/compose.h"
#include "server/domain/events.h"

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

}  // namespace

const ProcessStep kWonDealOpensOrder{"a won deal opens an order handed to SALES_SUPPORT", v1::Event::kDealWon,
                                     OpenOrderOfWonDeal};

}  // namespace salesops::domain
