// The views' indexes for leads the deciders would never produce, but an
// import can: Admin.ImportEvents checks an event's type and position, not
// its enum values.
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "projections/pipeline.h"
#include "projections/views_state.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'780'000'000);

v1::EventEnvelope LeadEvent(uint64_t position, v1::Event event) {
  v1::EventEnvelope e;
  e.set_envelope_version(1);
  e.set_position(position);
  e.set_stream_id("lead-a");
  e.set_stream_version(position);
  *e.mutable_recorded_at() = ToProtoTime(kT0 + absl::Hours(static_cast<int64_t>(position)));
  *e.mutable_occurred_at() = e.recorded_at();
  e.set_actor("rep1");
  *e.mutable_event() = std::move(event);
  return e;
}

v1::Event Identified() {
  v1::Event event;
  v1::LeadIdentified* identified = event.mutable_lead_identified();
  identified->set_lead_id("a");
  identified->set_company("成都某某科技有限公司");
  identified->mutable_contact()->set_name("杨帆");
  identified->set_source(v1::LEAD_SOURCE_REFERRAL);
  identified->mutable_estimated_value()->set_currency("CNY");
  identified->mutable_estimated_value()->set_amount_minor(120'000);
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
  EXPECT_EQ(state.leads.at("a").stage(), 58);
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

}  // namespace
}  // namespace salesops::projections
