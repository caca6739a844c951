#include "server/service/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/common/status_macros.h"
#include "server/domain/team.h"
#include "server/domain/validation.h"

namespace salesops::service {
namespace {

// A tokens file line may name the token by its SHA-256 instead of the token.
constexpr absl::string_view kHashedPrefix = "sha256:";

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
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<absl::string_view> parts = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_number, ": expected 'TOKEN MEMBER_ID'"));
    }
    std::string digest;
    if (absl::StartsWith(parts[0], kHashedPrefix)) {
      const absl::string_view hex = parts[0].substr(kHashedPrefix.size());
      if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); })) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tokens file line ", line_number, ": 'sha256:' must be followed by 64 hex digits (sha256sum of the token)"));
      }
      digest = absl::HexStringToBytes(absl::AsciiStrToLower(hex));
    } else if (parts[0].size() < 16) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_number, ": a token must be at least 16 characters"));
    } else if (!std::all_of(parts[0].begin(), parts[0].end(), [](char c) { return c > ' ' && c < '\x7f'; })) {
      // A call carries its token in a metadata value, printable ASCII, and
      // AuthenticateHeader trims the whitespace around it: a token with any
      // other byte (a form feed, a UTF-8 letter) could never authenticate.
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file line ", line_number, ": a token must be printable ASCII without spaces"));
    } else {
      digest = TokenDigest(parts[0]);
    }
    if (absl::Status s = domain::ValidateId("member id", parts[1]); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("tokens file line ", line_number, ": ", s.message()));
    }
    absl::MutexLock lock(&auth->mu_);
    if (!auth->members_.emplace(std::move(digest), parts[1]).second) {
      return absl::InvalidArgumentError(absl::StrCat("tokens file line ", line_number, ": repeats a token"));
    }
  }
  return auth;
}

size_t TokenAuthenticator::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return members_.size();
}

absl::StatusOr<size_t> TokenAuthenticator::ReloadFromFile(const std::string& path) {
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<TokenAuthenticator> fresh, FromFile(path));
  absl::flat_hash_map<std::string, std::string> members;
  {
    absl::MutexLock lock(&fresh->mu_);
    members = std::move(fresh->members_);
  }
  absl::MutexLock lock(&mu_);
  members_.swap(members);
  return members_.size();
}

absl::StatusOr<std::string> TokenAuthenticator::AuthenticateHeader(absl::string_view authorization) const {
  constexpr absl::string_view kBearer = "Bearer ";
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing 'authorization: Bearer <token>' metadata");
  }
  if (!absl::StartsWithIgnoreCase(authorization, kBearer)) {
    return absl::UnauthenticatedError("authorization metadata must be 'Bearer <token>'");
  }
  const absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kBearer.size()));
  // Looked up by the token's digest: the map compares digests of what the
  // caller sent, so its timing tells nothing about the stored tokens; the
  // final comparison is constant-time besides.
  const std::string digest = TokenDigest(token);
  absl::ReaderMutexLock lock(&mu_);
  auto it = members_.find(digest);
  if (it == members_.end() || CRYPTO_memcmp(it->first.data(), digest.data(), digest.size()) != 0) {
    return absl::UnauthenticatedError("unknown token");
  }
  return it->second;
}

absl::StatusOr<std::string> TokenAuthenticator::Authenticate(const grpc::ServerContextBase& context) const {
  if (draining_.load(std::memory_order_acquire)) {
    return absl::UnavailableError(
        "the server is shutting down; retry (with the same request_id) on its successor or another node");
  }
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return AuthenticateHeader("");
  return AuthenticateHeader(absl::string_view(it->second.data(), it->second.size()));
}

absl::StatusOr<std::string> ReadAccess::Check(const grpc::ServerContextBase& context) const {
  SALESOPS_ASSIGN_OR_RETURN(std::string member_id, tokens_->Authenticate(context));
  const std::optional<v1::Member> member = team_->Get(member_id);
  if (!member.has_value()) {
    return absl::PermissionDeniedError(
        absl::StrCat("member '", member_id, "' is not in the team; an ADMIN must add it (Team.AddMember)"));
  }
  if (!member->active()) return absl::PermissionDeniedError(absl::StrCat("member '", member_id, "' is deactivated"));
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
  std::optional<v1::Member> member = team_->Get(member_id);
  if (!member.has_value()) return absl::PermissionDeniedError(absl::StrCat("member '", member_id, "' left the team"));
  SALESOPS_RETURN_IF_ERROR(domain::AuthorizeRead(rpc, *member, lead));
  return std::move(*member);
}

absl::StatusOr<v1::Member> ReadAccess::RequireRole(const std::string& member_id,
                                                   std::initializer_list<v1::Role> roles,
                                                   absl::string_view what) const {
  std::optional<v1::Member> member = team_->Get(member_id);
  if (!member.has_value()) return absl::PermissionDeniedError(absl::StrCat("member '", member_id, "' left the team"));
  for (int held : member->roles()) {
    for (v1::Role wanted : roles) {
      if (held == wanted) return std::move(*member);
    }
  }
  std::vector<std::string> names;
  for (v1::Role wanted : roles) names.push_back(domain::RoleName(wanted));
  return absl::PermissionDeniedError(absl::StrCat(what, " needs the role ", absl::StrJoin(names, " or "),
                                                  "; member '", member_id, "' does not hold it"));
}

}  // namespace salesops::service
