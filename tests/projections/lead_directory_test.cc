// Tests of LeadDirectory: committed envelopes folded by the views, the Lead
// view GetLead returns out.
#include "projections/lead_directory.h"

#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/proto_time.h"
#include "tests/domain/lead_test_events.h"

namespace salesops::projections {
namespace {

namespace ev = ::salesops::test_events;

constexpr absl::string_view kLeadId = "ACME-1";

// The views fold and the directory that reads leads from it.
struct Folded {
  Views views;
  LeadDirectory directory{&views};
  void Apply(absl::Span<const v1::EventEnvelope> events) { views.Apply(events); }
  std::optional<v1::Lead> Get(absl::string_view lead_id) const { return directory.Get(lead_id); }
  size_t size() const { return directory.size(); }
  uint64_t position() const { return views.position(); }
};

absl::Time TimeOf(const google::protobuf::Timestamp& ts) { return FromProtoTime(ts); }

// Applies one envelope on its own and returns the lead's view afterwards.
v1::Lead ApplyAndGet(Folded& directory, const v1::EventEnvelope& envelope,
                     absl::string_view lead_id = kLeadId) {
  directory.Apply({envelope});
  std::optional<v1::Lead> lead = directory.Get(lead_id);
  EXPECT_TRUE(lead.has_value()) << lead_id;
  return lead.value_or(v1::Lead());
}

// An envelope of a stream that is not a lead's, at `position`.
v1::EventEnvelope OtherStream(absl::string_view stream_id, uint64_t position, v1::Event event) {
  v1::EventEnvelope envelope;
  envelope.set_envelope_version(1);
  envelope.set_position(position);
  envelope.set_stream_id(std::string(stream_id));
  envelope.set_stream_version(1);
  *envelope.mutable_occurred_at() = ToProtoTime(ev::HistoryStart());
  *envelope.mutable_event() = std::move(event);
  return envelope;
}

TEST(LeadDirectoryTest, EmptyDirectory) {
  Folded directory;
  EXPECT_EQ(directory.position(), 0u);
  EXPECT_EQ(directory.size(), 0u);
  EXPECT_FALSE(directory.Get(kLeadId).has_value());
  directory.Apply({});
  EXPECT_EQ(directory.position(), 0u);
}

TEST(LeadDirectoryTest, FoldsALifecycleStepByStep) {
  const std::vector<v1::EventEnvelope> e = ev::Envelopes(
      kLeadId,
      {
          ev::LeadIdentified(kLeadId, "ACME 北京", "alice"),                                    // 0
          ev::LeadQualified(v1::STAGE_IDENTIFIED, 80),                                          // 1
          ev::NeedsRecorded(v1::STAGE_QUALIFIED),                                               // 2
          ev::SolutionProposed(v1::STAGE_NEEDS_ANALYZED, 900'000),                              // 3
          ev::QuoteSent(v1::STAGE_SOLUTION_PROPOSED, 1, 850'000, "Q-7"),                        // 4
          ev::QuoteSent(v1::STAGE_QUOTED, 2, 820'000, "Q-7b"),                                  // 5
          ev::NegotiationStarted(v1::STAGE_QUOTED),                                             // 6
          ev::DealLost(v1::STAGE_NEGOTIATING, v1::LOSS_REASON_COMPETITOR, "华为", "价格更低"),  // 7
          ev::LeadReopened(v1::STAGE_LOST, v1::STAGE_NEGOTIATING),                              // 8
          ev::DealWon(v1::STAGE_NEGOTIATING, 800'000),                                          // 9
      },
      /*first_position=*/101);
  const auto at = [&](size_t i) { return TimeOf(e[i].occurred_at()); };

  // Per step: the stage, the step whose time is stage_entered_at, closed_from.
  struct Step {
    v1::Stage stage;
    size_t entered;
    v1::Stage closed_from;
  };
  const Step steps[] = {
      {v1::STAGE_IDENTIFIED, 0, v1::STAGE_UNSPECIFIED},
      {v1::STAGE_QUALIFIED, 1, v1::STAGE_UNSPECIFIED},
      {v1::STAGE_NEEDS_ANALYZED, 2, v1::STAGE_UNSPECIFIED},
      {v1::STAGE_SOLUTION_PROPOSED, 3, v1::STAGE_UNSPECIFIED},
      {v1::STAGE_QUOTED, 4, v1::STAGE_UNSPECIFIED},
      {v1::STAGE_QUOTED, 4, v1::STAGE_UNSPECIFIED},  // a revision: still in QUOTED since step 4
      {v1::STAGE_NEGOTIATING, 6, v1::STAGE_UNSPECIFIED},
      {v1::STAGE_LOST, 7, v1::STAGE_NEGOTIATING},
      {v1::STAGE_NEGOTIATING, 8, v1::STAGE_UNSPECIFIED},
      {v1::STAGE_WON, 9, v1::STAGE_UNSPECIFIED},
  };
  ASSERT_EQ(std::size(steps), e.size());

  Folded directory;
  std::vector<v1::Lead> views;
  for (size_t i = 0; i < e.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("after event ", i, " (", e[i].event_type(), ")"));
    const v1::Lead lead = ApplyAndGet(directory, e[i]);
    EXPECT_EQ(lead.lead_id(), kLeadId);
    EXPECT_EQ(lead.stage(), steps[i].stage);
    EXPECT_EQ(lead.version(), i + 1);
    EXPECT_EQ(lead.last_position(), 101 + i);
    EXPECT_EQ(directory.position(), 101 + i);
    EXPECT_EQ(TimeOf(lead.stage_entered_at()), at(steps[i].entered));
    EXPECT_EQ(TimeOf(lead.updated_at()), at(i));
    EXPECT_EQ(TimeOf(lead.identified_at()), at(0));
    EXPECT_EQ(lead.closed_from_stage(), steps[i].closed_from);
    EXPECT_EQ(lead.owner(), "alice");
    EXPECT_EQ(lead.company(), "ACME 北京");
    views.push_back(lead);
  }
  EXPECT_EQ(directory.size(), 1u);

  // Amounts and the other facts, where they change.
  EXPECT_EQ(views[0].estimated_value().amount_minor(), 1'000'000);
  EXPECT_EQ(views[0].estimated_value().currency(), "CNY");
  EXPECT_EQ(views[0].contact().name(), "张伟");
  EXPECT_EQ(views[0].source(), v1::LEAD_SOURCE_REFERRAL);
  EXPECT_FALSE(views[0].has_quoted_amount());
  EXPECT_EQ(views[1].qualification_score(), 80);
  EXPECT_EQ(views[3].estimated_value().amount_minor(), 900'000);  // the proposal's value

  EXPECT_EQ(views[4].quote_id(), "Q-7");
  EXPECT_EQ(views[4].quoted_amount().amount_minor(), 850'000);
  EXPECT_EQ(views[4].quote_revision(), 1u);
  EXPECT_EQ(views[5].quote_id(), "Q-7b");
  EXPECT_EQ(views[5].quoted_amount().amount_minor(), 820'000);
  EXPECT_EQ(views[5].quote_revision(), 2u);

  EXPECT_EQ(views[7].loss_reason(), v1::LOSS_REASON_COMPETITOR);
  EXPECT_EQ(views[7].competitor(), "华为");
  EXPECT_EQ(views[7].close_reason(), "价格更低");

  // Reopening clears what the loss recorded but keeps the quote.
  EXPECT_EQ(views[8].loss_reason(), v1::LOSS_REASON_UNSPECIFIED);
  EXPECT_EQ(views[8].competitor(), "");
  EXPECT_EQ(views[8].close_reason(), "");
  EXPECT_EQ(views[8].quote_revision(), 2u);
  EXPECT_EQ(views[8].quoted_amount().amount_minor(), 820'000);

  EXPECT_FALSE(views[8].has_won_amount());
  EXPECT_EQ(views[9].won_amount().amount_minor(), 800'000);
  EXPECT_EQ(views[9].won_amount().currency(), "CNY");
  EXPECT_EQ(views[9].signed_date(), "2026-04-15");
  EXPECT_EQ(views[9].estimated_value().amount_minor(), 900'000);
  EXPECT_EQ(views[9].qualification_score(), 80);
}

TEST(LeadDirectoryTest, OneBatchEqualsEventByEvent) {
  const std::vector<v1::EventEnvelope> e =
      ev::Envelopes(kLeadId, {ev::LeadIdentified(kLeadId), ev::LeadQualified(), ev::NeedsRecorded(),
                              ev::SolutionProposed(), ev::QuoteSent(v1::STAGE_SOLUTION_PROPOSED, 1),
                              ev::QuoteSent(v1::STAGE_QUOTED, 2), ev::DealWon(v1::STAGE_QUOTED)});
  Folded batch;
  batch.Apply(e);
  Folded single;
  for (const v1::EventEnvelope& envelope : e) single.Apply({envelope});
  ASSERT_TRUE(batch.Get(kLeadId).has_value());
  ASSERT_TRUE(single.Get(kLeadId).has_value());
  EXPECT_EQ(batch.Get(kLeadId)->SerializeAsString(), single.Get(kLeadId)->SerializeAsString());
  EXPECT_EQ(batch.position(), e.back().position());
  EXPECT_EQ(batch.Get(kLeadId)->stage(), v1::STAGE_WON);
}

TEST(LeadDirectoryTest, DisqualifiedThenReopened) {
  const std::vector<v1::EventEnvelope> e =
      ev::Envelopes(kLeadId, {ev::LeadIdentified(kLeadId), ev::LeadQualified(),
                              ev::LeadDisqualified(v1::STAGE_QUALIFIED, "没有预算"),
                              ev::LeadReopened(v1::STAGE_DISQUALIFIED, v1::STAGE_QUALIFIED)});
  Folded directory;
  directory.Apply(absl::MakeConstSpan(e).subspan(0, 3));
  std::optional<v1::Lead> lead = directory.Get(kLeadId);
  ASSERT_TRUE(lead.has_value());
  EXPECT_EQ(lead->stage(), v1::STAGE_DISQUALIFIED);
  EXPECT_EQ(lead->closed_from_stage(), v1::STAGE_QUALIFIED);
  EXPECT_EQ(lead->close_reason(), "没有预算");
  EXPECT_EQ(TimeOf(lead->stage_entered_at()), TimeOf(e[2].occurred_at()));

  directory.Apply(absl::MakeConstSpan(e).subspan(3));
  lead = directory.Get(kLeadId);
  ASSERT_TRUE(lead.has_value());
  EXPECT_EQ(lead->stage(), v1::STAGE_QUALIFIED);
  EXPECT_EQ(lead->closed_from_stage(), v1::STAGE_UNSPECIFIED);
  EXPECT_EQ(lead->close_reason(), "");
  EXPECT_EQ(TimeOf(lead->stage_entered_at()), TimeOf(e[3].occurred_at()));
  EXPECT_EQ(lead->version(), 4u);
}

TEST(LeadDirectoryTest, UpdateChangesOnlyTheNamedFieldsAndNotTheStage) {
  std::vector<v1::Event> events = {ev::LeadIdentified(kLeadId), ev::LeadQualified()};
  v1::Event updated;
  updated.mutable_lead_updated()->mutable_contact()->set_name("王芳");
  updated.mutable_lead_updated()->set_source(v1::LEAD_SOURCE_EVENT);
  updated.mutable_lead_updated()->add_changed_fields("contact");
  updated.mutable_lead_updated()->add_changed_fields("source");
  events.push_back(updated);
  const std::vector<v1::EventEnvelope> e = ev::Envelopes(kLeadId, events);

  Folded directory;
  directory.Apply(e);
  const std::optional<v1::Lead> lead = directory.Get(kLeadId);
  ASSERT_TRUE(lead.has_value());
  EXPECT_EQ(lead->contact().name(), "王芳");
  EXPECT_EQ(lead->source(), v1::LEAD_SOURCE_EVENT);
  EXPECT_EQ(lead->estimated_value().amount_minor(), 1'000'000);  // not named: kept
  EXPECT_EQ(lead->stage(), v1::STAGE_QUALIFIED);
  EXPECT_EQ(TimeOf(lead->stage_entered_at()), TimeOf(e[1].occurred_at()));
  EXPECT_EQ(TimeOf(lead->updated_at()), TimeOf(e[2].occurred_at()));
  EXPECT_EQ(lead->version(), 3u);
}

TEST(LeadDirectoryTest, UnknownLeadIsNullopt) {
  Folded directory;
  directory.Apply(ev::Envelopes(kLeadId, {ev::LeadIdentified(kLeadId)}));
  EXPECT_TRUE(directory.Get(kLeadId).has_value());
  EXPECT_EQ(directory.Get("ACME-2"), std::nullopt);
  EXPECT_EQ(directory.Get(""), std::nullopt);
  EXPECT_EQ(directory.Get("lead-ACME-1"), std::nullopt);  // a stream id is not a lead id
  EXPECT_EQ(directory.Get("acme-1"), std::nullopt);
}

TEST(LeadDirectoryTest, LeadsAreKeptApart) {
  std::vector<v1::EventEnvelope> a = ev::Envelopes(
      "A", {ev::LeadIdentified("A", "甲公司", "alice"), ev::LeadQualified()}, /*first_position=*/1);
  std::vector<v1::EventEnvelope> b =
      ev::Envelopes("B", {ev::LeadIdentified("B", "乙公司", "carol")}, /*first_position=*/2);
  a[1].set_position(3);
  Folded directory;
  directory.Apply({a[0], b[0], a[1]});
  EXPECT_EQ(directory.size(), 2u);
  EXPECT_EQ(directory.position(), 3u);
  const std::optional<v1::Lead> lead_a = directory.Get("A");
  const std::optional<v1::Lead> lead_b = directory.Get("B");
  ASSERT_TRUE(lead_a.has_value());
  ASSERT_TRUE(lead_b.has_value());
  EXPECT_EQ(lead_a->company(), "甲公司");
  EXPECT_EQ(lead_a->stage(), v1::STAGE_QUALIFIED);
  EXPECT_EQ(lead_a->version(), 2u);
  EXPECT_EQ(lead_a->last_position(), 3u);
  EXPECT_EQ(lead_b->company(), "乙公司");
  EXPECT_EQ(lead_b->owner(), "carol");
  EXPECT_EQ(lead_b->stage(), v1::STAGE_IDENTIFIED);
  EXPECT_EQ(lead_b->version(), 1u);
  EXPECT_EQ(lead_b->last_position(), 2u);
}

TEST(LeadDirectoryTest, NonLeadStreamsAreIgnoredButAdvanceThePosition) {
  Folded directory;
  directory.Apply(ev::Envelopes(kLeadId, {ev::LeadIdentified(kLeadId, "ACME 北京")}, 1));
  ASSERT_EQ(directory.position(), 1u);

  // Payloads that would change the lead if the stream id were not checked.
  v1::Event impostor = ev::LeadIdentified(kLeadId, "Wrong Co", "mallory");
  directory.Apply({OtherStream("order-ACME-1", 2, impostor)});
  EXPECT_EQ(directory.position(), 2u);
  directory.Apply({OtherStream("leadACME-1", 3, impostor),   // no dash
                   OtherStream("Lead-ACME-1", 4, impostor),  // wrong case
                   OtherStream("member-bob", 5, ev::DealWon(v1::STAGE_QUOTED)),
                   OtherStream("", 6, impostor)});
  EXPECT_EQ(directory.position(), 6u);

  EXPECT_EQ(directory.size(), 1u);
  const std::optional<v1::Lead> lead = directory.Get(kLeadId);
  ASSERT_TRUE(lead.has_value());
  EXPECT_EQ(lead->company(), "ACME 北京");
  EXPECT_EQ(lead->owner(), "alice");
  EXPECT_EQ(lead->stage(), v1::STAGE_IDENTIFIED);
  EXPECT_EQ(lead->version(), 1u);
  EXPECT_EQ(lead->last_position(), 1u);
  for (absl::string_view id : {"order-ACME-1", "ACME-1x", "bob", "member-bob", "ACME-1 "}) {
    EXPECT_FALSE(directory.Get(id).has_value()) << id;
  }

  // A later lead event still applies after them.
  std::vector<v1::EventEnvelope> next =
      ev::Envelopes(kLeadId, {ev::LeadIdentified(kLeadId), ev::LeadQualified()}, 6);
  next[1].set_position(7);
  directory.Apply({next[1]});
  EXPECT_EQ(directory.position(), 7u);
  EXPECT_EQ(directory.Get(kLeadId)->stage(), v1::STAGE_QUALIFIED);
  EXPECT_EQ(directory.Get(kLeadId)->last_position(), 7u);
}

}  // namespace
}  // namespace salesops::projections
