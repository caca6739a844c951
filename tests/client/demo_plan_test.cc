// The demo's plan: deterministic, within the server's business-time rules,
// every piece of work handed to a named member below its capacity, and
// overrides exactly where the actor's own roles do not allow the action.
#include "demo_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salesops/v1/coaching.pb.h"
#include "salesops/v1/leads.pb.h"
#include "salesops/v1/support.pb.h"
#include "salesops/v1/team.pb.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
namespace v1 = ::salesops::v1;

// 2026-11-28T10:00:00Z
const absl::Time kAnchor = absl::FromUnixSeconds(1795860000);

DemoPlanOptions Options(uint64_t seed = 1, int leads = 300) {
  DemoPlanOptions options;
  options.seed = seed;
  options.leads = leads;
  options.anchor = kAnchor;
  options.actor = "admin";
  return options;
}

const v1::CommandOptions& OptionsOf(const pb::Message& request) {
  const pb::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName("options");
  return static_cast<const v1::CommandOptions&>(request.GetReflection()->GetMessage(request, field));
}

std::string StringField(const pb::Message& request, const char* name) {
  const pb::FieldDescriptor* field = request.GetDescriptor()->FindFieldByName(name);
  return field == nullptr ? "" : request.GetReflection()->GetString(request, field);
}

// The stream a call appends to, as the server keys it.
std::string StreamOf(const DemoCall& call) {
  if (absl::StartsWith(call.rpc, "orders.")) return "order-" + StringField(*call.request, "order_id");
  const std::string ticket = StringField(*call.request, "ticket_id");
  if (absl::StartsWith(call.rpc, "support.") && !ticket.empty()) return "ticket-" + ticket;
  return "lead-" + StringField(*call.request, "lead_id");
}

std::vector<const DemoCall*> AllCalls(const DemoPlan& plan) {
  std::vector<const DemoCall*> calls;
  for (const auto* stories : {&plan.stories, &plan.returning}) {
    for (const DemoStory& story : *stories) {
      for (const DemoCall& call : story.calls) calls.push_back(&call);
    }
  }
  for (const DemoCall& call : plan.closing) calls.push_back(&call);
  return calls;
}

TEST(DemoPlanTest, SameOptionsSameRequests) {
  const DemoPlan a = BuildDemoPlan(Options());
  const DemoPlan b = BuildDemoPlan(Options());
  const std::vector<const DemoCall*> calls_a = AllCalls(a);
  const std::vector<const DemoCall*> calls_b = AllCalls(b);
  ASSERT_EQ(calls_a.size(), calls_b.size());
  for (size_t i = 0; i < calls_a.size(); ++i) {
    ASSERT_EQ(calls_a[i]->rpc, calls_b[i]->rpc);
    ASSERT_EQ(calls_a[i]->request->SerializeAsString(), calls_b[i]->request->SerializeAsString()) << i;
  }
  EXPECT_EQ(a.counts.calls, static_cast<int>(calls_a.size()));

  // Another seed tells other stories, under other lead ids.
  const DemoPlan c = BuildDemoPlan(Options(7));
  EXPECT_EQ(c.stories.front().lead_id, "demo7-0001");
  EXPECT_EQ(a.stories.front().lead_id, "demo-0001");
}

TEST(DemoPlanTest, BusinessTimesAscendPerStreamWithinFourMonths) {
  const DemoPlan plan = BuildDemoPlan(Options());
  std::map<std::string, int64_t> last;
  std::vector<const DemoStory*> stories;
  for (const auto* list : {&plan.stories, &plan.returning}) {
    for (const DemoStory& story : *list) stories.push_back(&story);
  }
  for (const DemoStory* story : stories) {
    for (const DemoCall& call : story->calls) {
      const v1::CommandOptions& o = OptionsOf(*call.request);
      ASSERT_TRUE(o.has_occurred_at()) << call.rpc;
      const int64_t at = o.occurred_at().seconds();
      EXPECT_LE(at, absl::ToUnixSeconds(kAnchor)) << o.request_id();
      EXPECT_GE(at, absl::ToUnixSeconds(kAnchor - kDemoHistory - absl::Hours(24))) << o.request_id();
      const std::string stream = StreamOf(call);
      EXPECT_GE(at, last[stream]) << o.request_id() << " goes back in time on " << stream;
      last[stream] = at;
    }
  }
  // Team commands cannot be backfilled (the team's last event is now).
  for (const DemoCall& call : plan.closing)
    EXPECT_FALSE(OptionsOf(*call.request).has_occurred_at()) << call.rpc;
}

TEST(DemoPlanTest, RequestIdsAreUniqueAndEverywhere) {
  const DemoPlan plan = BuildDemoPlan(Options());
  std::set<std::string> ids;
  for (const DemoCall& call : DemoTeamCalls()) {
    EXPECT_TRUE(ids.insert(OptionsOf(*call.request).request_id()).second);
  }
  for (const DemoCall* call : AllCalls(plan)) {
    const std::string& id = OptionsOf(*call->request).request_id();
    EXPECT_FALSE(id.empty()) << call->rpc;
    EXPECT_LE(id.size(), 128u);
    EXPECT_TRUE(ids.insert(id).second) << id;
  }
}

TEST(DemoPlanTest, OverridesExactlyWhereTheActorsRolesDoNotAllow) {
  // The actor holds ADMIN and SALES_MANAGER (docs/ROLES.md's table).
  const std::set<std::string> manager_may = {"leads.identify-lead", "leads.reopen-lead",
                                             "orders.cancel-order", "team.set-target",
                                             "team.set-scoring-policy", "team.set-member-roles",
                                             "meetings.schedule-meeting", "meetings.record-minutes",
                                             "meetings.add-action-item", "coaching.record-review-feedback",
                                             "coaching.record-training-session",
                                             "coaching.record-training-attendance"};
  const DemoPlan plan = BuildDemoPlan(Options());
  std::set<std::string> rpcs;
  for (const DemoCall* call : AllCalls(plan)) {
    rpcs.insert(call->rpc);
    const std::string& reason = OptionsOf(*call->request).override_reason();
    if (manager_may.contains(call->rpc)) {
      EXPECT_EQ(reason, "") << call->rpc;
    } else if (!OptionsOf(*call->request).has_occurred_at()) {  // today's, not backfilled
      EXPECT_THAT(reason, ::testing::StartsWith("salesctl demo: recorded for ")) << call->rpc;
    } else {
      EXPECT_THAT(reason, ::testing::StartsWith("salesctl demo: backfilled for ")) << call->rpc;
    }
  }
  // Three hundred customers go down every path.
  for (const char* rpc :
       {"leads.identify-lead",    "leads.qualify-lead",   "leads.disqualify-lead",   "leads.record-needs",
        "leads.propose-solution", "leads.send-quote",     "leads.start-negotiation", "leads.win-deal",
        "leads.lose-deal",        "leads.reopen-lead",    "orders.confirm-order",    "orders.ship-order",
        "orders.deliver-order",   "orders.cancel-order",  "support.open-ticket",     "support.resolve-ticket",
        "support.reopen-ticket",  "support.close-ticket", "support.record-survey",   "team.set-target",
        "team.set-scoring-policy", "meetings.schedule-meeting", "meetings.record-minutes",
        "meetings.add-action-item", "meetings.complete-action-item"}) {
    EXPECT_TRUE(rpcs.contains(rpc)) << rpc;
  }
  const v1::QualifyLeadRequest* qualify = nullptr;
  for (const DemoCall* call : AllCalls(plan)) {
    if (call->rpc == "leads.qualify-lead")
      qualify = static_cast<const v1::QualifyLeadRequest*>(call->request.get());
  }
  ASSERT_NE(qualify, nullptr);
  EXPECT_THAT(qualify->options().override_reason(), ::testing::EndsWith(" as BD_MANAGER"));
}

TEST(DemoPlanTest, WorkGoesToNamedMembersBelowCapacity) {
  const DemoPlan plan = BuildDemoPlan(Options());
  const DemoCounts& c = plan.counts;
  // 300 customers, then 12 of them back for another deal and 5 referred.
  EXPECT_EQ(c.returning, 12);
  EXPECT_EQ(c.referrals, 5);
  EXPECT_EQ(c.leads, 300 + 12 + 5);
  EXPECT_EQ(plan.returning.size(), 17u);
  EXPECT_EQ(c.won + c.lost + c.disqualified + c.open, c.leads);
  EXPECT_GT(c.won, 30);
  EXPECT_GT(c.lost, 20);
  EXPECT_GT(c.disqualified, 10);
  EXPECT_GT(c.open, 30);
  EXPECT_GT(c.tickets, 20);
  EXPECT_GT(c.surveys, 20);
  EXPECT_EQ(c.orders, c.won);

  std::map<std::string, const DemoMember*> team;
  for (const DemoMember& m : DemoTeam()) team[m.id] = &m;
  for (const DemoStory& story : plan.stories) {
    const auto& identify = static_cast<const v1::IdentifyLeadRequest&>(*story.calls.front().request);
    ASSERT_EQ(story.calls.front().rpc, "leads.identify-lead");
    ASSERT_TRUE(team.contains(identify.owner()));
    EXPECT_EQ(team[identify.owner()]->roles.front(), v1::ROLE_SALES_REP);
    ASSERT_TRUE(team.contains(identify.options().assign_to()));
    EXPECT_EQ(team[identify.options().assign_to()]->roles.front(), v1::ROLE_BD_MANAGER);
  }
  // A named member at capacity would be passed over for the least-loaded
  // one, which depends on the order concurrent stories arrive in. Each story
  // in flight adds at most one item to a member's load, so a member is below
  // capacity whenever its final open items plus the stories in flight are.
  for (const auto& [member, open] : c.open_items) {
    ASSERT_TRUE(team.contains(member)) << member;
    EXPECT_LE(open + kMaxDemoParallel, static_cast<int>(team[member]->capacity)) << member;
  }
}

TEST(DemoPlanTest, WonCustomersComeBackAndReferOthers) {
  const DemoPlan plan = BuildDemoPlan(Options());
  std::map<std::string, int> names;
  std::map<std::string, const DemoStory*> by_company, by_lead;
  for (const DemoStory& story : plan.stories) {
    ++names[story.company];
    by_company[story.company] = &story;
    by_lead[story.lead_id] = &story;
  }
  int back = 0, referred = 0;
  for (const DemoStory& story : plan.returning) {
    const auto& identify = static_cast<const v1::IdentifyLeadRequest&>(*story.calls.front().request);
    const absl::Time at = absl::FromUnixSeconds(identify.options().occurred_at().seconds());
    const DemoStory* customer = nullptr;
    if (!identify.referred_by_account_id().empty()) {
      // The referring account is a won story's, opened by its lead: a
      // company no other story has.
      ++referred;
      EXPECT_EQ(identify.source(), v1::LEAD_SOURCE_REFERRAL);
      ASSERT_TRUE(by_lead.contains(identify.referred_by_account_id())) << identify.referred_by_account_id();
      customer = by_lead[identify.referred_by_account_id()];
    } else {
      // The same company as a won story, and no other story's.
      ++back;
      ASSERT_TRUE(by_company.contains(identify.company())) << identify.company();
      customer = by_company[identify.company()];
    }
    EXPECT_EQ(names[customer->company], 1) << customer->company;
    EXPECT_LT(customer->won_at, at) << story.lead_id << " comes before its customer's purchase";
  }
  EXPECT_EQ(back, plan.counts.returning);
  EXPECT_EQ(referred, plan.counts.referrals);
}

TEST(DemoPlanTest, TrainingSessionsComeBeforeTheirAttendanceAndOneIsCorrected) {
  const DemoPlan plan = BuildDemoPlan(Options());
  EXPECT_EQ(plan.counts.training_sessions, 3);
  EXPECT_EQ(plan.counts.attendances, 6 * 2 + 3 * 2);  // reps: 2 sessions each; BD managers: 2
  std::set<std::string> recorded;
  int corrections = 0;
  for (const DemoCall& call : plan.closing) {
    if (call.rpc == "coaching.record-training-session") {
      const auto& r = static_cast<const v1::RecordTrainingSessionRequest&>(*call.request);
      EXPECT_TRUE(recorded.insert(r.session_id()).second) << r.session_id();
      EXPECT_LE(r.starts_at().seconds(), absl::ToUnixSeconds(kAnchor)) << r.session_id();
    }
    if (call.rpc == "coaching.record-training-attendance") {
      const auto& r = static_cast<const v1::RecordTrainingAttendanceRequest&>(*call.request);
      EXPECT_TRUE(recorded.contains(r.session_id())) << "attendance before its session: " << r.session_id();
      corrections += r.correction_reason().empty() ? 0 : 1;
    }
  }
  EXPECT_EQ(corrections, 1);
}

TEST(DemoPlanTest, ALowSurveyIsRecordedTodayAfterTheThresholdPolicyOnAWonDealWithoutASurvey) {
  const DemoPlan plan = BuildDemoPlan(Options());
  EXPECT_EQ(plan.counts.follow_ups, 1);
  int policy = -1, survey = -1;
  for (size_t i = 0; i < plan.closing.size(); ++i) {
    const std::string& id = OptionsOf(*plan.closing[i].request).request_id();
    if (id == "demo:policy:quality") policy = static_cast<int>(i);
    if (absl::StartsWith(id, "demo:low-survey:")) survey = static_cast<int>(i);
  }
  ASSERT_GE(policy, 0);
  ASSERT_GT(survey, policy);
  const auto& quality = static_cast<const salesops::v1::SetScoringPolicyRequest&>(*plan.closing[policy].request);
  EXPECT_EQ(quality.follow_up_below(), 3u);
  const auto& low = static_cast<const salesops::v1::RecordSurveyRequest&>(*plan.closing[survey].request);
  EXPECT_LT(std::min({low.product_quality(), low.service_attitude(), low.response_speed()}), 3);
  EXPECT_TRUE(low.ticket_id().empty());
  for (const DemoStory& story : plan.stories) {
    if (story.lead_id != low.lead_id()) continue;
    bool won = false;
    for (const DemoCall& call : story.calls) {
      won |= call.rpc == "leads.win-deal";
      if (call.rpc == "support.record-survey") {
        EXPECT_FALSE(static_cast<const salesops::v1::RecordSurveyRequest&>(*call.request).ticket_id().empty())
            << "the deal has a survey of its own already";
      }
    }
    EXPECT_TRUE(won);
  }
}

}  // namespace
}  // namespace salesctl
