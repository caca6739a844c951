// The small fixed world the fuzz targets decide and read against: a team
// with a member in every role (one of them holding two, one deactivated),
// leads in every stage, orders and tickets in several states, a target and
// a scoring policy. It is built through the real decide path
// (domain::Decide) and folded by the real views (projections::EvolveViews),
// with the envelopes filled as the sequencer fills them, so it is a state
// the server can reach. Built once per process; tests/fuzz only.
#ifndef SALESOPS_TESTS_FUZZ_FUZZ_WORLD_H_
#define SALESOPS_TESTS_FUZZ_FUZZ_WORLD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "projections/views_state.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/state.h"
#include "tests/fuzz/fuzz_check.h"

namespace salesops::fuzz {

struct World {
  projections::ViewsState views;       // views.core is the deciders' state
  std::vector<v1::EventEnvelope> log;  // every event, positions 1..log.size()
  absl::Time now;                      // one hour after the last event
};

// The world (built at the first call, then shared; not thread-safe to build).
const World& TheWorld();

// Whom a fuzz input may act as: every member, one who is not in the team
// and the server itself (kSystemActor). Index with a byte of the input.
const std::vector<std::string>& Actors();

// The envelopes the sequencer appends for `decision` of `command` by `actor`:
// positions from `first_position`, recorded at `recorded_at`.
std::vector<v1::EventEnvelope> Envelopes(const v1::Command& command, const domain::CommandDecision& decision,
                                         absl::string_view actor, uint64_t first_position,
                                         absl::Time recorded_at);

// The id the sequencer would draw for a command that needs one (an
// IdentifyLead or OpenTicket without an id).
inline constexpr char kNewId[] = "gen-1";

// A command and whom it is sent by.
struct ActedCommand {
  std::string name;  // e.g. "qualify_lead" (a seed's file name)
  std::string actor;
  v1::Command command;
  bool decides_ok = true;  // false: the world refuses it (still a useful seed)
};

// One command of every kind the domain has (and a few variants), each
// addressing a lead, order, ticket or member of TheWorld() in a state that
// allows it, sent by a member who may. The seeds of the command target.
std::vector<ActedCommand> CommandsForEveryKind();

// Member ids of the world (its lead ids name their stage: "quoted", ...).
namespace ids {
inline constexpr char kAdmin[] = "admin";
inline constexpr char kManager[] = "mgr";
inline constexpr char kRep[] = "rep1";
inline constexpr char kOtherRep[] = "rep2";
inline constexpr char kBd[] = "bd";
inline constexpr char kSupport[] = "sup";
inline constexpr char kAfterSales[] = "care";
inline constexpr char kAuditor[] = "audit";
inline constexpr char kMulti[] = "multi";        // SALES_REP and BD_MANAGER
inline constexpr char kGone[] = "gone";          // a deactivated SALES_REP
inline constexpr char kStranger[] = "stranger";  // not in the team
}  // namespace ids

}  // namespace salesops::fuzz

#endif  // SALESOPS_TESTS_FUZZ_FUZZ_WORLD_H_
