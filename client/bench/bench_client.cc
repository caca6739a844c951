#include "bench_client.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace salesops::bench {

BenchClient::BenchClient(const std::string& target, int channels) {
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    // Channels with equal arguments may share one subchannel (connection);
    // a distinct value keeps them apart.
    args.SetInt("salesops.bench.channel", i);
    Stubs s;
    s.channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    s.admin = v1::Admin::NewStub(s.channel);
    s.audit = v1::Audit::NewStub(s.channel);
    s.leads = v1::Leads::NewStub(s.channel);
    s.orders = v1::Orders::NewStub(s.channel);
    s.support = v1::Support::NewStub(s.channel);
    s.team = v1::Team::NewStub(s.channel);
    s.views = v1::Views::NewStub(s.channel);
    stubs_.push_back(std::move(s));
  }
}

void PrepareContext(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
}

}  // namespace salesops::bench
