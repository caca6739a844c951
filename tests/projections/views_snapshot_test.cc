// Snapshots of the views fold large enough to span several chunks (so the
// two parsing threads of DecodeViewsSnapshot both take part): the decoded
// fold encodes to the same bytes, its indexes equal freshly built ones, and
// an unreadable chunk is refused by number.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/views_snapshot.h"
#include "projections/views_state.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {
namespace {

using ::testing::HasSubstr;

// `n` open leads in a few stages with values, owners and assignees (a fifth
// unassigned), each with one fact for its owner, indexed as the live fold
// indexes them; times repeat so that index keys tie on time and are ordered
// by id.
ViewsState ManyLeads(int n) {
  ViewsState state;
  const absl::Time t0 = absl::FromUnixSeconds(1'780'000'000);
  const v1::Stage stages[] = {v1::STAGE_IDENTIFIED, v1::STAGE_QUALIFIED, v1::STAGE_QUOTED};
  for (int i = 0; i < n; ++i) {
    const std::string id = absl::StrFormat("lead%012d", (i * 7919) % n);  // not in insertion order
    const std::string owner = absl::StrFormat("rep-%d", i % 4);
    const absl::Time at = t0 + absl::Minutes(i / 3);
    domain::LeadState& lead = state.core.leads[id];
    lead.exists = true;
    lead.stage = stages[i % 3];
    lead.version = 2;
    lead.owner = owner;
    lead.assignee = i % 5 == 0 ? "" : owner;
    lead.awaiting_role = v1::ROLE_SALES_REP;
    lead.last_occurred_at = at;
    v1::Lead view;
    view.set_lead_id(id);
    view.set_stage(lead.stage);
    view.set_furthest_stage(lead.stage);
    view.set_owner(owner);
    view.set_assignee(lead.assignee);
    view.set_source(v1::LEAD_SOURCE_REFERRAL);
    view.mutable_estimated_value()->set_currency(i % 2 == 0 ? "CNY" : "USD");
    view.mutable_estimated_value()->set_amount_minor(100 * (i % 50));
    *view.mutable_identified_at() = ToProtoTime(at);
    *view.mutable_stage_entered_at() = ToProtoTime(at);
    *view.mutable_assigned_at() = ToProtoTime(at);
    domain::RestoreLeadDetails(lead, id, view);
    // Indexed one lead at a time, as the live fold does.
    const LeadIndexKey key = IndexKeyOf(lead);
    ReindexLead(state.index.leads, state.core.leads.find(id)->first, nullptr, &key);
    const std::string stream = absl::StrCat(domain::kLeadStreamPrefix, id);
    IndexWork(state.index.work, stream, WorkItemOf(state.core, stream));
    Fact& fact = state.facts.by_member[owner].emplace_back();
    fact.kind = FactKind::kIdentified;
    fact.at = at;
    fact.position = static_cast<uint64_t>(i) + 1;
  }
  state.position = static_cast<uint64_t>(n);
  return state;
}

size_t Bytes(const std::vector<std::string>& chunks) {
  size_t bytes = 0;
  for (const std::string& chunk : chunks) bytes += chunk.size();
  return bytes;
}

TEST(ViewsSnapshotTest, AFoldOfManyChunksDecodesToTheSameFoldAndIndexes) {
  ViewsState state = ManyLeads(static_cast<int>(3 * kLeadsPerChunk + 17));
  const std::vector<std::string> chunks = EncodeViewsSnapshot(state);
  ASSERT_GT(chunks.size(), 4u) << "the fold must span several chunks";
  ASSERT_GE(Bytes(chunks), kSnapshotBytesWorthThreads) << "the chunks must be parsed beside the fold";

  absl::StatusOr<ViewsState> decoded = DecodeViewsSnapshot(chunks);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeViewsSnapshot(*decoded), chunks);
  EXPECT_TRUE(decoded->index == state.index) << "indexes built at load differ from those kept one lead at a time";
  EXPECT_EQ(decoded->index.work.items.size(), state.core.leads.size());
  EXPECT_EQ(decoded->index.leads.all.stages[v1::STAGE_QUOTED].by_entered.size(), state.core.leads.size() / 3);
}

TEST(ViewsSnapshotTest, AnUnreadableChunkIsRefusedByNumber) {
  std::vector<std::string> chunks = EncodeViewsSnapshot(ManyLeads(static_cast<int>(2 * kLeadsPerChunk + 1)));
  ASSERT_GT(chunks.size(), 3u);
  ASSERT_GE(Bytes(chunks), kSnapshotBytesWorthThreads) << "the parsers must stop with the fold";
  chunks[2] = std::string("\xff\xff\xff", 3);
  absl::StatusOr<ViewsState> decoded = DecodeViewsSnapshot(chunks);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(decoded.status().message(), HasSubstr("chunk 2 unreadable"));
}

TEST(ViewsSnapshotTest, ASmallFoldIsParsedAsItIsFoldedAndRefusesAnUnreadableChunkAlike) {
  ViewsState state = ManyLeads(50);
  std::vector<std::string> chunks = EncodeViewsSnapshot(state);
  ASSERT_LT(Bytes(chunks), kSnapshotBytesWorthThreads);
  absl::StatusOr<ViewsState> decoded = DecodeViewsSnapshot(chunks);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeViewsSnapshot(*decoded), chunks);
  EXPECT_TRUE(decoded->index == state.index);

  chunks[1] = std::string("\xff\xff\xff", 3);
  decoded = DecodeViewsSnapshot(chunks);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(decoded.status().message(), HasSubstr("chunk 1 unreadable"));
}

}  // namespace
}  // namespace salesops::projections
