#include "bench_client.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace salesops::bench {

absl::StatusOr<std::unique_ptr<BenchClient>> BenchClient::Connect(const std::string& target, int channels,
                                                                   const client::ChannelSecurity& security) {
  auto client = std::make_unique<BenchClient>();
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    // Channels with equal arguments may share one subchannel (connection);
    // a distinct value keeps them apart.
    args.SetInt("salesops.bench.channel", i);
    Stubs s;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::NewChannel(target, security, args);
    if (!channel.ok()) return channel.status();
    s.channel = *std::move(channel);
    s.admin = v1::Admin::NewStub(s.channel);
    s.audit = v1::Audit::NewStub(s.channel);
    s.leads = v1::Leads::NewStub(s.channel);
    s.orders = v1::Orders::NewStub(s.channel);
    s.support = v1::Support::NewStub(s.channel);
    s.team = v1::Team::NewStub(s.channel);
    s.views = v1::Views::NewStub(s.channel);
    client->stubs_.push_back(std::move(s));
  }
  return client;
}

void PrepareContext(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
}

}  // namespace salesops::bench
