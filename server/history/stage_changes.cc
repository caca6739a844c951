#include "server/history/stage_changes.h"

#include <algorithm>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "projections/deterministic_bytes.h"
#include "salesops/v1/internal.pb.h"
#include "server/common/status_macros.h"
#include "server/domain/events.h"
#include "server/domain/order.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"

namespace salesops::history {
namespace {

// How far after a change its command's hand-off may sit: a LeadAssigned
// right after it, or for a won deal OrderOpened then OrderAssigned.
constexpr size_t kHandOffLookahead = 3;

// The filters a page token is bound to: the request without paging.
std::string FilterKey(const v1::ListStageChangesRequest& request) {
  v1::ListStageChangesRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  return projections::DeterministicBytes(filters);
}

absl::Status Validate(const v1::ListStageChangesRequest& request) {
  if (!request.actor().empty()) SALESOPS_RETURN_IF_ERROR(domain::ValidateId("actor", request.actor()));
  if (!request.lead_id().empty()) SALESOPS_RETURN_IF_ERROR(domain::ValidateId("lead_id", request.lead_id()));
  if (!v1::Role_IsValid(request.role())) return absl::InvalidArgumentError("role: not a known role");
  if (!v1::Stage_IsValid(request.from_stage())) return absl::InvalidArgumentError("from_stage: not a known stage");
  if (!v1::Stage_IsValid(request.to_stage())) return absl::InvalidArgumentError("to_stage: not a known stage");
  if (request.has_from_time() && request.has_to_time() &&
      FromProtoTime(request.to_time()) < FromProtoTime(request.from_time())) {
    return absl::InvalidArgumentError("to_time: must not be before from_time");
  }
  if (request.page_size() > kMaxStageChangesPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be at most ", kMaxStageChangesPage));
  }
  return absl::OkStatus();
}

// The row for `e` when it is a stage change matching the filters.
std::optional<v1::StageChange> Match(const v1::ListStageChangesRequest& request, const v1::EventEnvelope& e) {
  if (!absl::StartsWith(e.stream_id(), domain::kLeadStreamPrefix)) return std::nullopt;
  const std::optional<v1::StageTransition> t = domain::TransitionOf(e.event());
  if (!t.has_value() || t->from_stage() == t->to_stage()) return std::nullopt;
  if (!request.actor().empty() && e.actor() != request.actor()) return std::nullopt;
  if (request.role() != v1::ROLE_UNSPECIFIED && e.actor_role() != request.role()) return std::nullopt;
  if (request.from_stage() != v1::STAGE_UNSPECIFIED && t->from_stage() != request.from_stage()) return std::nullopt;
  if (request.to_stage() != v1::STAGE_UNSPECIFIED && t->to_stage() != request.to_stage()) return std::nullopt;
  if (request.overrides_only() && e.override_reason().empty()) return std::nullopt;
  const absl::Time at = FromProtoTime(e.recorded_at());
  if (request.has_from_time() && at < FromProtoTime(request.from_time())) return std::nullopt;
  if (request.has_to_time() && at >= FromProtoTime(request.to_time())) return std::nullopt;
  v1::StageChange row;
  row.set_position(e.position());
  *row.mutable_recorded_at() = e.recorded_at();
  *row.mutable_occurred_at() = e.occurred_at();
  row.set_lead_id(e.stream_id().substr(domain::kLeadStreamPrefix.size()));
  row.set_actor(e.actor());
  row.set_actor_role(e.actor_role());
  row.set_from_stage(t->from_stage());
  row.set_to_stage(t->to_stage());
  row.set_action(e.event_type());
  row.set_override(!e.override_reason().empty());
  row.set_override_reason(e.override_reason());
  row.set_request_id(e.request_id());
  row.set_correlation_id(e.correlation_id());
  return row;
}

// Fills the row's hand-off from the events its command appended right after
// it (same actor and commit time): the lead's LeadAssigned, or the won
// deal's OrderAssigned. Another stage change ends the search.
absl::Status AttachHandOff(const store::EventLog& store, v1::StageChange& row) {
  SALESOPS_ASSIGN_OR_RETURN(store::LogPage next,
                            store.ReadLog(row.position() + 1, kHandOffLookahead, {}, kHandOffLookahead));
  const std::string lead_stream = domain::LeadStreamId(row.lead_id());
  const std::string order_stream = absl::StrCat(domain::kOrderStreamPrefix, row.lead_id());
  for (const v1::EventEnvelope& e : next.events) {
    if (e.actor() != row.actor() || FromProtoTime(e.recorded_at()) !=
                                        FromProtoTime(row.recorded_at())) {
      break;
    }
    if (e.stream_id() == lead_stream && e.event().has_lead_assigned()) {
      row.set_handed_to(e.event().lead_assigned().assignee());
      *row.mutable_hand_off() = e.event().lead_assigned().explanation();
      break;
    }
    if (e.stream_id() == order_stream && e.event().has_order_assigned()) {
      row.set_handed_to(e.event().order_assigned().assignee());
      *row.mutable_hand_off() = e.event().order_assigned().explanation();
      break;
    }
    if (domain::TransitionOf(e.event()).has_value()) break;
  }
  return absl::OkStatus();
}

std::string Token(const std::string& filters, uint64_t next) {
  v1::StageChangesPageToken token;
  token.set_filters(filters);
  token.set_next(next);
  return absl::WebSafeBase64Escape(projections::DeterministicBytes(token));
}

}  // namespace

absl::StatusOr<v1::ListStageChangesResponse> ListStageChanges(const store::EventLog& store,
                                                              const v1::ListStageChangesRequest& request,
                                                              size_t max_scan) {
  SALESOPS_RETURN_IF_ERROR(Validate(request));
  const uint32_t page_size = request.page_size() == 0 ? kDefaultStageChangesPage : request.page_size();
  const std::string filters = FilterKey(request);
  uint64_t next = 1;  // a log position, or with lead_id a stream version
  if (!request.page_token().empty()) {
    std::string bytes;
    v1::StageChangesPageToken token;
    if (!absl::WebSafeBase64Unescape(request.page_token(), &bytes) || !token.ParseFromString(bytes) ||
        token.next() == 0) {
      return absl::InvalidArgumentError("page_token: not a token this server issued");
    }
    if (token.filters() != filters) {
      return absl::InvalidArgumentError(
          "page_token: belongs to a query with other filters; repeat those filters");
    }
    next = token.next();
  }

  v1::ListStageChangesResponse out;
  const uint64_t head = store.Head();
  out.set_head_position(head);
  if (!request.lead_id().empty()) {
    // One lead: its stream, a version at a time through the stream index.
    const std::string stream = domain::LeadStreamId(request.lead_id());
    while (static_cast<uint32_t>(out.changes_size()) < page_size) {
      SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events,
                                store.ReadStream(stream, next, kMaxStageChangesPage));
      if (events.empty()) {
        next = 0;
        break;
      }
      for (const v1::EventEnvelope& e : events) {
        next = e.stream_version() + 1;
        if (e.position() > head) {
          next = 0;  // committed after this call began: the next call sees it
          break;
        }
        if (std::optional<v1::StageChange> row = Match(request, e)) {
          *out.add_changes() = *std::move(row);
          if (static_cast<uint32_t>(out.changes_size()) == page_size) break;
        }
      }
      if (next == 0) break;
    }
    // A full page may have been the last one; the next call then returns none.
  } else {
    // The whole log, at most max_scan positions from `next`.
    const uint64_t last = std::min<uint64_t>(head, next + max_scan - 1);
    uint64_t examined = next - 1;
    absl::Status scanned = store.ScanRange(next, last, [&](const v1::EventEnvelope& e) -> absl::Status {
      examined = e.position();
      if (std::optional<v1::StageChange> row = Match(request, e)) {
        *out.add_changes() = *std::move(row);
        if (static_cast<uint32_t>(out.changes_size()) == page_size) {
          return absl::CancelledError("page full");  // ends the scan; not an error
        }
      }
      return absl::OkStatus();
    });
    if (!scanned.ok() && !absl::IsCancelled(scanned)) return scanned;
    next = examined >= head ? 0 : examined + 1;
  }
  for (v1::StageChange& row : *out.mutable_changes()) SALESOPS_RETURN_IF_ERROR(AttachHandOff(store, row));
  if (next != 0) out.set_next_page_token(Token(filters, next));
  return out;
}

}  // namespace salesops::history
