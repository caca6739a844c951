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
#include "server/common/status_macros.h"
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

using D = domain::LeadDetails;
using LeadEntry = LeadViews::value_type;  // (lead id, lead); the lead has details

// Time in the current stage; never negative (a backfilled future time
// counts as zero).
absl::Duration TimeInStage(const domain::LeadState& lead, absl::Time now) {
  return std::max(absl::ZeroDuration(), now - lead.details->time(D::kStageEntered));
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
  std::map<std::string, CurrencyTotal> values;
  absl::Duration total_time;
  absl::Duration max_time = -absl::InfiniteDuration();
  std::string oldest;
};

// What a pipeline answer is assembled from, whether counted lead by lead or
// read from a PipelineIndex.
struct PipelineTally {
  StageAccumulator stages[std::size(kOpenStages)];
  uint64_t reached[8] = {};  // by FunnelIndex
  uint64_t won = 0, lost = 0, disqualified = 0;
  uint64_t window_won = 0, window_lost = 0;
  std::map<std::string, CurrencyTotal> window_won_value;
};

// The request's per-lead filters.
struct LeadFilter {
  const v1::GetPipelineRequest& request;
  absl::Time from, before;
  bool operator()(const domain::LeadState& lead) const {
    if (!request.owner().empty() && lead.owner.str() != request.owner()) return false;
    if (!request.assignee().empty() && lead.assignee.str() != request.assignee()) return false;
    if (request.source() != v1::LEAD_SOURCE_UNSPECIFIED && lead.details->source != request.source()) return false;
    const absl::Time identified = lead.details->time(D::kIdentifiedTime);
    return identified >= from && identified < before;
  }
};

void TallyLead(PipelineTally& t, const LeadEntry& entry, absl::Time window_start, absl::Time now) {
  const domain::LeadState& lead = entry.second;
  const D& d = *lead.details;
  for (int i = 1; i <= domain::FunnelIndex(d.furthest_stage); ++i) ++t.reached[i];
  const absl::Time entered = d.time(D::kStageEntered);
  const bool in_window = entered >= window_start && entered <= now;
  switch (lead.stage) {
    case v1::STAGE_WON:
      ++t.won;
      if (in_window) {
        ++t.window_won;
        CurrencyTotal& value = t.window_won_value[d.currency_of(D::kWon)];
        ++value.leads;
        value.total_minor += d.amount_minor[D::kWon];
      }
      return;
    case v1::STAGE_LOST:
      ++t.lost;
      if (in_window) ++t.window_lost;
      return;
    case v1::STAGE_DISQUALIFIED:
      ++t.disqualified;
      return;
    default:
      break;
  }
  if (!domain::IsOpenStage(lead.stage)) return;
  StageAccumulator& acc = t.stages[lead.stage - v1::STAGE_IDENTIFIED];
  ++acc.open;
  if (d.has(D::kEstimatedValue)) {
    CurrencyTotal& value = acc.values[d.currency_of(D::kEstimated)];
    ++value.leads;
    value.total_minor += d.amount_minor[D::kEstimated];
  } else {
    ++acc.without_value;
  }
  const absl::Duration in_stage = TimeInStage(lead, now);
  acc.total_time += in_stage;
  const absl::string_view lead_id = domain::ShownLeadId(entry.first, lead);
  if (in_stage > acc.max_time || (in_stage == acc.max_time && lead_id < acc.oldest)) {
    acc.max_time = in_stage;
    acc.oldest = std::string(lead_id);
  }
}

// The wins and losses that entered WON/LOST within [start, now], from the
// day totals: the part of start's day after start (walked), every later
// day (summed), less what lies after now (walked; normally nothing).
void TallyCloses(PipelineTally& t, const PipelineIndex& index, const ViewsState& state, absl::Time start,
                 absl::Time now) {
  const auto walk = [&](v1::Stage stage, absl::Time from, absl::Time until, int sign) {
    const TimedSet& set = index.stages[stage].by_entered;
    for (auto it = set.lower_bound(TimedKey{from, IdRef::Least()}); it != set.end() && it->first < until; ++it) {
      if (it->first == now && sign < 0) continue;  // now itself is inside the window
      if (stage == v1::STAGE_LOST) {
        t.window_lost += sign;
        continue;
      }
      t.window_won += sign;
      const D& won = *state.core.leads.at(*it->second).details;
      CurrencyTotal& value = t.window_won_value[won.currency_of(D::kWon)];
      value.leads += sign;
      value.total_minor += sign * won.amount_minor[D::kWon];
    }
  };
  const int64_t first_day = DayOf(start);
  const absl::Time next_day = DayStart(first_day + 1);
  for (v1::Stage stage : {v1::STAGE_WON, v1::STAGE_LOST}) {
    walk(stage, start, next_day, +1);
    walk(stage, now, absl::InfiniteFuture(), -1);
  }
  for (auto day = index.closes_by_day.upper_bound(first_day); day != index.closes_by_day.end(); ++day) {
    t.window_won += day->second.won;
    t.window_lost += day->second.lost;
    for (const auto& [currency, value] : day->second.won_value) {
      CurrencyTotal& sum = t.window_won_value[currency];
      sum.leads += value.leads;
      sum.total_minor += value.total_minor;
    }
  }
}

void TallyIndex(PipelineTally& t, const PipelineIndex& index, const ViewsState& state, absl::Time window_start,
                absl::Time now) {
  for (size_t i = 0; i < std::size(kOpenStages); ++i) {
    const StageIndex& stage = index.stages[kOpenStages[i]];
    StageAccumulator& acc = t.stages[i];
    acc.open = stage.by_entered.size();
    acc.without_value = stage.without_value;
    acc.values = stage.values;
    if (acc.open == 0) continue;
    // Σ max(0, now − entered): Σ (now − entered), plus back what leads
    // entered after now (backfilled business time) took below zero.
    acc.total_time = (now - absl::UnixEpoch()) * static_cast<int64_t>(acc.open) - stage.entered_sum;
    for (auto it = stage.by_entered.lower_bound(TimedKey{now, IdRef::Least()}); it != stage.by_entered.end(); ++it) {
      acc.total_time += it->first - now;
    }
    const TimedKey& first = *stage.by_entered.begin();
    if (first.first < now) {
      acc.max_time = now - first.first;
      acc.oldest = *first.second;
    } else {  // every lead has been zero time in the stage: the smallest id is the oldest
      acc.max_time = absl::ZeroDuration();
      acc.oldest = *first.second;
      for (const TimedKey& key : stage.by_entered) acc.oldest = std::min(acc.oldest, *key.second);
    }
  }
  std::copy(index.reached.begin(), index.reached.end(), t.reached);
  t.won = index.stages[v1::STAGE_WON].by_entered.size();
  t.lost = index.stages[v1::STAGE_LOST].by_entered.size();
  t.disqualified = index.stages[v1::STAGE_DISQUALIFIED].by_entered.size();
  TallyCloses(t, index, state, window_start, now);
}

v1::Pipeline Assemble(const PipelineTally& t, absl::Time window_start, absl::Time now) {
  v1::Pipeline out;
  out.set_won(t.won);
  out.set_lost(t.lost);
  out.set_disqualified(t.disqualified);
  for (size_t i = 0; i < std::size(kOpenStages); ++i) {
    const StageAccumulator& acc = t.stages[i];
    v1::StageSummary* s = out.add_stages();
    s->set_stage(kOpenStages[i]);
    s->set_open_leads(acc.open);
    s->set_without_value(acc.without_value);
    const uint32_t percent = WinProbabilityPercent(kOpenStages[i]);
    s->set_win_probability_percent(percent);
    for (const auto& [currency, value] : acc.values) {
      v1::CurrencyValue* v = s->add_values();
      v->set_currency(currency);
      v->set_leads(value.leads);
      *v->mutable_total() = MoneyOf(currency, value.total_minor);
      *v->mutable_weighted() = MoneyOf(currency, Weighted(value.total_minor, percent));
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
    c->set_reached_from(t.reached[i]);
    c->set_reached_to(t.reached[i + 1]);
    c->set_rate(t.reached[i] == 0 ? 0.0 : static_cast<double>(t.reached[i + 1]) / t.reached[i]);
  }
  v1::WinRate* win_rate = out.mutable_win_rate();
  win_rate->set_won(t.window_won);
  win_rate->set_lost(t.window_lost);
  *win_rate->mutable_from() = ToProtoTime(window_start);
  *win_rate->mutable_to() = ToProtoTime(now);
  const uint64_t closed = t.window_won + t.window_lost;
  win_rate->set_rate(closed == 0 ? 0.0 : static_cast<double>(t.window_won) / closed);
  for (const auto& [currency, value] : t.window_won_value) {
    if (value.leads > 0) *win_rate->add_won_value() = MoneyOf(currency, value.total_minor);
  }
  out.set_probability_table_version(kProbabilityTableVersion);
  return out;
}

struct PipelineQuery {
  LeadFilter filter;
  absl::Time window_start;
};

absl::StatusOr<PipelineQuery> ParsePipelineRequest(const v1::GetPipelineRequest& request, absl::Time now) {
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
  return PipelineQuery{LeadFilter{request, from, before}, now - absl::Hours(24) * days};
}

const absl::flat_hash_set<IdRef>& MemberLeads(const absl::flat_hash_map<std::string, absl::flat_hash_set<IdRef>>& index,
                                              const std::string& member) {
  static const absl::flat_hash_set<IdRef>* const kNone = new absl::flat_hash_set<IdRef>();
  auto it = index.find(member);
  return it == index.end() ? *kNone : it->second;
}

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
  SALESOPS_ASSIGN_OR_RETURN(const PipelineQuery query, ParsePipelineRequest(request, now));
  const LeadIndex& index = state.index.leads;
  PipelineTally tally;
  const auto tally_ids = [&](const absl::flat_hash_set<IdRef>& ids) {
    for (IdRef id : ids) {
      const LeadEntry& entry = *state.core.leads.find(*id);
      if (query.filter(entry.second)) TallyLead(tally, entry, query.window_start, now);
    }
  };
  // The narrowest index the filters allow: a member's leads, the leads
  // identified in the range, or the totals kept per source.
  if (!request.owner().empty()) {
    tally_ids(MemberLeads(index.by_owner, request.owner()));
  } else if (!request.assignee().empty()) {
    tally_ids(MemberLeads(index.by_assignee, request.assignee()));
  } else if (request.has_identified_from() || request.has_identified_before()) {
    for (auto it = index.by_identified.lower_bound(TimedKey{query.filter.from, IdRef::Least()});
         it != index.by_identified.end() && it->first < query.filter.before; ++it) {
      const LeadEntry& entry = *state.core.leads.find(*it->second);
      if (query.filter(entry.second)) TallyLead(tally, entry, query.window_start, now);
    }
  } else {
    const PipelineIndex& totals =
        request.source() == v1::LEAD_SOURCE_UNSPECIFIED ? index.all : index.by_source[request.source()];
    TallyIndex(tally, totals, state, query.window_start, now);
  }
  return Assemble(tally, query.window_start, now);
}

absl::StatusOr<v1::Pipeline> BuildPipelineByScan(const ViewsState& state, const v1::GetPipelineRequest& request,
                                                 absl::Time now) {
  SALESOPS_ASSIGN_OR_RETURN(const PipelineQuery query, ParsePipelineRequest(request, now));
  PipelineTally tally;
  for (const LeadEntry& entry : state.core.leads) {
    if (entry.second.details != nullptr && query.filter(entry.second)) TallyLead(tally, entry, query.window_start, now);
  }
  return Assemble(tally, query.window_start, now);
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

// What rows are ordered by: a lead's estimated value (0 without one), the
// time it entered its stage, its lead_id as shown.
struct RowKey {
  int64_t value_minor;
  absl::Time entered;
  absl::string_view lead_id;
};
RowKey KeyOf(const LeadEntry& entry) {
  const D& d = *entry.second.details;
  return {d.amount_minor[D::kEstimated], d.time(D::kStageEntered), domain::ShownLeadId(entry.first, entry.second)};
}
RowKey KeyOf(const v1::Lead& lead) {  // a page token's cursor
  return {lead.estimated_value().amount_minor(), FromProtoTime(lead.stage_entered_at()), lead.lead_id()};
}

// The order rows are returned in; `a` before `b`.
struct RowOrder {
  bool by_value;
  bool operator()(const RowKey& a, const RowKey& b) const {
    if (by_value) {
      if (a.value_minor != b.value_minor) return a.value_minor > b.value_minor;
    } else if (a.entered != b.entered) {
      return a.entered < b.entered;
    }
    return a.lead_id < b.lead_id;
  }
  bool operator()(const LeadEntry* a, const LeadEntry* b) const { return (*this)(KeyOf(*a), KeyOf(*b)); }
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
  const bool stale_filter = stale_for > absl::ZeroDuration();
  const RowOrder order{by_value};
  const auto matches = [&](const domain::LeadState& lead) {
    if (request.stage() != v1::STAGE_UNSPECIFIED && lead.stage != request.stage()) return false;
    if (!request.owner().empty() && lead.owner.str() != request.owner()) return false;
    if (!request.assignee().empty() && lead.assignee.str() != request.assignee()) return false;
    if (!request.currency().empty() && lead.details->currency_of(D::kEstimated) != request.currency()) return false;
    return !stale_filter || TimeInStage(lead, now) >= stale_for;
  };
  std::optional<RowKey> after_key;
  if (after.has_value()) after_key = KeyOf(*after);
  // Rows after the cursor: at least the page plus one when more exist.
  std::vector<const LeadEntry*> rows;
  uint64_t total = 0;
  const LeadIndex& index = state.index.leads;
  if (!request.owner().empty() || !request.assignee().empty()) {
    // One member's book: walked whole, sorted below.
    const absl::flat_hash_set<IdRef>& ids = !request.owner().empty()
                                                ? MemberLeads(index.by_owner, request.owner())
                                                : MemberLeads(index.by_assignee, request.assignee());
    for (IdRef id : ids) {
      const LeadEntry& entry = *state.core.leads.find(*id);
      if (!matches(entry.second)) continue;
      ++total;
      if (after_key.has_value() && !order(*after_key, KeyOf(entry))) continue;
      rows.push_back(&entry);
    }
  } else {
    // Each stage's index is already in the requested order: take the page
    // plus one from each stage after the cursor; `total` comes from the
    // index sizes, or from walking the stale prefix when stale_for is set.
    const size_t want = static_cast<size_t>(page_size) + 1;
    const auto take = [&](const auto& set, auto from) {
      size_t taken = 0;
      for (auto it = from; it != set.end() && taken < want; ++it) {
        const LeadEntry& entry = *state.core.leads.find(*it->second);
        if (!matches(entry.second)) continue;
        rows.push_back(&entry);
        ++taken;
      }
    };
    for (int s = 0; s < v1::Stage_ARRAYSIZE; ++s) {
      if (request.stage() != v1::STAGE_UNSPECIFIED && s != request.stage()) continue;
      const StageIndex& stage = index.all.stages[s];
      if (by_value) {
        auto set = stage.by_value.find(request.currency());
        if (set == stage.by_value.end()) continue;
        if (!stale_filter) {
          total += set->second.size();
        } else {
          for (const auto& [value, id] : set->second) total += matches(state.core.leads.at(*id)) ? 1 : 0;
        }
        take(set->second,
             after.has_value() ? set->second.upper_bound(std::pair(ValueKey(after->estimated_value().amount_minor()),
                                                                   IdRef(after->lead_id())))
                               : set->second.begin());
        continue;
      }
      if (!stale_filter) {
        if (request.currency().empty()) {
          total += stage.by_entered.size();
        } else if (auto value = stage.values.find(request.currency()); value != stage.values.end()) {
          total += value->second.leads;
        }
      } else {  // stale leads entered their stage by now − stale_for: a prefix
        for (auto it = stage.by_entered.begin(); it != stage.by_entered.end() && it->first <= now - stale_for; ++it) {
          total += matches(state.core.leads.at(*it->second)) ? 1 : 0;
        }
      }
      take(stage.by_entered, after.has_value() ? stage.by_entered.upper_bound(TimedKey{
                                                     FromProtoTime(after->stage_entered_at()), IdRef(after->lead_id())})
                                               : stage.by_entered.begin());
    }
  }
  const size_t keep = std::min<size_t>(rows.size(), page_size);
  std::partial_sort(rows.begin(), rows.begin() + keep, rows.end(), order);

  v1::ListLeadsResponse out;
  out.set_total(total);
  for (size_t i = 0; i < keep; ++i) *out.add_leads() = domain::ToLeadMessage(rows[i]->first, rows[i]->second);
  if (rows.size() > keep) {
    v1::LeadsPageToken next;
    next.set_filters(filter_key);
    const LeadEntry& last = *rows[keep - 1];
    const D& d = *last.second.details;
    v1::Lead* cursor = next.mutable_last();
    cursor->set_lead_id(std::string(domain::ShownLeadId(last.first, last.second)));
    *cursor->mutable_stage_entered_at() = d.times[D::kStageEntered].ToProto();
    v1::Money* value = cursor->mutable_estimated_value();
    value->set_amount_minor(d.amount_minor[D::kEstimated]);
    value->set_currency(d.currency_of(D::kEstimated));
    out.set_next_page_token(absl::WebSafeBase64Escape(DeterministicBytes(next)));
  }
  return out;
}

}  // namespace salesops::projections
