// Fuzz target "page_token": the page tokens of the two list RPCs that page,
// Views.ListLeads (projections/pipeline.h) and Audit.ListStageChanges
// (server/history/stage_changes.h), and the paging they drive.
//
// Input (fuzz_input.h): a mode byte, then a part holding the request's wire
// bytes, then a part holding the forged contents of a token.
//   mode bit 0   0: ListLeads over the fixed world's views (fuzz_world.h);
//                1: ListStageChanges over its log (memory_log.h).
//   mode bit 1   0: the request as given (its page_token included);
//                1: a forged token: the request is first sent for a small
//                   page, and the token it returns is decoded, given the
//                   forged cursor (a v1::Lead for ListLeads, 8 bytes of
//                   position for ListStageChanges), encoded again and sent
//                   back, as a client that took the token apart would.
//   mode bits 2+ the page size / scan bound used.
//
// Invariants checked:
//   * a refused request or token is INVALID_ARGUMENT;
//   * paging from the first page with the returned tokens visits every
//     matching row once, in the same order as one page that holds them
//     all, and (ListLeads) as many rows as the reply's total;
//   * every row matches the request's filters, on every page, whatever the
//     token.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "projections/deterministic_bytes.h"
#include "projections/pipeline.h"
#include "salesops/v1/internal.pb.h"
#include "server/history/stage_changes.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_world.h"
#include "tests/fuzz/memory_log.h"

namespace salesops::fuzz {
namespace {

// Paging that has not ended after this many pages is a loop.
constexpr int kMaxPages = 600;

void CheckRefusal(const absl::Status& status) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, status.ToString());
}

// --- Views.ListLeads ---------------------------------------------------------

void CheckLeadRows(const v1::ListLeadsRequest& request, const v1::ListLeadsResponse& page) {
  for (const v1::Lead& lead : page.leads()) {
    FUZZ_CHECK(request.stage() == v1::STAGE_UNSPECIFIED || lead.stage() == request.stage(), lead.lead_id());
    FUZZ_CHECK(request.owner().empty() || lead.owner() == request.owner(), lead.lead_id());
    FUZZ_CHECK(request.assignee().empty() || lead.assignee() == request.assignee(), lead.lead_id());
    FUZZ_CHECK(request.currency().empty() || lead.estimated_value().currency() == request.currency(),
               lead.lead_id());
  }
  const uint32_t page_size = request.page_size() == 0 ? projections::kDefaultLeadPage : request.page_size();
  FUZZ_CHECK(static_cast<uint32_t>(page.leads_size()) <= page_size, page.leads_size());
}

// Every row from the first page on, following the tokens.
std::vector<std::string> AllLeadPages(v1::ListLeadsRequest request, uint64_t* total) {
  const World& world = TheWorld();
  std::vector<std::string> ids;
  request.clear_page_token();
  for (int pages = 0;; ++pages) {
    FUZZ_CHECK(pages < kMaxPages, request.ShortDebugString());
    absl::StatusOr<v1::ListLeadsResponse> page = projections::ListLeads(world.views, request, world.now);
    FUZZ_CHECK(page.ok(), page.status().ToString(), " on page ", pages);
    CheckLeadRows(request, *page);
    if (pages == 0) *total = page->total();
    FUZZ_CHECK(page->total() == *total, request.ShortDebugString());
    for (const v1::Lead& lead : page->leads()) ids.push_back(lead.lead_id());
    if (page->next_page_token().empty()) return ids;
    request.set_page_token(page->next_page_token());
  }
}

void FuzzListLeads(uint8_t mode, absl::string_view request_bytes, absl::string_view cursor_bytes) {
  const World& world = TheWorld();
  v1::ListLeadsRequest request;
  if (!request.ParseFromArray(request_bytes.data(), static_cast<int>(request_bytes.size()))) return;
  const bool forge = mode & 2;
  if (!forge) {
    absl::StatusOr<v1::ListLeadsResponse> page = projections::ListLeads(world.views, request, world.now);
    if (!page.ok()) return CheckRefusal(page.status());
    CheckLeadRows(request, *page);
    if (!request.page_token().empty()) return;
    // Paged in small pages, then in one page: the same rows in the same order.
    request.set_page_size(1 + (mode >> 2) % 8);
    uint64_t total = 0;
    const std::vector<std::string> paged = AllLeadPages(request, &total);
    FUZZ_CHECK(paged.size() == total, request.ShortDebugString());
    FUZZ_CHECK(absl::flat_hash_set<std::string>(paged.begin(), paged.end()).size() == paged.size(),
               request.ShortDebugString());
    if (total <= projections::kMaxLeadPage) {
      request.set_page_size(projections::kMaxLeadPage);
      uint64_t all_total = 0;
      FUZZ_CHECK(AllLeadPages(request, &all_total) == paged, request.ShortDebugString());
    }
    return;
  }
  // A token taken apart and given another cursor.
  request.clear_page_token();
  request.set_page_size(1 + (mode >> 2) % 4);
  absl::StatusOr<v1::ListLeadsResponse> first = projections::ListLeads(world.views, request, world.now);
  if (!first.ok()) return CheckRefusal(first.status());
  if (first->next_page_token().empty()) return;
  std::string bytes;
  v1::LeadsPageToken token;
  FUZZ_CHECK(absl::WebSafeBase64Unescape(first->next_page_token(), &bytes) && token.ParseFromString(bytes),
             first->next_page_token());
  if (!token.mutable_last()->ParseFromArray(cursor_bytes.data(), static_cast<int>(cursor_bytes.size())))
    return;
  request.set_page_token(absl::WebSafeBase64Escape(projections::DeterministicBytes(token)));
  absl::StatusOr<v1::ListLeadsResponse> page = projections::ListLeads(world.views, request, world.now);
  if (!page.ok()) return CheckRefusal(page.status());
  CheckLeadRows(request, *page);
}

// --- Audit.ListStageChanges --------------------------------------------------

void CheckChangeRows(const v1::ListStageChangesRequest& request, const v1::ListStageChangesResponse& page) {
  for (const v1::StageChange& row : page.changes()) {
    FUZZ_CHECK(row.from_stage() != row.to_stage(), row.position());
    FUZZ_CHECK(request.actor().empty() || row.actor() == request.actor(), row.position());
    FUZZ_CHECK(request.lead_id().empty() || row.lead_id() == request.lead_id(), row.position());
    FUZZ_CHECK(request.role() == v1::ROLE_UNSPECIFIED || row.actor_role() == request.role(), row.position());
    FUZZ_CHECK(request.from_stage() == v1::STAGE_UNSPECIFIED || row.from_stage() == request.from_stage(),
               row.position());
    FUZZ_CHECK(request.to_stage() == v1::STAGE_UNSPECIFIED || row.to_stage() == request.to_stage(),
               row.position());
    FUZZ_CHECK(!request.overrides_only() || row.override(), row.position());
    FUZZ_CHECK(row.position() >= 1 && row.position() <= TheWorld().log.size(), row.position());
  }
}

std::vector<uint64_t> AllChangePages(const store::EventLog& log, v1::ListStageChangesRequest request,
                                     size_t max_scan) {
  std::vector<uint64_t> positions;
  request.clear_page_token();
  for (int pages = 0;; ++pages) {
    FUZZ_CHECK(pages < kMaxPages, request.ShortDebugString());
    absl::StatusOr<v1::ListStageChangesResponse> page = history::ListStageChanges(log, request, max_scan);
    FUZZ_CHECK(page.ok(), page.status().ToString(), " on page ", pages);
    CheckChangeRows(request, *page);
    for (const v1::StageChange& row : page->changes()) positions.push_back(row.position());
    if (page->next_page_token().empty()) return positions;
    request.set_page_token(page->next_page_token());
  }
}

void FuzzListStageChanges(uint8_t mode, absl::string_view request_bytes, absl::string_view cursor_bytes) {
  static const MemoryLog* const log_of_world = new MemoryLog(TheWorld().log);
  const MemoryLog& log = *log_of_world;
  v1::ListStageChangesRequest request;
  if (!request.ParseFromArray(request_bytes.data(), static_cast<int>(request_bytes.size()))) return;
  const size_t max_scan = 8 + (mode >> 2) % 64;
  const bool forge = mode & 2;
  if (!forge) {
    absl::StatusOr<v1::ListStageChangesResponse> page = history::ListStageChanges(log, request, max_scan);
    if (!page.ok()) return CheckRefusal(page.status());
    CheckChangeRows(request, *page);
    if (!request.page_token().empty()) return;
    // Paged (small pages, a short scan per call), then in one call.
    request.set_page_size(1 + (mode >> 2) % 8);
    const std::vector<uint64_t> paged = AllChangePages(log, request, max_scan);
    for (size_t i = 1; i < paged.size(); ++i) FUZZ_CHECK(paged[i - 1] < paged[i], request.ShortDebugString());
    request.set_page_size(history::kMaxStageChangesPage);
    FUZZ_CHECK(AllChangePages(log, request, log.Head() + 1) == paged, request.ShortDebugString());
    return;
  }
  request.clear_page_token();
  request.set_page_size(1);
  absl::StatusOr<v1::ListStageChangesResponse> first = history::ListStageChanges(log, request, max_scan);
  if (!first.ok()) return CheckRefusal(first.status());
  if (first->next_page_token().empty()) return;
  std::string bytes;
  v1::StageChangesPageToken token;
  FUZZ_CHECK(absl::WebSafeBase64Unescape(first->next_page_token(), &bytes) && token.ParseFromString(bytes),
             first->next_page_token());
  uint64_t next = 0;
  for (size_t i = 0; i < 8 && i < cursor_bytes.size(); ++i)
    next = next << 8 | static_cast<uint8_t>(cursor_bytes[i]);
  token.set_next(next);
  request.set_page_token(absl::WebSafeBase64Escape(projections::DeterministicBytes(token)));
  absl::StatusOr<v1::ListStageChangesResponse> page = history::ListStageChanges(log, request, max_scan);
  if (!page.ok()) return CheckRefusal(page.status());
  CheckChangeRows(request, *page);
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  salesops::fuzz::QuietProtobuf();
  salesops::fuzz::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  salesops::fuzz::FuzzInput input(data, size);
  const uint8_t mode = input.Byte();
  const absl::string_view request = input.Part();
  const absl::string_view cursor = input.Part();
  if (mode & 1) {
    salesops::fuzz::FuzzListStageChanges(mode, request, cursor);
  } else {
    salesops::fuzz::FuzzListLeads(mode, request, cursor);
  }
  return 0;
}
