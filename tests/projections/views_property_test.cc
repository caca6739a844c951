// Property: whatever valid or refused commands arrive, the views maintained
// live equal the views rebuilt from the log and a snapshot plus the tail of
// the log, and as_of(p) equals the live views captured right after position p.
#include <algorithm>
#include <optional>
#include <random>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "projections/accounts_view.h"
#include "projections/analysis.h"
#include "projections/meeting_brief.h"
#include "projections/meetings_view.h"
#include "projections/pipeline.h"
#include "projections/review.h"
#include "projections/review_totals.h"
#include "projections/training_view.h"
#include "server/domain/proto_time.h"
#include "projections/views_snapshot.h"
#include "projections/workload.h"
#include "server/history/views_replay.h"
#include "tests/projections/views_world.h"

namespace salesops::projections {
namespace {

using ::salesops::testing::ViewsWorld;
using ::salesops::testing::Yuan;

const absl::Time kStart = absl::FromUnixSeconds(1'780'000'000);
const absl::Time kReadAt = kStart + absl::Hours(24 * 400);  // every digest measures ages to this moment

std::string Bytes(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// Everything a client can see of the views, as bytes.
std::string Digest(const ViewsState& s) {
  std::string out = absl::StrCat("position ", s.position, "\n");
  v1::GetPipelineRequest all;
  absl::StrAppend(&out, Bytes(*BuildPipeline(s, all, kReadAt)));
  v1::GetPipelineRequest mine;
  mine.set_owner("r1");
  absl::StrAppend(&out, Bytes(*BuildPipeline(s, mine, kReadAt)));
  absl::StrAppend(&out, Bytes(*BuildWorkload(s, {}, kReadAt)));
  // The customer accounts, by id: their state, the account view, and each
  // lead's customer history.
  absl::btree_map<std::string, std::string> accounts;
  for (uint32_t ordinal = 1; ordinal <= s.core.accounts.size(); ++ordinal) {
    const std::string id(s.core.accounts.IdOf(ordinal));
    const domain::AccountState& a = *s.core.accounts.Find(id);
    const absl::string_view key = s.core.accounts.KeyOf(ordinal);
    const domain::AccountDetails* d = s.core.accounts.DetailsOf(a.ordinal);
    v1::GetAccountRequest get;
    get.set_account_id(id);
    get.set_max_leads(kMaxAccountLeads);
    absl::StatusOr<v1::Account> view = BuildAccount(s, get, kReadAt);
    accounts[id] = absl::StrCat(d == nullptr ? "no details" : absl::StrCat(d->company, "|", d->opened_by_lead_id, "|",
                                                                          absl::FormatTime(d->opened_at)),
                                "|", a.version, "|", a.ordinal, "|", s.core.accounts.IdOf(a.ordinal) == id, "|",
                                key.empty() ? "-" : key, "|",
                                view.ok() ? Bytes(*view) : view.status().ToString());
  }
  for (const auto& [id, a] : accounts) absl::StrAppend(&out, "account ", id, " ", a, "\n");
  absl::btree_map<std::string, std::string> histories;
  for (const auto& [id, lead] : s.core.leads) {
    if (std::optional<v1::AccountSummary> h = CustomerHistory(s, id)) histories[id] = Bytes(*h);
  }
  for (const auto& [id, h] : histories) absl::StrAppend(&out, "history ", id, " ", h, "\n");
  v1::ListLeadsRequest list;
  list.set_page_size(500);
  absl::StrAppend(&out, Bytes(*ListLeads(s, list, kReadAt)));
  v1::ReviewPeriod all_time;
  *all_time.mutable_from() = ToProtoTime(kStart - absl::Hours(24));
  *all_time.mutable_to() = ToProtoTime(kReadAt);
  for (const char* member : {"r1", "r2", "bd1", "sup1", "as1"}) {
    absl::StatusOr<v1::PerformanceReview> review = BuildReview(s, member, all_time, 0);
    absl::StrAppend(&out, review.ok() ? Bytes(*review) : review.status().ToString());
  }
  for (v1::SalesGrouping by : {v1::SALES_GROUPING_OWNER, v1::SALES_GROUPING_SOURCE, v1::SALES_GROUPING_MONTH,
                              v1::SALES_GROUPING_PRODUCT, v1::SALES_GROUPING_ACCOUNT}) {
    for (const char* only : {"", "r1"}) {
      absl::StatusOr<v1::SalesAnalysis> a = BuildSalesAnalysis(s, all_time, by, only);
      absl::StrAppend(&out, a.ok() ? Bytes(*a) : a.status().ToString());
    }
  }
  for (v1::SatisfactionGrouping by : {v1::SATISFACTION_GROUPING_AFTER_SALES_MEMBER,
                                      v1::SATISFACTION_GROUPING_SALES_OWNER, v1::SATISFACTION_GROUPING_MONTH,
                                      v1::SATISFACTION_GROUPING_ACCOUNT}) {
    absl::StatusOr<v1::SatisfactionAnalysis> a = BuildSatisfactionAnalysis(s, all_time, by, "");
    absl::StrAppend(&out, a.ok() ? Bytes(*a) : a.status().ToString());
  }
  // Review feedback, and the reviews of named months that show it (with the
  // previous month's goals).
  absl::btree_map<std::string, std::string> feedback;
  for (const auto& [key, f] : s.core.feedback.feedback) feedback[key] = Bytes(f);
  for (const auto& [key, bytes] : feedback) absl::StrAppend(&out, key, bytes);
  for (int month = 0; month < 4; ++month) {
    const std::string label =
        absl::FormatTime("%Y-%m", kStart + absl::Hours(24 * 30 * month), absl::UTCTimeZone());  // the walk's months
    for (const char* member : {"r1", "bd1"}) {
      absl::StatusOr<v1::PerformanceReview> review =
          BuildReview(s, member, *ResolvePeriod(label, nullptr, nullptr), 0);
      absl::StrAppend(&out, review.ok() ? Bytes(*review) : review.status().ToString());
    }
  }
  // Training sessions with each member's hours (the reviews above count them).
  v1::ListTrainingSessionsRequest training;
  training.set_page_size(500);
  absl::StrAppend(&out, Bytes(*ListTrainingSessions(s, training)));
  // Meetings, their action items, the overdue items in the workload (above)
  // and a team brief over the whole walk, built from this fold.
  v1::ListMeetingsRequest meetings;
  meetings.set_page_size(500);
  absl::StrAppend(&out, Bytes(*ListMeetings(s, meetings)));
  BriefScope scope;
  scope.period_from = kStart - absl::Hours(24);
  scope.period_to = kReadAt;
  scope.meeting_start = kReadAt;
  scope.moment = kReadAt;
  absl::StatusOr<v1::MeetingBrief> brief = BuildMeetingBrief(s, scope);
  absl::StrAppend(&out, brief.ok() ? Bytes(*brief) : brief.status().ToString());
  absl::btree_map<std::string, std::string> aggregates;
  for (const auto& [id, order] : s.core.orders) aggregates["order-" + id] = Bytes(order);
  for (const auto& [id, ticket] : s.core.tickets) aggregates["ticket-" + id] = Bytes(ticket);
  for (const auto& [id, m] : s.core.team.members) aggregates["member-" + id] = Bytes(m);
  for (const auto& [key, bytes] : aggregates) absl::StrAppend(&out, key, bytes);
  return out;
}

// ListLeads' rows for `request`, all pages, and the totals each page gave.
std::pair<std::vector<std::string>, std::vector<uint64_t>> AllPages(const ViewsState& s, v1::ListLeadsRequest request,
                                                                    absl::Time now) {
  std::pair<std::vector<std::string>, std::vector<uint64_t>> out;
  request.set_page_size(7);
  for (int page = 0; page < 1000; ++page) {
    absl::StatusOr<v1::ListLeadsResponse> reply = ListLeads(s, request, now);
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok()) break;
    for (const v1::Lead& lead : reply->leads()) out.first.push_back(lead.lead_id());
    out.second.push_back(reply->total());
    if (reply->next_page_token().empty()) break;
    request.set_page_token(reply->next_page_token());
  }
  return out;
}

// The same rows found the obvious way: filter every lead, sort.
std::vector<std::string> Expected(const ViewsState& s, const v1::ListLeadsRequest& r, absl::Time now) {
  std::vector<v1::Lead> leads;  // as GetLead shows each
  leads.reserve(s.core.leads.size());
  for (const auto& [id, lead] : s.core.leads) leads.push_back(domain::ToLeadMessage(id, lead));
  std::vector<const v1::Lead*> rows;
  for (const v1::Lead& lead : leads) {
    if (r.stage() != v1::STAGE_UNSPECIFIED && lead.stage() != r.stage()) continue;
    if (!r.owner().empty() && lead.owner() != r.owner()) continue;
    if (!r.assignee().empty() && lead.assignee() != r.assignee()) continue;
    if (!r.currency().empty() && lead.estimated_value().currency() != r.currency()) continue;
    const absl::Duration in_stage = std::max(absl::ZeroDuration(), now - FromProtoTime(lead.stage_entered_at()));
    if (FromProtoDuration(r.stale_for()) > absl::ZeroDuration() && in_stage < FromProtoDuration(r.stale_for())) continue;
    rows.push_back(&lead);
  }
  const bool by_value = r.order_by() == v1::LEAD_ORDER_VALUE;
  std::sort(rows.begin(), rows.end(), [&](const v1::Lead* a, const v1::Lead* b) {
    if (by_value) {
      return std::pair(-a->estimated_value().amount_minor(), a->lead_id()) <
             std::pair(-b->estimated_value().amount_minor(), b->lead_id());
    }
    return std::pair(FromProtoTime(a->stage_entered_at()), a->lead_id()) <
           std::pair(FromProtoTime(b->stage_entered_at()), b->lead_id());
  });
  std::vector<std::string> ids;
  for (const v1::Lead* lead : rows) ids.push_back(lead->lead_id());
  return ids;
}

const std::vector<std::string> kMembers = {"root", "r1", "r2", "bd1", "bd2", "sup1", "as1", "as2", "mgr"};

// The digest of a review's inputs by their definition (docs/VIEWS.md): the
// member's facts dated in the period, and the history events their outcomes
// were read from, each position once.
std::pair<std::string, uint64_t> ExpectedInputs(const ViewsState& s, const std::string& member, absl::Time from,
                                                absl::Time to) {
  std::set<uint64_t> positions;
  auto facts = s.facts.by_member.find(member);
  if (facts != s.facts.by_member.end()) {
    for (const Fact& f : facts->second) {
      if (f.at < from || f.at >= to) continue;
      positions.insert(f.position);
      if (f.kind == FactKind::kQualified && s.facts.lead_closes.contains(f.ref.view())) {
        const CloseRecord* last = nullptr;
        for (const CloseRecord& c : s.facts.lead_closes.at(f.ref.view())) {
          if (c.at >= f.at && c.at < to) last = &c;
        }
        if (last != nullptr) positions.insert(last->position);
      }
      if (f.kind == FactKind::kResolved && s.facts.ticket_reopens.contains(f.ref.view())) {
        for (const DatedPosition& r : s.facts.ticket_reopens.at(f.ref.view())) {
          if (r.position > f.position && r.at < to) {
            positions.insert(r.position);
            break;
          }
        }
      }
    }
  }
  PositionDigest digest;
  for (uint64_t p : positions) digest.Add(p);
  return {digest.ToString(), positions.size()};
}

// Every member's review read from the daily totals (kept by EvolveViews, and
// summed again from the facts as a snapshot load does) equals the review
// counted fact by fact — over periods that start and end mid-day, on day
// boundaries, within one day and across the whole history.
void ExpectReviewsAgree(const ViewsState& s) {
  ViewsState summed = s;
  summed.days = SumDays(summed.facts);
  const absl::Time day0 = DayStart(DayOf(kStart));
  const std::vector<std::pair<absl::Time, absl::Time>> periods = {
      {kStart - absl::Hours(24), kReadAt},
      {day0 + absl::Hours(24 * 3), day0 + absl::Hours(24 * 23)},
      {kStart + absl::Hours(37) + absl::Minutes(13), kStart + absl::Hours(24 * 30 + 5)},
      {day0 + absl::Hours(24 * 5 + 7), day0 + absl::Hours(24 * 5 + 19)},
      {day0 + absl::Hours(24 * 9 + 20), day0 + absl::Hours(24 * 10 + 4)},
      {day0 + absl::Hours(24 * 12), day0 + absl::Hours(24 * 71 + 1)},
  };
  for (const auto& [from, to] : periods) {
    v1::ReviewPeriod period;
    *period.mutable_from() = ToProtoTime(from);
    *period.mutable_to() = ToProtoTime(to);
    for (const std::string& member : kMembers) {
      absl::StatusOr<v1::PerformanceReview> by_fact = BuildReview(s, member, period, 0, ReviewSource::kFacts);
      ASSERT_TRUE(by_fact.ok()) << by_fact.status();
      const auto [digest, events] = ExpectedInputs(s, member, from, to);
      EXPECT_EQ(by_fact->input_digest(), digest) << member << " over " << period.ShortDebugString();
      EXPECT_EQ(by_fact->input_events(), events) << member << " over " << period.ShortDebugString();
      for (const ViewsState* state : {&s, static_cast<const ViewsState*>(&summed)}) {
        absl::StatusOr<v1::PerformanceReview> daily = BuildReview(*state, member, period, 0);
        ASSERT_TRUE(daily.ok()) << daily.status();
        EXPECT_EQ(Bytes(*daily), Bytes(*by_fact))
            << member << " over " << period.ShortDebugString() << " at " << s.position
            << (state == &s ? " (kept totals)" : " (totals summed from facts)");
      }
    }
  }
}

// The indexes kept by EvolveViews equal those built from scratch, and every
// query read from them equals the same query counted lead by lead — at
// moments before, inside and after the history (backfilled or future
// stage times take the rarely used paths).
void ExpectIndexesAgree(const ViewsState& s) {
  ViewsState fresh = s;
  IndexViews(fresh);
  EXPECT_TRUE(fresh.index == s.index) << "incremental indexes differ from rebuilt ones at " << s.position;
  for (absl::Time now : {kStart - absl::Hours(1), kStart + absl::Hours(24 * 10), kReadAt}) {
    std::vector<v1::GetPipelineRequest> pipelines(5);
    pipelines[1].set_source(v1::LEAD_SOURCE_REFERRAL);
    pipelines[2].set_owner("r1");
    pipelines[3].set_assignee("bd1");
    *pipelines[4].mutable_identified_from() = ToProtoTime(kStart + absl::Hours(24 * 3));
    pipelines[4].set_win_rate_days(2);
    for (const v1::GetPipelineRequest& r : pipelines) {
      EXPECT_EQ(Bytes(*BuildPipeline(s, r, now)), Bytes(*BuildPipelineByScan(s, r, now)))
          << r.ShortDebugString() << " at " << absl::FormatTime(now);
    }
    std::vector<v1::ListLeadsRequest> lists(8);
    lists[1].set_stage(v1::STAGE_IDENTIFIED);
    lists[2].set_stage(v1::STAGE_WON);
    lists[3].set_currency("CNY");
    lists[4].set_currency("CNY");
    lists[4].set_order_by(v1::LEAD_ORDER_VALUE);
    lists[5].mutable_stale_for()->set_seconds(3600 * 24 * 5);
    lists[6].set_owner("r2");
    lists[6].set_order_by(v1::LEAD_ORDER_VALUE);
    lists[6].set_currency("USD");
    lists[7].set_stage(v1::STAGE_QUALIFIED);
    lists[7].set_currency("CNY");
    lists[7].mutable_stale_for()->set_seconds(3600 * 24);
    for (const v1::ListLeadsRequest& r : lists) {
      const auto [ids, totals] = AllPages(s, r, now);
      const std::vector<std::string> expected = Expected(s, r, now);
      EXPECT_EQ(ids, expected) << r.ShortDebugString() << " at " << absl::FormatTime(now);
      for (uint64_t total : totals) EXPECT_EQ(total, expected.size()) << r.ShortDebugString();
    }
  }
}

// Sets `options.occurred_at` of whichever command `c` holds: a backfill of
// business time (ADMIN only), so facts land in earlier days and out of order.
void Backfill(v1::LeadCommand& c, absl::Time at) {
  const google::protobuf::Reflection* reflection = c.GetReflection();
  const google::protobuf::FieldDescriptor* field =
      reflection->GetOneofFieldDescriptor(c, c.GetDescriptor()->FindOneofByName("command"));
  if (field == nullptr) return;
  google::protobuf::Message* body = reflection->MutableMessage(&c, field);
  const google::protobuf::FieldDescriptor* options = body->GetDescriptor()->FindFieldByName("options");
  auto* o = static_cast<v1::CommandOptions*>(body->GetReflection()->MutableMessage(body, options));
  *o->mutable_occurred_at() = ToProtoTime(at);
}

class ViewsPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(ViewsPropertyTest, LiveEqualsRebuiltAndAsOfEqualsLiveThen) {
  std::mt19937 rng(GetParam());
  ViewsWorld world(kStart);
  world.AddTeam("root", {{"r1", {v1::ROLE_SALES_REP}},
                         {"r2", {v1::ROLE_SALES_REP, v1::ROLE_BD_MANAGER, v1::ROLE_ADMIN}},  // may backfill
                         {"bd1", {v1::ROLE_BD_MANAGER}},
                         {"bd2", {v1::ROLE_BD_MANAGER}},
                         {"sup1", {v1::ROLE_SALES_SUPPORT}},
                         {"as1", {v1::ROLE_AFTER_SALES}},
                         {"as2", {v1::ROLE_AFTER_SALES}},
                         {"mgr", {v1::ROLE_SALES_MANAGER}}});
  {
    // Surveys scoring below 3 open follow-up tickets (a process step).
    v1::TeamCommand policy;
    v1::RoleWeights* w = policy.mutable_set_scoring_policy()->add_roles();
    w->set_role(v1::ROLE_AFTER_SALES);
    w->add_weights()->set_metric("tickets_resolved");
    w->mutable_weights(0)->set_weight(1);
    policy.mutable_set_scoring_policy()->set_follow_up_below(3);
    ASSERT_TRUE(world.Team("mgr", policy).ok());
  }
  const auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<std::string> leads;
  std::vector<std::string> tickets;
  std::vector<std::string> meetings;
  std::vector<std::string> items;
  std::map<uint64_t, std::string> live;  // position -> digest captured right after it
  int accepted = 0;
  for (int step = 0; step < 1200; ++step) {
    world.clock().Advance(absl::Minutes(pick(180)));
    const std::string actor = kMembers[pick(kMembers.size())];
    const std::string lead = leads.empty() ? "none" : leads[pick(leads.size())];
    engine::CommandResult result = absl::UnknownError("no command");
    v1::LeadCommand c;
    size_t kind = leads.empty() ? 0 : pick(18);
    if (kind != 0 && pick(3) != 0) {
      // Mostly the lead's natural next step, so walks reach orders and tickets.
      switch (world.ViewOf(lead).stage()) {
        case v1::STAGE_IDENTIFIED: kind = pick(8) == 0 ? 8 : 1; break;
        case v1::STAGE_QUALIFIED: kind = 2; break;
        case v1::STAGE_NEEDS_ANALYZED: kind = 3; break;
        case v1::STAGE_SOLUTION_PROPOSED: kind = 4; break;
        case v1::STAGE_QUOTED: kind = pick(2) ? 5 : 6; break;
        case v1::STAGE_NEGOTIATING: kind = pick(4) == 0 ? 7 : 6; break;
        case v1::STAGE_WON: kind = pick(3) == 0 ? 11 : (pick(3) == 0 ? 12 : 10); break;
        default: kind = 9; break;
      }
    }
    if (!leads.empty() && pick(10) == 0) kind = 17;  // meetings, beside the leads' walk
    if (!leads.empty() && pick(30) == 0) kind = 18;  // review feedback, beside them too
    if (!leads.empty() && pick(30) == 0) kind = 19;  // training, beside them too
    switch (kind) {
      case 0: {
        const std::string id = absl::StrCat("P", leads.size());
        c.mutable_identify()->set_lead_id(id);
        // A few companies, spelled more than one way (so leads join accounts),
        // now and then a second account of one name, and referrals by the
        // first lead's account (refused when that is the lead's own).
        static const char* const kCompanies[] = {"广州某某有限公司", " 广州某某有限公司\u3000", "深圳某某科技",
                                                 "ＡＣＭＥ 中国", "acme 中国"};
        c.mutable_identify()->set_company(kCompanies[pick(5)]);
        if (pick(10) == 0) c.mutable_identify()->set_new_account(true);
        c.mutable_identify()->mutable_contact()->set_name("黄磊");
        c.mutable_identify()->set_source(static_cast<v1::LeadSource>(1 + pick(7)));
        if (c.identify().source() == v1::LEAD_SOURCE_REFERRAL && !leads.empty() && pick(2) == 0) {
          c.mutable_identify()->set_referred_by_account_id(leads.front());
        }
        if (pick(4) != 0) *c.mutable_identify()->mutable_estimated_value() = Yuan(1 + pick(1'000'000), pick(3) ? "CNY" : "USD");
        const std::string rep = pick(2) ? "r1" : "r2";
        if (rep == "r2" && pick(3) == 0) Backfill(c, world.clock().Now() - absl::Hours(pick(72)));
        result = world.Lead(rep, c);
        if (result.ok()) leads.push_back(id);
        break;
      }
      case 1: c.mutable_qualify()->set_lead_id(lead), c.mutable_qualify()->set_score(50); break;
      case 2: c.mutable_record_needs()->set_lead_id(lead), c.mutable_record_needs()->set_requirements("需求"); break;
      case 3:
        c.mutable_propose_solution()->set_lead_id(lead);
        c.mutable_propose_solution()->set_summary("方案");
        *c.mutable_propose_solution()->mutable_value() = Yuan(1 + pick(500'000));
        for (int n = static_cast<int>(pick(4)); n > 0; --n) {  // 0 to 3, maybe one twice
          static const char* const kProducts[] = {"标准版", "旗舰版", "年度维保"};
          c.mutable_propose_solution()->add_products(kProducts[pick(3)]);
        }
        break;
      case 4:
        c.mutable_send_quote()->set_lead_id(lead);
        c.mutable_send_quote()->set_quote_id(absl::StrCat("Q", step));
        *c.mutable_send_quote()->mutable_amount() = Yuan(1 + pick(500'000));
        c.mutable_send_quote()->set_valid_until("2030-01-01");
        break;
      case 5: c.mutable_start_negotiation()->set_lead_id(lead); break;
      case 6:
        c.mutable_win_deal()->set_lead_id(lead);
        *c.mutable_win_deal()->mutable_final_amount() = Yuan(1 + pick(500'000));
        c.mutable_win_deal()->set_signed_date("2026-05-01");
        break;
      case 7:  // reasons and notes, so the analyses' loss reasons vary
        c.mutable_lose_deal()->set_lead_id(lead);
        c.mutable_lose_deal()->set_reason(pick(2) == 0 ? v1::LOSS_REASON_TIMING : v1::LOSS_REASON_PRICE);
        if (pick(2) == 0) c.mutable_lose_deal()->set_note("价格太高");
        break;
      case 8: c.mutable_disqualify()->set_lead_id(lead), c.mutable_disqualify()->set_reason("无预算"); break;
      case 9: c.mutable_reopen()->set_lead_id(lead), c.mutable_reopen()->set_reason("客户回来了"); break;
      case 10: {
        v1::OrderCommand o;
        const int kind = static_cast<int>(pick(3));
        if (kind == 0) o.mutable_confirm()->set_order_id(lead);
        if (kind == 1) {
          o.mutable_ship()->set_order_id(lead);
          o.mutable_ship()->set_carrier("中通快递");
          o.mutable_ship()->set_tracking_number("ZT1");
        }
        if (kind == 2) o.mutable_deliver()->set_order_id(lead);
        result = world.Order(pick(2) ? "sup1" : actor, o);
        break;
      }
      case 11: {
        v1::SupportCommand s;
        const std::string id = absl::StrCat("T", tickets.size());
        s.mutable_open()->set_ticket_id(id);
        s.mutable_open()->set_lead_id(lead);
        s.mutable_open()->set_subject("问题");
        s.mutable_open()->set_severity(static_cast<v1::Severity>(1 + pick(4)));
        s.mutable_open()->set_channel(v1::CHANNEL_EMAIL);
        result = world.Support(pick(2) ? "as1" : actor, s);
        if (result.ok()) tickets.push_back(id);
        break;
      }
      case 12: {
        if (tickets.empty()) break;
        v1::SupportCommand s;
        const std::string id = tickets[pick(tickets.size())];
        const size_t what = pick(4);
        if (what == 3) {  // a survey of the ticket; below 3 opens a follow-up ticket
          const v1::Ticket ticket = world.views().Read([&](const ViewsState& st) { return st.core.Ticket(id); });
          if (ticket.status() == v1::TICKET_STATUS_OPEN && !ticket.assignee().empty()) {
            v1::SupportCommand resolve;  // its assignee resolves it first
            resolve.mutable_resolve()->set_ticket_id(id);
            resolve.mutable_resolve()->set_resolution("已处理");
            (void)world.Support(ticket.assignee(), resolve);
          }
          s.mutable_survey()->set_ticket_id(id);
          s.mutable_survey()->set_lead_id(ticket.lead_id());
          s.mutable_survey()->set_product_quality(static_cast<int32_t>(1 + pick(3)));
          s.mutable_survey()->set_service_attitude(static_cast<int32_t>(1 + pick(5)));
          s.mutable_survey()->set_response_speed(static_cast<int32_t>(2 + pick(4)));
          result = world.Support(pick(2) ? "as1" : actor, s);
          break;
        }
        if (what <= 1) {
          s.mutable_resolve()->set_ticket_id(id);
          s.mutable_resolve()->set_resolution("已处理");
        } else {
          s.mutable_reopen()->set_ticket_id(id);
          s.mutable_reopen()->set_reason("又坏了");
        }
        result = world.Support(kMembers[pick(kMembers.size())], s);
        break;
      }
      case 14:  // a new owner: only the owner index and the owner's facts move
        c.mutable_change_owner()->set_lead_id(lead);
        c.mutable_change_owner()->set_owner(pick(2) ? "r1" : "r2");
        c.mutable_change_owner()->set_reason("调岗");
        break;
      case 15:  // a manual hand-off: the assignee index and the work index move
        c.mutable_assign()->set_lead_id(lead);
        c.mutable_assign()->set_assignee(kMembers[1 + pick(4)]);
        c.mutable_assign()->set_reason("平衡负载");
        break;
      case 16:  // a new estimate in the same stage: the value sums and by-value order move
        c.mutable_update()->set_lead_id(lead);
        *c.mutable_update()->mutable_estimated_value() = Yuan(1 + pick(1'000'000), pick(3) ? "CNY" : "USD");
        break;
      case 17: {  // meetings and action items: scheduled, held, cancelled; items added, done, cancelled
        v1::Command m;
        std::string who = pick(4) != 0 ? "mgr" : actor;
        const size_t what = meetings.empty() ? 0 : pick(6);
        if (what == 0) {
          const std::string id = absl::StrCat("M", meetings.size());
          v1::ScheduleMeetingRequest* r = m.mutable_meeting()->mutable_schedule();
          r->set_meeting_id(id);
          r->set_title("周会");
          if (pick(3) == 0) r->set_member_id(pick(2) ? "r1" : "r2");
          r->set_cadence(pick(2) ? v1::MEETING_CADENCE_WEEKLY : v1::MEETING_CADENCE_MONTHLY);
          *r->mutable_starts_at() = ToProtoTime(world.clock().Now() + absl::Hours(static_cast<int64_t>(pick(96)) - 48));
          meetings.push_back(id);
        } else if (what == 1) {
          v1::RecordMinutesRequest* r = m.mutable_meeting()->mutable_minutes();
          r->set_meeting_id(meetings[pick(meetings.size())]);
          r->set_minutes("纪要");
          r->add_attendees("r1");
          if (pick(2)) r->set_correction_reason("更正");
        } else if (what == 2) {
          m.mutable_meeting()->mutable_cancel()->set_meeting_id(meetings[pick(meetings.size())]);
          m.mutable_meeting()->mutable_cancel()->set_reason("改期");
        } else if (what == 3 || items.empty()) {
          const std::string id = absl::StrCat("A", items.size());
          v1::AddActionItemRequest* r = m.mutable_action_item()->mutable_add();
          r->set_action_item_id(id);
          r->set_meeting_id(meetings[pick(meetings.size())]);
          r->set_owner(kMembers[pick(kMembers.size())]);
          r->set_title("跟进");
          r->set_due_date(absl::FormatTime("%Y-%m-%d", world.clock().Now() + absl::Hours(24 * static_cast<int64_t>(pick(10)) - 24 * 5),
                                           absl::UTCTimeZone()));
          if (pick(3) == 0) r->set_lead_id(lead);
          if (pick(2)) who = r->owner();
          items.push_back(id);
        } else {
          const std::string id = items[pick(items.size())];
          const v1::ActionItem item = world.views().Read([&](const ViewsState& st) { return st.core.meetings.Item(id); });
          if (what == 4) {
            m.mutable_action_item()->mutable_complete()->set_action_item_id(id);
            if (pick(4) != 0) who = item.owner();
          } else {
            m.mutable_action_item()->mutable_cancel()->set_action_item_id(id);
            m.mutable_action_item()->mutable_cancel()->set_reason("不需要了");
          }
        }
        const bool scheduling = m.has_meeting() && m.meeting().has_schedule();
        const bool adding = m.has_action_item() && m.action_item().has_add();
        result = world.Run(who, std::move(m));
        if (!result.ok()) {
          if (scheduling) meetings.pop_back();
          if (adding) items.pop_back();
        }
        break;
      }
      case 18: {  // feedback on a review of this month or the last, corrected, acknowledged
        v1::Command f;
        const std::string member = pick(2) ? "r1" : "bd1";
        const absl::Time month = world.clock().Now() - absl::Hours(24 * 31 * static_cast<int64_t>(pick(2)));
        const std::string period = absl::FormatTime("%Y-%m", month, absl::UTCTimeZone());
        const v1::ReviewFeedback known =
            world.views().Read([&](const ViewsState& st) { return st.core.feedback.Find(member, period); });
        std::string who = pick(4) != 0 ? "mgr" : actor;
        if (known.versions().empty() || pick(3) == 0) {
          v1::RecordReviewFeedbackRequest* r = f.mutable_review_feedback()->mutable_record();
          r->set_member_id(member);
          r->set_period(period);
          r->set_strengths("跟进及时");
          r->add_goals(absl::StrCat("赢单 ", 1 + pick(5), " 个"));
          if (!known.versions().empty()) r->set_correction_reason("更正目标");
        } else {
          v1::AcknowledgeReviewFeedbackRequest* r = f.mutable_review_feedback()->mutable_acknowledge();
          r->set_member_id(member);
          r->set_period(period);
          r->set_version(static_cast<uint32_t>(known.versions_size()));
          r->set_comment("收到");
          if (pick(4) != 0) who = member;
        }
        result = world.Run(who, std::move(f));
        break;
      }
      case 19: {  // a training session now or weeks ago, attendance recorded and corrected
        v1::Command t;
        const size_t sessions =
            world.views().Read([](const ViewsState& st) { return st.core.training.sessions.size(); });
        if (sessions == 0 || pick(3) == 0) {
          v1::RecordTrainingSessionRequest* r = t.mutable_training()->mutable_record_session();
          r->set_session_id(absl::StrCat("T", sessions));
          r->set_topic("产品知识");
          r->set_category(static_cast<v1::TrainingCategory>(1 + pick(4)));
          r->set_trainer("mgr");
          *r->mutable_starts_at() = ToProtoTime(world.clock().Now() - absl::Hours(24 * static_cast<int64_t>(pick(40))));
          r->set_duration_minutes(30 + 30 * static_cast<uint32_t>(pick(4)));
        } else {
          const std::string id = absl::StrCat("T", pick(sessions));
          const std::string member = pick(2) ? "r1" : "bd1";
          const bool recorded = world.views().Read([&](const ViewsState& st) {
            for (const v1::TrainingAttendance& a : st.core.training.Find(id).attendance()) {
              if (a.member_id() == member) return true;
            }
            return false;
          });
          v1::RecordTrainingAttendanceRequest* r = t.mutable_training()->mutable_record_attendance();
          r->set_session_id(id);
          r->set_member_id(member);
          r->set_minutes(static_cast<uint32_t>(pick(31)));
          if (recorded) r->set_correction_reason("更正时长");
        }
        result = world.Run(pick(4) != 0 ? "mgr" : actor, std::move(t));
        break;
      }
      case 13: {
        v1::TeamCommand t;  // capacity changes move nobody's work but change load ratios
        t.mutable_set_roles()->set_member_id("bd2");
        t.mutable_set_roles()->add_roles(v1::ROLE_BD_MANAGER);
        t.mutable_set_roles()->set_capacity(static_cast<uint32_t>(pick(5)));
        result = world.Team("root", t);
        break;
      }
    }
    if (c.command_case() != v1::LeadCommand::COMMAND_NOT_SET && !c.has_identify()) {
      // The right actor most of the time, anyone otherwise.
      const v1::Lead view = world.ViewOf(lead);
      std::string who = actor;
      if (pick(4) != 0) who = !view.assignee().empty() ? view.assignee() : view.owner();
      if ((c.has_change_owner() || c.has_assign()) && pick(4) != 0) who = "mgr";
      if (c.has_update() && pick(4) != 0) who = view.owner();
      // r2 (an ADMIN) sometimes backdates its step, across midnight at times;
      // one before the lead's previous event is refused and skipped.
      if (who == "r2" && pick(3) == 0) Backfill(c, world.clock().Now() - absl::Minutes(pick(600)));
      result = world.Lead(who, c);
    }
    if (!result.ok()) continue;
    ++accepted;
    live[world.store().Head()] =
        world.views().Read([](const ViewsState& s) { return Digest(s); });
  }
  EXPECT_GT(accepted, 200) << "too few commands were accepted to mean much";
  // The walk reached orders and tickets, not only early stages.
  world.views().Read([](const ViewsState& s) {
    EXPECT_GT(s.core.orders.size(), 2u);
    EXPECT_GT(s.core.tickets.size(), 0u);
    // ... and meetings in every status, and action items done and open.
    std::set<v1::MeetingStatus> statuses;
    for (const auto& [id, m] : s.core.meetings.meetings) statuses.insert(m.status());
    EXPECT_EQ(statuses.size(), 3u);
    std::set<v1::ActionItemStatus> item_statuses;
    for (const auto& [id, i] : s.core.meetings.items) item_statuses.insert(i.status());
    EXPECT_GE(item_statuses.size(), 2u);
    // ... and review feedback corrected and acknowledged.
    bool corrected = false, acknowledged = false;
    for (const auto& [key, f] : s.core.feedback.feedback) {
      corrected |= f.versions_size() > 1;
      for (const v1::ReviewFeedbackVersion& v : f.versions()) acknowledged |= v.has_acknowledged_at();
    }
    EXPECT_TRUE(corrected);
    EXPECT_TRUE(acknowledged);
    // ... and training attended, some of it corrected.
    bool attended = false, attendance_corrected = false;
    for (const auto& [id, session] : s.core.training.sessions) {
      for (const v1::TrainingAttendance& a : session.attendance()) {
        attended |= a.minutes() > 0;
        attendance_corrected |= a.revision() > 1;
      }
    }
    EXPECT_TRUE(attended);
    EXPECT_TRUE(attendance_corrected);
    // ... and low surveys followed up.
    int follow_ups = 0;
    for (const auto& [id, t] : s.core.tickets) follow_ups += t.follow_up_reason().empty() ? 0 : 1;
    EXPECT_GT(follow_ups, 0);
    return 0;
  });

  // Rebuilt from the log == live, now and at every captured position.
  const uint64_t head = world.store().Head();
  absl::StatusOr<ViewsState> rebuilt = history::ReplayViews(world.store(), head);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ(Digest(*rebuilt), world.views().Read([](const ViewsState& s) { return Digest(s); }));
  world.views().Read([](const ViewsState& s) {
    ExpectIndexesAgree(s);
    ExpectReviewsAgree(s);
    return 0;
  });
  const std::vector<std::string> live_state = world.views().Snapshot();
  EXPECT_EQ(EncodeViewsSnapshot(*rebuilt), live_state) << "rebuilt and live folds differ";
  int restored = 0;
  for (const auto& [position, digest] : live) {
    absl::StatusOr<ViewsState> then = history::ReplayViews(world.store(), position);
    ASSERT_TRUE(then.ok()) << then.status();
    ASSERT_EQ(Digest(*then), digest) << "as_of position " << position;
    if (position % 7 != 0) continue;
    if (position % 5 == 0) {
      ExpectIndexesAgree(*then);
      ExpectReviewsAgree(*then);
    }
    // A snapshot taken then, decoded, plus the tail of the log == live.
    absl::StatusOr<ViewsState> loaded = DecodeViewsSnapshot(EncodeViewsSnapshot(*then));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_TRUE(world.store()
                    .Scan(position + 1,
                          [&](const v1::EventEnvelope& e) {
                            EvolveViews(*loaded, e);
                            return absl::OkStatus();
                          })
                    .ok());
    ASSERT_EQ(EncodeViewsSnapshot(*loaded), live_state) << "snapshot at " << position << " + tail";
    // Everything a client sees, the analyses of the snapshot's facts included.
    ASSERT_EQ(Digest(*loaded), world.views().Read([](const ViewsState& s) { return Digest(s); }))
        << "snapshot at " << position << " + tail";
    ++restored;
  }
  EXPECT_GT(restored, 5);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ViewsPropertyTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace salesops::projections
