#include "server/service/cluster_service.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"
#include "server/service/grpc_status.h"
#include "server/service/leader_forwarder.h"
#include "server/service/submit.h"

namespace salesops::service {
namespace {

std::string Sha256(absl::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

// OK when the call carries the node secret whose digest is `digest`.
absl::Status CheckNodeSecret(const grpc::ServerContextBase& context, const std::string& digest) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(kNodeSecretHeader);
  if (it != metadata.end()) {
    const std::string presented = Sha256(absl::string_view(it->second.data(), it->second.size()));
    if (presented.size() == digest.size() && CRYPTO_memcmp(presented.data(), digest.data(), digest.size()) == 0) {
      return absl::OkStatus();
    }
  }
  return errors::WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          kNodeSecretHeader, ": ", it == metadata.end() ? "missing" : "not this cluster's",
          "; salesops.v1.Cluster is for the nodes of this cluster only (clients send commands to any node's "
          "public services)")),
      errors::kNodeSecretRequired);
}

}  // namespace

ClusterService::ClusterService(engine::Sequencer* sequencer, engine::PositionWaiters* waiters,
                               const TokenAuthenticator* auth, std::function<bool()> leading,
                               const std::string& node_secret)
    : sequencer_(sequencer),
      waiters_(waiters),
      auth_(auth),
      leading_(std::move(leading)),
      secret_digest_(Sha256(node_secret)) {}

grpc::ServerUnaryReactor* ClusterService::ForwardCommand(grpc::CallbackServerContext* context,
                                                         const v1::ForwardedCommand* request,
                                                         v1::CommandReply* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status admitted = CheckNodeSecret(*context, secret_digest_);
  if (admitted.ok()) admitted = auth_->Admitting();  // a draining leader decides nothing new
  if (admitted.ok()) admitted = domain::ValidateId("actor", request->actor(), /*allow_dot=*/true);
  if (admitted.ok() && request->command().kind_case() == v1::Command::KIND_NOT_SET) {
    admitted = absl::InvalidArgumentError("command: required");
  }
  if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  SubmitCommandAs(
      context, reactor, *sequencer_, request->actor(), request->command(),
      [reply](v1::CommandReply&& r) { *reply = std::move(r); }, /*may_forward=*/false);
  return reactor;
}

grpc::ServerUnaryReactor* ClusterService::AwaitHead(grpc::CallbackServerContext* context,
                                                    const v1::AwaitHeadRequest* request,
                                                    v1::AwaitHeadResponse* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status admitted = CheckNodeSecret(*context, secret_digest_);
  if (admitted.ok() && !leading_()) {
    admitted = absl::UnavailableError("this node does not lead: ask the lease holder");
  }
  if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted));
    return reactor;
  }
  const absl::Time deadline = std::min(absl::FromChrono(context->deadline()), absl::Now() + kMaxHeadWait);
  // Answered with the head at the deadline too: nothing new is an answer.
  absl::StatusOr<bool> parked = waiters_->Wait(
      reactor, absl::StrCat("node:", request->from_node()), request->after() + 1, deadline,
      [this, reactor, reply](absl::Status waited) {
        reply->set_head(waiters_->position());
        reactor->Finish(waited.ok() || absl::IsDeadlineExceeded(waited) ? grpc::Status::OK : ToGrpcStatus(waited));
      });
  if (parked.ok() && *parked) return reactor;
  reply->set_head(waiters_->position());
  reactor->Finish(parked.ok() ? grpc::Status::OK : ToGrpcStatus(parked.status()));
  return reactor;
}

}  // namespace salesops::service
