#include "server/service/audit_service.h"

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/events.h"
#include "server/domain/validation.h"
#include "server/service/submit.h"

namespace salesops::service {
absl::Status AuditService::History(const v1::GetLeadHistoryRequest& request,
                                   v1::GetLeadHistoryResponse& reply) const {
  SALESOPS_RETURN_IF_ERROR(domain::ValidateId("lead_id", request.lead_id()));
  if (request.page_size() > kMaxHistoryPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be at most ", kMaxHistoryPage));
  }
  const uint32_t page = request.page_size() == 0 ? kMaxHistoryPage : request.page_size();
  const std::string stream = domain::LeadStreamId(request.lead_id());
  // One more than the page tells whether a next page exists.
  SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events,
                            store_->ReadStream(stream, request.from_version(), page + 1));
  if (events.empty() && request.from_version() <= 1) {
    return absl::NotFoundError(absl::StrCat("lead '", request.lead_id(), "' not found"));
  }
  reply.set_lead_id(request.lead_id());
  if (events.size() > page) {
    reply.set_next_version(events[page].stream_version());
    events.resize(page);
  }
  for (v1::EventEnvelope& e : events) {
    v1::HistoryEntry* entry = reply.add_entries();
    entry->set_position(e.position());
    entry->set_version(e.stream_version());
    *entry->mutable_recorded_at() = e.recorded_at();
    *entry->mutable_occurred_at() = e.occurred_at();
    entry->set_actor(e.actor());
    entry->set_actor_role(e.actor_role());
    entry->set_override_reason(e.override_reason());
    entry->set_action(e.event_type());
    if (const std::optional<v1::StageTransition> t = domain::TransitionOf(e.event())) {
      entry->set_from_stage(t->from_stage());
      entry->set_to_stage(t->to_stage());
    }
    entry->set_details(domain::DescribeEvent(e.event()));
    entry->set_request_id(e.request_id());
    entry->set_correlation_id(e.correlation_id());
    *entry->mutable_event() = std::move(*e.mutable_event());
  }
  return absl::OkStatus();
}

absl::Status AuditService::Log(const v1::ReadLogRequest& request, v1::ReadLogResponse& reply) const {
  if (request.limit() > kMaxLogPage) {
    return absl::InvalidArgumentError(absl::StrCat("limit: must be at most ", kMaxLogPage));
  }
  store::LogFilter filter;
  for (const std::string& type : request.event_types()) {
    if (!domain::IsKnownEventType(type)) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_types: '", type, "' is not an event type (see docs/EVENTS.md)"));
    }
    filter.event_types.push_back(type);
  }
  SALESOPS_RETURN_IF_ERROR(domain::ValidateText("stream_prefix", request.stream_prefix(), 0, 200));
  filter.stream_prefix = request.stream_prefix();
  const uint32_t limit = request.limit() == 0 ? kDefaultLogPage : request.limit();
  SALESOPS_ASSIGN_OR_RETURN(store::LogPage page,
                            store_->ReadLog(request.from_position(), limit, filter, kMaxLogScan));
  for (v1::EventEnvelope& e : page.events) *reply.add_events() = std::move(e);
  reply.set_next_position(page.next_position);
  reply.set_head_position(page.head);
  reply.set_reached_head(page.reached_head);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AuditService::GetLeadHistory(grpc::CallbackServerContext* context,
                                                       const v1::GetLeadHistoryRequest* request,
                                                       v1::GetLeadHistoryResponse* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) { return History(*request, *reply); });
}

grpc::ServerUnaryReactor* AuditService::ReadLog(grpc::CallbackServerContext* context,
                                                const v1::ReadLogRequest* request,
                                                v1::ReadLogResponse* reply) {
  return AnswerRead(context, *access_, [&](const std::string&) { return Log(*request, *reply); });
}

}  // namespace salesops::service
