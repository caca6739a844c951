// Tests of the compact lead record (server/domain/lead_details.h): free text
// kept byte for byte, presence kept as the message had it, the round trip
// through the message a snapshot stores, and the interned member ids and
// currencies it holds.
#include "server/domain/lead_details.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/interned.h"
#include "server/domain/lead.h"
#include "tests/domain/lead_test_events.h"

namespace salesops::domain {
namespace {

namespace ev = ::salesops::test_events;
using T = TextFields;

// Folds `events` as the views do: the decider's part, then the details.
LeadState Fold(absl::string_view lead_id, const std::vector<v1::Event>& events) {
  LeadState lead;
  for (const v1::EventEnvelope& e : ev::Envelopes(lead_id, events)) {
    EvolveLead(lead, e);
    EvolveLeadDetails(lead, lead_id, e);
  }
  return lead;
}

std::string Bytes(const v1::Lead& lead) {
  std::string out;
  EXPECT_TRUE(lead.SerializeToString(&out));
  return out;
}

TEST(TextFieldsTest, EveryFieldKeepsItsBytesWhenAnotherChanges) {
  const std::string long_text(300, 'x');  // a length of two varint bytes
  const std::vector<std::string> values = {"lead-α", "杭州云栖网络科技有限公司", "张伟", "zw@example.cn",
                                           "+86 (571) 8888-0000", long_text, "Q-7", "2026-12-01", "华为",
                                           "\x09旗舰版", "hz-yunfan", "acct-7"};
  ASSERT_EQ(values.size(), static_cast<size_t>(T::kCount));
  TextFields text;
  for (int i = 0; i < T::kCount; ++i) text.Set(static_cast<T::Field>(i), values[i]);
  for (int i = 0; i < T::kCount; ++i) EXPECT_EQ(text.Get(static_cast<T::Field>(i)), values[i]) << i;

  text.Set(T::kCompany, "");
  text.Set(T::kCloseReason, "价格更低");
  for (int i = 0; i < T::kCount; ++i) {
    const std::string expected = i == T::kCompany ? "" : i == T::kCloseReason ? "价格更低" : values[i];
    EXPECT_EQ(text.Get(static_cast<T::Field>(i)), expected) << i;
  }
  const TextFields copy = text;
  EXPECT_TRUE(copy == text);
  EXPECT_EQ(copy.Get(T::kCompetitor), "华为");

  for (int i = 0; i < T::kCount; ++i) text.Set(static_cast<T::Field>(i), "");
  EXPECT_TRUE(text == TextFields());
  EXPECT_FALSE(copy == text);
}

// A proposal naming `products`.
v1::Event ProposalOf(std::vector<std::string> products, v1::Stage from = v1::STAGE_NEEDS_ANALYZED) {
  v1::Event e = ev::SolutionProposed(from, 900'000);
  for (std::string& p : products) e.mutable_solution_proposed()->add_products(std::move(p));
  return e;
}

TEST(ProductsTest, AListPacksAndUnpacksByteForByte) {
  const std::vector<std::vector<std::string>> lists = {
      {}, {"CRM 旗舰版"}, {"CRM 旗舰版", "年度维保", "CRM 旗舰版"}, {"", std::string(300, 'x'), "a\nb"}};
  for (const auto& list : lists) {
    google::protobuf::RepeatedPtrField<std::string> field(list.begin(), list.end());
    const std::string packed = PackProducts(field);
    EXPECT_EQ(packed.empty(), list.empty());
    const std::vector<absl::string_view> back = UnpackProducts(packed);
    EXPECT_EQ(std::vector<std::string>(back.begin(), back.end()), list);
  }
}

TEST(LeadDetailsTest, TheMessageShowsWhatTheEventsSaid) {
  const LeadState lead = Fold("ACME-1", {ev::LeadIdentified("ACME-1", "ACME 北京", "alice"),
                                         ev::LeadQualified(v1::STAGE_IDENTIFIED, 80),
                                         ev::NeedsRecorded(v1::STAGE_QUALIFIED),
                                         ProposalOf({"CRM 旗舰版", "年度维保"}),
                                         ev::QuoteSent(v1::STAGE_SOLUTION_PROPOSED, 1, 850'000, "Q-7"),
                                         ev::DealLost(v1::STAGE_QUOTED, v1::LOSS_REASON_COMPETITOR, "华为", "价格更低")});
  const v1::Lead m = ToLeadMessage("ACME-1", lead);
  EXPECT_EQ(m.lead_id(), "ACME-1");
  EXPECT_EQ(m.company(), "ACME 北京");
  EXPECT_EQ(m.contact().name(), "张伟");
  EXPECT_EQ(m.owner(), "alice");
  EXPECT_EQ(m.stage(), v1::STAGE_LOST);
  EXPECT_EQ(m.closed_from_stage(), v1::STAGE_QUOTED);
  EXPECT_EQ(m.version(), 6u);
  EXPECT_EQ(m.last_position(), 6u);
  EXPECT_EQ(m.qualification_score(), 80);
  EXPECT_EQ(m.estimated_value().amount_minor(), 900'000);
  EXPECT_EQ(m.estimated_value().currency(), "CNY");
  EXPECT_EQ(m.quote_id(), "Q-7");
  EXPECT_EQ(m.quoted_amount().amount_minor(), 850'000);
  EXPECT_EQ(m.quote_revision(), 1u);
  EXPECT_EQ(m.competitor(), "华为");
  EXPECT_EQ(m.close_reason(), "价格更低");
  EXPECT_EQ(m.furthest_stage(), v1::STAGE_QUOTED);
  EXPECT_THAT(m.products(), ::testing::ElementsAre("CRM 旗舰版", "年度维保"));
  EXPECT_FALSE(m.has_won_amount());
  EXPECT_FALSE(m.has_assigned_at()) << "closed: nobody is assigned";
  EXPECT_EQ(m.stage_entered_at().seconds(), ToProtoTime(ev::HistoryStart() + absl::Hours(5)).seconds());
}

TEST(LeadDetailsTest, AMessageFieldSetToItsDefaultIsStillPresent) {
  v1::Event proposed = ev::SolutionProposed(v1::STAGE_NEEDS_ANALYZED, 0);
  proposed.mutable_solution_proposed()->clear_value();  // the event names no value at all
  LeadState lead = Fold("L", {ev::LeadIdentified("L"), ev::LeadQualified(), ev::NeedsRecorded(), proposed});
  v1::Lead m = ToLeadMessage("L", lead);
  EXPECT_TRUE(m.has_estimated_value());
  EXPECT_EQ(m.estimated_value().amount_minor(), 0);
  EXPECT_EQ(m.estimated_value().currency(), "");

  v1::Event identified = ev::LeadIdentified("L");
  identified.mutable_lead_identified()->clear_estimated_value();
  lead = Fold("L", {identified});
  m = ToLeadMessage("L", lead);
  EXPECT_FALSE(m.has_estimated_value());
  EXPECT_TRUE(m.has_contact());
  EXPECT_TRUE(m.has_identified_at());
}

TEST(LeadDetailsTest, ALeadIdOtherThanTheStreamsIsShownAsTheEventSaid) {
  const LeadState other = Fold("stream-id", {ev::LeadIdentified("event-id")});
  EXPECT_EQ(ToLeadMessage("stream-id", other).lead_id(), "event-id");
  EXPECT_EQ(ShownLeadId("stream-id", other), "event-id");
  const LeadState none = Fold("stream-id", {ev::LeadQualified()});  // never identified
  EXPECT_EQ(ToLeadMessage("stream-id", none).lead_id(), "");
}

TEST(LeadDetailsTest, RestoringFromTheMessageGivesTheSameLeadAndMessage) {
  const std::vector<std::vector<v1::Event>> histories = {
      {ev::LeadIdentified("A")},
      {ev::LeadIdentified("A"), ev::LeadQualified(), ev::NeedsRecorded(), ProposalOf({"旗舰版", "年度维保"}),
       ev::QuoteSent(v1::STAGE_SOLUTION_PROPOSED, 1), ev::DealWon(v1::STAGE_QUOTED)},
      // A second proposal replaces the products, here by none.
      {ev::LeadIdentified("A"), ev::LeadQualified(), ev::NeedsRecorded(), ProposalOf({"旗舰版"}),
       ProposalOf({}, v1::STAGE_SOLUTION_PROPOSED)},
      {ev::LeadIdentified("A"), ev::LeadDisqualified(v1::STAGE_IDENTIFIED, "没有预算"),
       ev::LeadReopened(v1::STAGE_DISQUALIFIED, v1::STAGE_IDENTIFIED)},
      {ev::LeadIdentified("other")},
  };
  for (const auto& history : histories) {
    const LeadState lead = Fold("A", history);
    const v1::Lead shown = ToLeadMessage("A", lead);
    LeadState restored = lead.WithoutDetails();
    RestoreLeadDetails(restored, "A", shown);
    EXPECT_TRUE(restored == lead) << shown.ShortDebugString();
    if (&history == &histories[1]) {
      EXPECT_EQ(shown.products_size(), 2);
    }
    if (&history == &histories[2]) {
      EXPECT_EQ(shown.products_size(), 0);
    }
    EXPECT_EQ(Bytes(ToLeadMessage("A", restored)), Bytes(shown));
  }
}

TEST(LeadStateTest, ACopyHoldsItsOwnDetailsAndTheDecidersCopyNone) {
  const LeadState lead = Fold("A", {ev::LeadIdentified("A")});
  LeadState copy = lead;
  ASSERT_NE(copy.details, nullptr);
  EXPECT_NE(copy.details.get(), lead.details.get());
  EXPECT_TRUE(copy == lead);
  copy.details->text.Set(T::kCompany, "changed");
  EXPECT_FALSE(copy == lead);
  EXPECT_EQ(lead.details->text.Get(T::kCompany), "ACME 北京");

  const LeadState decider = lead.WithoutDetails();
  EXPECT_EQ(decider.details, nullptr);
  EXPECT_EQ(decider.owner, "alice");
  EXPECT_EQ(decider.version, lead.version);
  EXPECT_FALSE(decider == lead) << "the details differ";
}

TEST(InternedTest, EqualStringsShareOneNumberAndKeepTheirName) {
  EXPECT_EQ(Intern(""), 0u);
  EXPECT_EQ(InternedName(0), "");
  const uint32_t a = Intern("成员 rep-1");
  EXPECT_EQ(Intern(std::string("成员 rep-1")), a);
  EXPECT_NE(Intern("成员 rep-2"), a);
  EXPECT_EQ(InternedName(a), "成员 rep-1");
  const InternedString owner = std::string("rep-1");
  EXPECT_EQ(owner, "rep-1");
  EXPECT_TRUE(owner == InternedString("rep-1"));
  EXPECT_FALSE(owner == InternedString("rep-2"));
  EXPECT_TRUE(InternedString().empty());
}

}  // namespace
}  // namespace salesops::domain
