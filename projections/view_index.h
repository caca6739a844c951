// Indexes the views keep beside their fold, so a query costs what it
// returns, not the size of the log (docs/VIEWS.md, "What a query costs").
//
// They are derived data: EvolveViews keeps them current (each event removes
// its stream's old entries and inserts the new ones), and IndexViews builds
// them from a fold loaded from a snapshot. They are never persisted.
#ifndef SALESOPS_PROJECTIONS_VIEW_INDEX_H_
#define SALESOPS_PROJECTIONS_VIEW_INDEX_H_

#include <array>
#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/time/time.h"
#include "salesops/v1/common.pb.h"
#include "salesops/v1/leads.pb.h"
#include "projections/lead_views.h"
#include "server/domain/state.h"

namespace salesops::projections {

// An id held elsewhere in the fold at a stable address (a key of the lead
// views' or the work items' node map), compared, ordered and hashed by the
// id it points to. Index entries hold these instead of copies of the id:
// they are what the fold keeps per lead several times over.
class IdRef {
 public:
  explicit IdRef(const std::string& id) : id_(&id) {}
  IdRef(std::string&&) = delete;  // it would point to a temporary
  // Before every other id (the empty id): a probe for lower_bound.
  static IdRef Least();

  const std::string& operator*() const { return *id_; }
  const std::string* operator->() const { return id_; }

  friend bool operator==(IdRef a, IdRef b) { return *a.id_ == *b.id_; }
  friend std::strong_ordering operator<=>(IdRef a, IdRef b) { return a.id_->compare(*b.id_) <=> 0; }
  template <typename H>
  friend H AbslHashValue(H h, IdRef r) {
    return H::combine(std::move(h), *r.id_);
  }

 private:
  const std::string* id_;
};

// (a time, an id) ordered by time, then id: leads by the time they entered
// their stage, work items by the time they were assigned.
using TimedKey = std::pair<absl::Time, IdRef>;
using TimedSet = absl::btree_set<TimedKey>;
// (ValueKey(amount), lead id): leads by value, largest first.
using ValuedSet = absl::btree_set<std::pair<int64_t, IdRef>>;
// The by-value key of an amount, smaller for a larger amount: ~amount, that
// is −amount − 1, as −amount overflows for the least int64 (which a forged
// page token, or an imported event, may carry).
inline int64_t ValueKey(int64_t amount_minor) { return ~amount_minor; }

struct CurrencyTotal {
  uint64_t leads = 0;
  int64_t total_minor = 0;

  bool operator==(const CurrencyTotal&) const = default;
};

// The leads in one stage.
struct StageIndex {
  TimedSet by_entered;                                   // (stage_entered_at, lead id)
  absl::Duration entered_sum;                            // Σ (stage_entered_at − Unix epoch)
  uint64_t without_value = 0;                            // no estimated value
  std::map<std::string, CurrencyTotal> values;           // by estimated-value currency
  std::map<std::string, ValuedSet> by_value;             // by currency (kept in PipelineIndex::all only)

  bool operator==(const StageIndex&) const = default;
};

// Wins and losses of one UTC day (by the time the lead entered WON/LOST).
struct DayCloses {
  uint64_t won = 0;
  uint64_t lost = 0;
  std::map<std::string, CurrencyTotal> won_value;  // by won-amount currency

  bool operator==(const DayCloses&) const = default;
};

// Everything a pipeline answer without per-lead filters needs.
struct PipelineIndex {
  std::array<StageIndex, v1::Stage_ARRAYSIZE> stages;  // by Stage value
  std::array<uint64_t, 8> reached = {};                // leads whose furthest stage reached FunnelIndex i
  std::map<int64_t, DayCloses> closes_by_day;          // by days since the Unix epoch

  bool operator==(const PipelineIndex&) const = default;
};

struct LeadIndex {
  LeadIndex() = default;
  LeadIndex(LeadIndex&&) = default;
  LeadIndex& operator=(LeadIndex&&) = default;
  // Entries point into the fold they index: a copy would point into the
  // original's (copy the ViewsState instead, which re-derives them).
  LeadIndex(const LeadIndex&) = delete;
  LeadIndex& operator=(const LeadIndex&) = delete;

  PipelineIndex all;
  std::array<PipelineIndex, v1::LeadSource_ARRAYSIZE> by_source;
  TimedSet by_identified;  // (identified_at, lead id)
  absl::flat_hash_map<std::string, absl::flat_hash_set<IdRef>> by_owner;     // member -> lead ids
  absl::flat_hash_map<std::string, absl::flat_hash_set<IdRef>> by_assignee;  // member -> lead ids

  bool operator==(const LeadIndex&) const = default;
};

// One open piece of work (workload.h): assigned to a member, or waiting in
// its role's queue.
struct WorkItem {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  InternedString assignee;
  absl::Time since;  // assigned (or queued) at
  absl::Duration sla;
  // What the member workload breaks it down by.
  enum class Kind : uint8_t { kLead, kOrder, kTicket } kind = Kind::kLead;
  int32_t code = 0;  // the lead's stage, the order's status or the ticket's severity

  bool operator==(const WorkItem&) const = default;
};

// The open items one member carries, counted as the workload view shows
// them.
struct MemberWork {
  uint32_t items = 0;
  std::map<v1::Role, uint32_t> by_role;
  std::map<int32_t, uint32_t> by_code[3];                 // by WorkItem::Kind, then stage / status / severity
  std::map<absl::Duration, TimedSet> by_sla;              // (since, stream id), grouped by SLA

  bool operator==(const MemberWork&) const = default;
};

struct WorkIndex {
  WorkIndex() = default;
  WorkIndex(WorkIndex&&) = default;
  WorkIndex& operator=(WorkIndex&&) = default;
  // Entries point into the fold they index: a copy would point into the
  // original's (copy the ViewsState instead, which re-derives them).
  WorkIndex(const WorkIndex&) = delete;
  WorkIndex& operator=(const WorkIndex&) = delete;

  // By stream id ("lead-…", "order-…", "ticket-…"); a node map, as the
  // sets below point to its keys.
  absl::node_hash_map<std::string, WorkItem> items;
  absl::flat_hash_map<std::string, MemberWork> members;   // by assignee
  std::map<v1::Role, TimedSet> queues;                    // role -> unassigned (since, stream id)

  bool operator==(const WorkIndex&) const = default;
};

// One survey of an account's deals (from the survey's owner fact).
struct AccountSurvey {
  absl::Time at;  // occurred_at
  uint64_t position = 0;
  IdRef lead;     // the surveyed deal
  uint8_t q = 0, a = 0, s = 0;  // as Fact

  // By the deal, then in time: a deal's surveys are one range.
  friend auto operator<=>(const AccountSurvey& x, const AccountSurvey& y) {
    return std::tie(x.lead, x.at, x.position) <=> std::tie(y.lead, y.at, y.position);
  }
  bool operator==(const AccountSurvey&) const = default;
};

// One ticket of an account's deals, ordered by the deal, then the ticket:
// a deal's tickets are one range.
struct AccountTicket {
  IdRef lead;
  IdRef ticket;

  friend auto operator<=>(const AccountTicket& x, const AccountTicket& y) = default;
  bool operator==(const AccountTicket&) const = default;
};

// What of a customer account only some accounts have: wins, orders,
// tickets, surveys, referrals. Most accounts of a real log are a lead or two
// that never got that far, so AccountEntry holds this behind a pointer made
// on first use (a few dozen bytes per account instead of about 250).
struct AccountActivity {
  std::vector<AccountTicket> tickets;    // tickets of its leads
  std::vector<AccountSurvey> surveys;    // surveys of its deals
  uint32_t open_tickets = 0;             // of the tickets, neither resolved nor closed
  uint32_t survey_count = 0;             // the surveys' count and score sums
  int64_t survey_q = 0, survey_a = 0, survey_s = 0;
  std::map<std::string, CurrencyTotal> won_value;  // the WON leads and Σ their final amounts, by currency
  // Its two latest wins (the time the lead entered WON, lead id).
  std::optional<TimedKey> last_win, previous_win;
  uint32_t orders = 0, open_orders = 0;  // its leads' orders; of them, neither delivered nor cancelled
  uint32_t referred = 0, referral_wins = 0;  // leads naming it as referrer; of them, WON

  bool operator==(const AccountActivity&) const = default;
};

// What the account views read about one customer account
// (docs/ACCOUNTS.md, "Reads"): its leads in order, counts by stage, and the
// rest (AccountActivity), so that a read costs the leads it lists, the
// account's tickets and surveys, not all its leads. Lists are sorted, so
// folding and re-deriving give the same.
struct AccountEntry {
  AccountEntry() = default;
  AccountEntry(AccountEntry&&) = default;
  AccountEntry& operator=(AccountEntry&&) = default;

  absl::InlinedVector<TimedKey, 1> leads;  // (identified_at, lead id): its leads (one: no allocation)
  // Its leads by stage now.
  uint32_t open = 0, won = 0, lost = 0;  // lost: LOST or DISQUALIFIED

  // The rest; an empty one for an account that has none.
  const AccountActivity& activity() const;
  // The same, made on first use.
  AccountActivity& mutable_activity();
  bool has_activity() const { return activity_ != nullptr; }

  // Compares the activities, not whether they were made: an account whose
  // counts went back to zero equals one that never had any.
  bool operator==(const AccountEntry& other) const;

 private:
  std::unique_ptr<AccountActivity> activity_;
};

struct AccountIndex {
  AccountIndex() = default;
  AccountIndex(AccountIndex&&) = default;
  AccountIndex& operator=(AccountIndex&&) = default;
  AccountIndex(const AccountIndex&) = delete;
  AccountIndex& operator=(const AccountIndex&) = delete;

  // The account with `ordinal` (domain::AccountState::ordinal); null for 0
  // or an ordinal the fold does not have.
  const AccountEntry* Find(uint32_t ordinal) const;
  // ... made when missing (ordinal > 0).
  AccountEntry& At(uint32_t ordinal);

  // [ordinal - 1]; a deque, as an account is added at a time and a
  // vector's doubling would leave a third of it unused on average.
  std::deque<AccountEntry> entries;

  bool operator==(const AccountIndex&) const = default;
};

// The customer account a lead of the views' fold belongs to (its ordinal;
// 0 for none, or an account not opened yet).
uint32_t AccountOfLead(const domain::State& core, const domain::LeadState& lead);

// What an event's stream was before the event: the lead's stage, or the
// order's or ticket's status (for a new one, UNSPECIFIED), and what the
// event may change of where it is indexed.
struct StreamBefore {
  v1::Stage stage = v1::STAGE_UNSPECIFIED;
  // For a LeadIdentified on the stream of a lead the views held (only an
  // imported history has one): where it was indexed, as the event may move
  // it.
  bool lead_known = false;
  uint32_t account = 0, referrer = 0;
  absl::Time identified;
  // For a DealWon on a WON lead (imported): its part of its account's sums
  // — won amount present, currency, amount, time it was won.
  std::tuple<bool, std::string, int64_t, absl::Time> win;
  uint32_t order_account = 0, ticket_account = 0;  // the order's or ticket's lead's account
  std::string ticket_lead;                         // the ticket's lead
  v1::OrderStatus order = v1::ORDER_STATUS_UNSPECIFIED;
  v1::TicketStatus ticket = v1::TICKET_STATUS_UNSPECIFIED;
};
StreamBefore StreamBeforeOf(const domain::State& core, const v1::EventEnvelope& envelope);

// Keeps `index` current with `envelope`, just folded into `core`; `before`
// is its stream as it was before the event.
void IndexAccountEvent(AccountIndex& index, const domain::State& core, const v1::EventEnvelope& envelope,
                       const StreamBefore& before);

struct ReviewFacts;  // review_facts.h

// Builds the index from a whole fold (one loaded from a snapshot); the
// surveys come from the owner facts in `facts`.
void IndexAccounts(AccountIndex& index, const domain::State& core, const ReviewFacts& facts);

struct ViewIndexes {
  ViewIndexes() = default;
  ViewIndexes(ViewIndexes&&) = default;
  ViewIndexes& operator=(ViewIndexes&&) = default;
  // Entries point into the fold they index: a copy would point into the
  // original's (copy the ViewsState instead, which re-derives them).
  ViewIndexes(const ViewIndexes&) = delete;
  ViewIndexes& operator=(const ViewIndexes&) = delete;

  LeadIndex leads;
  WorkIndex work;
  AccountIndex accounts;

  bool operator==(const ViewIndexes&) const = default;
};

// What a lead's index entries depend on: two leads with equal keys (and
// ids) have equal entries.
struct LeadIndexKey {
  v1::Stage stage = v1::STAGE_UNSPECIFIED;
  v1::Stage furthest = v1::STAGE_UNSPECIFIED;
  v1::LeadSource source = v1::LEAD_SOURCE_UNSPECIFIED;
  absl::Time entered;     // stage_entered_at
  absl::Time identified;  // identified_at
  bool has_value = false;
  InternedString value_currency;  // estimated value, when has_value
  int64_t value_minor = 0;
  InternedString won_currency;  // won amount, while WON
  int64_t won_minor = 0;
  InternedString owner;
  InternedString assignee;
};
// `lead.details` must be set (a lead of the views' fold).
LeadIndexKey IndexKeyOf(const domain::LeadState& lead);

// Moves a lead's entries from `before` to `after` (either null: the lead
// enters or leaves the index), touching only the sets whose part of the key
// changed. `id` is the lead's key in the lead views (the entries point to
// it).
void ReindexLead(LeadIndex& index, const std::string& id, const LeadIndexKey* before, const LeadIndexKey* after);


// Builds the entries of every lead: the same as ReindexLead(nullptr → its
// key) for each, in
// an order that makes each insert land at the end of its set (a fold
// loaded from a snapshot).
void IndexLeads(LeadIndex& index, const LeadViews& leads);

// The open work item a stream is, if any, in the views' fold.
std::optional<WorkItem> WorkItemOf(const domain::State& core, absl::string_view stream_id);
// Makes the index hold `item` (or nothing) for `stream_id`.
void IndexWork(WorkIndex& index, absl::string_view stream_id, const std::optional<WorkItem>& item);

// The UTC day of a time (days since the Unix epoch, negative before it) and
// the time that day starts.
int64_t DayOf(absl::Time t);
absl::Time DayStart(int64_t day);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_VIEW_INDEX_H_
