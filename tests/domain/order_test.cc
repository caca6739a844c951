// The order decider as given(status) / when(command) / then(event or error),
// and the open-order load it leaves in the decider state.
#include "server/domain/order.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/state.h"
#include "tests/common/testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

using O = v1::OrderCommand;
const v1::OrderStatus kStatuses[] = {v1::ORDER_STATUS_OPEN, v1::ORDER_STATUS_CONFIRMED, v1::ORDER_STATUS_SHIPPED,
                                     v1::ORDER_STATUS_DELIVERED, v1::ORDER_STATUS_CANCELLED};

O Command(O::CommandCase which) {
  O c;
  switch (which) {
    case O::kConfirm: c.mutable_confirm()->set_order_id("D1"); break;
    case O::kShip:
      c.mutable_ship()->set_order_id("D1");
      c.mutable_ship()->set_carrier("中通快递");
      c.mutable_ship()->set_tracking_number("ZT-778899");
      break;
    case O::kDeliver: c.mutable_deliver()->set_order_id("D1"); break;
    case O::kCancel:
      c.mutable_cancel()->set_order_id("D1");
      c.mutable_cancel()->set_reason("客户取消合同");
      break;
    case O::kAssign:
      c.mutable_assign()->set_order_id("D1");
      c.mutable_assign()->set_assignee("sup2");
      c.mutable_assign()->set_reason("从队列领取");
      break;
    case O::COMMAND_NOT_SET: break;
  }
  return c;
}

v1::Order At(v1::OrderStatus status) {
  v1::Order o;
  o.set_order_id("D1");
  o.set_status(status);
  o.set_version(3);
  return o;
}

struct Row {
  O::CommandCase command;
  std::vector<v1::OrderStatus> allowed;
  v1::OrderStatus to;
};

// The specified lifecycle: OPEN -> CONFIRMED -> SHIPPED -> DELIVERED, or
// CANCELLED from any open status.
const Row kTable[] = {
    {O::kConfirm, {v1::ORDER_STATUS_OPEN}, v1::ORDER_STATUS_CONFIRMED},
    {O::kShip, {v1::ORDER_STATUS_CONFIRMED}, v1::ORDER_STATUS_SHIPPED},
    {O::kDeliver, {v1::ORDER_STATUS_SHIPPED}, v1::ORDER_STATUS_DELIVERED},
    {O::kCancel, {v1::ORDER_STATUS_OPEN, v1::ORDER_STATUS_CONFIRMED, v1::ORDER_STATUS_SHIPPED},
     v1::ORDER_STATUS_CANCELLED},
    // AssignOrder keeps the status (to = UNSPECIFIED here means unchanged).
    {O::kAssign, {v1::ORDER_STATUS_OPEN, v1::ORDER_STATUS_CONFIRMED, v1::ORDER_STATUS_SHIPPED},
     v1::ORDER_STATUS_UNSPECIFIED},
};

TEST(OrderDeciderTest, EveryCommandFromEveryStatus) {
  for (const Row& row : kTable) {
    for (v1::OrderStatus status : kStatuses) {
      SCOPED_TRACE(absl::StrCat(row.command, " from ", OrderStatusName(status)));
      auto events = DecideOrder(At(status), Command(row.command));
      const bool allowed = std::find(row.allowed.begin(), row.allowed.end(), status) != row.allowed.end();
      if (!allowed) {
        EXPECT_THAT(events, StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr(absl::StrCat("is ", OrderStatusName(status), ";"))));
        continue;
      }
      ASSERT_THAT(events, IsOk());
      ASSERT_EQ(events->size(), 1u);
      v1::Order after = At(status);
      v1::EventEnvelope e;
      e.set_stream_version(4);
      *e.mutable_event() = (*events)[0];
      EvolveOrder(after, e);
      EXPECT_EQ(after.status(), row.to == v1::ORDER_STATUS_UNSPECIFIED ? status : row.to);
      if (row.command == O::kAssign) {
        EXPECT_EQ(after.assignee(), "sup2");
      }
      EXPECT_EQ(after.version(), 4u);
    }
  }
}

TEST(OrderDeciderTest, UnknownOrderStaleVersionAndBadFields) {
  EXPECT_THAT(DecideOrder(v1::Order(), Command(O::kConfirm)), StatusIs(absl::StatusCode::kNotFound, HasSubstr("'D1'")));
  O stale = Command(O::kConfirm);
  stale.mutable_confirm()->mutable_options()->set_expected_version(1);
  EXPECT_THAT(DecideOrder(At(v1::ORDER_STATUS_OPEN), stale), StatusIs(absl::StatusCode::kAborted, HasSubstr("version 3")));
  O ship = Command(O::kShip);
  ship.mutable_ship()->clear_carrier();
  EXPECT_THAT(ValidateOrderCommand(ship), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("carrier:")));
  ship = Command(O::kShip);
  ship.mutable_ship()->set_tracking_number("有空格 1");
  EXPECT_THAT(ValidateOrderCommand(ship), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("tracking_number:")));
  O cancel = Command(O::kCancel);
  cancel.mutable_cancel()->clear_reason();
  EXPECT_THAT(ValidateOrderCommand(cancel), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason:")));
}

TEST(OrderLoadTest, AnOpenOrderCountsForItsAssigneeUntilItCloses) {
  State state;
  const auto apply = [&](uint64_t position, v1::Event event) {
    v1::EventEnvelope e;
    e.set_position(position);
    e.set_stream_id("order-D1");
    e.set_stream_version(position);
    *e.mutable_event() = std::move(event);
    Evolve(state, e);
  };
  v1::Money amount;
  amount.set_amount_minor(100);
  amount.set_currency("CNY");
  apply(1, OrderOpenedFor("D1", amount, "rep"));
  v1::Event assigned;
  assigned.mutable_order_assigned()->set_assignee("sup");
  apply(2, assigned);
  EXPECT_EQ(LoadOf(state.workload, "sup").open_items, 1u);
  EXPECT_EQ(LoadOf(state.workload, "sup").last_assigned_position, 2u);
  auto delivered = DecideOrder(At(v1::ORDER_STATUS_SHIPPED), Command(O::kDeliver));
  ASSERT_THAT(delivered, IsOk());
  apply(3, (*delivered)[0]);
  EXPECT_EQ(state.Order("D1").status(), v1::ORDER_STATUS_DELIVERED);
  EXPECT_EQ(state.Order("D1").assignee(), "");
  EXPECT_EQ(LoadOf(state.workload, "sup").open_items, 0u);
}

}  // namespace
}  // namespace salesops::domain
