#include "projections/meetings_view.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "projections/deterministic_bytes.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"

namespace salesops::projections {
namespace {

using Key = std::tuple<absl::Time, std::string>;  // (starts_at, meeting_id)

// Newest start first, then meeting id.
bool Before(const Key& a, const Key& b) {
  return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b) : std::get<1>(a) < std::get<1>(b);
}

bool ItemAddedBefore(const v1::ActionItem* a, const v1::ActionItem* b) {
  const absl::Time x = FromProtoTime(a->added_at()), y = FromProtoTime(b->added_at());
  return x != y ? x < y : a->action_item_id() < b->action_item_id();
}

// Fills each meeting's action_items from the fold, in the order added.
void AttachItems(const domain::MeetingsState& meetings, std::vector<v1::Meeting*> out) {
  absl::flat_hash_map<absl::string_view, std::vector<const v1::ActionItem*>> by_meeting;
  for (v1::Meeting* m : out) by_meeting[m->meeting_id()];
  for (const auto& [id, item] : meetings.items) {
    if (auto it = by_meeting.find(item.meeting_id()); it != by_meeting.end()) it->second.push_back(&item);
  }
  for (v1::Meeting* m : out) {
    std::vector<const v1::ActionItem*>& items = by_meeting[m->meeting_id()];
    std::sort(items.begin(), items.end(), ItemAddedBefore);
    for (const v1::ActionItem* item : items) *m->add_action_items() = *item;
  }
}

bool ValidTime(const google::protobuf::Timestamp& t) {
  return t.nanos() >= 0 && t.nanos() <= 999'999'999 && t.seconds() >= 0;
}

}  // namespace

absl::StatusOr<std::pair<absl::Time, std::string>> ParseStartPageToken(absl::string_view token,
                                                                       absl::string_view filter_key) {
  std::string bytes;
  v1::MeetingsPageToken parsed;
  if (!absl::WebSafeBase64Unescape(token, &bytes) || !parsed.ParseFromString(bytes)) {
    return absl::InvalidArgumentError("page_token: not a token this server issued");
  }
  if (parsed.filters() != filter_key) {
    return absl::InvalidArgumentError("page_token: belongs to a query with other filters; repeat those filters");
  }
  return std::make_pair(FromProtoTime(parsed.starts_at()), std::move(*parsed.mutable_meeting_id()));
}

std::string StartPageToken(absl::string_view filter_key, absl::Time last_start, absl::string_view last_id) {
  v1::MeetingsPageToken next;
  next.set_filters(std::string(filter_key));
  *next.mutable_starts_at() = ToProtoTime(last_start);
  next.set_meeting_id(std::string(last_id));
  return absl::WebSafeBase64Escape(DeterministicBytes(next));
}

absl::StatusOr<v1::Meeting> GetMeeting(const ViewsState& state, absl::string_view meeting_id) {
  if (absl::Status s = domain::ValidateId("meeting_id", meeting_id); !s.ok()) return s;
  const v1::Meeting& m = state.core.meetings.Meeting(meeting_id);
  if (m.meeting_id().empty()) return absl::NotFoundError(absl::StrCat("meeting '", meeting_id, "' not found"));
  v1::Meeting out = m;
  AttachItems(state.core.meetings, {&out});
  return out;
}

absl::StatusOr<v1::ListMeetingsResponse> ListMeetings(const ViewsState& state,
                                                      const v1::ListMeetingsRequest& request) {
  // "team" selects team meetings; any other value, one member's one-to-ones.
  if (!request.member_id().empty()) {
    if (absl::Status s = domain::ValidateId("member_id", request.member_id()); !s.ok()) return s;
  }
  if (!v1::MeetingStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError("status: must be SCHEDULED, HELD or CANCELLED (or unset)");
  }
  if (request.has_starts_from() && !ValidTime(request.starts_from())) {
    return absl::InvalidArgumentError("starts_from: must be a valid time after 1970-01-01");
  }
  if (request.has_starts_before() && !ValidTime(request.starts_before())) {
    return absl::InvalidArgumentError("starts_before: must be a valid time after 1970-01-01");
  }
  if (request.page_size() > kMaxMeetingPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be at most ", kMaxMeetingPage));
  }
  const uint32_t page_size = request.page_size() == 0 ? kDefaultMeetingPage : request.page_size();
  v1::ListMeetingsRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  const std::string filter_key = DeterministicBytes(filters);
  std::optional<Key> after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::pair<absl::Time, std::string>> last = ParseStartPageToken(request.page_token(), filter_key);
    if (!last.ok()) return last.status();
    after = Key{last->first, std::move(last->second)};
  }

  std::vector<std::pair<Key, const v1::Meeting*>> rows;
  for (const auto& [id, m] : state.core.meetings.meetings) {
    if (m.meeting_id().empty()) continue;
    if (request.member_id() == "team" ? !m.member_id().empty()
                                      : (!request.member_id().empty() && m.member_id() != request.member_id())) {
      continue;
    }
    if (request.status() != v1::MEETING_STATUS_UNSPECIFIED && m.status() != request.status()) continue;
    const absl::Time start = FromProtoTime(m.starts_at());
    if (request.has_starts_from() && start < FromProtoTime(request.starts_from())) continue;
    if (request.has_starts_before() && start >= FromProtoTime(request.starts_before())) continue;
    Key key{start, m.meeting_id()};
    if (after.has_value() && !Before(*after, key)) continue;
    rows.emplace_back(std::move(key), &m);
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return Before(a.first, b.first); });

  v1::ListMeetingsResponse out;
  std::vector<v1::Meeting*> page;
  for (size_t i = 0; i < rows.size() && i < page_size; ++i) {
    v1::Meeting* m = out.add_meetings();
    *m = *rows[i].second;
  }
  for (v1::Meeting& m : *out.mutable_meetings()) page.push_back(&m);
  AttachItems(state.core.meetings, page);
  if (rows.size() > page_size) {
    const Key& last = rows[page_size - 1].first;
    out.set_next_page_token(StartPageToken(filter_key, std::get<0>(last), std::get<1>(last)));
  }
  return out;
}

}  // namespace salesops::projections
