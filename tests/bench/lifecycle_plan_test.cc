#include "lifecycle_plan.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::bench {
namespace {

using ::testing::ElementsAre;

TEST(LifecyclePlanTest, OfTenLeadsOneIsDisqualifiedTwoLostSevenWon) {
  std::map<Step, int> endings;
  for (uint64_t n = 0; n < 10; ++n) {
    const std::vector<Step> steps = JourneyOf(n);
    ASSERT_FALSE(steps.empty());
    EXPECT_EQ(steps.front(), Step::kIdentify);
    // A won deal ends with its survey; the others with the closing command.
    ++endings[steps.back() == Step::kRecordSurvey ? Step::kWinDeal : steps.back()];
  }
  EXPECT_EQ(endings[Step::kDisqualify], 1);
  EXPECT_EQ(endings[Step::kLoseDeal], 2);
  EXPECT_EQ(endings[Step::kWinDeal], 7);
}

TEST(LifecyclePlanTest, AWonDealGoesThroughEveryRole) {
  const std::vector<Step> won = JourneyOf(0);
  EXPECT_THAT(won, ElementsAre(Step::kIdentify, Step::kQualify, Step::kRecordNeeds, Step::kProposeSolution,
                               Step::kSendQuote, Step::kStartNegotiation, Step::kWinDeal, Step::kConfirmOrder,
                               Step::kShipOrder, Step::kDeliverOrder, Step::kOpenTicket, Step::kResolveTicket,
                               Step::kRecordSurvey));
  std::map<v1::Role, int> by_role;
  for (Step s : won) ++by_role[RoleOf(s)];
  EXPECT_EQ(by_role[v1::ROLE_SALES_REP], 5);
  EXPECT_EQ(by_role[v1::ROLE_BD_MANAGER], 2);
  EXPECT_EQ(by_role[v1::ROLE_SALES_SUPPORT], 3);
  EXPECT_EQ(by_role[v1::ROLE_AFTER_SALES], 3);
  EXPECT_EQ(StepName(Step::kRecordSurvey), "RecordSurvey");
}

TEST(JourneyCursorTest, EveryTenthCommandIsARefusalThatDoesNotAdvance) {
  JourneyCursor cursor;
  uint64_t next_lead = 0;
  const auto new_lead = [&] { return next_lead++; };
  int refusals = 0;
  std::vector<Step> sent;
  for (int i = 0; i < 100; ++i) {
    const PlannedCommand p = cursor.Next(new_lead);
    if (p.refusal) {
      ++refusals;
      EXPECT_EQ(i % 10, 9) << i;
    } else {
      sent.push_back(p.step);
    }
    cursor.Completed(/*ok=*/true);
  }
  EXPECT_EQ(refusals, 10);
  // The 90 real commands follow the journeys in order: lead 0 (13 steps),
  // lead 1 (13), lead 2 (13), lead 3 (13), lead 4 (7: lost), ...
  std::vector<Step> expected;
  for (uint64_t n = 0; expected.size() < sent.size(); ++n) {
    for (Step s : JourneyOf(n)) expected.push_back(s);
  }
  expected.resize(sent.size());
  EXPECT_EQ(sent, expected);
}

TEST(JourneyCursorTest, RefusalIsWinDealOnAFreshLeadElseQualify) {
  JourneyCursor cursor;
  uint64_t next_lead = 0;
  const auto new_lead = [&] { return next_lead++; };
  // Lead 0 needs 13 commands; drive to the 9th command (index 8) and check
  // the lead's stage decides the refusal.
  for (int i = 0; i < 9; ++i) {
    cursor.Next(new_lead);
    cursor.Completed(true);
  }
  PlannedCommand p = cursor.Next(new_lead);
  ASSERT_TRUE(p.refusal);
  EXPECT_EQ(p.step, Step::kQualify);  // lead 0 is far past IDENTIFIED
  EXPECT_EQ(p.lead, 0u);
  cursor.Completed(false);  // refused, as it should be

  // A lead that only got identified is refused a WinDeal.
  JourneyCursor fresh;
  next_lead = 100;
  for (int i = 0; i < 9; ++i) {
    const PlannedCommand q = fresh.Next(new_lead);
    // Fail every step after IdentifyLead, so each lead stays IDENTIFIED.
    fresh.Completed(q.step == Step::kIdentify);
  }
  p = fresh.Next(new_lead);
  ASSERT_TRUE(p.refusal);
  EXPECT_EQ(p.step, Step::kWinDeal);
}

TEST(JourneyCursorTest, AFailedStepAbandonsTheLead) {
  JourneyCursor cursor;
  uint64_t next_lead = 0;
  const auto new_lead = [&] { return next_lead++; };
  EXPECT_EQ(cursor.Next(new_lead).step, Step::kIdentify);
  cursor.Completed(true);
  EXPECT_EQ(cursor.Next(new_lead).step, Step::kQualify);
  cursor.Completed(false);
  const PlannedCommand p = cursor.Next(new_lead);
  EXPECT_EQ(p.step, Step::kIdentify);
  EXPECT_EQ(p.lead, 1u);
}

TEST(JourneyCursorTest, NoRefusalBeforeTheFirstLeadExists) {
  JourneyCursor cursor;
  uint64_t next_lead = 0;
  const auto new_lead = [&] { return next_lead++; };
  for (int i = 0; i < 20; ++i) {
    const PlannedCommand p = cursor.Next(new_lead);
    EXPECT_FALSE(p.refusal);
    EXPECT_EQ(p.step, Step::kIdentify);
    cursor.Completed(false);  // the server refuses every IdentifyLead
  }
}

}  // namespace
}  // namespace salesops::bench
