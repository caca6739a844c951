#include "projections/team_directory.h"

namespace salesops::projections {

void TeamDirectory::Apply(absl::Span<const v1::EventEnvelope> events) {
  absl::MutexLock lock(&mu_);
  for (const v1::EventEnvelope& e : events) {
    if (e.position() <= position_) continue;
    position_ = e.position();
    if (e.stream_id() == domain::kTeamStreamId) domain::EvolveTeam(team_, e);
  }
}

void TeamDirectory::Restore(domain::TeamState team, uint64_t position) {
  absl::MutexLock lock(&mu_);
  team_ = std::move(team);
  position_ = position;
}

uint64_t TeamDirectory::position() const {
  absl::ReaderMutexLock lock(&mu_);
  return position_;
}

std::optional<v1::Member> TeamDirectory::Get(absl::string_view member_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const v1::Member* m = team_.Find(member_id);
  if (m == nullptr) return std::nullopt;
  return *m;
}

std::vector<v1::Member> TeamDirectory::List(v1::Role role, bool include_inactive) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::Member> out;
  for (const auto& [id, m] : team_.members) {
    if (!include_inactive && !m.active()) continue;
    if (role != v1::ROLE_UNSPECIFIED && !domain::HasRole(m, role)) continue;
    out.push_back(m);
  }
  return out;
}

std::vector<v1::ScoringPolicy> TeamDirectory::Policies() const {
  absl::ReaderMutexLock lock(&mu_);
  return team_.policies;
}

std::vector<v1::Target> TeamDirectory::Targets(absl::string_view member_id, absl::string_view period) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::Target> out;
  for (const auto& [key, t] : team_.targets) {
    if (!member_id.empty() && t.member_id() != member_id) continue;
    if (!period.empty() && t.period() != period) continue;
    out.push_back(t);
  }
  return out;
}

}  // namespace salesops::projections
