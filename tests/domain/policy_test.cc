// The authorization matrix: every command kind x every role (and no role, an
// unknown member, a deactivated member), generated from the responsibility
// table so the two cannot drift, plus the owner and override rules.
#include "server/domain/policy.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "google/protobuf/descriptor.h"
#include "server/domain/state.h"
#include "tests/common/testing.h"

namespace salesops::domain {
namespace {

using ::salesops::testing::IsOk;
using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

const std::vector<v1::Role> kRoles = {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER, v1::ROLE_SALES_MANAGER,
                                      v1::ROLE_SALES_SUPPORT, v1::ROLE_AFTER_SALES, v1::ROLE_ADMIN, v1::ROLE_AUDITOR};

// One command of every kind: each oneof case of LeadCommand and TeamCommand,
// with the RPC name its request message implies.
struct Kind {
  std::string rpc;
  v1::Command command;
};

std::vector<Kind> AllKinds() {
  std::vector<Kind> kinds;
  const auto add_cases = [&](google::protobuf::Message* wrapper, const std::function<void(v1::Command&)>& place) {
    const google::protobuf::Descriptor* d = wrapper->GetDescriptor();
    for (int i = 0; i < d->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* f = d->field(i);
      if (f->containing_oneof() == nullptr) continue;  // e.g. the feedback's pin: not a command
      std::unique_ptr<google::protobuf::Message> w(wrapper->New());
      w->GetReflection()->MutableMessage(w.get(), f);  // selects the case
      Kind k;
      k.rpc = std::string(f->message_type()->name());
      if (absl::EndsWith(k.rpc, "Request")) k.rpc.resize(k.rpc.size() - 7);
      if (w->GetDescriptor() == v1::LeadCommand::descriptor()) {
        *k.command.mutable_lead() = static_cast<const v1::LeadCommand&>(*w);
      } else if (w->GetDescriptor() == v1::SupportCommand::descriptor()) {
        *k.command.mutable_support() = static_cast<const v1::SupportCommand&>(*w);
      } else if (w->GetDescriptor() == v1::OrderCommand::descriptor()) {
        *k.command.mutable_order() = static_cast<const v1::OrderCommand&>(*w);
      } else if (w->GetDescriptor() == v1::MeetingCommand::descriptor()) {
        *k.command.mutable_meeting() = static_cast<const v1::MeetingCommand&>(*w);
      } else if (w->GetDescriptor() == v1::ActionItemCommand::descriptor()) {
        *k.command.mutable_action_item() = static_cast<const v1::ActionItemCommand&>(*w);
      } else if (w->GetDescriptor() == v1::ReviewFeedbackCommand::descriptor()) {
        *k.command.mutable_review_feedback() = static_cast<const v1::ReviewFeedbackCommand&>(*w);
      } else if (w->GetDescriptor() == v1::TrainingCommand::descriptor()) {
        *k.command.mutable_training() = static_cast<const v1::TrainingCommand&>(*w);
      } else {
        *k.command.mutable_team() = static_cast<const v1::TeamCommand&>(*w);
      }
      place(k.command);
      kinds.push_back(std::move(k));
    }
  };
  v1::LeadCommand lead;
  v1::TeamCommand team;
  v1::OrderCommand order;
  add_cases(&lead, [](v1::Command&) {});
  add_cases(&team, [](v1::Command&) {});
  add_cases(&order, [](v1::Command&) {});
  v1::SupportCommand support;
  add_cases(&support, [](v1::Command&) {});
  v1::MeetingCommand meeting;
  add_cases(&meeting, [](v1::Command&) {});
  v1::ActionItemCommand action_item;
  add_cases(&action_item, [](v1::Command&) {});
  v1::ReviewFeedbackCommand review_feedback;
  add_cases(&review_feedback, [](v1::Command&) {});
  v1::TrainingCommand training;
  add_cases(&training, [](v1::Command&) {});
  return kinds;
}

TeamState TeamOf(const std::vector<std::pair<std::string, std::vector<v1::Role>>>& members) {
  TeamState team;
  for (const auto& [id, roles] : members) {
    v1::Member& m = team.members[id];
    m.set_member_id(id);
    m.set_active(true);
    for (v1::Role r : roles) m.add_roles(r);
  }
  return team;
}

TEST(PolicyTest, EveryCommandKindHasItsOwnRowNamedAfterTheRpc) {
  for (const Kind& k : AllKinds()) {
    EXPECT_EQ(ResponsibilityFor(k.command).action, k.rpc) << "the table's row for " << k.rpc;
  }
}

TEST(PolicyTest, AuthorizationMatrix) {
  for (const Kind& k : AllKinds()) {
    const Responsibility& row = ResponsibilityFor(k.command);
    SCOPED_TRACE(k.rpc);
    for (v1::Role role : kRoles) {
      SCOPED_TRACE(RoleName(role));
      const TeamState team = TeamOf({{"m", {role}}});
      // The member owns the lead, so the owner rule does not get in the way;
      // an action item belongs to someone else, so its owner's right to act
      // does not make every role pass (checked below).
      const absl::StatusOr<Authorization> got =
          Authorize(team, "m", k.command, row.owner_may_act ? "someone-else" : "m");
      const bool listed = std::find(row.roles.begin(), row.roles.end(), role) != row.roles.end();
      if (row.system_only || !listed) {
        EXPECT_THAT(got, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(std::string(row.action))));
      } else {
        ASSERT_THAT(got, IsOk());
        EXPECT_EQ(got->acted_as, role);
        EXPECT_EQ(got->override_reason, "");
      }
    }
    // An action item's owner acts on it for itself, in whatever role it holds.
    if (row.owner_may_act) {
      for (v1::Role role : kRoles) {
        const absl::StatusOr<Authorization> own = Authorize(TeamOf({{"m", {role}}}), "m", k.command, "m");
        ASSERT_THAT(own, IsOk()) << RoleName(role);
        EXPECT_EQ(own->acted_as, role);
      }
    }
    // No role at all, an unknown member, a deactivated member.
    EXPECT_THAT(Authorize(TeamOf({{"m", {}}}), "m", k.command, "m"),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         HasSubstr(row.system_only ? absl::StrCat(row.action, " is not available to 'm'")
                                                   : "member 'm' holds no role")));
    EXPECT_THAT(Authorize(TeamOf({}), "ghost", k.command, ""),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(row.system_only ? absl::StrCat(row.action, " is not available to 'ghost'")
                                                           : "member 'ghost' is not in the team")));
    TeamState inactive = TeamOf({{"m", kRoles}});
    inactive.members["m"].set_active(false);
    EXPECT_THAT(Authorize(inactive, "m", k.command, "m"),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(row.system_only ? "" : "deactivated")));
    // Only the server may bootstrap.
    const absl::StatusOr<Authorization> system = Authorize(TeamOf({}), kSystemActor, k.command, "");
    EXPECT_EQ(system.ok(), row.system_only);
  }
}

TEST(PolicyTest, RepActionsNeedTheOwnerOrARecordedManagerOverride) {
  const TeamState team = TeamOf({{"alice", {v1::ROLE_SALES_REP}},
                                 {"bob", {v1::ROLE_SALES_REP}},
                                 {"carol", {v1::ROLE_SALES_MANAGER}}});
  for (const Kind& k : AllKinds()) {
    const Responsibility& row = ResponsibilityFor(k.command);
    if (!row.rep_must_own) continue;
    SCOPED_TRACE(k.rpc);
    EXPECT_THAT(Authorize(team, "alice", k.command, "alice"), IsOk());
    if (std::find(row.roles.begin(), row.roles.end(), v1::ROLE_SALES_MANAGER) != row.roles.end()) continue;
    EXPECT_THAT(Authorize(team, "bob", k.command, "alice"),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("owning SALES_REP ('alice')")));
    EXPECT_THAT(Authorize(team, "carol", k.command, "alice"),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("only with options.override_reason")));
    v1::Command with_reason = k.command;
    MutableOptionsOf(with_reason)->set_override_reason("客户要求");
    const absl::StatusOr<Authorization> overridden = Authorize(team, "carol", with_reason, "alice");
    ASSERT_THAT(overridden, IsOk());
    EXPECT_EQ(overridden->acted_as, v1::ROLE_SALES_MANAGER);
    EXPECT_EQ(overridden->override_reason, "客户要求");
    // Whoever the table allows may not claim an override.
    EXPECT_THAT(Authorize(team, "alice", with_reason, "alice"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("options.override_reason")));
  }
}

TEST(PolicyTest, TeamManagementCannotBeOverridden) {
  const TeamState team = TeamOf({{"carol", {v1::ROLE_SALES_MANAGER}}});
  v1::Command add;
  add.mutable_team()->mutable_add_member()->mutable_options()->set_override_reason("please");
  EXPECT_THAT(Authorize(team, "carol", add, ""),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("AddMember needs role ADMIN")));
}

TEST(PolicyTest, BackfillingBusinessTimeNeedsAdmin) {
  const TeamState team = TeamOf({{"rep", {v1::ROLE_SALES_REP}}, {"boss", {v1::ROLE_SALES_REP, v1::ROLE_ADMIN}}});
  v1::Command identify;
  identify.mutable_lead()->mutable_identify()->mutable_options()->mutable_occurred_at()->set_seconds(1);
  EXPECT_THAT(Authorize(team, "rep", identify, ""),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("needs role ADMIN")));
  EXPECT_THAT(Authorize(team, "boss", identify, ""), IsOk());
}

}  // namespace
}  // namespace salesops::domain
