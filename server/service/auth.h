// Authentication against the tokens file: bearer tokens, and client
// certificates verified by mutual TLS (tls.h).
//
// Tokens file: one "CREDENTIAL MEMBER_ID" pair per line; blank lines and
// lines starting with '#' are ignored. CREDENTIAL is
//   TOKEN        the token itself (at least 16 characters of printable
//                ASCII, no spaces),
//   sha256:HEX   the 64 hex digits of the token's SHA-256 (so the file need
//                not hold the secret),
//   x509:NAME    a client certificate whose common name or one of whose
//                subject alternative names (DNS, URI, e-mail) is NAME; it
//                counts only when the client CA verified it.
// Requests carry "authorization: Bearer TOKEN", or come over a connection
// with a mapped client certificate; when both, they must name the same
// member. Only SHA-256 digests of tokens are kept in memory, and a token is
// found by its digest, with a constant-time comparison.
#ifndef SALESOPS_SERVER_SERVICE_AUTH_H_
#define SALESOPS_SERVER_SERVICE_AUTH_H_

#include <atomic>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "projections/team_directory.h"
#include "server/domain/read_policy.h"

namespace salesops::service {

// Thread-safe. The token set is replaced whole by ReloadFromFile (on
// SIGHUP): a call authenticates against the old set or the new one, never
// a mix.
class TokenAuthenticator {
 public:
  // Reads `path`. Errors: NOT_FOUND (no file), INVALID_ARGUMENT naming the
  // line that is malformed or repeats a token.
  static absl::StatusOr<std::unique_ptr<TokenAuthenticator>> FromFile(const std::string& path);
  // Parses the file's text; same errors.
  static absl::StatusOr<std::unique_ptr<TokenAuthenticator>> FromText(absl::string_view text);

  // The member id of the request's bearer token or, without one, of its
  // verified client certificate; UNAUTHENTICATED when neither is there, the
  // header is malformed or names an unknown token, the certificate is not
  // mapped (or maps to two members), or token and certificate disagree;
  // UNAVAILABLE once StopAdmitting was called. Every RPC of ours starts here, so this is
  // where a draining server turns new calls away.
  absl::StatusOr<std::string> Authenticate(const grpc::ServerContextBase& context) const;
  // As Authenticate, also while draining: who a call came from, for logs.
  absl::StatusOr<std::string> Identify(const grpc::ServerContextBase& context) const;

  // From now on Authenticate answers UNAVAILABLE ("shutting down; retry
  // elsewhere"): the first step of a drain (SalesopsServer::Shutdown).
  void StopAdmitting() { draining_.store(true, std::memory_order_release); }
  // OK, or the UNAVAILABLE (SHUTTING_DOWN) Authenticate answers once
  // StopAdmitting was called (for calls that authenticate otherwise: nodes).
  absl::Status Admitting() const;
  absl::StatusOr<std::string> AuthenticateHeader(absl::string_view authorization) const;

  // Tokens and certificate names in force.
  size_t size() const;

  // Reads `path` and, when it parses, replaces the token set atomically
  // (calls in flight finish as they were authenticated). Errors as
  // FromFile's; the old set then stays in force. Returns the new count.
  absl::StatusOr<size_t> ReloadFromFile(const std::string& path);

 private:
  mutable absl::Mutex mu_;
  struct Credentials {
    absl::flat_hash_map<std::string, std::string> tokens;        // SHA-256(token) -> member id
    absl::flat_hash_map<std::string, std::string> certificates;  // certificate name -> member id
  };
  // The member of the call's verified client certificate: std::nullopt when
  // no certificate names are mapped or the peer has no verified certificate.
  std::optional<absl::StatusOr<std::string>> CertificateMember(const grpc::ServerContextBase& context) const;

  Credentials credentials_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> draining_{false};
};

// Who may read: an authenticated token whose member is in the team and
// active. Commands are authorized in the decide path instead (policy.h),
// against the team at the moment they are decided.
class ReadAccess {
 public:
  ReadAccess(const TokenAuthenticator* tokens, const projections::TeamDirectory* team)
      : tokens_(tokens), team_(team) {}

  // The member id; UNAUTHENTICATED (no or bad token) or PERMISSION_DENIED
  // (member unknown or deactivated).
  absl::StatusOr<std::string> Check(const grpc::ServerContextBase& context) const;

  // As Check, and the member must hold one of `roles`; otherwise
  // PERMISSION_DENIED naming the roles `what` needs. Prefer CheckRead for a
  // whole RPC, so its rule lives in the one table.
  absl::StatusOr<v1::Member> CheckRole(const grpc::ServerContextBase& context,
                                       std::initializer_list<v1::Role> roles, absl::string_view what) const;
  // As Check, then the rule of `rpc` ("Audit.ReadLog") in the one read-rule
  // table (server/domain/read_policy.h); `lead` names the owner and assignee
  // of the lead the call is about, when it is about one known lead.
  // PERMISSION_DENIED naming the roles (and lead rule) needed.
  absl::StatusOr<v1::Member> CheckRead(const grpc::ServerContextBase& context, absl::string_view rpc,
                                       const domain::LeadParties* lead = nullptr) const;
  // CheckRead's rule check alone, for a member already checked.
  absl::StatusOr<v1::Member> RequireReadRule(const std::string& member_id, absl::string_view rpc,
                                             const domain::LeadParties* lead = nullptr) const;
  // The role check alone, for a member already checked.
  absl::StatusOr<v1::Member> RequireRole(const std::string& member_id, std::initializer_list<v1::Role> roles,
                                         absl::string_view what) const;

  const TokenAuthenticator& tokens() const { return *tokens_; }

 private:
  const TokenAuthenticator* const tokens_;
  const projections::TeamDirectory* const team_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_AUTH_H_
