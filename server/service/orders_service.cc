#include "server/service/orders_service.h"

#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"
#include "server/service/submit.h"

namespace salesops::service {

grpc::ServerUnaryReactor* OrdersService::Submit(grpc::CallbackServerContext* context, v1::OrderCommand command,
                                                v1::OrderCommandReply* reply) {
  v1::Command wrapped;
  *wrapped.mutable_order() = std::move(command);
  return SubmitCommand(context, access_->tokens(), *sequencer_, std::move(wrapped),
                       [reply](v1::CommandReply&& r) { *reply = std::move(*r.mutable_order()); });
}

#define SALESOPS_ORDER_COMMAND(Method, Request, field)                                               \
  grpc::ServerUnaryReactor* OrdersService::Method(grpc::CallbackServerContext* context,              \
                                                  const v1::Request* request,                        \
                                                  v1::OrderCommandReply* reply) {                    \
    v1::OrderCommand command;                                                                        \
    *command.mutable_##field() = *request;                                                           \
    return Submit(context, std::move(command), reply);                                               \
  }

SALESOPS_ORDER_COMMAND(ConfirmOrder, ConfirmOrderRequest, confirm)
SALESOPS_ORDER_COMMAND(ShipOrder, ShipOrderRequest, ship)
SALESOPS_ORDER_COMMAND(DeliverOrder, DeliverOrderRequest, deliver)
SALESOPS_ORDER_COMMAND(CancelOrder, CancelOrderRequest, cancel)
SALESOPS_ORDER_COMMAND(AssignOrder, AssignOrderRequest, assign)

#undef SALESOPS_ORDER_COMMAND

grpc::ServerUnaryReactor* OrdersService::GetOrder(grpc::CallbackServerContext* context,
                                                  const v1::GetOrderRequest* request, v1::Order* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) -> absl::Status {
    if (absl::Status s = domain::ValidateId("order_id", request->order_id()); !s.ok()) return s;
    std::optional<v1::Order> order = orders_->Order(request->order_id());
    if (!order.has_value()) return absl::NotFoundError(absl::StrCat("order '", request->order_id(), "' not found"));
    *reply = std::move(*order);
    return absl::OkStatus();
  });
}

}  // namespace salesops::service
