#include "server/service/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/team.h"
#include "server/domain/validation.h"

namespace salesops::service {
namespace {

// A tokens file line may name the token by its SHA-256 instead of the token.
constexpr absl::string_view kHashedPrefix = "sha256:";
// ... and a line may map a verified client certificate's name to a member.
constexpr absl::string_view kCertificatePrefix = "x509:";

// SHA-256 of the token's bytes (32 bytes).
std::string TokenDigest(absl::string_view token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenAuthenticator>> TokenAuthenticator::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read tokens file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return FromText(text.str());
}

absl::StatusOr<std::unique_ptr<TokenAuthenticator>> TokenAuthenticator::FromText(absl::string_view text) {
  auto auth = std::make_unique<TokenAuthenticator>();
  absl::MutexLock lock(&auth->mu_);  // not shared yet; the lock keeps the annotations true
  Credentials& credentials = auth->credentials_;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<absl::string_view> parts = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const auto error = [line_number](absl::string_view rule) {
      return absl::InvalidArgumentError(absl::StrCat("tokens file line ", line_number, ": ", rule));
    };
    if (parts.size() != 2) return error("expected 'TOKEN MEMBER_ID', 'sha256:HEX MEMBER_ID' or 'x509:NAME MEMBER_ID'");
    if (absl::Status s = domain::ValidateId("member id", parts[1]); !s.ok()) return error(s.message());
    if (absl::StartsWith(parts[0], kCertificatePrefix)) {
      const absl::string_view name = parts[0].substr(kCertificatePrefix.size());
      if (name.empty() || name.size() > 255 ||
          !std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
        return error("'x509:' must be followed by the certificate's common name or a subject alternative name "
                     "(1 to 255 printable ASCII characters, no spaces)");
      }
      if (!credentials.certificates.emplace(name, parts[1]).second) return error("repeats a certificate name");
      continue;
    }
    std::string digest;
    if (absl::StartsWith(parts[0], kHashedPrefix)) {
      const absl::string_view hex = parts[0].substr(kHashedPrefix.size());
      if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
        return error("'sha256:' must be followed by 64 hex digits (sha256sum of the token)");
      }
      digest = absl::HexStringToBytes(absl::AsciiStrToLower(hex));
    } else if (parts[0].size() < 16) {
      return error("a token must be at least 16 characters");
    } else if (!std::all_of(parts[0].begin(), parts[0].end(), [](char c) { return c > ' ' && c < '\x7f'; })) {
      // A call carries its token in a metadata value, printable ASCII, and
      // AuthenticateHeader trims the whitespace around it: a token with any
      // other byte (a form feed, a UTF-8 letter) could never authenticate.
      return error("a token must be printable ASCII without spaces");
    } else {
      digest = TokenDigest(parts[0]);
    }
    if (!credentials.tokens.emplace(std::move(digest), parts[1]).second) return error("repeats a token");
  }
  return auth;
}

size_t TokenAuthenticator::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return credentials_.tokens.size() + credentials_.certificates.size();
}

absl::StatusOr<size_t> TokenAuthenticator::ReloadFromFile(const std::string& path) {
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<TokenAuthenticator> fresh, FromFile(path));
  Credentials credentials;
  {
    absl::MutexLock lock(&fresh->mu_);
    credentials = std::move(fresh->credentials_);
  }
  absl::MutexLock lock(&mu_);
  std::swap(credentials_, credentials);
  return credentials_.tokens.size() + credentials_.certificates.size();
}

absl::StatusOr<std::string> TokenAuthenticator::AuthenticateHeader(absl::string_view authorization) const {
  constexpr absl::string_view kBearer = "Bearer ";
  if (authorization.empty()) {
    return errors::WithReason(absl::UnauthenticatedError("missing 'authorization: Bearer <token>' metadata"),
                              errors::kTokenMissing);
  }
  if (!absl::StartsWithIgnoreCase(authorization, kBearer)) {
    return errors::WithReason(absl::UnauthenticatedError("authorization metadata must be 'Bearer <token>'"),
                              errors::kTokenMissing);
  }
  const absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kBearer.size()));
  // Looked up by the token's digest: the map compares digests of what the
  // caller sent, so its timing tells nothing about the stored tokens; the
  // final comparison is constant-time besides.
  const std::string digest = TokenDigest(token);
  absl::ReaderMutexLock lock(&mu_);
  auto it = credentials_.tokens.find(digest);
  if (it == credentials_.tokens.end() || CRYPTO_memcmp(it->first.data(), digest.data(), digest.size()) != 0) {
    return errors::WithReason(absl::UnauthenticatedError("unknown token"), errors::kTokenUnknown);
  }
  return it->second;
}

std::optional<absl::StatusOr<std::string>> TokenAuthenticator::CertificateMember(
    const grpc::ServerContextBase& context) const {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (credentials_.certificates.empty()) return std::nullopt;
  }
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  // Only a certificate the client CA verified authenticates its peer.
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return std::nullopt;
  std::vector<std::string> names;
  for (const char* property : {GRPC_X509_CN_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : auth->FindPropertyValues(property)) names.emplace_back(value.data(), value.size());
  }
  std::string member, matched;
  absl::ReaderMutexLock lock(&mu_);
  for (const std::string& name : names) {
    auto it = credentials_.certificates.find(name);
    if (it == credentials_.certificates.end()) continue;
    if (!member.empty() && member != it->second) {
      return errors::WithReason(
          absl::UnauthenticatedError(absl::StrCat("the client certificate's names map to two members: x509:",
                                                  matched, " to '", member, "' and x509:", name, " to '",
                                                  it->second, "'")),
          errors::kIdentityMismatch);
    }
    member = it->second;
    matched = name;
  }
  if (member.empty()) {
    return errors::WithReason(
        absl::UnauthenticatedError(absl::StrCat("the client certificate (", absl::StrJoin(names, ", "),
                                                ") is not in the tokens file as 'x509:NAME MEMBER_ID'")),
        errors::kCertificateUnknown);
  }
  return member;
}

absl::Status TokenAuthenticator::Admitting() const {
  if (draining_.load(std::memory_order_acquire)) {
    return errors::WithReason(
        absl::UnavailableError(
            "the server is shutting down; retry (with the same request_id) on its successor or another node"),
        errors::kShuttingDown);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TokenAuthenticator::Authenticate(const grpc::ServerContextBase& context) const {
  SALESOPS_RETURN_IF_ERROR(Admitting());
  return Identify(context);
}

absl::StatusOr<std::string> TokenAuthenticator::Identify(const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  std::optional<absl::StatusOr<std::string>> certificate = CertificateMember(context);
  if (it == metadata.end()) {
    if (certificate.has_value()) return *std::move(certificate);
    return AuthenticateHeader("");
  }
  absl::StatusOr<std::string> member = AuthenticateHeader(absl::string_view(it->second.data(), it->second.size()));
  // A token and a mapped certificate must agree on who is calling.
  if (member.ok() && certificate.has_value() && certificate->ok() && **certificate != *member) {
    return errors::WithReason(
        absl::UnauthenticatedError(absl::StrCat("the bearer token is member '", *member,
                                                "' but the client certificate is member '", **certificate, "'")),
        errors::kIdentityMismatch);
  }
  return member;
}

absl::StatusOr<std::string> ReadAccess::Check(const grpc::ServerContextBase& context) const {
  SALESOPS_ASSIGN_OR_RETURN(std::string member_id, tokens_->Authenticate(context));
  const std::optional<v1::Member> member = team_->Get(member_id);
  if (!member.has_value()) {
    return errors::WithReason(
        absl::PermissionDeniedError(
            absl::StrCat("member '", member_id, "' is not in the team; an ADMIN must add it (Team.AddMember)")),
        errors::kMemberNotInTeam, {{"member_id", member_id}});
  }
  if (!member->active()) {
    return errors::WithReason(
        absl::PermissionDeniedError(absl::StrCat("member '", member_id, "' is deactivated")),
        errors::kMemberDeactivated, {{"member_id", member_id}});
  }
  return member_id;
}

absl::StatusOr<v1::Member> ReadAccess::CheckRole(const grpc::ServerContextBase& context,
                                                 std::initializer_list<v1::Role> roles,
                                                 absl::string_view what) const {
  SALESOPS_ASSIGN_OR_RETURN(std::string member_id, Check(context));
  return RequireRole(member_id, roles, what);
}

absl::StatusOr<v1::Member> ReadAccess::CheckRead(const grpc::ServerContextBase& context, absl::string_view rpc,
                                                 const domain::LeadParties* lead) const {
  SALESOPS_ASSIGN_OR_RETURN(std::string member_id, Check(context));
  return RequireReadRule(member_id, rpc, lead);
}

absl::StatusOr<v1::Member> ReadAccess::RequireReadRule(const std::string& member_id, absl::string_view rpc,
                                                       const domain::LeadParties* lead) const {
  std::optional<v1::Member> member = team_->Get(member_id);
  if (!member.has_value()) {
    return errors::WithReason(absl::PermissionDeniedError(absl::StrCat("member '", member_id, "' left the team")),
                              errors::kMemberNotInTeam, {{"member_id", member_id}});
  }
  SALESOPS_RETURN_IF_ERROR(domain::AuthorizeRead(rpc, *member, lead));
  return std::move(*member);
}

absl::StatusOr<v1::Member> ReadAccess::RequireRole(const std::string& member_id,
                                                   std::initializer_list<v1::Role> roles,
                                                   absl::string_view what) const {
  std::optional<v1::Member> member = team_->Get(member_id);
  if (!member.has_value()) {
    return errors::WithReason(absl::PermissionDeniedError(absl::StrCat("member '", member_id, "' left the team")),
                              errors::kMemberNotInTeam, {{"member_id", member_id}});
  }
  for (int held : member->roles()) {
    for (v1::Role wanted : roles) {
      if (held == wanted) return std::move(*member);
    }
  }
  std::vector<std::string> names;
  for (v1::Role wanted : roles) names.push_back(domain::RoleName(wanted));
  return errors::WithReason(
      absl::PermissionDeniedError(absl::StrCat(what, " needs the role ", absl::StrJoin(names, " or "),
                                               "; member '", member_id, "' does not hold it")),
      errors::kRoleRequired,
      {{"action", std::string(what)}, {"required_roles", absl::StrJoin(names, " or ")}, {"member_id", member_id}});
}

}  // namespace salesops::service
