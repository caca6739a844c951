// Customer accounts as given(state) / when(IdentifyLead) / then(events or
// error), decided through the composition: which account a new lead joins
// (named, matched by its company name's key, or opened), the AccountOpened
// the process step appends in the same decision, referrals, and the
// refusals, each of which changes nothing.
#include "server/domain/account.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/compose.h"
#include "server/domain/errors.h"
#include "server/domain/proto_time.h"
#include "server/domain/state.h"
#include "tests/common/testing.h"
#include "tests/domain/compose_testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

State Team() { return TeamOf({{"rep", v1::ROLE_SALES_REP}}); }

struct Identify {
  std::string lead_id;
  std::string company;
  std::string account_id = "";
  bool new_account = false;
  std::string referred_by = "";
  v1::LeadSource source = v1::LEAD_SOURCE_INBOUND;
};

v1::Command CommandOf(const Identify& i) {
  v1::Command c;
  v1::IdentifyLeadRequest* r = c.mutable_lead()->mutable_identify();
  r->set_lead_id(i.lead_id);
  r->set_company(i.company);
  r->mutable_contact()->set_name("周敏");
  r->set_source(i.source);
  r->set_account_id(i.account_id);
  r->set_new_account(i.new_account);
  r->set_referred_by_account_id(i.referred_by);
  return c;
}

// The account a decided identification put its lead in, and whether the
// decision opened it (its AccountOpened, on the account's stream).
struct Joined {
  std::string account_id;
  bool opened = false;
};

Joined JoinedBy(const CommandDecision& d) {
  Joined j;
  j.account_id = d.streams.at(0).events.at(0).lead_identified().account_id();
  for (const StreamDecision& s : d.streams) {
    for (const v1::Event& e : s.events) {
      if (!e.has_account_opened()) continue;
      EXPECT_EQ(s.stream_id, AccountStreamId(e.account_opened().account_id()));
      EXPECT_EQ(s.expected_version, 0u);
      EXPECT_EQ(e.account_opened().account_id(), j.account_id);
      j.opened = true;
    }
  }
  return j;
}

TEST(AccountMatchKeyTest, FoldsSpacesWidthAndAsciiCaseAndNothingElse) {
  struct Row {
    std::string company, key;
  };
  const std::vector<Row> rows = {
      {"杭州云帆科技", "杭州云帆科技"},
      {"  杭州云帆科技  ", "杭州云帆科技"},
      {"\u3000杭州云帆科技\u3000", "杭州云帆科技"},        // ideographic spaces
      {"ACME  China\tLtd.", "acme china ltd."},
      {"ＡＣＭＥ（中国）", "acme(中国)"},                  // full-width forms
      {"Acme (中国)", "acme (中国)"},                       // a space is not dropped
      {"杭州云帆科技有限公司", "杭州云帆科技有限公司"},    // no suffix stripping
      {"Ärzte GmbH", "Ärzte gmbh"},                         // only ASCII letters fold
      {std::string("a\xff" "B", 3), std::string("a\xff" "b", 3)},  // bytes kept
      {" \u00a0 ", ""},
  };
  for (const Row& r : rows) EXPECT_EQ(AccountMatchKey(r.company), r.key) << r.company;
}

// Every string is held in the state's arena, and the lookups are sets of
// ordinals hashed by the strings: a copy, an assignment and a copy without
// details must point into their own arena, a move takes the original's
// along, a move onto itself changes nothing, and each must still find every
// account and read its details once the original is gone (ASan reads freed
// bytes otherwise).
TEST(AccountsStateTest, CopiesAndMovesFindEveryAccountByTheirOwnIds) {
  auto original = std::make_unique<AccountsState>();
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    // Short ids live inside the string (SSO), long ones on the heap.
    ids.push_back(i % 2 == 0 ? absl::StrCat("a", i) : absl::StrCat("客户-account-with-a-long-id-", i));
    bool added = false;
    original->FindOrAdd(ids.back(), &added).version = i + 1;
    ASSERT_TRUE(added);
    const AccountDetails details{.company = ids.back(), .opened_by_lead_id = "", .opened_at = {}};
    original->RecordDetails(i + 1, &details);
  }
  bool added = true;
  EXPECT_EQ(original->FindOrAdd(ids[7], &added).ordinal, 8u);
  EXPECT_FALSE(added) << "an account is added once";

  AccountsState copy = *original;
  AccountsState assigned;
  assigned.FindOrAdd("dropped-by-the-assignment");
  assigned = *original;
  AccountsState lean = original->WithoutDetails();
  AccountsState source = *original;
  AccountsState moved = std::move(source);
  AccountsState move_assigned;
  {
    AccountsState another = *original;
    move_assigned = std::move(another);
  }
  // Copies hold their own bytes; a move takes the source's along.
  const char* original_bytes = original->IdOf(1).data();
  for (const AccountsState* s : {&copy, &assigned, &lean}) EXPECT_NE(s->IdOf(1).data(), original_bytes);
  EXPECT_NE(copy.DetailsOf(1)->company.data(), original->DetailsOf(1)->company.data());
  original.reset();
  AccountsState self_moved = copy;
  AccountsState& alias = self_moved;
  self_moved = std::move(alias);  // a no-op, not an emptied id list under a full map
  for (const AccountsState* s : {&copy, &assigned, &lean, &moved, &move_assigned, &self_moved}) {
    ASSERT_EQ(s->size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(s->OrdinalOf(ids[i]), i + 1);
      EXPECT_EQ(s->Find(ids[i])->version, i + 1);
      EXPECT_EQ(s->IdOf(i + 1), ids[i]);
    }
  }
  EXPECT_TRUE(lean.details().empty());
  EXPECT_EQ(copy.details().size(), ids.size());
  EXPECT_EQ(copy, assigned);
  EXPECT_EQ(copy, moved);
  EXPECT_FALSE(assigned.Find("dropped-by-the-assignment"));
  // A moved-from state is empty and takes accounts again.
  EXPECT_EQ(source.size(), 0u);
  EXPECT_EQ(source.Find(ids[0]), nullptr);
  EXPECT_EQ(source.FindOrAdd("again").ordinal, 1u);
  EXPECT_EQ(source.OrdinalOf("again"), 1u);
}

// A match key finds the first account opened with it, and an account is
// found by one key at most (its first AccountOpened's); the key survives
// copies and the views' company shares its bytes.
TEST(AccountsStateTest, AKeyFindsTheFirstAccountAndAnAccountHasOneKey) {
  AccountsState accounts;
  accounts.FindOrAdd("a1");
  accounts.FindOrAdd("a2");
  accounts.AddKey("杭州云帆科技", 1);
  accounts.AddKey("杭州云帆科技", 2);  // a second account under the same name
  accounts.AddKey("another name", 1);  // a second key for the first
  accounts.AddKey("", 2);
  accounts.AddKey("unknown ordinal", 3);
  EXPECT_EQ(accounts.OrdinalOfKey("杭州云帆科技"), 1u);
  EXPECT_EQ(accounts.OrdinalOfKey("another name"), 0u);
  EXPECT_EQ(accounts.OrdinalOfKey("unknown ordinal"), 0u);
  EXPECT_EQ(accounts.KeyOf(1), "杭州云帆科技");
  EXPECT_EQ(accounts.KeyOf(2), "");
  accounts.AddKey("second", 2);
  EXPECT_EQ(accounts.OrdinalOfKey("second"), 2u);
  const AccountDetails details{.company = "杭州云帆科技", .opened_by_lead_id = "a1", .opened_at = absl::FromUnixSeconds(7)};
  accounts.RecordDetails(1, &details);
  EXPECT_EQ(accounts.DetailsOf(1)->company.data(), accounts.KeyOf(1).data()) << "the company views the key's bytes";
  EXPECT_EQ(accounts.DetailsOf(1)->opened_by_lead_id.data(), accounts.IdOf(1).data());
  const AccountsState copy = accounts;
  EXPECT_EQ(copy.OrdinalOfKey("杭州云帆科技"), 1u);
  EXPECT_EQ(copy.OrdinalOfKey("second"), 2u);
  EXPECT_EQ(copy.DetailsOf(1)->company, "杭州云帆科技");
  EXPECT_EQ(copy, accounts);
  const AccountsState lean = accounts.WithoutDetails();
  EXPECT_FALSE(lean == accounts) << "details differ";
  EXPECT_EQ(lean.OrdinalOfKey("second"), 2u);
}

TEST(AccountTest, TheFirstLeadOfACompanyOpensItsAccountAndTheNextJoinIt) {
  State state = Team();
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "rep", CommandOf({"L1", "杭州云帆科技"}));
  ASSERT_THAT(d, IsOk());
  Joined j = JoinedBy(*d);
  EXPECT_EQ(j.account_id, "L1") << "a new account takes the lead's id";
  EXPECT_TRUE(j.opened);
  const AccountState* a = state.accounts.Find("L1");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->version, 1u);
  EXPECT_EQ(a->ordinal, 1u);
  EXPECT_TRUE(state.accounts.details().empty()) << "the deciders' fold keeps no details";
  // The views' part, from the AccountOpened: company, lead and time.
  v1::EventEnvelope opened;
  opened.set_stream_id(AccountStreamId("L1"));
  opened.set_stream_version(1);
  *opened.mutable_event() = d->streams.at(1).events.at(0);
  *opened.mutable_occurred_at() = ToProtoTime(kNow);
  RecordAccountDetails(state.accounts, "L1", opened);
  const AccountDetails* details = state.accounts.DetailsOf(1);
  ASSERT_NE(details, nullptr);
  EXPECT_EQ(details->company, "杭州云帆科技");
  EXPECT_EQ(details->opened_by_lead_id, "L1");
  EXPECT_EQ(details->opened_at, kNow);

  // Spaces and width differ: the same key, the same account, nothing opened.
  d = DecideAndFold(state, "rep", CommandOf({"L2", " 杭州云帆科技\u3000"}));
  ASSERT_THAT(d, IsOk());
  j = JoinedBy(*d);
  EXPECT_EQ(j.account_id, "L1");
  EXPECT_FALSE(j.opened);
  EXPECT_EQ(d->streams.size(), 1u);
  // Another name: another account.
  d = DecideAndFold(state, "rep", CommandOf({"L3", "杭州云帆科技有限公司"}));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(JoinedBy(*d).account_id, "L3");
  EXPECT_EQ(state.accounts.size(), 2u);
}

// An imported log may hold an AccountOpened on the stream "account-" (the
// empty id): the views keep its details in step with its ordinal all the same.
TEST(AccountTest, AnAccountWithTheEmptyIdKeepsItsDetails) {
  AccountsState accounts;
  v1::EventEnvelope e;
  e.set_stream_id(AccountStreamId(""));
  e.set_stream_version(1);
  e.mutable_event()->mutable_account_opened()->set_company("无名公司");
  e.mutable_event()->mutable_account_opened()->set_lead_id("L1");
  EvolveAccount(accounts, "", e);
  RecordAccountDetails(accounts, "", e);
  ASSERT_EQ(accounts.in_order().size(), 1u);
  ASSERT_EQ(accounts.details().size(), 1u);
  EXPECT_EQ(accounts.details()[0].company, "无名公司");
}

TEST(AccountTest, ANamedAccountIsJoinedWhateverTheCompanyName) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "rep", CommandOf({"L1", "ACME 中国"})), IsOk());
  absl::StatusOr<CommandDecision> d =
      DecideAndFold(state, "rep", CommandOf({"L2", "艾克米（上海）分公司", "L1"}));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(JoinedBy(*d).account_id, "L1");
  EXPECT_FALSE(JoinedBy(*d).opened);
}

TEST(AccountTest, NewAccountOpensOneEvenWhenTheNameMatches) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "rep", CommandOf({"L1", "华信科技"})), IsOk());
  // Two companies of one name: the caller says so.
  absl::StatusOr<CommandDecision> d =
      DecideAndFold(state, "rep", CommandOf({"L2", "华信科技", "huaxin-sz", /*new_account=*/true}));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(JoinedBy(*d).account_id, "huaxin-sz");
  EXPECT_TRUE(JoinedBy(*d).opened);
  // Without an id, the lead's.
  d = DecideAndFold(state, "rep", CommandOf({"L3", "华信科技", "", true}));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(JoinedBy(*d).account_id, "L3");
  // A name still matches the first account opened with it.
  d = DecideAndFold(state, "rep", CommandOf({"L4", "华信科技"}));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(JoinedBy(*d).account_id, "L1");
}

TEST(AccountTest, AReferralNamesAnotherExistingAccount) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "rep", CommandOf({"L1", "老客户集团"})), IsOk());
  Identify referred{"L2", "新客户公司"};
  referred.source = v1::LEAD_SOURCE_REFERRAL;
  referred.referred_by = "L1";
  absl::StatusOr<CommandDecision> d = DecideAndFold(state, "rep", CommandOf(referred));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->streams[0].events[0].lead_identified().referred_by_account_id(), "L1");
  EXPECT_EQ(JoinedBy(*d).account_id, "L2");
}

TEST(AccountTest, RefusalsNameTheFieldAndChangeNothing) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "rep", CommandOf({"L1", "老客户集团"})), IsOk());
  struct Row {
    const char* name;
    Identify when;
    absl::StatusCode code;
    std::string message;
  };
  Identify self_referral{"L9", "老客户集团", "", false, "L1", v1::LEAD_SOURCE_REFERRAL};
  Identify unknown_referrer{"L9", "某公司", "", false, "nobody", v1::LEAD_SOURCE_REFERRAL};
  Identify referral_not_by_referral{"L9", "某公司", "", false, "L1", v1::LEAD_SOURCE_EVENT};
  const std::vector<Row> rows = {
      {"unknown account", {"L9", "某公司", "nobody"}, absl::StatusCode::kNotFound,
       "account_id: account 'nobody' not found (to open an account with this id, set new_account)"},
      {"new account with a taken id", {"L9", "某公司", "L1", true}, absl::StatusCode::kAlreadyExists,
       "account_id: account 'L1' exists; name it without new_account to join it"},
      {"unknown referrer", unknown_referrer, absl::StatusCode::kNotFound,
       "referred_by_account_id: account 'nobody' not found"},
      {"own account as referrer", self_referral, absl::StatusCode::kInvalidArgument,
       "referred_by_account_id: must be another account than the lead's own ('L1')"},
      {"referrer without the referral source", referral_not_by_referral, absl::StatusCode::kInvalidArgument,
       "referred_by_account_id: only for source referral"},
      {"malformed account id", {"L9", "某公司", "no spaces"}, absl::StatusCode::kInvalidArgument,
       "account_id: must match [A-Za-z0-9_-]{1,64}"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    State before = state;
    absl::StatusOr<CommandDecision> d = DecideAndFold(state, "rep", CommandOf(r.when));
    EXPECT_THAT(d, StatusIs(r.code, HasSubstr(r.message)));
    EXPECT_TRUE(state.accounts == before.accounts);
    EXPECT_EQ(state.leads.size(), before.leads.size());
  }
}

TEST(AccountTest, ALeadIdThatNamesAnotherAccountAlreadyIsRefusedNotMerged) {
  State state = Team();
  ASSERT_THAT(DecideAndFold(state, "rep", CommandOf({"L1", "甲公司", "acme", true})), IsOk());
  // A lead "acme" of another company would open an account "acme": taken.
  EXPECT_THAT(DecideAndFold(state, "rep", CommandOf({"acme", "乙公司"})),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("account_id: account 'acme' exists; name it without new_account")));
  EXPECT_EQ(state.accounts.size(), 1u);
}

}  // namespace
}  // namespace salesops::domain
