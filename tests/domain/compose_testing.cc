#include "tests/domain/compose_testing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/proto_time.h"
#include "server/domain/team.h"
#include "tests/common/testing.h"

namespace salesops::domain {

using ::salesops::testing::IsOk;

absl::StatusOr<CommandDecision> DecideAndFold(State& state, absl::string_view actor,
                                              const v1::Command& command, absl::Time at) {
  absl::StatusOr<CommandDecision> decision =
      Decide(state, command, DecideContext{at, std::string(actor), ""});
  if (!decision.ok()) return decision;
  for (const StreamDecision& stream : decision->streams) {
    uint64_t version = stream.expected_version;
    for (const v1::Event& event : stream.events) {
      v1::EventEnvelope e;
      e.set_stream_id(stream.stream_id);
      e.set_stream_version(++version);
      e.set_actor(std::string(actor));
      *e.mutable_occurred_at() = ToProtoTime(at);
      *e.mutable_event() = event;
      Evolve(state, e);
    }
  }
  return decision;
}

void AddMember(State& state, const std::string& id, v1::Role role) {
  v1::Command add;
  add.mutable_team()->mutable_add_member()->set_member_id(id);
  add.mutable_team()->mutable_add_member()->set_display_name(id);
  add.mutable_team()->mutable_add_member()->add_roles(role);
  EXPECT_THAT(DecideAndFold(state, "root", add), IsOk()) << "adding " << id;
}

State TeamOf(const std::vector<std::pair<std::string, v1::Role>>& members,
             const std::vector<std::string>& deactivated) {
  State state;
  v1::Command c;
  c.mutable_team()->mutable_bootstrap()->set_member_id("root");
  EXPECT_THAT(DecideAndFold(state, kSystemActor, c), IsOk());
  for (const auto& [id, role] : members) AddMember(state, id, role);
  for (const std::string& id : deactivated) {
    v1::Command deactivate;
    deactivate.mutable_team()->mutable_deactivate()->set_member_id(id);
    EXPECT_THAT(DecideAndFold(state, "root", deactivate), IsOk()) << "deactivating " << id;
  }
  return state;
}

}  // namespace salesops::domain
