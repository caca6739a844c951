// Hand-offs through the one decide path: who gets a lead at each stage, and
// why, as given(team, work) / when(command) / then(assignment).
#include "server/domain/handoff.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/events.h"
#include "server/domain/proto_time.h"
#include "server/domain/state.h"
#include "tests/common/testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

// A log in memory: decides commands against the state, folds what they
// append, keeps every envelope so replays can be compared.
class World {
 public:
  absl::StatusOr<std::vector<v1::EventEnvelope>> Run(const std::string& actor, v1::Command command,
                                                     const std::string& new_lead_id = "") {
    DecideContext context{kNow, actor, new_lead_id};
    absl::StatusOr<CommandDecision> d = Decide(state_, command, context);
    if (!d.ok()) return d.status();
    std::vector<v1::EventEnvelope> out;
    for (StreamDecision& stream : d->streams) {
      uint64_t version = stream.expected_version;
      for (v1::Event& event : stream.events) {
        v1::EventEnvelope& e = out.emplace_back();
        e.set_position(++position_);
        e.set_stream_id(stream.stream_id);
        e.set_stream_version(++version);
        e.set_event_type(EventTypeName(event));
        *e.mutable_occurred_at() = ToProtoTime(kNow);
        e.set_actor(actor);
        *e.mutable_event() = std::move(event);
        Evolve(state_, e);
        log_.push_back(e);
      }
    }
    return out;
  }

  void Member(const std::string& id, std::vector<v1::Role> roles, uint32_t capacity = 0) {
    v1::Command c;
    if (state_.team.members.empty()) {
      c.mutable_team()->mutable_bootstrap()->set_member_id("root");
      ASSERT_THAT(Run(std::string(kSystemActor), c), IsOk());
      c.Clear();
    }
    auto* add = c.mutable_team()->mutable_add_member();
    add->set_member_id(id);
    add->set_display_name(id);
    for (v1::Role r : roles) add->add_roles(r);
    add->set_capacity(capacity);
    ASSERT_THAT(Run("root", c), IsOk());
  }

  void Deactivate(const std::string& id) {
    v1::Command c;
    c.mutable_team()->mutable_deactivate()->set_member_id(id);
    ASSERT_THAT(Run("root", c), IsOk());
  }

  // IdentifyLead by `rep`; returns the hand-off it appended.
  v1::LeadAssigned Identify(const std::string& rep, const std::string& lead_id, const std::string& assign_to = "") {
    v1::Command c;
    auto* r = c.mutable_lead()->mutable_identify();
    r->set_lead_id(lead_id);
    r->set_company("杭州某某科技");
    r->mutable_contact()->set_name("陈静");
    r->set_source(v1::LEAD_SOURCE_EVENT);
    r->mutable_options()->set_assign_to(assign_to);
    auto events = Run(rep, c);
    EXPECT_THAT(events, IsOk());
    // LeadIdentified, LeadAssigned, and the first lead's AccountOpened.
    if (!events.ok() || events->size() < 2) return {};
    EXPECT_TRUE((*events)[1].event().has_lead_assigned());
    return (*events)[1].event().lead_assigned();
  }

  absl::StatusOr<std::vector<v1::EventEnvelope>> Lead(const std::string& actor, v1::LeadCommand lead) {
    v1::Command c;
    *c.mutable_lead() = std::move(lead);
    return Run(actor, c);
  }

  const State& state() const { return state_; }
  const std::vector<v1::EventEnvelope>& log() const { return log_; }

 private:
  State state_;
  uint64_t position_ = 0;
  std::vector<v1::EventEnvelope> log_;
};

std::vector<std::string> CandidateIds(const v1::LeadAssigned& a) {
  std::vector<std::string> ids;
  for (const auto& c : a.explanation().candidates()) ids.push_back(absl::StrCat(c.member_id(), "=", c.open_items()));
  return ids;
}

v1::LeadCommand Disqualify(const std::string& lead_id) {
  v1::LeadCommand c;
  c.mutable_disqualify()->set_lead_id(lead_id);
  c.mutable_disqualify()->set_reason("无预算");
  return c;
}

TEST(HandOffTest, LeastLoadedWinsAndTheExplanationShowsEveryCandidate) {
  World w;
  w.Member("rep", {v1::ROLE_SALES_REP});
  w.Member("bd1", {v1::ROLE_BD_MANAGER});
  w.Member("bd2", {v1::ROLE_BD_MANAGER});
  EXPECT_EQ(w.Identify("rep", "L1").assignee(), "bd1");  // tie: both 0, never assigned -> id
  EXPECT_EQ(w.Identify("rep", "L2").assignee(), "bd2");  // bd1 now carries 1
  const v1::LeadAssigned third = w.Identify("rep", "L3");
  EXPECT_EQ(third.assignee(), "bd1");  // 1 each: bd1 was assigned least recently
  EXPECT_THAT(CandidateIds(third), ElementsAre("bd1=1", "bd2=1"));
  EXPECT_EQ(third.role(), v1::ROLE_BD_MANAGER);
  EXPECT_EQ(third.explanation().policy_version(), kAssignmentPolicyVersion);
  EXPECT_THAT(third.explanation().rule(), HasSubstr("least loaded"));
  EXPECT_EQ(LoadOf(w.state().workload, "bd1").open_items, 2u);
  EXPECT_EQ(LoadOf(w.state().workload, "bd2").open_items, 1u);
}

TEST(HandOffTest, InactiveAndAtCapacityMembersAreSkippedAndSaidSo) {
  World w;
  w.Member("rep", {v1::ROLE_SALES_REP});
  w.Member("bd1", {v1::ROLE_BD_MANAGER}, /*capacity=*/1);
  w.Member("bd2", {v1::ROLE_BD_MANAGER});
  w.Member("bd3", {v1::ROLE_BD_MANAGER});
  w.Deactivate("bd2");
  EXPECT_EQ(w.Identify("rep", "L1").assignee(), "bd1");
  const v1::LeadAssigned second = w.Identify("rep", "L2");
  EXPECT_EQ(second.assignee(), "bd3");
  EXPECT_THAT(second.explanation().skipped(), ElementsAre("bd1: at capacity 1", "bd2: inactive"));
  EXPECT_THAT(CandidateIds(second), ElementsAre("bd3=0"));
}

TEST(HandOffTest, ClosedWorkDoesNotCount) {
  World w;
  w.Member("rep", {v1::ROLE_SALES_REP});
  w.Member("bd1", {v1::ROLE_BD_MANAGER});
  w.Member("bd2", {v1::ROLE_BD_MANAGER});
  EXPECT_EQ(w.Identify("rep", "L1").assignee(), "bd1");
  ASSERT_THAT(w.Lead("bd1", Disqualify("L1")), IsOk());
  EXPECT_EQ(LoadOf(w.state().workload, "bd1").open_items, 0u);
  // bd1 carries nothing open again; bd2 was never assigned: bd2 is the one
  // assigned least recently.
  EXPECT_EQ(w.Identify("rep", "L2").assignee(), "bd2");
  EXPECT_EQ(w.Identify("rep", "L3").assignee(), "bd1");
}

TEST(HandOffTest, NoEligibleMemberMeansTheUnassignedQueueAndAssignLeadTakesItLater) {
  World w;
  w.Member("rep", {v1::ROLE_SALES_REP});
  const v1::LeadAssigned queued = w.Identify("rep", "L1");
  EXPECT_EQ(queued.assignee(), "");
  EXPECT_EQ(queued.role(), v1::ROLE_BD_MANAGER);
  EXPECT_THAT(queued.explanation().rule(), HasSubstr("unassigned queue"));
  EXPECT_EQ(w.state().Lead("L1").awaiting_role, v1::ROLE_BD_MANAGER);

  w.Member("bd1", {v1::ROLE_BD_MANAGER});
  w.Member("boss", {v1::ROLE_SALES_MANAGER});
  v1::LeadCommand take;
  take.mutable_assign()->set_lead_id("L1");
  take.mutable_assign()->set_assignee("bd1");
  take.mutable_assign()->set_reason("从队列领取");
  // A member of the awaited role may take it for itself...
  auto taken = w.Lead("bd1", take);
  ASSERT_THAT(taken, IsOk());
  EXPECT_TRUE((*taken)[0].event().lead_assigned().manual());
  EXPECT_EQ((*taken)[0].event().lead_assigned().explanation().rule(), "named by bd1");
  EXPECT_EQ(w.state().Lead("L1").assignee, "bd1");
  EXPECT_EQ(LoadOf(w.state().workload, "bd1").open_items, 1u);
  // ... but not hand it to the rep, who lacks the role; a rep may not assign.
  take.mutable_assign()->set_assignee("rep");
  EXPECT_THAT(w.Lead("boss", take), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not an active BD_MANAGER")));
  take.mutable_assign()->set_assignee("bd1");
  EXPECT_THAT(w.Lead("rep", take), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("AssignLead needs role SALES_MANAGER")));
}

TEST(HandOffTest, NamedMemberIsUsedWhenEligibleElseTheRuleApplies) {
  World w;
  w.Member("rep", {v1::ROLE_SALES_REP});
  w.Member("bd1", {v1::ROLE_BD_MANAGER});
  w.Member("bd2", {v1::ROLE_BD_MANAGER});
  const v1::LeadAssigned named = w.Identify("rep", "L1", "bd2");
  EXPECT_EQ(named.assignee(), "bd2");
  EXPECT_EQ(named.explanation().rule(), "named in the command");
  const v1::LeadAssigned fallback = w.Identify("rep", "L2", "rep");  // rep is no BD_MANAGER
  EXPECT_EQ(fallback.assignee(), "bd1");
  EXPECT_THAT(fallback.explanation().skipped(), ElementsAre(HasSubstr("rep: named, but not an active BD_MANAGER")));
}

TEST(HandOffTest, SalesStagesGoToTheOwnerAndChangeOwnerMovesTheWork) {
  World w;
  w.Member("rep1", {v1::ROLE_SALES_REP});
  w.Member("rep2", {v1::ROLE_SALES_REP});
  w.Member("bd1", {v1::ROLE_BD_MANAGER});
  w.Member("boss", {v1::ROLE_SALES_MANAGER});
  w.Identify("rep1", "L1");
  v1::LeadCommand qualify;
  qualify.mutable_qualify()->set_lead_id("L1");
  auto q = w.Lead("bd1", qualify);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->size(), 1u);  // bd1 keeps it: same role
  v1::LeadCommand needs;
  needs.mutable_record_needs()->set_lead_id("L1");
  needs.mutable_record_needs()->set_requirements("需求");
  auto n = w.Lead("bd1", needs);
  ASSERT_THAT(n, IsOk());
  ASSERT_EQ(n->size(), 2u);
  EXPECT_EQ(n->back().event().lead_assigned().assignee(), "rep1");
  EXPECT_EQ(n->back().event().lead_assigned().explanation().rule(), "owner");
  EXPECT_EQ(n->back().event().lead_assigned().previous_assignee(), "bd1");
  EXPECT_EQ(LoadOf(w.state().workload, "bd1").open_items, 0u);
  EXPECT_EQ(LoadOf(w.state().workload, "rep1").open_items, 1u);

  v1::LeadCommand change;
  change.mutable_change_owner()->set_lead_id("L1");
  change.mutable_change_owner()->set_owner("rep2");
  change.mutable_change_owner()->set_reason("rep1 调往华南区");
  EXPECT_THAT(w.Lead("rep1", change), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("ChangeOwner needs role SALES_MANAGER")));
  auto changed = w.Lead("boss", change);
  ASSERT_THAT(changed, IsOk());
  ASSERT_EQ(changed->size(), 2u);
  EXPECT_EQ((*changed)[0].event().owner_changed().previous_owner(), "rep1");
  EXPECT_EQ((*changed)[1].event().lead_assigned().assignee(), "rep2");
  EXPECT_EQ(w.state().Lead("L1").owner, "rep2");
  EXPECT_EQ(LoadOf(w.state().workload, "rep1").open_items, 0u);
  EXPECT_EQ(LoadOf(w.state().workload, "rep2").open_items, 1u);
}

TEST(HandOffTest, OnlyEnteringAStageHandsALeadOn) {
  World w;
  w.Member("rep1", {v1::ROLE_SALES_REP});
  w.Member("rep2", {v1::ROLE_SALES_REP});
  w.Member("bd1", {v1::ROLE_BD_MANAGER});
  w.Member("bd2", {v1::ROLE_BD_MANAGER});
  w.Member("boss", {v1::ROLE_SALES_MANAGER});
  EXPECT_EQ(w.Identify("rep1", "L1").assignee(), "bd1");
  // An update changes no stage: no hand-off, and it may not name an assignee.
  v1::LeadCommand update;
  update.mutable_update()->set_lead_id("L1");
  update.mutable_update()->mutable_contact()->set_name("新联系人");
  auto updated = w.Lead("bd1", update);
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->size(), 1u);
  update.mutable_update()->mutable_options()->set_assign_to("bd2");
  EXPECT_THAT(w.Lead("bd1", update),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("options.assign_to: only for a command that moves")));
  EXPECT_EQ(w.state().Lead("L1").assignee, "bd1");
  // At rep stages the owner acts; a manager moves the lead with ChangeOwner.
  v1::LeadCommand qualify;
  qualify.mutable_qualify()->set_lead_id("L1");
  ASSERT_THAT(w.Lead("bd1", qualify), IsOk());
  v1::LeadCommand needs;
  needs.mutable_record_needs()->set_lead_id("L1");
  needs.mutable_record_needs()->set_requirements("需求");
  ASSERT_THAT(w.Lead("bd1", needs), IsOk());
  v1::LeadCommand assign;
  assign.mutable_assign()->set_lead_id("L1");
  assign.mutable_assign()->set_assignee("rep2");
  assign.mutable_assign()->set_reason("调配");
  EXPECT_THAT(w.Lead("boss", assign), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("use ChangeOwner")));
}

TEST(HandOffTest, ReplayingTheLogReproducesEveryAssignment) {
  World w;
  w.Member("rep", {v1::ROLE_SALES_REP});
  w.Member("bd1", {v1::ROLE_BD_MANAGER}, 2);
  w.Member("bd2", {v1::ROLE_BD_MANAGER});
  for (int i = 0; i < 6; ++i) w.Identify("rep", absl::StrCat("L", i));
  ASSERT_THAT(w.Lead("bd2", Disqualify("L1")), IsOk());
  w.Identify("rep", "L9");
  State replayed;
  for (const v1::EventEnvelope& e : w.log()) Evolve(replayed, e);
  for (const auto& [id, lead] : w.state().leads) {
    EXPECT_EQ(replayed.Lead(id).assignee, lead.assignee) << id;
  }
  for (const char* m : {"bd1", "bd2"}) {
    EXPECT_EQ(LoadOf(replayed.workload, m).open_items, LoadOf(w.state().workload, m).open_items) << m;
    EXPECT_EQ(LoadOf(replayed.workload, m).last_assigned_position,
              LoadOf(w.state().workload, m).last_assigned_position) << m;
  }
  // And each recorded explanation matches the state it was decided in: the
  // chosen member is a listed candidate with the least (load, last assigned).
  for (const v1::EventEnvelope& e : w.log()) {
    if (!e.event().has_lead_assigned() || e.event().lead_assigned().assignee().empty()) continue;
    const v1::LeadAssigned& a = e.event().lead_assigned();
    if (a.explanation().rule().find("least loaded") == std::string::npos) continue;
    const auto& cands = a.explanation().candidates();
    const auto chosen = std::find_if(cands.begin(), cands.end(), [&](const auto& c) { return c.member_id() == a.assignee(); });
    ASSERT_NE(chosen, cands.end());
    for (const auto& c : cands) {
      EXPECT_LE(std::make_tuple(chosen->open_items(), chosen->last_assigned_position(), chosen->member_id()),
                std::make_tuple(c.open_items(), c.last_assigned_position(), c.member_id()));
    }
  }
}

}  // namespace
}  // namespace salesops::domain
