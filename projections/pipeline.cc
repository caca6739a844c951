#include "projections/pipeline.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "projections/deterministic_bytes.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/lead.h"
#include "server/domain/proto_time.h"
#include "server/domain/validation.h"

namespace salesops::projections {
namespace {

constexpr v1::Stage kOpenStages[] = {v1::STAGE_IDENTIFIED,         v1::STAGE_QUALIFIED, v1::STAGE_NEEDS_ANALYZED,
                                     v1::STAGE_SOLUTION_PROPOSED, v1::STAGE_QUOTED,    v1::STAGE_NEGOTIATING};

absl::Status ValidateOptionalId(absl::string_view field, absl::string_view id) {
  return id.empty() ? absl::OkStatus() : domain::ValidateId(field, id);
}

absl::Status ValidateCurrency(absl::string_view field, absl::string_view currency) {
  if (currency.size() == 3 && std::all_of(currency.begin(), currency.end(), absl::ascii_isupper)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": must be an ISO 4217 code of three capital letters, e.g. CNY"));
}

// Time in the current stage; never negative (a backfilled future time
// counts as zero).
absl::Duration TimeInStage(const v1::Lead& lead, absl::Time now) {
  return std::max(absl::ZeroDuration(), now - FromProtoTime(lead.stage_entered_at()));
}

int64_t Weighted(int64_t amount_minor, uint32_t percent) {
  // amount ≤ 10^15 per lead; a stage total of many leads could overflow
  // int64 when multiplied by 100, so divide in 128 bits.
  return static_cast<int64_t>(static_cast<__int128>(amount_minor) * percent / 100);
}

v1::Money MoneyOf(absl::string_view currency, int64_t amount_minor) {
  v1::Money m;
  m.set_currency(std::string(currency));
  m.set_amount_minor(amount_minor);
  return m;
}

struct StageAccumulator {
  uint64_t open = 0;
  uint64_t without_value = 0;
  std::map<std::string, std::pair<uint64_t, int64_t>> values;  // currency -> (leads, total)
  absl::Duration total_time;
  absl::Duration max_time = -absl::InfiniteDuration();
  std::string oldest;
};

}  // namespace

uint32_t WinProbabilityPercent(v1::Stage stage) {
  switch (stage) {
    case v1::STAGE_IDENTIFIED: return 5;
    case v1::STAGE_QUALIFIED: return 15;
    case v1::STAGE_NEEDS_ANALYZED: return 25;
    case v1::STAGE_SOLUTION_PROPOSED: return 40;
    case v1::STAGE_QUOTED: return 60;
    case v1::STAGE_NEGOTIATING: return 80;
    default: return 0;
  }
}

absl::StatusOr<v1::Pipeline> BuildPipeline(const ViewsState& state, const v1::GetPipelineRequest& request,
                                           absl::Time now) {
  if (absl::Status s = ValidateOptionalId("owner", request.owner()); !s.ok()) return s;
  if (absl::Status s = ValidateOptionalId("assignee", request.assignee()); !s.ok()) return s;
  if (!v1::LeadSource_IsValid(request.source())) {
    return absl::InvalidArgumentError("source: not a known lead source");
  }
  if (request.win_rate_days() > kMaxWinRateDays) {
    return absl::InvalidArgumentError(absl::StrCat("win_rate_days: must be at most ", kMaxWinRateDays));
  }
  const bool has_from = request.has_identified_from();
  const bool has_before = request.has_identified_before();
  const absl::Time from = has_from ? FromProtoTime(request.identified_from()) : absl::InfinitePast();
  const absl::Time before = has_before ? FromProtoTime(request.identified_before()) : absl::InfiniteFuture();
  if (has_from && has_before && from >= before) {
    return absl::InvalidArgumentError("identified_before: must be after identified_from");
  }
  const uint32_t days = request.win_rate_days() == 0 ? kDefaultWinRateDays : request.win_rate_days();
  const absl::Time window_start = now - absl::Hours(24) * days;

  StageAccumulator stages[std::size(kOpenStages)];
  uint64_t reached[8] = {};  // by FunnelIndex
  std::map<std::string, int64_t> won_value;
  v1::Pipeline out;
  v1::WinRate* win_rate = out.mutable_win_rate();
  for (const auto& [id, lead] : state.leads) {
    if (!request.owner().empty() && lead.owner() != request.owner()) continue;
    if (!request.assignee().empty() && lead.assignee() != request.assignee()) continue;
    if (request.source() != v1::LEAD_SOURCE_UNSPECIFIED && lead.source() != request.source()) continue;
    const absl::Time identified = FromProtoTime(lead.identified_at());
    if (identified < from || identified >= before) continue;

    for (int i = 1; i <= domain::FunnelIndex(lead.furthest_stage()); ++i) ++reached[i];
    const absl::Time entered = FromProtoTime(lead.stage_entered_at());
    const bool in_window = entered >= window_start && entered <= now;
    switch (lead.stage()) {
      case v1::STAGE_WON:
        out.set_won(out.won() + 1);
        if (in_window) {
          win_rate->set_won(win_rate->won() + 1);
          won_value[lead.won_amount().currency()] += lead.won_amount().amount_minor();
        }
        continue;
      case v1::STAGE_LOST:
        out.set_lost(out.lost() + 1);
        if (in_window) win_rate->set_lost(win_rate->lost() + 1);
        continue;
      case v1::STAGE_DISQUALIFIED:
        out.set_disqualified(out.disqualified() + 1);
        continue;
      default:
        break;
    }
    if (!domain::IsOpenStage(lead.stage())) continue;
    StageAccumulator& acc = stages[lead.stage() - v1::STAGE_IDENTIFIED];
    ++acc.open;
    if (lead.has_estimated_value()) {
      auto& [count, total] = acc.values[lead.estimated_value().currency()];
      ++count;
      total += lead.estimated_value().amount_minor();
    } else {
      ++acc.without_value;
    }
    const absl::Duration in_stage = TimeInStage(lead, now);
    acc.total_time += in_stage;
    if (in_stage > acc.max_time || (in_stage == acc.max_time && id < acc.oldest)) {
      acc.max_time = in_stage;
      acc.oldest = id;
    }
  }

  for (size_t i = 0; i < std::size(kOpenStages); ++i) {
    const StageAccumulator& acc = stages[i];
    v1::StageSummary* s = out.add_stages();
    s->set_stage(kOpenStages[i]);
    s->set_open_leads(acc.open);
    s->set_without_value(acc.without_value);
    const uint32_t percent = WinProbabilityPercent(kOpenStages[i]);
    s->set_win_probability_percent(percent);
    for (const auto& [currency, value] : acc.values) {
      v1::CurrencyValue* v = s->add_values();
      v->set_currency(currency);
      v->set_leads(value.first);
      *v->mutable_total() = MoneyOf(currency, value.second);
      *v->mutable_weighted() = MoneyOf(currency, Weighted(value.second, percent));
    }
    if (acc.open > 0) {
      *s->mutable_average_time_in_stage() = ToProtoDuration(acc.total_time / static_cast<int64_t>(acc.open));
      *s->mutable_max_time_in_stage() = ToProtoDuration(acc.max_time);
      s->set_oldest_lead_id(acc.oldest);
    }
  }
  for (int i = 1; i < 7; ++i) {
    v1::StageConversion* c = out.add_conversions();
    c->set_from_stage(static_cast<v1::Stage>(i));
    c->set_to_stage(static_cast<v1::Stage>(i + 1));
    c->set_reached_from(reached[i]);
    c->set_reached_to(reached[i + 1]);
    c->set_rate(reached[i] == 0 ? 0.0 : static_cast<double>(reached[i + 1]) / reached[i]);
  }
  *win_rate->mutable_from() = ToProtoTime(window_start);
  *win_rate->mutable_to() = ToProtoTime(now);
  const uint64_t closed = win_rate->won() + win_rate->lost();
  win_rate->set_rate(closed == 0 ? 0.0 : static_cast<double>(win_rate->won()) / closed);
  for (const auto& [currency, total] : won_value) *win_rate->add_won_value() = MoneyOf(currency, total);
  out.set_probability_table_version(kProbabilityTableVersion);
  return out;
}

namespace {

// The filters a page token is bound to: the request without paging and view.
std::string FilterKey(const v1::ListLeadsRequest& request) {
  v1::ListLeadsRequest filters = request;
  filters.clear_view();
  filters.clear_page_size();
  filters.clear_page_token();
  return DeterministicBytes(filters);
}

// The order rows are returned in; `a` before `b`.
struct RowOrder {
  bool by_value;
  bool operator()(const v1::Lead* a, const v1::Lead* b) const {
    if (by_value) {
      if (a->estimated_value().amount_minor() != b->estimated_value().amount_minor()) {
        return a->estimated_value().amount_minor() > b->estimated_value().amount_minor();
      }
    } else {
      const absl::Time ta = FromProtoTime(a->stage_entered_at());
      const absl::Time tb = FromProtoTime(b->stage_entered_at());
      if (ta != tb) return ta < tb;
    }
    return a->lead_id() < b->lead_id();
  }
};

}  // namespace

absl::StatusOr<v1::ListLeadsResponse> ListLeads(const ViewsState& state, const v1::ListLeadsRequest& request,
                                                absl::Time now) {
  if (!v1::Stage_IsValid(request.stage())) return absl::InvalidArgumentError("stage: not a known stage");
  if (absl::Status s = ValidateOptionalId("owner", request.owner()); !s.ok()) return s;
  if (absl::Status s = ValidateOptionalId("assignee", request.assignee()); !s.ok()) return s;
  if (request.stale_for().seconds() < 0 || request.stale_for().nanos() < 0) {
    return absl::InvalidArgumentError("stale_for: must not be negative");
  }
  if (!v1::LeadOrder_IsValid(request.order_by())) return absl::InvalidArgumentError("order_by: not a known order");
  const bool by_value = request.order_by() == v1::LEAD_ORDER_VALUE;
  if (!request.currency().empty()) {
    if (absl::Status s = ValidateCurrency("currency", request.currency()); !s.ok()) return s;
  } else if (by_value) {
    return absl::InvalidArgumentError(
        "currency: required when order_by is VALUE (values in different currencies are never compared)");
  }
  if (request.page_size() > kMaxLeadPage) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be at most ", kMaxLeadPage));
  }
  const uint32_t page_size = request.page_size() == 0 ? kDefaultLeadPage : request.page_size();

  // The token holds the filters it belongs to and the last row returned (a
  // fake lead carrying the ordering fields).
  v1::LeadsPageToken token;
  std::optional<v1::Lead> after;
  const std::string filter_key = FilterKey(request);
  if (!request.page_token().empty()) {
    std::string bytes;
    if (!absl::WebSafeBase64Unescape(request.page_token(), &bytes) || !token.ParseFromString(bytes)) {
      return absl::InvalidArgumentError("page_token: not a token this server issued");
    }
    if (token.filters() != filter_key) {
      return absl::InvalidArgumentError("page_token: belongs to a query with other filters; repeat those filters");
    }
    after = token.last();
  }

  const absl::Duration stale_for = FromProtoDuration(request.stale_for());
  const RowOrder order{by_value};
  std::vector<const v1::Lead*> rows;
  uint64_t total = 0;
  for (const auto& [id, lead] : state.leads) {
    if (request.stage() != v1::STAGE_UNSPECIFIED && lead.stage() != request.stage()) continue;
    if (!request.owner().empty() && lead.owner() != request.owner()) continue;
    if (!request.assignee().empty() && lead.assignee() != request.assignee()) continue;
    if (!request.currency().empty() && lead.estimated_value().currency() != request.currency()) continue;
    if (stale_for > absl::ZeroDuration() && TimeInStage(lead, now) < stale_for) continue;
    ++total;
    if (after.has_value() && !order(&*after, &lead)) continue;
    rows.push_back(&lead);
  }
  const size_t keep = std::min<size_t>(rows.size(), page_size);
  std::partial_sort(rows.begin(), rows.begin() + keep, rows.end(), order);

  v1::ListLeadsResponse out;
  out.set_total(total);
  for (size_t i = 0; i < keep; ++i) *out.add_leads() = *rows[i];
  if (rows.size() > keep) {
    v1::LeadsPageToken next;
    next.set_filters(filter_key);
    const v1::Lead& last = *rows[keep - 1];
    v1::Lead* cursor = next.mutable_last();
    cursor->set_lead_id(last.lead_id());
    *cursor->mutable_stage_entered_at() = last.stage_entered_at();
    *cursor->mutable_estimated_value() = last.estimated_value();
    out.set_next_page_token(absl::WebSafeBase64Escape(DeterministicBytes(next)));
  }
  return out;
}

}  // namespace salesops::projections
