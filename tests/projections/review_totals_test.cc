// ReviewTotals and PositionDigest: the sums a review merges day by day.
#include "projections/review_totals.h"

#include "gtest/gtest.h"

namespace salesops::projections {
namespace {

TEST(PositionDigestTest, IsTheSumOfEachPositionsSha256) {
  PositionDigest one;
  one.Add(1);
  // SHA-256 of 00 00 00 00 00 00 00 01.
  EXPECT_EQ(one.ToString(), "sha256-sum:cd2662154e6d76b2b2b92e70c0cac3ccf534f9b74eb5b89819ec509083d00a50");
  EXPECT_EQ(one.count(), 1u);
  PositionDigest empty;
  EXPECT_EQ(empty.ToString(), "sha256-sum:" + std::string(64, '0'));
  // Doubling a hash overflows 2^256: the carry out of the top limb is dropped.
  PositionDigest twice;
  twice.Add(7);
  twice.Add(7);
  EXPECT_EQ(twice.ToString(), "sha256-sum:47d71b713f8a24799fa92b0a0b3e52578814381aaa170c1e49f09df68ec1f7e4");
}

TEST(PositionDigestTest, OrderAndGroupingDoNotMatter) {
  PositionDigest forward, backward, left, right;
  for (uint64_t p : {1, 2, 3}) forward.Add(p);
  for (uint64_t p : {3, 2, 1}) backward.Add(p);
  left.Add(2);
  right.Add(3);
  right.Add(1);
  left.Merge(right);
  EXPECT_EQ(forward.ToString(), "sha256-sum:6f9390dd68605a0cb344c991e2c9e2b3be830c928edc448d21e9c3e3a3975335");
  EXPECT_EQ(backward, forward);
  EXPECT_EQ(left, forward);
  EXPECT_EQ(left.count(), 3u);
}

Fact At(FactKind kind, uint64_t position, absl::Duration d = absl::InfiniteDuration()) {
  Fact f;
  f.kind = kind;
  f.at = absl::FromUnixSeconds(1'780'000'000) + absl::Minutes(static_cast<int64_t>(position));
  f.position = position;
  f.duration = d;
  return f;
}

TEST(ReviewTotalsTest, FactsOfOneEventCountOneInput) {
  ReviewTotals t;
  Fact won = At(FactKind::kWon, 5, absl::Hours(48));
  won.currency = "CNY";
  won.amount_minor = 300;
  t.Add(At(FactKind::kStageTime, 5, absl::Hours(2)));
  t.Add(won);
  t.Add(At(FactKind::kIdentified, 6));
  EXPECT_EQ(t.inputs.count(), 2u);
  EXPECT_EQ(t.count[static_cast<size_t>(FactKind::kWon)], 1u);
  EXPECT_EQ(t.cycle.sum, absl::Hours(48));
  EXPECT_EQ(t.won.at("CNY"), std::make_pair(int64_t{300}, uint64_t{1}));
}

TEST(ReviewTotalsTest, MergedDaysEqualOneRun) {
  const std::vector<Fact> facts = {At(FactKind::kResolved, 1, absl::Hours(3)), At(FactKind::kResolved, 2, absl::Hours(5)),
                                   At(FactKind::kHandOffDelay, 3, absl::Minutes(30)),
                                   At(FactKind::kStageTime, 4, absl::Hours(1))};
  ReviewTotals whole, first, second;
  for (const Fact& f : facts) whole.Add(f);
  first.Add(facts[0]);
  first.Add(facts[1]);
  second.Add(facts[2]);
  second.Add(facts[3]);
  first.Merge(second);
  EXPECT_EQ(first.inputs, whole.inputs);
  EXPECT_EQ(first.count, whole.count);
  EXPECT_EQ(first.resolution.sum, absl::Hours(8));
  EXPECT_EQ(first.resolution.n, 2u);
  EXPECT_EQ(first.stage_time.at(0).sum, absl::Hours(1));
}

TEST(ReviewDaysTest, AFactBackfilledIntoAnEarlierDayLandsThereAndOutcomesStayInTimeOrder) {
  ReviewDays days;
  Fact today = At(FactKind::kQualified, 40, absl::Hours(1));
  today.at += absl::Hours(24 * 3);
  today.ref = "lead-b";
  Fact backfilled = At(FactKind::kQualified, 41, absl::Hours(2));  // written later, dated earlier
  backfilled.ref = "lead-a";
  AddToDays(days, "bd1", &today, 1);
  AddToDays(days, "bd1", &backfilled, 1);
  const MemberDays& m = days.by_member.at("bd1");
  ASSERT_EQ(m.days.size(), 2u);
  EXPECT_EQ(m.days.at(DayOf(backfilled.at)).count[static_cast<size_t>(FactKind::kQualified)], 1u);
  EXPECT_EQ(m.days.at(DayOf(today.at)).turnaround.sum, absl::Hours(1));
  ASSERT_EQ(m.outcomes.size(), 2u);
  EXPECT_EQ(m.outcomes[0].ref, "lead-a");  // time order, not arrival order
  EXPECT_EQ(m.outcomes[1].ref, "lead-b");
}

}  // namespace
}  // namespace salesops::projections
