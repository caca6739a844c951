// Audit.Subscribe's request, validated: where to start, what to deliver and
// how often to checkpoint. Pure (no gRPC, no store): tested on its own.
#ifndef SALESOPS_SERVER_SERVICE_SUBSCRIBE_REQUEST_H_
#define SALESOPS_SERVER_SERVICE_SUBSCRIBE_REQUEST_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "salesops/v1/audit.pb.h"
#include "server/store/event_log.h"

namespace salesops::service {

inline constexpr uint32_t kDefaultCheckpointSeconds = 5;
inline constexpr uint32_t kMaxCheckpointSeconds = 3600;
inline constexpr uint32_t kMaxEventsPerMessage = 1000;

// Which events a subscription delivers; the fields combine with AND.
struct EventFilter {
  absl::flat_hash_set<std::string> event_types;  // empty: every type
  std::string category;                          // "", "lead", "order", "ticket", "team"
  std::string stream_id;                         // empty: every stream
  std::string stream_prefix;                     // empty: every stream
  std::string actor;                             // empty: every actor

  bool Matches(const v1::EventEnvelope& event) const;
  // The part of the filter the store can apply while it reads (a superset
  // of Matches: callers still check Matches).
  store::LogFilter ForStore() const;
};

struct SubscribePlan {
  uint64_t from = 1;  // the first position to examine
  EventFilter filter;
  absl::Duration checkpoint_every = absl::Seconds(kDefaultCheckpointSeconds);
  uint32_t events_per_message = 1;
};

// Validates `request` against the log's current `head`. Errors name the field
// and the rule: INVALID_ARGUMENT for an unknown event type, category, a
// malformed stream_id or actor, a stream_id outside the category, from_now
// with a from_position, a stream_prefix with a stream_id or outside the
// category, checkpoint_seconds outside 1..3600,
// max_events_per_message above 1000; OUT_OF_RANGE for
// from_position beyond head + 1.
absl::StatusOr<SubscribePlan> PlanSubscription(const v1::SubscribeRequest& request, uint64_t head);

// The lead id of a stream_id "lead-<id>"; empty for any other stream.
std::string LeadIdOfStream(absl::string_view stream_id);

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_SUBSCRIBE_REQUEST_H_
