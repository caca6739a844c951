#include "server/service/audit_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
#include "server/domain/events.h"
#include "server/domain/validation.h"
#include "server/history/stage_changes.h"
#include "server/service/grpc_status.h"

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

std::optional<domain::LeadParties> AuditService::PartiesOf(absl::string_view lead_id) const {
  if (lead_id.empty()) return std::nullopt;
  std::optional<v1::Lead> lead = leads_->Get(lead_id);
  if (!lead.has_value()) return std::nullopt;
  return domain::LeadParties{lead->owner(), lead->assignee()};
}

grpc::ServerUnaryReactor* AuditService::GetLeadHistory(grpc::CallbackServerContext* context,
                                                       const v1::GetLeadHistoryRequest* request,
                                                       v1::GetLeadHistoryResponse* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const auto answer = [&]() -> absl::Status {
    const std::optional<domain::LeadParties> parties = PartiesOf(request->lead_id());
    SALESOPS_RETURN_IF_ERROR(
        access_->CheckRead(*context, "Audit.GetLeadHistory", parties.has_value() ? &*parties : nullptr).status());
    return History(*request, *reply);
  };
  reactor->Finish(ToGrpcStatus(answer()));
  return reactor;
}

// Scans the log (up to kMaxLogScan positions): on the work pool.
grpc::ServerUnaryReactor* AuditService::ListStageChanges(grpc::CallbackServerContext* context,
                                                         const v1::ListStageChangesRequest* request,
                                                         v1::ListStageChangesResponse* reply) {
  const auto check = [this, request](const grpc::ServerContextBase& c) -> absl::StatusOr<std::string> {
    const std::optional<domain::LeadParties> parties = PartiesOf(request->lead_id());
    SALESOPS_ASSIGN_OR_RETURN(
        const v1::Member member,
        access_->CheckRead(c, "Audit.ListStageChanges", parties.has_value() ? &*parties : nullptr));
    return member.member_id();
  };
  return AnswerAsync(context, async_, HeavyRead(), check, [this, request, reply](const std::string&) -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(*reply, history::ListStageChanges(*store_, *request, kMaxLogScan));
    return absl::OkStatus();
  });
}

// A filtered read may examine kMaxLogScan positions: on the work pool.
grpc::ServerUnaryReactor* AuditService::ReadLog(grpc::CallbackServerContext* context,
                                                const v1::ReadLogRequest* request,
                                                v1::ReadLogResponse* reply) {
  ReadPlan plan;
  plan.heavy = request->event_types_size() > 0 || !request->stream_prefix().empty();
  return AnswerAsync(context, async_, plan, ReadRule(*access_, "Audit.ReadLog"),
                     [this, request, reply](const std::string&) { return Log(*request, *reply); });
}

namespace {

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

}  // namespace

// Rehashes up to kMaxVerifyRange events: on the work pool.
grpc::ServerUnaryReactor* AuditService::VerifyLog(grpc::CallbackServerContext* context,
                                                  const v1::VerifyLogRequest* request, v1::VerifyLogResponse* reply) {
  const auto verify = [this, request, reply](const std::string&) -> absl::Status {
    const uint64_t head = store_->Head();
    const uint64_t from = std::max<uint64_t>(request->from_position(), 1);
    const uint64_t to = request->to_position() == 0 ? head : request->to_position();
    if (to > head) {
      return absl::OutOfRangeError(absl::StrCat("to_position: ", to, " is beyond the head (", head, ")"));
    }
    if (head == 0 || from > to) {
      if (head == 0) {
        reply->set_ok(true);
        reply->set_digest(Hex(store::GenesisDigest()));
        reply->set_detail("the log is empty");
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError("from_position: must not be after to_position");
    }
    if (to - from + 1 > kMaxVerifyRange) {
      return absl::InvalidArgumentError(
          absl::StrCat("to_position: at most ", kMaxVerifyRange, " positions per call; verify in ranges"));
    }
    SALESOPS_ASSIGN_OR_RETURN(store::ChainCheck check, store_->VerifyChain(from, to));
    reply->set_ok(check.ok);
    reply->set_from_position(from);
    reply->set_to_position(to);
    if (check.ok) {
      reply->set_digest(Hex(check.digest));
      reply->set_detail(absl::StrCat("positions ", from, "..", to, " verify"));
    } else {
      reply->set_first_broken_position(check.first_broken);
      reply->set_detail(absl::StrCat("the chain breaks at position ", check.first_broken,
                                     ": the stored event or its hash differs from what was written"));
    }
    return absl::OkStatus();
  };
  return AnswerAsync(context, async_, HeavyRead(), ReadRule(*access_, "Audit.VerifyLog"), verify);
}

grpc::ServerUnaryReactor* AuditService::GetLogDigest(grpc::CallbackServerContext* context,
                                                     const v1::GetLogDigestRequest* request,
                                                     v1::GetLogDigestResponse* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const auto digest = [&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(access_->CheckRead(*context, "Audit.GetLogDigest").status());
    const uint64_t position = request->position() == 0 ? store_->Head() : request->position();
    SALESOPS_ASSIGN_OR_RETURN(std::string bytes, store_->ChainDigest(position));
    reply->set_position(position);
    reply->set_digest(Hex(bytes));
    return absl::OkStatus();
  };
  reactor->Finish(ToGrpcStatus(digest()));
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditService::Subscribe(grpc::CallbackServerContext* context,
                                                                    const grpc::ByteBuffer* request) {
  if (subscriptions_ == nullptr) return RefuseSubscription(absl::UnimplementedError("Audit.Subscribe is not served here"));
  return subscriptions_->Start(context, request);
}

}  // namespace salesops::service
