#include "rpc_client.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"  // SerializationTraits<Message>
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_callback.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
using MessageStub = grpc::TemplatedGenericStub<pb::Message, pb::Message>;

std::unique_ptr<pb::Message> NewReply(const Command& command) {
  const pb::Message* prototype =
      pb::MessageFactory::generated_factory()->GetPrototype(command.method->output_type());
  return std::unique_ptr<pb::Message>(prototype->New());
}

// Reads a server stream: sends the one request, half-closes, then hands
// every reply to the handler until the server ends the call.
class StreamReader final : public grpc::ClientBidiReactor<pb::Message, pb::Message> {
 public:
  StreamReader(const pb::Message& request, std::unique_ptr<pb::Message> reply, const ReplyHandler& on_reply)
      : request_(request), reply_(std::move(reply)), on_reply_(on_reply) {}

  void Start() {
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(reply_.get());
    StartCall();
  }

  grpc::Status Wait() {
    done_.WaitForNotification();
    return status_;
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    on_reply_(*reply_);
    reply_->Clear();
    StartRead(reply_.get());
  }

  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }

 private:
  const pb::Message& request_;
  std::unique_ptr<pb::Message> reply_;
  const ReplyHandler& on_reply_;
  grpc::Status status_;
  absl::Notification done_;
};

class GrpcRpcClient final : public RpcClient {
 public:
  // One channel per server address for the client's lifetime: "salesctl
  // demo" makes thousands of calls, and a channel per call would mean a new
  // connection per call.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFor(const GlobalOptions& options) {
    absl::MutexLock lock(&mu_);
    std::shared_ptr<grpc::Channel>& channel = channels_[options.server];
    if (channel == nullptr) {
      absl::StatusOr<std::shared_ptr<grpc::Channel>> made = salesops::client::NewChannel(options.server, options.security);
      if (!made.ok()) return made.status();
      channel = *std::move(made);
    }
    return channel;
  }

  grpc::Status Call(const GlobalOptions& options, const Command& command, const pb::Message& request,
                    const ReplyHandler& on_reply) override {
    if (command.method->client_streaming()) {
      return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "salesctl cannot call client-streaming methods");
    }
    grpc::ClientContext context;
    std::optional<absl::Duration> timeout = options.timeout;
    if (!timeout.has_value() && !command.method->server_streaming()) {
      timeout = kDefaultUnaryTimeout;
    }
    if (timeout.has_value()) {
      context.set_deadline(absl::ToChronoTime(absl::Now() + *timeout));
    }
    if (!options.token.empty()) {
      context.AddMetadata("authorization", "Bearer " + options.token);
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ChannelFor(options);
    if (!channel.ok()) {  // a TLS flag's file: the caller's mistake, named
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(channel.status().message()));
    }
    MessageStub stub(*std::move(channel));
    const std::string path = command.RpcPath();

    if (command.method->server_streaming()) {
      StreamReader reader(request, NewReply(command), on_reply);
      stub.PrepareBidiStreamingCall(&context, path, grpc::StubOptions(), &reader);
      reader.Start();
      return reader.Wait();
    }

    std::unique_ptr<pb::Message> reply = NewReply(command);
    grpc::Status result;
    absl::Notification done;
    stub.UnaryCall(&context, path, grpc::StubOptions(), &request, reply.get(),
                   [&result, &done](grpc::Status status) {
                     result = std::move(status);
                     done.Notify();
                   });
    done.WaitForNotification();
    if (result.ok()) on_reply(*reply);
    return result;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<RpcClient> NewGrpcRpcClient() { return std::make_unique<GrpcRpcClient>(); }

}  // namespace salesctl
