#include "projections/views_snapshot.h"

#include <algorithm>
#include <map>
#include <optional>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "projections/beside.h"
#include "projections/deterministic_bytes.h"
#include "salesops/v1/internal.pb.h"
#include "server/domain/lead_details.h"
#include "server/domain/proto_time.h"

namespace salesops::projections {
namespace {

// absl::InfinitePast ("never") is stored as an absent timestamp.
void PutTime(absl::Time t, google::protobuf::Timestamp* out) {
  if (t != absl::InfinitePast()) *out = ToProtoTime(t);
}
absl::Time GetTime(bool present, const google::protobuf::Timestamp& t) {
  return present ? FromProtoTime(t) : absl::InfinitePast();
}

template <typename Map>
std::vector<typename Map::const_pointer> Sorted(const Map& map) {
  std::vector<typename Map::const_pointer> out;
  out.reserve(map.size());
  for (const auto& entry : map) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](auto a, auto b) { return a->first < b->first; });
  return out;
}

}  // namespace

std::vector<std::string> EncodeViewsSnapshot(const ViewsState& state) {
  v1::ViewsSnapshotHeader header;
  header.set_version(kViewsVersion);
  header.set_position(state.position);
  PutTime(state.log_time, header.mutable_log_time());
  for (const auto& [id, member] : state.core.team.members) *header.add_members() = member;
  for (const auto& [key, target] : state.core.team.targets) {
    v1::TargetRecord* r = header.add_targets();
    r->set_key(key);
    *r->mutable_target() = target;
  }
  for (const v1::ScoringPolicy& p : state.core.team.policies) *header.add_policies() = p;
  header.set_team_version(state.core.team.version);
  PutTime(state.core.team.last_occurred_at, header.mutable_team_last_occurred_at());
  for (const auto* entry : Sorted(state.core.workload)) {
    v1::MemberLoadRecord* r = header.add_workload();
    r->set_member_id(entry->first);
    r->set_open_items(entry->second.open_items);
    r->set_last_assigned_position(entry->second.last_assigned_position);
  }

  std::vector<std::string> chunks(1);  // the header goes first, once the count is known
  v1::ViewsSnapshotChunk chunk;
  const auto flush = [&] {
    chunks.push_back(DeterministicBytes(chunk));
    chunk.Clear();
  };
  for (const auto* entry : Sorted(state.core.leads)) {
    const domain::LeadState& lead = entry->second;
    v1::LeadStateRecord* r = chunk.add_leads();
    r->set_lead_id(entry->first);
    r->set_exists(lead.exists);
    r->set_stage(lead.stage);
    r->set_version(lead.version);
    r->set_closed_from(lead.closed_from);
    r->set_owner(lead.owner.str());
    r->set_assignee(lead.assignee.str());
    r->set_awaiting_role(lead.awaiting_role);
    r->set_survey_recorded(lead.survey_recorded);
    r->set_quote_revisions(lead.quote_revisions);
    PutTime(lead.last_occurred_at, r->mutable_last_occurred_at());
    if (lead.details != nullptr) *r->mutable_view() = domain::ToLeadMessage(entry->first, lead);
    if (chunk.leads_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  for (const auto* entry : Sorted(state.core.orders)) {
    *chunk.add_orders() = entry->second;
    if (chunk.orders_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  for (const auto* entry : Sorted(state.core.tickets)) {
    *chunk.add_tickets() = entry->second;
    if (chunk.tickets_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  for (const auto* entry : Sorted(state.core.meetings.meetings)) {
    *chunk.add_meetings() = entry->second;
    if (chunk.meetings_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  for (const auto* entry : Sorted(state.core.meetings.items)) {
    *chunk.add_action_items() = entry->second;
    if (chunk.action_items_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  for (const auto* entry : Sorted(state.core.feedback.feedback)) {
    *chunk.add_review_feedback() = entry->second;
    if (chunk.review_feedback_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  for (const auto* entry : Sorted(state.core.training.sessions)) {
    *chunk.add_training_sessions() = entry->second;
    if (chunk.training_sessions_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  // In the order the log opened them: decoding gives each its ordinal back.
  // A match key only for the account a company name finds (KeyOf).
  const domain::AccountsState& accounts = state.core.accounts;
  for (uint32_t ordinal = 1; ordinal <= accounts.size(); ++ordinal) {
    const absl::string_view account_id = accounts.IdOf(ordinal);
    const domain::AccountState& a = *accounts.Find(account_id);
    v1::AccountRecord* r = chunk.add_accounts();
    r->set_account_id(std::string(account_id));
    if (const domain::AccountDetails* d = accounts.DetailsOf(a.ordinal)) {
      r->set_company(std::string(d->company));
      r->set_opened_by_lead_id(std::string(d->opened_by_lead_id));
      *r->mutable_opened_at() = ToProtoTime(d->opened_at);
    }
    r->set_version(a.version);
    if (const absl::string_view key = accounts.KeyOf(a.ordinal); !key.empty()) {
      r->set_match_key(std::string(key));
      r->set_matched_by_name(true);
    }
    if (chunk.accounts_size() >= static_cast<int>(kLeadsPerChunk)) flush();
  }
  size_t in_chunk = 0;  // facts and history records in the chunk being filled
  const auto count = [&](size_t n) {
    in_chunk += n;
    if (in_chunk >= 5 * kLeadsPerChunk) {
      flush();
      in_chunk = 0;
    }
  };
  for (const auto* entry : Sorted(state.facts.by_member)) {
    const std::vector<Fact>& facts = entry->second;
    for (size_t begin = 0; begin < facts.size(); begin += kLeadsPerChunk) {
      v1::MemberFactsRecord* r = chunk.add_member_facts();
      r->set_member_id(entry->first);
      const size_t end = std::min(facts.size(), begin + kLeadsPerChunk);
      for (size_t i = begin; i < end; ++i) {
        const Fact& f = facts[i];
        v1::FactRecord* out = r->add_facts();
        out->set_kind(static_cast<uint32_t>(f.kind));
        *out->mutable_at() = ToProtoTime(f.at);
        out->set_position(f.position);
        if (f.duration != absl::InfiniteDuration()) {
          out->set_timed(true);
          out->set_duration_nanos(absl::ToInt64Nanoseconds(f.duration));
        }
        out->set_amount_minor(f.amount_minor);
        out->set_currency(f.currency.str());
        out->set_code(f.code);
        out->set_q(f.q);
        out->set_a(f.a);
        out->set_s(f.s);
        out->set_role(f.role);
        out->set_ref(f.ref.str());
        out->set_source(static_cast<v1::LeadSource>(f.source));
        for (absl::string_view name : domain::UnpackProducts(f.products.str())) out->add_products(std::string(name));
        out->set_account(f.account);
        out->set_flags(f.flags);
      }
      count(end - begin);
    }
  }
  for (const auto* entry : Sorted(state.facts.lead_closes)) {
    v1::LeadClosesRecord* r = chunk.add_lead_closes();
    r->set_lead_id(entry->first);
    for (const CloseRecord& c : entry->second) {
      v1::DatedPositionRecord* d = r->add_closes();
      *d->mutable_at() = ToProtoTime(c.at);
      d->set_position(c.position);
      d->set_won(c.won);
    }
    count(1 + entry->second.size());
  }
  // Tickets with reopens or a resolver.
  std::map<std::string, std::pair<const std::vector<DatedPosition>*, const std::string*>> tickets;
  for (const auto& [id, reopens] : state.facts.ticket_reopens) tickets[id].first = &reopens;
  for (const auto& [id, resolver] : state.facts.ticket_resolver) tickets[id].second = &resolver;
  for (const auto& [id, entry] : tickets) {
    v1::TicketReopensRecord* r = chunk.add_ticket_reopens();
    r->set_ticket_id(id);
    if (entry.first != nullptr) {
      for (const DatedPosition& p : *entry.first) {
        v1::DatedPositionRecord* d = r->add_reopens();
        *d->mutable_at() = ToProtoTime(p.at);
        d->set_position(p.position);
      }
    }
    if (entry.second != nullptr) r->set_resolver(*entry.second);
    count(1);
  }
  for (const auto* entry : Sorted(state.facts.pending)) {
    v1::PendingHandOffRecord* r = chunk.add_pending();
    r->set_stream_id(entry->first);
    r->set_assignee(entry->second.assignee.str());
    r->set_role(entry->second.role);
    *r->mutable_at() = ToProtoTime(entry->second.at);
    count(1);
  }
  if (chunk.ByteSizeLong() > 0) flush();
  header.set_chunks(chunks.size() - 1);
  chunks[0] = DeterministicBytes(header);
  return chunks;
}

absl::StatusOr<ViewsState> DecodeViewsSnapshot(const std::vector<std::string>& chunks) {
  if (chunks.empty()) return absl::NotFoundError("no views snapshot");
  v1::ViewsSnapshotHeader header;
  if (!header.ParseFromString(chunks[0])) return absl::DataLossError("views snapshot: unreadable header");
  if (header.version() != kViewsVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("views snapshot has version ", header.version(), "; this server folds version ", kViewsVersion));
  }
  if (header.chunks() != chunks.size() - 1) {
    return absl::DataLossError(
        absl::StrCat("views snapshot: header names ", header.chunks(), " chunks, found ", chunks.size() - 1));
  }
  ViewsState state;
  state.position = header.position();
  state.log_time = GetTime(header.has_log_time(), header.log_time());
  for (const v1::Member& m : header.members()) state.core.team.members[m.member_id()] = m;
  for (const v1::TargetRecord& r : header.targets()) state.core.team.targets[r.key()] = r.target();
  state.core.team.policies.assign(header.policies().begin(), header.policies().end());
  state.core.team.version = header.team_version();
  state.core.team.last_occurred_at = GetTime(header.has_team_last_occurred_at(), header.team_last_occurred_at());
  for (const v1::MemberLoadRecord& r : header.workload()) {
    state.core.workload[r.member_id()] = domain::MemberLoad{r.open_items(), r.last_assigned_position()};
  }
  // Two threads parse the chunks (each takes every other one) while this
  // one folds them in order as they become ready. The parsers stay at most
  // kAhead chunks ahead of the fold (so parsed chunks do not pile up), and
  // stop when the fold does. A small snapshot is parsed by this thread as
  // it folds: threads would cost more than they save.
  constexpr size_t kAhead = 8;
  size_t bytes = 0;
  for (size_t i = 1; i < chunks.size(); ++i) bytes += chunks[i].size();
  const bool parallel = bytes >= kSnapshotBytesWorthThreads;
  std::vector<v1::ViewsSnapshotChunk> parsed(chunks.size());
  std::vector<char> readable(chunks.size(), 0);
  std::vector<absl::Notification> ready(chunks.size());
  absl::Mutex mu;
  size_t folded = 0;  // chunks folded so far (guarded by mu)
  bool stop = false;  // the fold ended early (guarded by mu)
  const auto parse = [&](size_t first) {
    for (size_t i = first; i < chunks.size(); i += 2) {
      {
        absl::MutexLock lock(&mu);
        const auto may_parse = [&] { return stop || i <= folded + kAhead; };
        mu.Await(absl::Condition(&may_parse));
        if (stop) return;
      }
      readable[i] = parsed[i].ParseFromString(chunks[i]) ? 1 : 0;
      ready[i].Notify();
    }
  };
  std::optional<std::thread> odd, even;
  if (parallel) {
    odd.emplace(parse, 1);
    even.emplace(parse, 2);
  }
  absl::Cleanup join = [&] {
    {
      absl::MutexLock lock(&mu);
      stop = true;
    }
    if (odd) odd->join();
    if (even) even->join();
  };
  for (size_t i = 1; i < parsed.size(); ++i) {
    if (parallel) {
      ready[i].WaitForNotification();
    } else {
      readable[i] = parsed[i].ParseFromString(chunks[i]) ? 1 : 0;
    }
    if (!readable[i]) return absl::DataLossError(absl::StrCat("views snapshot: chunk ", i, " unreadable"));
    {
      absl::MutexLock lock(&mu);
      folded = i;
    }
    v1::ViewsSnapshotChunk chunk = std::move(parsed[i]);
    for (v1::LeadStateRecord& r : *chunk.mutable_leads()) {
      domain::LeadState& lead = state.core.leads[r.lead_id()];
      lead.exists = r.exists();
      lead.stage = r.stage();
      lead.version = r.version();
      lead.closed_from = r.closed_from();
      lead.owner = r.owner();
      lead.assignee = r.assignee();
      lead.awaiting_role = r.awaiting_role();
      lead.survey_recorded = r.survey_recorded();
      lead.quote_revisions = r.quote_revisions();
      lead.last_occurred_at = GetTime(r.has_last_occurred_at(), r.last_occurred_at());
      if (r.has_view()) domain::RestoreLeadDetails(lead, r.lead_id(), r.view());
    }
    for (v1::Order& o : *chunk.mutable_orders()) state.core.orders[o.order_id()] = std::move(o);
    for (v1::Ticket& t : *chunk.mutable_tickets()) state.core.tickets[t.ticket_id()] = std::move(t);
    for (v1::Meeting& m : *chunk.mutable_meetings()) state.core.meetings.meetings[m.meeting_id()] = std::move(m);
    for (v1::ActionItem& i : *chunk.mutable_action_items()) {
      state.core.meetings.items[i.action_item_id()] = std::move(i);
    }
    for (v1::ReviewFeedback& f : *chunk.mutable_review_feedback()) {
      state.core.feedback.feedback[domain::FeedbackKey(f.member_id(), f.period())] = std::move(f);
    }
    for (v1::TrainingSession& s : *chunk.mutable_training_sessions()) {
      std::string id = s.session_id();
      state.core.training.sessions[std::move(id)] = std::move(s);
    }
    for (const v1::AccountRecord& r : chunk.accounts()) {
      bool added = false;
      domain::AccountState& a = state.core.accounts.FindOrAdd(r.account_id(), &added);
      if (!added) return absl::DataLossError(absl::StrCat("views snapshot: account '", r.account_id(), "' twice"));
      a.version = r.version();
      if (r.matched_by_name()) state.core.accounts.AddKey(r.match_key(), a.ordinal);
      const domain::AccountDetails details{
          .company = r.company(), .opened_by_lead_id = r.opened_by_lead_id(), .opened_at = FromProtoTime(r.opened_at())};
      state.core.accounts.RecordDetails(a.ordinal, &details);
    }
    for (const v1::MemberFactsRecord& r : chunk.member_facts()) {
      std::vector<Fact>& facts = state.facts.by_member[r.member_id()];
      for (const v1::FactRecord& in : r.facts()) {
        Fact& f = facts.emplace_back();
        f.kind = static_cast<FactKind>(in.kind());
        f.at = FromProtoTime(in.at());
        f.position = in.position();
        if (in.timed()) f.duration = absl::Nanoseconds(in.duration_nanos());
        f.amount_minor = in.amount_minor();
        f.currency = in.currency();
        f.code = in.code();
        f.q = static_cast<uint8_t>(in.q());
        f.a = static_cast<uint8_t>(in.a());
        f.s = static_cast<uint8_t>(in.s());
        f.account = in.account();
        f.flags = static_cast<uint8_t>(in.flags());
        f.role = in.role();
        f.ref = in.ref();
        f.source = static_cast<uint8_t>(in.source());
        if (!in.products().empty()) f.products = domain::PackProducts(in.products());
      }
    }
    for (const v1::LeadClosesRecord& r : chunk.lead_closes()) {
      std::vector<CloseRecord>& closes = state.facts.lead_closes[r.lead_id()];
      for (const v1::DatedPositionRecord& d : r.closes()) closes.push_back({FromProtoTime(d.at()), d.position(), d.won()});
    }
    for (const v1::TicketReopensRecord& r : chunk.ticket_reopens()) {
      if (!r.reopens().empty()) {
        std::vector<DatedPosition>& reopens = state.facts.ticket_reopens[r.ticket_id()];
        for (const v1::DatedPositionRecord& d : r.reopens()) reopens.push_back({FromProtoTime(d.at()), d.position()});
      }
      if (!r.resolver().empty()) state.facts.ticket_resolver[r.ticket_id()] = r.resolver();
    }
    for (const v1::PendingHandOffRecord& r : chunk.pending()) {
      state.facts.pending[r.stream_id()] = {FromProtoTime(r.at()), r.assignee(), r.role()};
    }
  }
  for (auto& [member, facts] : state.facts.by_member) {
    if (!std::is_sorted(facts.begin(), facts.end(), FactBefore)) {  // snapshots older than time order
      std::stable_sort(facts.begin(), facts.end(), FactBefore);
    }
  }
  // The daily review totals and the indexes read disjoint parts of the fold.
  Beside days(state.core.leads.size() >= kLeadsWorthAThread, [&state] { state.days = SumDays(state.facts); });
  IndexViews(state);
  days.Join();
  return state;
}

}  // namespace salesops::projections
