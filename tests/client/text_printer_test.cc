#include "text_printer.h"

#include "gtest/gtest.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesctl {
namespace {

TEST(FormatFieldsTest, MoneyEnumsTimestampsAndNestedMessages) {
  salesops::v1::Lead lead;
  lead.set_lead_id("ACME-1");
  lead.set_company("北京某某科技");
  lead.mutable_contact()->set_name("张三");
  lead.mutable_contact()->set_phone("+86 10 1234");
  lead.set_source(salesops::v1::LEAD_SOURCE_REFERRAL);
  lead.mutable_estimated_value()->set_amount_minor(120050);
  lead.mutable_estimated_value()->set_currency("CNY");
  lead.set_stage(salesops::v1::STAGE_NEEDS_ANALYZED);
  lead.set_version(3);
  lead.mutable_identified_at()->set_seconds(1795860000);
  EXPECT_EQ(FormatFields(lead),
            "lead_id: ACME-1\n"
            "company: 北京某某科技\n"
            "contact:\n"
            "  name: 张三\n"
            "  phone: +86 10 1234\n"
            "source: REFERRAL\n"
            "estimated_value: 1200.50 CNY\n"
            "stage: NEEDS_ANALYZED\n"
            "version: 3\n"
            "identified_at: 2026-11-28T10:00:00Z\n");
}

TEST(FormatFieldsTest, OnlySetFieldsArePrinted) {
  salesops::v1::LeadCommandReply reply;
  EXPECT_EQ(FormatFields(reply), "");
  reply.set_lead_id("A");
  reply.set_stage(salesops::v1::STAGE_QUALIFIED);
  EXPECT_EQ(FormatFields(reply), "lead_id: A\nstage: QUALIFIED\n");
}

TEST(FormatFieldsTest, ZeroMoneyThatIsPresentIsPrinted) {
  salesops::v1::Lead lead;
  lead.mutable_won_amount()->set_currency("CNY");
  EXPECT_EQ(FormatFields(lead), "won_amount: 0.00 CNY\n");
}

TEST(FormatFieldsTest, RepeatedScalarsAndMessagesAreListed) {
  salesops::v1::ReadLogRequest request;
  request.add_event_types("DealWon");
  request.add_event_types("DealLost");
  EXPECT_EQ(FormatFields(request), "event_types:\n  - DealWon\n  - DealLost\n");

  salesops::v1::GetLeadHistoryResponse history;
  salesops::v1::HistoryEntry* entry = history.add_entries();
  entry->set_position(7);
  entry->set_details("line1\nline2");
  entry->mutable_event()->mutable_lead_qualified()->set_score(80);
  history.add_entries();
  EXPECT_EQ(FormatFields(history),
            "entries:\n"
            "  - position: 7\n"
            "    details: line1\\nline2\n"
            "    event:\n"
            "      lead_qualified:\n"
            "        score: 80\n"
            "  - {}\n");
}

TEST(FormatFieldsTest, EmptyPresentMessageAndUnknownEnumNumber) {
  salesops::v1::Lead lead;
  lead.mutable_contact();
  lead.set_stage(static_cast<salesops::v1::Stage>(42));
  EXPECT_EQ(FormatFields(lead), "contact: {}\nstage: 42\n");
}

}  // namespace
}  // namespace salesctl
