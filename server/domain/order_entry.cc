// The order aggregate's entry in the composition (compose.h): authorization
// (sales support acts on an open order), the manual assignment's check and
// explanation, the fold into State and the reply. The order's own rules are
// DecideOrder's (order.h); orders are opened by a process step
// (process_steps.cc: a won deal opens its order).
#include "server/common/status_macros.h"
#include "server/domain/compose.h"
#include "server/domain/policy.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
namespace {

absl::Status DecideOrderEntry(const State& state, const v1::Command& command, const DecideContext& context,
                              CommandDecision& decision) {
  const std::string order_id(OrderIdOf(command.order()));
  const v1::Order& order = state.Order(order_id);
  const v1::Role awaits = IsOpenOrder(order.status()) ? v1::ROLE_SALES_SUPPORT : v1::ROLE_UNSPECIFIED;
  SALESOPS_ASSIGN_OR_RETURN(Authorization auth, Authorize(state.team, context.actor, command, "", awaits));
  decision.acted_as = auth.acted_as;
  decision.override_reason = std::move(auth.override_reason);
  SALESOPS_ASSIGN_OR_RETURN(
      decision.occurred_at,
      BusinessTime(OptionsOf(command.order()), context.now,
                   order.has_last_occurred_at() ? FromProtoTime(order.last_occurred_at()) : absl::InfinitePast(),
                   "order"));
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::Event> events, DecideOrder(order, command.order()));
  if (command.order().has_assign()) {
    SALESOPS_RETURN_IF_ERROR(RequireActiveMember(state.team, command.order().assign().assignee(),
                                                 v1::ROLE_SALES_SUPPORT, "assignee", MemberCheck::kEligible));
    *events.back().mutable_order_assigned()->mutable_explanation() =
        ExplainManual(state.team, state.workload, v1::ROLE_SALES_SUPPORT, context.actor);
  }
  decision.streams.push_back({OrderStreamId(order_id), order.version(), std::move(events)});
  decision.order_id = order_id;
  return absl::OkStatus();
}

void EvolveOrderEntry(State& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  v1::Order& order = state.orders[id];
  const std::string previous = order.assignee();
  EvolveOrder(order, envelope);
  MoveLoad(state.workload, previous, order.assignee(), envelope.position());
}

v1::CommandReply OrderReply(const State& state, const CommandDecision& decision, uint64_t position) {
  v1::CommandReply reply;
  const v1::Order& order = state.Order(decision.order_id);
  v1::OrderCommandReply* r = reply.mutable_order();
  r->set_order_id(decision.order_id);
  r->set_version(order.version());
  r->set_position(position);
  r->set_status(order.status());
  return reply;
}

absl::Status ValidateOrderEntry(const v1::Command& command) { return ValidateOrderCommand(command.order()); }
const v1::CommandOptions& OrderOptions(const v1::Command& command) { return OptionsOf(command.order()); }

}  // namespace

const Aggregate kOrderAggregate{
    "order",          v1::Command::kOrder, kOrderStreamPrefix, false, ValidateOrderEntry, OrderOptions,
    DecideOrderEntry, EvolveOrderEntry,   OrderReply,
};

}  // namespace salesops::domain
