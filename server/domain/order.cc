#include "server/domain/order.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"

namespace salesops::domain {
namespace {

using O = v1::OrderCommand;
using v1::OrderStatus;

v1::OrderTransition Transition(OrderStatus from, OrderStatus to) {
  v1::OrderTransition t;
  t.set_from_status(from);
  t.set_to_status(to);
  return t;
}

}  // namespace

const std::vector<OrderRule>& OrderRules() {
  static const std::vector<OrderRule>* const rules = new std::vector<OrderRule>{
      {O::kConfirm, "ConfirmOrder", {v1::ORDER_STATUS_OPEN}, v1::ORDER_STATUS_CONFIRMED},
      {O::kShip, "ShipOrder", {v1::ORDER_STATUS_CONFIRMED}, v1::ORDER_STATUS_SHIPPED},
      {O::kDeliver, "DeliverOrder", {v1::ORDER_STATUS_SHIPPED}, v1::ORDER_STATUS_DELIVERED},
      {O::kCancel,
       "CancelOrder",
       {v1::ORDER_STATUS_OPEN, v1::ORDER_STATUS_CONFIRMED, v1::ORDER_STATUS_SHIPPED},
       v1::ORDER_STATUS_CANCELLED},
      {O::kAssign,
       "AssignOrder",
       {v1::ORDER_STATUS_OPEN, v1::ORDER_STATUS_CONFIRMED, v1::ORDER_STATUS_SHIPPED},
       v1::ORDER_STATUS_UNSPECIFIED},
  };
  return *rules;
}

const OrderRule& OrderRuleFor(v1::OrderCommand::CommandCase command) {
  for (const OrderRule& rule : OrderRules()) {
    if (rule.command == command) return rule;
  }
  static const OrderRule* const none = new OrderRule{O::COMMAND_NOT_SET, "(none)", {}, v1::ORDER_STATUS_UNSPECIFIED};
  return *none;
}

std::string OrderStreamId(absl::string_view order_id) { return absl::StrCat(kOrderStreamPrefix, order_id); }

std::string OrderStatusName(v1::OrderStatus status) {
  const std::string& full = v1::OrderStatus_Name(status);
  return full.size() > 13 ? full.substr(13) : absl::StrCat(static_cast<int>(status));
}

bool IsOpenOrder(v1::OrderStatus status) {
  return status == v1::ORDER_STATUS_OPEN || status == v1::ORDER_STATUS_CONFIRMED ||
         status == v1::ORDER_STATUS_SHIPPED;
}

absl::string_view OrderIdOf(const v1::OrderCommand& command) {
  switch (command.command_case()) {
    case O::kConfirm: return command.confirm().order_id();
    case O::kShip: return command.ship().order_id();
    case O::kDeliver: return command.deliver().order_id();
    case O::kCancel: return command.cancel().order_id();
    case O::kAssign: return command.assign().order_id();
    case O::COMMAND_NOT_SET: break;
  }
  return {};
}

const v1::CommandOptions& OptionsOf(const v1::OrderCommand& command) {
  switch (command.command_case()) {
    case O::kConfirm: return command.confirm().options();
    case O::kShip: return command.ship().options();
    case O::kDeliver: return command.deliver().options();
    case O::kCancel: return command.cancel().options();
    case O::kAssign: return command.assign().options();
    case O::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

absl::Status ValidateOrderCommand(const v1::OrderCommand& command) {
  if (command.command_case() == O::COMMAND_NOT_SET) return absl::InvalidArgumentError("command: is required");
  // Every field violation at once (errors::FieldViolations).
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));
  v.Add(ValidateId("order_id", OrderIdOf(command)));
  const TextKind multi = TextKind::kMultiLine;
  switch (command.command_case()) {
    case O::kConfirm:
      v.Add(ValidateText("note", command.confirm().note(), 0, kMaxShortTextChars, multi));
      break;
    case O::kShip: {
      v.Add(ValidateText("carrier", command.ship().carrier(), 1, kMaxPersonChars));
      v.Add(ValidateId("tracking_number", command.ship().tracking_number()));
      break;
    }
    case O::kDeliver:
      v.Add(ValidateText("note", command.deliver().note(), 0, kMaxShortTextChars, multi));
      break;
    case O::kCancel:
      v.Add(ValidateText("reason", command.cancel().reason(), 1, kMaxShortTextChars, multi));
      break;
    case O::kAssign:
      v.Add(ValidateId("assignee", command.assign().assignee()));
      v.Add(ValidateText("reason", command.assign().reason(), 1, kMaxShortTextChars, multi));
      break;
    case O::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

absl::StatusOr<std::vector<v1::Event>> DecideOrder(const v1::Order& order, const v1::OrderCommand& command) {
  const std::string id(OrderIdOf(command));
  if (order.order_id().empty()) return errors::NotFound("order", id, absl::StrCat("order '", id, "' not found"));
  const v1::CommandOptions& options = OptionsOf(command);
  if (options.has_expected_version() && options.expected_version() != order.version()) {
    return errors::VersionConflict("order", id, order.version(), options.expected_version());
  }
  const OrderRule& rule = OrderRuleFor(command.command_case());
  if (std::find(rule.allowed_from.begin(), rule.allowed_from.end(), order.status()) == rule.allowed_from.end()) {
    return errors::NotAllowedIn(
        errors::kOrderStatusNotAllowed, "order", id, "ORDER_STATUS", "status", OrderStatusName(order.status()),
        rule.action,
        absl::StrCat("order '", id, "' is ", OrderStatusName(order.status()), "; ", rule.action,
                     " is allowed only when ",
                     absl::StrJoin(rule.allowed_from, " or ", [](std::string* out, OrderStatus s) {
                       absl::StrAppend(out, OrderStatusName(s));
                     })));
  }
  std::vector<v1::Event> events(1);
  const v1::OrderTransition t = Transition(order.status(), rule.to);
  switch (command.command_case()) {
    case O::kConfirm:
      events[0].mutable_order_confirmed()->set_note(command.confirm().note());
      *events[0].mutable_order_confirmed()->mutable_order_transition() = t;
      break;
    case O::kShip:
      events[0].mutable_order_shipped()->set_carrier(command.ship().carrier());
      events[0].mutable_order_shipped()->set_tracking_number(command.ship().tracking_number());
      *events[0].mutable_order_shipped()->mutable_order_transition() = t;
      break;
    case O::kDeliver:
      events[0].mutable_order_delivered()->set_note(command.deliver().note());
      *events[0].mutable_order_delivered()->mutable_order_transition() = t;
      break;
    case O::kCancel:
      events[0].mutable_order_cancelled()->set_reason(command.cancel().reason());
      *events[0].mutable_order_cancelled()->mutable_order_transition() = t;
      break;
    case O::kAssign: {
      auto* e = events[0].mutable_order_assigned();
      e->set_assignee(command.assign().assignee());
      e->set_role(v1::ROLE_SALES_SUPPORT);
      e->set_previous_assignee(order.assignee());
      e->set_reason(command.assign().reason());
      e->set_manual(true);
      break;
    }
    case O::COMMAND_NOT_SET:
      break;
  }
  return events;
}

v1::Event OrderOpenedFor(absl::string_view lead_id, const v1::Money& amount, absl::string_view owner) {
  v1::Event event;
  auto* e = event.mutable_order_opened();
  e->set_order_id(std::string(lead_id));
  e->set_lead_id(std::string(lead_id));
  *e->mutable_amount() = amount;
  e->set_owner(std::string(owner));
  *e->mutable_order_transition() = Transition(v1::ORDER_STATUS_UNSPECIFIED, v1::ORDER_STATUS_OPEN);
  return event;
}

void EvolveOrder(v1::Order& order, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  order.set_version(envelope.stream_version());
  *order.mutable_last_occurred_at() = envelope.occurred_at();
  const v1::OrderTransition* t = nullptr;
  switch (event.body_case()) {
    case v1::Event::kOrderOpened: {
      const auto& e = event.order_opened();
      order.set_order_id(e.order_id());
      order.set_lead_id(e.lead_id());
      *order.mutable_amount() = e.amount();
      order.set_owner(e.owner());
      *order.mutable_opened_at() = envelope.occurred_at();
      t = &e.order_transition();
      break;
    }
    case v1::Event::kOrderConfirmed:
      t = &event.order_confirmed().order_transition();
      break;
    case v1::Event::kOrderShipped:
      order.set_carrier(event.order_shipped().carrier());
      order.set_tracking_number(event.order_shipped().tracking_number());
      t = &event.order_shipped().order_transition();
      break;
    case v1::Event::kOrderDelivered:
      t = &event.order_delivered().order_transition();
      break;
    case v1::Event::kOrderCancelled:
      order.set_cancel_reason(event.order_cancelled().reason());
      t = &event.order_cancelled().order_transition();
      break;
    case v1::Event::kOrderAssigned:
      order.set_assignee(event.order_assigned().assignee());
      *order.mutable_assigned_at() = envelope.occurred_at();
      break;
    default:
      break;
  }
  if (t != nullptr) {
    order.set_status(t->to_status());
    *order.mutable_status_changed_at() = envelope.occurred_at();
    if (!IsOpenOrder(t->to_status())) order.clear_assignee();
  }
}

}  // namespace salesops::domain
