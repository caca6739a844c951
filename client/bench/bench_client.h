// The gRPC side of the bench: channels and stubs to one server, and
// CallAsync, which makes one unary call with the callback API and hands the
// status and reply to a continuation.
#ifndef SALESOPS_CLIENT_BENCH_BENCH_CLIENT_H_
#define SALESOPS_CLIENT_BENCH_BENCH_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client/tls/channel.h"
#include "absl/functional/any_invocable.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/orders.grpc.pb.h"
#include "salesops/v1/support.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"

namespace salesops::bench {

// Every call's deadline: long enough for any healthy server, short enough
// that a hung one ends the run instead of hanging it.
inline constexpr std::chrono::seconds kCallDeadline{30};

struct Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Admin::Stub> admin;
  std::unique_ptr<v1::Audit::Stub> audit;
  std::unique_ptr<v1::Leads::Stub> leads;
  std::unique_ptr<v1::Orders::Stub> orders;
  std::unique_ptr<v1::Support::Stub> support;
  std::unique_ptr<v1::Team::Stub> team;
  std::unique_ptr<v1::Views::Stub> views;
};

// Channels to one server. Client i of a run uses channel i modulo their
// number. Thread-safe (stubs are).
class BenchClient {
 public:
  BenchClient() = default;
  // `channels` separate connections (each channel gets its own TCP
  // connection: they are created with distinct channel arguments), secured
  // as `security` says (plaintext by default). Errors: client/tls/channel.h.
  static absl::StatusOr<std::unique_ptr<BenchClient>> Connect(
      const std::string& target, int channels, const client::ChannelSecurity& security = {});

  const Stubs& ForClient(int client) const { return stubs_[static_cast<size_t>(client) % stubs_.size()]; }
  const Stubs& Main() const { return stubs_.front(); }

 private:
  std::vector<Stubs> stubs_;
};

// Sets the bearer token and the deadline of a call.
void PrepareContext(grpc::ClientContext& context, const std::string& token);

template <typename Response>
using CallDone = absl::AnyInvocable<void(const grpc::Status&, const Response&) &&>;

// Makes one asynchronous unary call. `start` issues it, given the context,
// request and response it must use and the completion callback, e.g.
//   [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->GetLead(c, q, r, std::move(cb)); }
// (SALESOPS_BENCH_ASYNC writes that). `done` runs once, on a gRPC thread.
template <typename Response, typename Request, typename Start>
void CallAsync(const std::string& token, Request request, Start&& start, CallDone<Response> done) {
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
    CallDone<Response> done;
  };
  auto* call = new Call;
  PrepareContext(call->context, token);
  call->request = std::move(request);
  call->done = std::move(done);
  start(&call->context, &call->request, &call->response, [call](grpc::Status status) {
    std::unique_ptr<Call> owned(call);
    std::move(owned->done)(status, owned->response);
  });
}

// The `start` argument of CallAsync for method `Method` of stub pointer `stub`.
#define SALESOPS_BENCH_ASYNC(stub, Method)                                    \
  [s = (stub)](auto* context, auto* request, auto* response, auto callback) { \
    s->async()->Method(context, request, response, std::move(callback));      \
  }

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_BENCH_CLIENT_H_
