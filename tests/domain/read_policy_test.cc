// The read-rule table as given(member) / when(rpc, lead) / then(allowed or
// the refusal).
#include "server/domain/read_policy.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

v1::Member MemberWith(const std::string& id, std::vector<v1::Role> roles) {
  v1::Member m;
  m.set_member_id(id);
  m.set_active(true);
  for (v1::Role r : roles) m.add_roles(r);
  return m;
}

struct Case {
  const char* name;
  std::vector<v1::Role> roles;  // given: the member "m" holds these
  const char* rpc;              // when
  bool about_own_lead;          // the call is about a lead "m" owns
  bool allowed;                 // then
};

TEST(ReadPolicyTest, Table) {
  const Case cases[] = {
      {"auditor reads the log", {v1::ROLE_AUDITOR}, "Audit.ReadLog", false, true},
      {"auditor reads another's review feedback", {v1::ROLE_AUDITOR}, "Coaching.GetReviewFeedback", false, true},
      {"manager reads another's review feedback", {v1::ROLE_SALES_MANAGER}, "Coaching.GetReviewFeedback", false, true},
      {"rep may not read another's review feedback", {v1::ROLE_SALES_REP}, "Coaching.GetReviewFeedback", false, false},
      {"manager reads the log", {v1::ROLE_SALES_MANAGER}, "Audit.ReadLog", false, true},
      {"admin reads the log", {v1::ROLE_ADMIN}, "Audit.ReadLog", false, true},
      {"rep may not read the log", {v1::ROLE_SALES_REP}, "Audit.ReadLog", false, false},
      {"owning rep still may not read the whole log", {v1::ROLE_SALES_REP}, "Audit.ReadLog", true, false},
      {"rep reads its own lead's history", {v1::ROLE_SALES_REP}, "Audit.GetLeadHistory", true, true},
      {"rep may not read another's lead", {v1::ROLE_SALES_REP}, "Audit.GetLeadHistory", false, false},
      {"auditor reads any lead's history", {v1::ROLE_AUDITOR}, "Audit.GetLeadHistory", false, true},
      {"rep lists its own lead's stage changes", {v1::ROLE_SALES_REP}, "Audit.ListStageChanges", true, true},
      {"rep may not list all stage changes", {v1::ROLE_SALES_REP}, "Audit.ListStageChanges", false, false},
      {"auditor lists stage changes", {v1::ROLE_AUDITOR}, "Audit.ListStageChanges", false, true},
      {"bd manager may not verify", {v1::ROLE_BD_MANAGER}, "Audit.VerifyLog", false, false},
      {"auditor verifies", {v1::ROLE_AUDITOR}, "Audit.VerifyLog", false, true},
      {"auditor reads digests", {v1::ROLE_AUDITOR}, "Audit.GetLogDigest", false, true},
      {"auditor may not back up", {v1::ROLE_AUDITOR}, "Admin.Backup", false, false},
      {"manager may not back up", {v1::ROLE_SALES_MANAGER}, "Admin.Backup", false, false},
      {"admin backs up", {v1::ROLE_ADMIN}, "Admin.Backup", false, true},
      {"admin imports", {v1::ROLE_ADMIN}, "Admin.ImportEvents", false, true},
      {"admin pings", {v1::ROLE_ADMIN}, "Admin.Ping", false, true},
      {"rep may not ping", {v1::ROLE_SALES_REP}, "Admin.Ping", false, false},
      {"admin reads the cluster status", {v1::ROLE_ADMIN}, "Admin.GetClusterStatus", false, true},
      {"auditor may not read the cluster status", {v1::ROLE_AUDITOR}, "Admin.GetClusterStatus", false, false},
      {"no roles", {}, "Audit.GetLogDigest", false, false},
      {"an RPC without a rule is refused", {v1::ROLE_ADMIN}, "Admin.Unknown", false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const v1::Member m = MemberWith("m", c.roles);
    const LeadParties own{"m", "someone"};
    const LeadParties other{"x", "y"};
    const absl::Status s = AuthorizeRead(c.rpc, m, c.about_own_lead ? &own : &other);
    if (c.allowed) {
      EXPECT_THAT(s, IsOk());
    } else {
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(c.rpc)));
    }
  }
}

TEST(ReadPolicyTest, TheAssigneeReadsToo) {
  const LeadParties lead{"rep1", "bd1"};
  EXPECT_THAT(AuthorizeRead("Audit.GetLeadHistory", MemberWith("bd1", {v1::ROLE_BD_MANAGER}), &lead), IsOk());
  EXPECT_THAT(AuthorizeRead("Audit.GetLeadHistory", MemberWith("bd2", {v1::ROLE_BD_MANAGER}), &lead),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("needs the role ADMIN or SALES_MANAGER or AUDITOR, or the lead's owner or "
                                 "assignee; member 'bd2' is neither")));
  // No lead (unknown): only the roles count.
  EXPECT_THAT(AuthorizeRead("Audit.GetLeadHistory", MemberWith("rep1", {v1::ROLE_SALES_REP}), nullptr),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("is neither")));
}

TEST(ReadPolicyTest, EveryRuleNamesAServiceMethodOnce) {
  std::set<std::string> seen;
  for (const ReadRule& rule : ReadRules()) {
    EXPECT_TRUE(seen.insert(std::string(rule.rpc)).second) << rule.rpc;
    EXPECT_FALSE(rule.roles.empty()) << rule.rpc;
    EXPECT_EQ(FindReadRule(rule.rpc), &rule);
    if (rule.rpc.substr(0, 6) == "Admin.") {
      EXPECT_THAT(rule.roles, ::testing::ElementsAre(v1::ROLE_ADMIN)) << rule.rpc;
    }
  }
}

}  // namespace
}  // namespace salesops::domain
