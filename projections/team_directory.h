// TeamDirectory: the team as Team.GetMember / ListMembers return it, and the
// membership check every read makes.
//
// Thread-safe: Apply takes a writer lock briefly per batch; reads take a
// reader lock and copy out.
#ifndef SALESOPS_PROJECTIONS_TEAM_DIRECTORY_H_
#define SALESOPS_PROJECTIONS_TEAM_DIRECTORY_H_

#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "projections/projection.h"
#include "server/domain/team.h"

namespace salesops::projections {

class TeamDirectory final : public Projection {
 public:
  absl::string_view name() const override { return "team_directory"; }
  void Apply(absl::Span<const v1::EventEnvelope> events) override;
  uint64_t position() const override;

  // Replaces the team (from a snapshot at `position`, before the sequencer
  // starts); Apply skips events at or before it.
  void Restore(domain::TeamState team, uint64_t position);

  std::optional<v1::Member> Get(absl::string_view member_id) const;
  // Members ordered by id; only those holding `role` unless it is
  // ROLE_UNSPECIFIED; inactive ones only with `include_inactive`.
  std::vector<v1::Member> List(v1::Role role, bool include_inactive) const;
  // Targets in force, optionally only of one member and/or one period.
  std::vector<v1::Target> Targets(absl::string_view member_id, absl::string_view period) const;
  // Every scoring policy, oldest first.
  std::vector<v1::ScoringPolicy> Policies() const;

 private:
  mutable absl::Mutex mu_;
  domain::TeamState team_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_TEAM_DIRECTORY_H_
