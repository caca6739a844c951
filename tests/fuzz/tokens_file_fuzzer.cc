// Fuzz target "tokens_file": the tokens-file parser
// (service::TokenAuthenticator::FromText, server/service/auth.h) and the
// authentication it sets up.
//
// Input: the text of a tokens file; after a first 0x00 byte (when there is
// one), the value of an authorization header to try against it.
//
// Invariants checked, against an independent reading of the file's lines
// (strip ASCII whitespace; skip empty and '#' lines; two fields separated
// by spaces or tabs):
//   * a refusal is INVALID_ARGUMENT naming a line of the file;
//   * an accepted file holds one credential per listed line, and every
//     token it lists in the clear authenticates ("Bearer TOKEN", the scheme
//     in any case) as the member on its line; an "x509:NAME" line (a client
//     certificate's name, for mutual TLS) is no bearer token;
//   * the same file with each such token replaced by "sha256:" and its
//     digest is accepted too and authenticates the same tokens;
//   * the tried header authenticates exactly when it carries a listed token
//     (in the clear, or one whose SHA-256 is listed), and as its member;
//     otherwise it is UNAUTHENTICATED.
#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/service/auth.h"
#include "tests/fuzz/fuzz_check.h"

namespace salesops::fuzz {
namespace {

using service::TokenAuthenticator;

constexpr absl::string_view kHashed = "sha256:";
constexpr absl::string_view kCertificate = "x509:";

std::string Sha256(absl::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

struct Listed {
  int lines = 0;                                            // credential lines
  absl::flat_hash_map<std::string, std::string> clear;      // token -> member
  absl::flat_hash_map<std::string, std::string> by_digest;  // SHA-256 -> member (hashed lines)
  std::string hashed_text;  // the file with every clear token replaced by its digest
};

// The file as its format (auth.h) describes it; only for a file FromText
// accepted.
Listed ReadListed(absl::string_view text) {
  Listed listed;
  std::vector<std::string> hashed_lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    FUZZ_CHECK(fields.size() == 2, "accepted a line without two fields: ", line);
    ++listed.lines;
    if (absl::StartsWith(fields[0], kCertificate)) {  // a certificate's name: not a token
      hashed_lines.push_back(std::string(line));
      continue;
    }
    std::string member(fields[1]);
    absl::string_view hex = fields[0];
    if (absl::ConsumePrefix(&hex, kHashed)) {
      listed.by_digest[absl::HexStringToBytes(hex)] = member;
      hashed_lines.push_back(std::string(line));
    } else {
      listed.clear[std::string(fields[0])] = member;
      hashed_lines.push_back(absl::StrCat(kHashed, absl::BytesToHexString(Sha256(fields[0])), " ", member));
    }
  }
  listed.hashed_text = absl::StrJoin(hashed_lines, "\n");
  return listed;
}

void CheckAuthenticates(const TokenAuthenticator& auth, const Listed& listed) {
  FUZZ_CHECK(auth.size() == static_cast<size_t>(listed.lines), auth.size(), " vs ", listed.lines);
  for (const auto& [token, member] : listed.clear) {
    for (absl::string_view scheme : {"Bearer ", "bearer ", "BEARER "}) {
      absl::StatusOr<std::string> who = auth.AuthenticateHeader(absl::StrCat(scheme, token));
      FUZZ_CHECK(who.ok() && *who == member, "listed token of '", member,
                 "' does not authenticate: ", who.status().ToString());
    }
  }
}

void CheckHeader(const TokenAuthenticator& auth, const Listed& listed, absl::string_view header) {
  absl::StatusOr<std::string> who = auth.AuthenticateHeader(header);
  std::string expected;  // empty: refused
  absl::string_view token = header;
  if (header.size() >= 7 && absl::EqualsIgnoreCase(header.substr(0, 7), "Bearer ")) {
    token = absl::StripAsciiWhitespace(header.substr(7));
    if (auto it = listed.clear.find(token); it != listed.clear.end()) expected = it->second;
    if (auto it = listed.by_digest.find(Sha256(token)); it != listed.by_digest.end()) expected = it->second;
  }
  if (expected.empty()) {
    FUZZ_CHECK(who.status().code() == absl::StatusCode::kUnauthenticated, who.status().ToString());
  } else {
    FUZZ_CHECK(who.ok() && *who == expected, who.status().ToString());
  }
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;  // NOLINT
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const absl::string_view text = input.substr(0, nul);
  const absl::string_view header =
      nul == absl::string_view::npos ? absl::string_view() : input.substr(nul + 1);

  absl::StatusOr<std::unique_ptr<service::TokenAuthenticator>> auth =
      service::TokenAuthenticator::FromText(text);
  if (!auth.ok()) {
    FUZZ_CHECK(auth.status().code() == absl::StatusCode::kInvalidArgument, auth.status().ToString());
    absl::string_view message = auth.status().message();
    int line = 0;
    FUZZ_CHECK(
        absl::ConsumePrefix(&message, "tokens file line ") &&
            absl::SimpleAtoi(message.substr(0, message.find(':')), &line) && line >= 1 &&
            static_cast<size_t>(line) <= static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1,
        auth.status().ToString());
    return 0;
  }
  const fuzz::Listed listed = fuzz::ReadListed(text);
  fuzz::CheckAuthenticates(**auth, listed);
  fuzz::CheckHeader(**auth, listed, header);

  absl::StatusOr<std::unique_ptr<service::TokenAuthenticator>> hashed =
      service::TokenAuthenticator::FromText(listed.hashed_text);
  FUZZ_CHECK(hashed.ok(), "the file with digests for tokens is refused: ", hashed.status().ToString());
  fuzz::CheckAuthenticates(**hashed, fuzz::Listed{listed.lines, {}, {}, ""});
  for (const auto& [token, member] : listed.clear) {
    absl::StatusOr<std::string> who = (*hashed)->AuthenticateHeader(absl::StrCat("Bearer ", token));
    FUZZ_CHECK(who.ok() && *who == member, "hashed token of '", member, "' does not authenticate");
  }
  return 0;
}
