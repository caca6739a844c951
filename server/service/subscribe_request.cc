#include "server/service/subscribe_request.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/events.h"
#include "server/domain/order.h"
#include "server/domain/team.h"
#include "server/domain/ticket.h"
#include "server/domain/validation.h"

namespace salesops::service {
namespace {

// The stream-id prefix of a category; "team" is the one stream "team".
struct Category {
  absl::string_view name;
  absl::string_view prefix;
};
constexpr Category kCategories[] = {
    {"lead", domain::kLeadStreamPrefix},
    {"order", domain::kOrderStreamPrefix},
    {"ticket", domain::kTicketStreamPrefix},
    {"team", domain::kTeamStreamId},
};

bool InCategory(absl::string_view stream_id, absl::string_view category) {
  for (const Category& c : kCategories) {
    if (c.name != category) continue;
    return c.name == "team" ? stream_id == c.prefix : absl::StartsWith(stream_id, c.prefix);
  }
  return false;
}

absl::Status ValidateStreamId(absl::string_view stream_id) {
  if (stream_id == domain::kTeamStreamId) return absl::OkStatus();
  for (const Category& c : kCategories) {
    if (c.name == "team" || !absl::StartsWith(stream_id, c.prefix)) continue;
    if (domain::ValidateId("stream_id", stream_id.substr(c.prefix.size()), /*allow_dot=*/true).ok()) {
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("stream_id: '", stream_id,
                   "' is not a stream id: \"team\", or \"lead-\", \"order-\" or \"ticket-\" followed by an id "
                   "matching [A-Za-z0-9_.-]{1,64}"));
}

}  // namespace

bool EventFilter::Matches(const v1::EventEnvelope& event) const {
  if (!event_types.empty() && !event_types.contains(event.event_type())) return false;
  if (!category.empty() && !InCategory(event.stream_id(), category)) return false;
  if (!stream_id.empty() && event.stream_id() != stream_id) return false;
  if (!stream_prefix.empty() && !absl::StartsWith(event.stream_id(), stream_prefix)) return false;
  if (!actor.empty() && event.actor() != actor) return false;
  return true;
}

store::LogFilter EventFilter::ForStore() const {
  store::LogFilter f;
  f.event_types.assign(event_types.begin(), event_types.end());
  if (!stream_id.empty()) {
    f.stream_prefix = stream_id;
  } else {
    for (const Category& c : kCategories) {
      if (c.name == category) f.stream_prefix = std::string(c.prefix);
    }
    // PlanSubscription made sure one of the two starts with the other.
    if (stream_prefix.size() > f.stream_prefix.size()) f.stream_prefix = stream_prefix;
  }
  return f;
}

std::string LeadIdOfStream(absl::string_view stream_id) {
  if (!absl::StartsWith(stream_id, domain::kLeadStreamPrefix)) return "";
  return std::string(stream_id.substr(domain::kLeadStreamPrefix.size()));
}

absl::StatusOr<SubscribePlan> PlanSubscription(const v1::SubscribeRequest& request, uint64_t head) {
  SubscribePlan plan;
  EventFilter& filter = plan.filter;
  for (const std::string& type : request.event_types()) {
    if (!domain::IsKnownEventType(type)) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_types: '", type, "' is not an event type (see docs/EVENTS.md)"));
    }
    filter.event_types.insert(type);
  }
  if (!request.category().empty()) {
    bool known = false;
    for (const Category& c : kCategories) known = known || c.name == request.category();
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat("category: '", request.category(),
                                                     "' is not one of lead, order, ticket, team"));
    }
    filter.category = request.category();
  }
  if (!request.stream_id().empty()) {
    SALESOPS_RETURN_IF_ERROR(ValidateStreamId(request.stream_id()));
    if (!filter.category.empty() && !InCategory(request.stream_id(), filter.category)) {
      return absl::InvalidArgumentError(absl::StrCat("stream_id: '", request.stream_id(),
                                                     "' is not in category '", filter.category, "'"));
    }
    filter.stream_id = request.stream_id();
  }
  if (!request.stream_prefix().empty()) {
    SALESOPS_RETURN_IF_ERROR(domain::ValidateText("stream_prefix", request.stream_prefix(), 0, 200));
    if (!filter.stream_id.empty()) {
      return absl::InvalidArgumentError("stream_prefix: give stream_id or stream_prefix, not both");
    }
    if (!filter.category.empty()) {
      absl::string_view category_prefix;
      for (const Category& c : kCategories) {
        if (c.name == filter.category) category_prefix = c.prefix;
      }
      if (!absl::StartsWith(request.stream_prefix(), category_prefix) &&
          !absl::StartsWith(category_prefix, request.stream_prefix())) {
        return absl::InvalidArgumentError(absl::StrCat("stream_prefix: '", request.stream_prefix(),
                                                       "' is not in category '", filter.category, "'"));
      }
    }
    filter.stream_prefix = request.stream_prefix();
  }
  if (!request.actor().empty()) {
    if (request.actor() != domain::kSystemActor) SALESOPS_RETURN_IF_ERROR(domain::ValidateId("actor", request.actor()));
    filter.actor = request.actor();
  }
  if (request.checkpoint_seconds() > kMaxCheckpointSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint_seconds: must be 1..", kMaxCheckpointSeconds, " (0 = ", kDefaultCheckpointSeconds,
                     "), got ", request.checkpoint_seconds()));
  }
  if (request.checkpoint_seconds() != 0) plan.checkpoint_every = absl::Seconds(request.checkpoint_seconds());
  if (request.max_events_per_message() > kMaxEventsPerMessage) {
    return absl::InvalidArgumentError(absl::StrCat("max_events_per_message: must be at most ", kMaxEventsPerMessage,
                                                   " (0 = 1), got ", request.max_events_per_message()));
  }
  plan.events_per_message = std::max<uint32_t>(1, request.max_events_per_message());
  if (request.from_now()) {
    if (request.from_position() != 0) {
      return absl::InvalidArgumentError("from_position: must be 0 with from_now (from_now starts after the head)");
    }
    plan.from = head + 1;
  } else {
    if (request.from_position() > head + 1) {
      return absl::OutOfRangeError(absl::StrCat("from_position: ", request.from_position(),
                                                " is beyond the head + 1 (", head + 1, ")"));
    }
    plan.from = std::max<uint64_t>(request.from_position(), 1);
  }
  return plan;
}

}  // namespace salesops::service
