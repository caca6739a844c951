// Calls a salesops method by name, with request and reply messages built
// from the generated descriptors (no generated stubs needed).
#ifndef SALESOPS_CLIENT_SALESCTL_RPC_CLIENT_H_
#define SALESOPS_CLIENT_SALESCTL_RPC_CLIENT_H_

#include <functional>
#include <memory>

#include "commands.h"
#include "global_options.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"

namespace salesctl {

using ReplyHandler = std::function<void(const google::protobuf::Message&)>;

// The transport, behind an interface so that tests can replace the server.
class RpcClient {
 public:
  virtual ~RpcClient() = default;

  // Sends `request` (of the method's input type) to `command` on
  // `options.server` and returns the call's final status. `on_reply` runs for
  // each reply, in order, on one thread at a time: once for a successful
  // unary call, once per message of a server stream (also when the stream
  // later fails). Client-streaming and bidi methods fail with UNIMPLEMENTED
  // without contacting the server. Blocks until the call is over.
  virtual grpc::Status Call(const GlobalOptions& options, const Command& command,
                            const google::protobuf::Message& request, const ReplyHandler& on_reply) = 0;
};

// The real transport: an insecure channel per server address, kept for the
// client's lifetime (one connection for all of a run's calls),
// "authorization: Bearer <token>" metadata when the token is not empty, and a
// deadline of options.timeout (default 10 s for unary calls, none for server
// streams). Thread-safe: calls may run concurrently.
std::unique_ptr<RpcClient> NewGrpcRpcClient();

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_RPC_CLIENT_H_
