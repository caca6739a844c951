// The views' indexes for what the deciders never produce: leads an import
// can bring (Admin.ImportEvents checks an event's type and position, not
// its values) and page tokens a client forged.
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "projections/deterministic_bytes.h"
#include "projections/pipeline.h"
#include "projections/views_state.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'780'000'000);

v1::EventEnvelope LeadEvent(uint64_t position, v1::Event event, const std::string& lead_id = "a",
                            uint64_t version = 0) {
  v1::EventEnvelope e;
  e.set_envelope_version(1);
  e.set_position(position);
  e.set_stream_id("lead-" + lead_id);
  e.set_stream_version(version == 0 ? position : version);
  *e.mutable_recorded_at() = ToProtoTime(kT0 + absl::Hours(static_cast<int64_t>(position)));
  *e.mutable_occurred_at() = e.recorded_at();
  e.set_actor("rep1");
  *e.mutable_event() = std::move(event);
  return e;
}

v1::Event Identified(const std::string& lead_id = "a", int64_t amount_minor = 120'000) {
  v1::Event event;
  v1::LeadIdentified* identified = event.mutable_lead_identified();
  identified->set_lead_id(lead_id);
  identified->set_company("成都某某科技有限公司");
  identified->mutable_contact()->set_name("杨帆");
  identified->set_source(v1::LEAD_SOURCE_REFERRAL);
  identified->mutable_estimated_value()->set_currency("CNY");
  identified->mutable_estimated_value()->set_amount_minor(amount_minor);
  identified->set_owner("rep1");
  identified->mutable_transition()->set_to_stage(v1::STAGE_IDENTIFIED);
  return event;
}

v1::Event Qualified(v1::Stage from, int to) {
  v1::Event event;
  event.mutable_lead_qualified()->set_score(80);
  event.mutable_lead_qualified()->mutable_transition()->set_from_stage(from);
  event.mutable_lead_qualified()->mutable_transition()->set_to_stage(static_cast<v1::Stage>(to));
  return event;
}

// Found by the envelope fuzz target (docs/FUZZING.md): a stage change to a
// stage this build does not know (58) indexed the stage array past its end.
// Such a lead is now in no stage's index, kept event by event or rebuilt,
// and leaves it again when it reaches a known stage.
TEST(ViewIndexTest, ALeadInAStageThisBuildDoesNotKnowIsInNoStageIndex) {
  ViewsState state;
  EvolveViews(state, LeadEvent(1, Identified()));
  EvolveViews(state, LeadEvent(2, Qualified(v1::STAGE_IDENTIFIED, 58)));
  EXPECT_EQ(state.core.leads.at("a").stage, 58);
  for (const StageIndex& stage : state.index.leads.all.stages) EXPECT_TRUE(stage.by_entered.empty());
  EXPECT_TRUE(ViewsState(state).index == state.index) << "a rebuild indexes it differently";

  v1::ListLeadsRequest by_value;
  by_value.set_order_by(v1::LEAD_ORDER_VALUE);
  by_value.set_currency("CNY");
  absl::StatusOr<v1::ListLeadsResponse> listed = ListLeads(state, by_value, kT0 + absl::Hours(3));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->total(), 0u);
  ASSERT_TRUE(BuildPipeline(state, v1::GetPipelineRequest(), kT0 + absl::Hours(3)).ok());

  EvolveViews(state, LeadEvent(3, Qualified(static_cast<v1::Stage>(58), v1::STAGE_QUALIFIED)));
  EXPECT_EQ(state.index.leads.all.stages[v1::STAGE_QUALIFIED].by_entered.size(), 1u);
  EXPECT_TRUE(ViewsState(state).index == state.index);
}

// Found while writing the page_token fuzz target (docs/FUZZING.md), and
// confirmed with an input for it: a ListLeads page token by value holds the
// last row's amount, which the next page negated to find its place, an
// overflow for a forged amount of -2^63. The key is now ~amount: such a
// cursor lies after every lead, and the page is empty.
TEST(ViewIndexTest, AForgedCursorAtTheLeastAmountEndsThePaging) {
  ViewsState state;
  EvolveViews(state, LeadEvent(1, Identified("a", 500), "a", 1));
  EvolveViews(state, LeadEvent(2, Identified("b", 700), "b", 1));
  v1::ListLeadsRequest request;
  request.set_order_by(v1::LEAD_ORDER_VALUE);
  request.set_currency("CNY");
  request.set_page_size(1);
  const absl::Time now = kT0 + absl::Hours(3);
  absl::StatusOr<v1::ListLeadsResponse> first = ListLeads(state, request, now);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->leads(0).lead_id(), "b");
  std::string bytes;
  v1::LeadsPageToken token;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(first->next_page_token(), &bytes) && token.ParseFromString(bytes));
  EXPECT_EQ(token.last().estimated_value().amount_minor(), 700);

  token.mutable_last()->mutable_estimated_value()->set_amount_minor(std::numeric_limits<int64_t>::min());
  request.set_page_token(absl::WebSafeBase64Escape(DeterministicBytes(token)));
  absl::StatusOr<v1::ListLeadsResponse> forged = ListLeads(state, request, now);
  ASSERT_TRUE(forged.ok()) << forged.status();
  EXPECT_EQ(forged->leads_size(), 0);
  EXPECT_EQ(forged->total(), 2u);

  // A cursor at the greatest amount lies before every lead.
  token.mutable_last()->mutable_estimated_value()->set_amount_minor(std::numeric_limits<int64_t>::max());
  request.set_page_token(absl::WebSafeBase64Escape(DeterministicBytes(token)));
  absl::StatusOr<v1::ListLeadsResponse> before_all = ListLeads(state, request, now);
  ASSERT_TRUE(before_all.ok()) << before_all.status();
  ASSERT_EQ(before_all->leads_size(), 1);
  EXPECT_EQ(before_all->leads(0).lead_id(), "b");
}

}  // namespace
}  // namespace salesops::projections
