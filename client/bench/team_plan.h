// The team the bench works with: who holds which role and which token.
//
// Own server: the bench writes a tokens file for these members and starts
// salesopsd with --bootstrap-admin=bench-admin; bench-admin then adds the
// others (Team.AddMember). Existing server (--server): the tokens come from
// --tokens-file, which must hold the server's token of every member, and
// --token is an ADMIN's.
#ifndef SALESOPS_CLIENT_BENCH_TEAM_PLAN_H_
#define SALESOPS_CLIENT_BENCH_TEAM_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/common.pb.h"

namespace salesops::bench {

inline constexpr char kBenchAdmin[] = "bench-admin";

struct BenchMember {
  std::string member_id;  // e.g. "bench-rep-1"
  v1::Role role;          // the one role it holds
  std::string token;
};

struct BenchTeam {
  std::string admin_token;  // bench-admin's, or --token
  std::vector<BenchMember> members;

  // The members holding `role`, in member id order; `i`-th modulo their number.
  // Never empty for the roles of DefaultTeam.
  const BenchMember& Pick(v1::Role role, size_t i) const;
  size_t Count(v1::Role role) const;
};

// 4 sales reps, 2 BD managers, 2 sales support, 2 after-sales and 1 sales
// manager, without tokens.
BenchTeam DefaultTeam();

// Gives every member (and the admin) a fresh random token.
void AssignRandomTokens(BenchTeam& team);

// A tokens file for salesopsd ("TOKEN MEMBER_ID" lines, bench-admin first).
std::string TokensFileText(const BenchTeam& team);

// Takes each member's token from `text` ("TOKEN MEMBER_ID" lines, '#'
// comments, as salesopsd reads them). INVALID_ARGUMENT listing the members
// without a line.
absl::Status AssignTokensFromText(absl::string_view text, BenchTeam& team);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_TEAM_PLAN_H_
