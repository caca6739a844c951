#include "audit_tables.h"

#include <vector>

#include "absl/strings/str_split.h"
#include "display_width.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reply_format.h"
#include "salesops/v1/leads.pb.h"

namespace salesctl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

salesops::v1::HistoryEntry* AddEntry(salesops::v1::GetLeadHistoryResponse* history, uint64_t position,
                                     int64_t seconds, std::string actor, std::string action,
                                     salesops::v1::Stage from, salesops::v1::Stage to, std::string details) {
  salesops::v1::HistoryEntry* entry = history->add_entries();
  entry->set_position(position);
  entry->set_version(history->entries_size());
  entry->mutable_occurred_at()->set_seconds(seconds);
  entry->mutable_occurred_at()->set_nanos(999999999);
  entry->set_actor(std::move(actor));
  entry->set_action(std::move(action));
  entry->set_from_stage(from);
  entry->set_to_stage(to);
  entry->set_details(std::move(details));
  return entry;
}

salesops::v1::GetLeadHistoryResponse SampleHistory() {
  salesops::v1::GetLeadHistoryResponse history;
  history.set_lead_id("ACME-1");
  AddEntry(&history, 1, 1795860000, "张三", "LeadIdentified", salesops::v1::STAGE_UNSPECIFIED,
           salesops::v1::STAGE_IDENTIFIED, "北京某某科技 via referral");
  AddEntry(&history, 12, 1795863600, "li.si", "LeadQualified", salesops::v1::STAGE_IDENTIFIED,
           salesops::v1::STAGE_QUALIFIED, "score 80");
  AddEntry(&history, 130, 1795867200, "王小明", "LeadUpdated", salesops::v1::STAGE_UNSPECIFIED,
           salesops::v1::STAGE_UNSPECIFIED, "联系人电话已更新，客户希望下周再联系我们讨论预算和交付时间");
  return history;
}

TEST(RenderLeadHistoryTest, AlignedTableWithStageChanges) {
  const std::string text = RenderLeadHistory(SampleHistory());
  const std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << text;
  EXPECT_EQ(lines[0], "lead: ACME-1");
  EXPECT_EQ(lines[1],
            "POS  VER  OCCURRED              ACTOR   ACTION          "
            "STAGE                   DETAILS" +
                std::string(32, ' '));
  EXPECT_EQ(lines[2],
            "  1    1  2026-11-28T10:00:00Z  张三    LeadIdentified  "
            "→ IDENTIFIED            北京某某科技 via referral" +
                std::string(14, ' '));
  EXPECT_EQ(lines[3],
            " 12    2  2026-11-28T11:00:00Z  li.si   LeadQualified   "
            "IDENTIFIED → QUALIFIED  score 80" +
                std::string(31, ' '));
  // No stage change: a blank STAGE cell. Long details are cut to 40 columns
  // with an ellipsis, never splitting a character.
  EXPECT_EQ(lines[4],
            "130    3  2026-11-28T12:00:00Z  王小明  LeadUpdated     "
            "                        联系人电话已更新，客户希望下周再联系我…");
  // Every table line is equally wide, Chinese cells included.
  for (size_t i = 2; i < lines.size(); ++i) {
    EXPECT_EQ(DisplayWidth(lines[i]), DisplayWidth(lines[1])) << lines[i];
  }
  EXPECT_EQ(text.find("next_version"), std::string::npos);
}

TEST(RenderLeadHistoryTest, ShowsNextVersionAndFallsBackToRecordedAt) {
  salesops::v1::GetLeadHistoryResponse history;
  salesops::v1::HistoryEntry* entry = history.add_entries();
  entry->mutable_recorded_at()->set_seconds(1795860000);
  history.set_next_version(1001);
  const std::string text = RenderLeadHistory(history);
  EXPECT_THAT(text, HasSubstr("2026-11-28T10:00:00Z"));
  EXPECT_THAT(text, HasSubstr("next_version: 1001\n"));
}

TEST(RenderLeadHistoryTest, DetailsAreCappedAtFortyColumns) {
  salesops::v1::GetLeadHistoryResponse history;
  history.add_entries()->set_details(std::string(100, 'x'));
  const std::vector<std::string> lines = absl::StrSplit(RenderLeadHistory(history), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], ::testing::EndsWith(std::string(39, 'x') + "…"));
  EXPECT_THAT(lines[1], ::testing::Not(HasSubstr(std::string(40, 'x'))));
}

TEST(RenderLogPageTest, TableAndTrailer) {
  salesops::v1::ReadLogResponse page;
  salesops::v1::EventEnvelope* event = page.add_events();
  event->set_position(41);
  event->set_stream_id("lead-ACME-1");
  event->set_stream_version(2);
  event->set_event_type("LeadQualified");
  event->mutable_occurred_at()->set_seconds(1795860000);
  event->set_actor("张三");
  page.set_next_position(42);
  page.set_head_position(57);
  EXPECT_EQ(RenderLogPage(page),
            "POS  STREAM       VER  TYPE           OCCURRED              ACTOR\n"
            " 41  lead-ACME-1    2  LeadQualified  2026-11-28T10:00:00Z  张三 \n"
            "next_position: 42  head_position: 57\n");
}

TEST(FormatReadableTest, DispatchesByType) {
  EXPECT_THAT(FormatReadable(SampleHistory()), StartsWith("lead: ACME-1\nPOS"));
  salesops::v1::ReadLogResponse page;
  EXPECT_THAT(FormatReadable(page), HasSubstr("head_position: 0"));
  salesops::v1::Money money;
  money.set_amount_minor(120050);
  money.set_currency("CNY");
  EXPECT_EQ(FormatReadable(money), "amount_minor: 120050\ncurrency: CNY\n");
}

TEST(FormatJsonTest, OneLineProtobufJsonMapping) {
  salesops::v1::LeadCommandReply reply;
  reply.set_lead_id("张三-1");
  reply.set_version(3);
  reply.set_stage(salesops::v1::STAGE_QUALIFIED);
  absl::StatusOr<std::string> json = FormatJson(reply);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            "{\"leadId\":\"张三-1\",\"version\":\"3\",\"stage\":\"STAGE_"
            "QUALIFIED\"}\n");
}

}  // namespace
}  // namespace salesctl
