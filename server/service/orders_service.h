// salesops.v1.Orders: order processing. Commands go through the sequencer
// (authorized there); GetOrder reads the OrderDirectory projection.
#ifndef SALESOPS_SERVER_SERVICE_ORDERS_SERVICE_H_
#define SALESOPS_SERVER_SERVICE_ORDERS_SERVICE_H_

#include "projections/views.h"
#include "salesops/v1/orders.grpc.pb.h"
#include "server/engine/sequencer.h"
#include "server/service/auth.h"
#include "server/service/checked_unary.h"

namespace salesops::service {

class OrdersService final : public CheckedUnaryService<v1::Orders> {
 public:
  // Borrows everything; all must outlive the service.
  OrdersService(const ReadAccess* access, engine::Sequencer* sequencer, const projections::Views* orders)
      : CheckedUnaryService(&access->tokens()), access_(access), sequencer_(sequencer), orders_(orders) {
    Check(&OrdersService::ConfirmOrder);
    Check(&OrdersService::ShipOrder);
    Check(&OrdersService::DeliverOrder);
    Check(&OrdersService::CancelOrder);
    Check(&OrdersService::AssignOrder);
    Check(&OrdersService::GetOrder);
    RequireAllChecked();
  }

  grpc::ServerUnaryReactor* ConfirmOrder(grpc::CallbackServerContext* context,
                                         const v1::ConfirmOrderRequest* request,
                                         v1::OrderCommandReply* reply) override;
  grpc::ServerUnaryReactor* ShipOrder(grpc::CallbackServerContext* context, const v1::ShipOrderRequest* request,
                                      v1::OrderCommandReply* reply) override;
  grpc::ServerUnaryReactor* DeliverOrder(grpc::CallbackServerContext* context,
                                         const v1::DeliverOrderRequest* request,
                                         v1::OrderCommandReply* reply) override;
  grpc::ServerUnaryReactor* CancelOrder(grpc::CallbackServerContext* context,
                                        const v1::CancelOrderRequest* request,
                                        v1::OrderCommandReply* reply) override;
  grpc::ServerUnaryReactor* AssignOrder(grpc::CallbackServerContext* context,
                                        const v1::AssignOrderRequest* request,
                                        v1::OrderCommandReply* reply) override;
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context, const v1::GetOrderRequest* request,
                                     v1::Order* reply) override;

 private:
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context, v1::OrderCommand command,
                                   v1::OrderCommandReply* reply);

  const ReadAccess* const access_;
  engine::Sequencer* const sequencer_;
  const projections::Views* const orders_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_ORDERS_SERVICE_H_
