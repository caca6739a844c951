// Audit.Subscribe's request rules and filter, without gRPC.
#include "server/service/subscribe_request.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::service {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

v1::EventEnvelope Event(std::string stream, std::string type, std::string actor) {
  v1::EventEnvelope e;
  e.set_stream_id(std::move(stream));
  e.set_event_type(std::move(type));
  e.set_actor(std::move(actor));
  return e;
}

TEST(PlanSubscriptionTest, StartsFromTheRequestedPositionOrAfterTheHead) {
  v1::SubscribeRequest r;
  EXPECT_EQ(PlanSubscription(r, 7)->from, 1u);  // 0 = the start
  r.set_from_position(8);
  EXPECT_EQ(PlanSubscription(r, 7)->from, 8u);  // head + 1: only what comes next
  r.set_from_position(0);
  r.set_from_now(true);
  EXPECT_EQ(PlanSubscription(r, 7)->from, 8u);
  EXPECT_EQ(PlanSubscription(r, 7)->checkpoint_every, absl::Seconds(kDefaultCheckpointSeconds));
}

struct BadCase {
  const char* name;
  v1::SubscribeRequest request;
  absl::StatusCode code;
  const char* message;
};

TEST(PlanSubscriptionTest, RefusesBadInputNamingTheFieldAndTheRule) {
  std::vector<BadCase> cases;
  const auto add = [&](const char* name, absl::StatusCode code, const char* message, auto edit) {
    BadCase c{name, {}, code, message};
    edit(c.request);
    cases.push_back(std::move(c));
  };
  add("beyond head + 1", absl::StatusCode::kOutOfRange, "from_position: 10 is beyond the head + 1 (9)",
      [](auto& r) { r.set_from_position(10); });
  add("from_now with a position", absl::StatusCode::kInvalidArgument, "from_position: must be 0 with from_now",
      [](auto& r) { r.set_from_now(true), r.set_from_position(3); });
  add("unknown type", absl::StatusCode::kInvalidArgument, "event_types: 'DealWonn' is not an event type",
      [](auto& r) { r.add_event_types("DealWonn"); });
  add("unknown category", absl::StatusCode::kInvalidArgument, "category: 'leads' is not one of lead, order",
      [](auto& r) { r.set_category("leads"); });
  add("malformed stream", absl::StatusCode::kInvalidArgument, "stream_id: 'lead-a b' is not a stream id",
      [](auto& r) { r.set_stream_id("lead-a b"); });
  add("unknown stream kind", absl::StatusCode::kInvalidArgument, "stream_id: 'deal-1' is not a stream id",
      [](auto& r) { r.set_stream_id("deal-1"); });
  add("stream outside category", absl::StatusCode::kInvalidArgument,
      "stream_id: 'order-1' is not in category 'lead'", [](auto& r) {
        r.set_category("lead");
        r.set_stream_id("order-1");
      });
  add("prefix with a stream", absl::StatusCode::kInvalidArgument,
      "stream_prefix: give stream_id or stream_prefix, not both", [](auto& r) {
        r.set_stream_id("lead-1");
        r.set_stream_prefix("lead-");
      });
  add("prefix outside category", absl::StatusCode::kInvalidArgument,
      "stream_prefix: 'order-' is not in category 'lead'", [](auto& r) {
        r.set_category("lead");
        r.set_stream_prefix("order-");
      });
  add("prefix not UTF-8", absl::StatusCode::kInvalidArgument, "stream_prefix: must be valid UTF-8",
      [](auto& r) { r.set_stream_prefix("lead-\xff"); });
  add("malformed actor", absl::StatusCode::kInvalidArgument, "actor: must match",
      [](auto& r) { r.set_actor("rep 1"); });
  add("checkpoint too long", absl::StatusCode::kInvalidArgument, "checkpoint_seconds: must be 1..3600",
      [](auto& r) { r.set_checkpoint_seconds(3601); });
  add("messages too packed", absl::StatusCode::kInvalidArgument, "max_events_per_message: must be at most 1000",
      [](auto& r) { r.set_max_events_per_message(1001); });
  for (const BadCase& c : cases) {
    EXPECT_THAT(PlanSubscription(c.request, 8), StatusIs(c.code, HasSubstr(c.message))) << c.name;
  }
}

TEST(EventFilterTest, FieldsCombineWithAndTypesWithOr) {
  v1::SubscribeRequest r;
  r.add_event_types("LeadIdentified");
  r.add_event_types("DealWon");
  r.set_category("lead");
  r.set_actor("rep1");
  absl::StatusOr<SubscribePlan> plan = PlanSubscription(r, 0);
  ASSERT_THAT(plan, IsOk());
  const EventFilter& f = plan->filter;
  EXPECT_TRUE(f.Matches(Event("lead-a", "LeadIdentified", "rep1")));
  EXPECT_TRUE(f.Matches(Event("lead-b", "DealWon", "rep1")));
  EXPECT_FALSE(f.Matches(Event("lead-a", "LeadQualified", "rep1")));  // type
  EXPECT_FALSE(f.Matches(Event("order-a", "DealWon", "rep1")));        // category
  EXPECT_FALSE(f.Matches(Event("lead-a", "DealWon", "rep2")));         // actor
}

TEST(EventFilterTest, OneStreamMeansExactlyThatStream) {
  v1::SubscribeRequest r;
  r.set_stream_id("lead-A");
  const EventFilter f = PlanSubscription(r, 0)->filter;
  EXPECT_TRUE(f.Matches(Event("lead-A", "LeadIdentified", "x")));
  EXPECT_FALSE(f.Matches(Event("lead-AB", "LeadIdentified", "x")));  // shares the prefix only
  EXPECT_EQ(f.ForStore().stream_prefix, "lead-A");
}

TEST(EventFilterTest, TheTeamCategoryIsTheTeamStream) {
  v1::SubscribeRequest r;
  r.set_category("team");
  const EventFilter f = PlanSubscription(r, 0)->filter;
  EXPECT_TRUE(f.Matches(Event("team", "MemberAdded", "root")));
  EXPECT_FALSE(f.Matches(Event("ticket-1", "TicketOpened", "root")));
  r.set_category("ticket");
  EXPECT_EQ(PlanSubscription(r, 0)->filter.ForStore().stream_prefix, "ticket-");
}

TEST(EventFilterTest, AStreamPrefixKeepsTheStreamsStartingWithIt) {
  v1::SubscribeRequest r;
  r.set_stream_prefix("lead-ACME-");
  const EventFilter f = PlanSubscription(r, 0)->filter;
  EXPECT_TRUE(f.Matches(Event("lead-ACME-1", "LeadIdentified", "x")));
  EXPECT_TRUE(f.Matches(Event("lead-ACME-华东-2", "LeadIdentified", "x")));
  EXPECT_FALSE(f.Matches(Event("lead-ACM-1", "LeadIdentified", "x")));
  EXPECT_FALSE(f.Matches(Event("order-ACME-1", "OrderConfirmed", "x")));
  EXPECT_EQ(f.ForStore().stream_prefix, "lead-ACME-");
  // With a category, both hold, and the store reads by the longer prefix.
  r.set_category("lead");
  r.set_stream_prefix("le");
  const EventFilter both = PlanSubscription(r, 0)->filter;
  EXPECT_TRUE(both.Matches(Event("lead-1", "LeadIdentified", "x")));
  EXPECT_FALSE(both.Matches(Event("team", "MemberAdded", "x")));
  EXPECT_EQ(both.ForStore().stream_prefix, "lead-");
  r.set_stream_prefix("lead-B");
  EXPECT_EQ(PlanSubscription(r, 0)->filter.ForStore().stream_prefix, "lead-B");
}

TEST(LeadIdOfStreamTest, OnlyLeadStreamsHaveOne) {
  EXPECT_EQ(LeadIdOfStream("lead-acme-1"), "acme-1");
  EXPECT_EQ(LeadIdOfStream("order-acme-1"), "");
  EXPECT_EQ(LeadIdOfStream("team"), "");
}

}  // namespace
}  // namespace salesops::service
