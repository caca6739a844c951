#include "projections/training_view.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "projections/deterministic_bytes.h"
#include "projections/meetings_view.h"
#include "projections/review.h"
#include "server/domain/errors.h"
#include "server/domain/period.h"
#include "server/domain/proto_time.h"
#include "server/domain/training.h"
#include "server/domain/validation.h"

namespace salesops::projections {
namespace {

using Key = std::tuple<absl::Time, std::string>;  // (starts_at, session_id)

// Newest start first, then session id.
bool Before(const Key& a, const Key& b) {
  return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b) : std::get<1>(a) < std::get<1>(b);
}

}  // namespace

absl::StatusOr<v1::TrainingSession> GetTrainingSession(const ViewsState& state, absl::string_view session_id) {
  if (absl::Status s = domain::ValidateId("session_id", session_id); !s.ok()) return s;
  const v1::TrainingSession& session = state.core.training.Find(session_id);
  if (session.session_id().empty()) {
    return errors::NotFound("training_session", session_id,
                            absl::StrCat("training session '", session_id, "' not found"));
  }
  return session;
}

absl::StatusOr<v1::ListTrainingSessionsResponse> ListTrainingSessions(const ViewsState& state,
                                                                      const v1::ListTrainingSessionsRequest& request) {
  std::optional<std::pair<absl::Time, absl::Time>> window;
  if (!request.period().empty()) {
    if (!domain::IsValidPeriod(request.period())) {
      return absl::InvalidArgumentError("period: must be YYYY-MM or YYYY-Qn (n = 1..4), or empty for any");
    }
    absl::StatusOr<v1::ReviewPeriod> period = ResolvePeriod(request.period(), nullptr, nullptr);
    if (!period.ok()) return period.status();
    window.emplace(FromProtoTime(period->from()), FromProtoTime(period->to()));
  }
  if (!request.member_id().empty()) {
    if (absl::Status s = domain::ValidateId("member_id", request.member_id()); !s.ok()) return s;
  }
  if (!v1::TrainingCategory_IsValid(request.category())) {
    return absl::InvalidArgumentError(
        "category: must be PRODUCT_KNOWLEDGE, SALES_SKILLS, MARKET_TRENDS or OTHER (or unset)");
  }
  if (request.page_size() > kMaxTrainingPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be at most ", kMaxTrainingPage));
  }
  const uint32_t page_size = request.page_size() == 0 ? kDefaultTrainingPage : request.page_size();
  v1::ListTrainingSessionsRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  // Distinct from a meetings token with the same bytes.
  const std::string filter_key = absl::StrCat("training:", DeterministicBytes(filters));
  std::optional<Key> after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::pair<absl::Time, std::string>> last = ParseStartPageToken(request.page_token(), filter_key);
    if (!last.ok()) return last.status();
    after = Key{last->first, std::move(last->second)};
  }

  std::vector<std::pair<Key, const v1::TrainingSession*>> rows;
  // By member id: minutes and sessions, summed as integers so that the hours
  // do not depend on the order the sessions are visited in.
  std::map<std::string, std::pair<uint64_t, uint32_t>> attended;
  for (const auto& [id, s] : state.core.training.sessions) {
    if (s.session_id().empty()) continue;
    const absl::Time start = FromProtoTime(s.starts_at());
    if (window.has_value() && (start < window->first || start >= window->second)) continue;
    if (request.category() != v1::TRAINING_CATEGORY_UNSPECIFIED && s.category() != request.category()) continue;
    if (!request.member_id().empty() && domain::AttendedMinutes(s, request.member_id()) == 0) continue;
    for (const v1::TrainingAttendance& a : s.attendance()) {
      if (a.minutes() == 0) continue;
      if (!request.member_id().empty() && a.member_id() != request.member_id()) continue;
      auto& [minutes, count] = attended[a.member_id()];
      minutes += a.minutes();
      ++count;
    }
    Key key{start, s.session_id()};
    if (after.has_value() && !Before(*after, key)) continue;
    rows.emplace_back(std::move(key), &s);
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return Before(a.first, b.first); });

  v1::ListTrainingSessionsResponse out;
  for (size_t i = 0; i < rows.size() && i < page_size; ++i) *out.add_sessions() = *rows[i].second;
  if (rows.size() > page_size) {
    const Key& last = rows[page_size - 1].first;
    out.set_next_page_token(StartPageToken(filter_key, std::get<0>(last), std::get<1>(last)));
  }
  for (const auto& [member, sums] : attended) {
    v1::TrainingHours* h = out.add_hours();
    h->set_member_id(member);
    h->set_hours(static_cast<double>(sums.first) / 60.0);
    h->set_sessions(sums.second);
  }
  return out;
}

}  // namespace salesops::projections
