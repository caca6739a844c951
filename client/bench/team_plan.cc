#include "team_plan.h"

#include <cstdint>
#include <map>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace salesops::bench {
namespace {

std::string RandomToken(absl::BitGen& gen) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token = "bench-";
  for (int i = 0; i < 32; ++i) token += kHex[absl::Uniform(gen, 0, 16)];
  return token;
}

}  // namespace

const BenchMember& BenchTeam::Pick(v1::Role role, size_t i) const {
  const size_t n = Count(role);
  size_t seen = 0;
  for (const BenchMember& m : members) {
    if (m.role != role) continue;
    if (seen++ == i % n) return m;
  }
  return members.front();  // unreachable for a role the team has
}

size_t BenchTeam::Count(v1::Role role) const {
  size_t n = 0;
  for (const BenchMember& m : members) n += m.role == role ? 1 : 0;
  return n;
}

BenchTeam DefaultTeam() {
  BenchTeam team;
  const auto add = [&](absl::string_view prefix, v1::Role role, int count) {
    for (int i = 1; i <= count; ++i) team.members.push_back({absl::StrCat("bench-", prefix, "-", i), role, ""});
  };
  add("rep", v1::ROLE_SALES_REP, 4);
  add("bd", v1::ROLE_BD_MANAGER, 2);
  add("sup", v1::ROLE_SALES_SUPPORT, 2);
  add("as", v1::ROLE_AFTER_SALES, 2);
  add("mgr", v1::ROLE_SALES_MANAGER, 1);
  return team;
}

void AssignRandomTokens(BenchTeam& team) {
  absl::BitGen gen;
  team.admin_token = RandomToken(gen);
  for (BenchMember& m : team.members) m.token = RandomToken(gen);
}

std::string TokensFileText(const BenchTeam& team) {
  std::string text = "# salesops-bench tokens: TOKEN MEMBER_ID\n";
  absl::StrAppend(&text, team.admin_token, " ", kBenchAdmin, "\n");
  for (const BenchMember& m : team.members) absl::StrAppend(&text, m.token, " ", m.member_id, "\n");
  return text;
}

absl::Status AssignTokensFromText(absl::string_view text, BenchTeam& team) {
  std::map<std::string, std::string, std::less<>> token_of;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (fields.size() == 2) token_of[std::string(fields[1])] = std::string(fields[0]);
  }
  std::vector<std::string> missing;
  for (BenchMember& m : team.members) {
    auto it = token_of.find(m.member_id);
    if (it == token_of.end()) {
      missing.push_back(m.member_id);
    } else {
      m.token = it->second;
    }
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tokens-file: no token for ", absl::StrJoin(missing, ", "),
        "; add a 'TOKEN MEMBER_ID' line for each to the file and to the server's tokens file"));
  }
  return absl::OkStatus();
}

}  // namespace salesops::bench
