// The order decider: order processing by sales support (stream
// "order-<lead_id>"; the order id is the lead id, one order per won deal).
// Pure. The state is the Order view itself.
#ifndef SALESOPS_SERVER_DOMAIN_ORDER_H_
#define SALESOPS_SERVER_DOMAIN_ORDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "salesops/v1/orders.pb.h"

namespace salesops::domain {

inline constexpr absl::string_view kOrderStreamPrefix = "order-";
std::string OrderStreamId(absl::string_view order_id);

// "CONFIRMED" for ORDER_STATUS_CONFIRMED.
std::string OrderStatusName(v1::OrderStatus status);
// OPEN, CONFIRMED and SHIPPED orders are open work.
bool IsOpenOrder(v1::OrderStatus status);

// One row of the order status table.
struct OrderRule {
  v1::OrderCommand::CommandCase command;
  absl::string_view action;                 // RPC name, e.g. "ShipOrder"
  std::vector<v1::OrderStatus> allowed_from;
  v1::OrderStatus to;                       // UNSPECIFIED: no status change (AssignOrder)
};

// The status table: every order command, the statuses it is allowed from
// and the status it moves the order to. (OrderOpened is not a command: the
// process step "a won deal opens an order" appends it, process_steps.cc.)
const std::vector<OrderRule>& OrderRules();

// The rule for `command` (a "(none)" row allowed from nothing for
// COMMAND_NOT_SET).
const OrderRule& OrderRuleFor(v1::OrderCommand::CommandCase command);

absl::string_view OrderIdOf(const v1::OrderCommand& command);
const v1::CommandOptions& OptionsOf(const v1::OrderCommand& command);

// INVALID_ARGUMENT naming the field.
absl::Status ValidateOrderCommand(const v1::OrderCommand& command);

// Decides an order command against `order` (order_id empty: no such order).
// `command` must have passed ValidateOrderCommand (domain::Decide validates
// once; not again here). Errors: NOT_FOUND, ABORTED (expected_version),
// FAILED_PRECONDITION (the status does not allow it; names the status and
// the allowed ones).
absl::StatusOr<std::vector<v1::Event>> DecideOrder(const v1::Order& order, const v1::OrderCommand& command);

// The event that opens the order of a won lead.
v1::Event OrderOpenedFor(absl::string_view lead_id, const v1::Money& amount, absl::string_view owner);

// Folds one committed event of an order stream.
void EvolveOrder(v1::Order& order, const v1::EventEnvelope& envelope);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_ORDER_H_
