// Customer accounts (docs/ACCOUNTS.md): the company a lead is for, with a
// stable id, so that a customer's leads — and through them its orders,
// tickets and surveys — belong together. One stream per account,
// "account-<account_id>"; an account is opened by the identification of its
// first lead (the process step kIdentifiedLeadOpensAccount appends its
// AccountOpened in the same atomic batch), and has no commands of its own.
//
// Which account a new lead belongs to (ResolveAccount) is decided once, when
// the lead is identified, and written into its LeadIdentified: an account
// the caller names, else the account whose company name has the same match
// key (AccountMatchKey: no fuzzier guess), else a new one. Pure.
#ifndef SALESOPS_SERVER_DOMAIN_ACCOUNT_H_
#define SALESOPS_SERVER_DOMAIN_ACCOUNT_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/arena.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesops::domain {

inline constexpr absl::string_view kAccountStreamPrefix = "account-";

std::string AccountStreamId(absl::string_view account_id);

// What deciding needs of an account (the deciders' and the views' folds).
struct AccountState {
  uint64_t version = 0;  // events on the account's stream
  // 1 for the first account the log opened, 2 for the next, ...: what the
  // views' facts and indexes hold instead of the id (AccountsState::in_order).
  uint32_t ordinal = 0;
  bool operator==(const AccountState&) const = default;
};

// What the views show of an account beside that (Views.GetAccount, the
// analyses' display names), from its AccountOpened: kept by the views' fold
// only (AccountsState::RecordDetails), so the deciders' fold does not pay
// for it. The strings view bytes the AccountsState holding it keeps.
struct AccountDetails {
  absl::string_view company;  // as the opening lead gave it
  absl::string_view opened_by_lead_id;
  absl::Time opened_at;
  bool operator==(const AccountDetails&) const = default;  // by content
};

// Every account of a fold. Accounts are only added, never removed or
// renamed, so their strings — ids, match keys, companies — are copied once
// into an arena the state owns and held as views of it: 16 bytes each plus
// the bytes (rounded up to 8), instead of a 32-byte std::string and a heap
// block per string (docs/PERFORMANCE.md, change 22). The lookups by id and by
// match key are hash sets of 4-byte ordinals, hashed and compared by the
// account's id or key (change 24).
class AccountsState {
 public:
  AccountsState();
  ~AccountsState();
  // A copy keeps its strings in its own arena.
  AccountsState(const AccountsState& other);
  AccountsState& operator=(const AccountsState& other);
  // A move takes the arena along, so the views stay valid; the moved-from
  // state is left empty and usable.
  AccountsState(AccountsState&& other);
  AccountsState& operator=(AccountsState&& other);

  // A copy without the views' details (what the deciders' fold keeps).
  AccountsState WithoutDetails() const;

  // The account `account_id`, added with the next ordinal when new (then
  // `added`). The only way accounts are added.
  AccountState& FindOrAdd(absl::string_view account_id, bool* added = nullptr);

  const AccountState* Find(absl::string_view account_id) const;
  // The account's ordinal; 0 for an id no account has.
  uint32_t OrdinalOf(absl::string_view account_id) const;
  // The id of the account with `ordinal`; "" for 0 or an unknown ordinal.
  absl::string_view IdOf(uint32_t ordinal) const;
  // Its details (views' fold); null for 0, an unknown ordinal, or the
  // deciders' fold.
  const AccountDetails* DetailsOf(uint32_t ordinal) const;
  // How many accounts (the last ordinal).
  size_t size() const { return states_.size(); }

  // The ordinal of the first account opened with match key `key`; 0 for
  // none (a later one opened with new_account under the same name is found
  // only by its id).
  uint32_t OrdinalOfKey(absl::string_view key) const;
  // Makes `key` find `ordinal`, unless it already finds an account or the
  // account is already found by a key (an account has at most one: its
  // first AccountOpened's).
  void AddKey(absl::string_view key, uint32_t ordinal);
  // The key that finds the account `ordinal`; "" for none.
  absl::string_view KeyOf(uint32_t ordinal) const;

  // The views' part: details for every ordinal up to `ordinal` (empty ones
  // for accounts without an AccountOpened yet), then those of `ordinal`
  // when `details` is given.
  void RecordDetails(uint32_t ordinal, const AccountDetails* details = nullptr);

  // Read access for encoding and tests: the ids in the order the log
  // opened them (in_order()[ordinal - 1]), and the views' details
  // ([ordinal - 1]; empty in the deciders' fold).
  const std::deque<absl::string_view>& in_order() const { return strings_->ids; }
  const std::deque<AccountDetails>& details() const { return details_; }

  bool operator==(const AccountsState& other) const;

 private:
  // An account's id and key, by ordinal ([ordinal - 1]; "" for no key).
  // Deques: accounts come one at a time, and a vector's doubling would
  // leave about a third of its room unused.
  struct Strings {
    std::deque<absl::string_view> ids, keys;
  };
  // An ordinal's hash and equality are those of its account's string in
  // `strings` (ids or keys), so that a set of ordinals is looked up by id
  // or key (absl's heterogeneous lookup).
  struct OrdinalHash {
    using is_transparent = void;
    const std::deque<absl::string_view>* strings = nullptr;
    size_t operator()(uint32_t ordinal) const { return (*this)((*strings)[ordinal - 1]); }
    size_t operator()(absl::string_view s) const { return absl::Hash<absl::string_view>{}(s); }
  };
  struct OrdinalEq {
    using is_transparent = void;
    const std::deque<absl::string_view>* strings = nullptr;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, absl::string_view b) const { return (*strings)[a - 1] == b; }
    bool operator()(absl::string_view a, uint32_t b) const { return a == (*strings)[b - 1]; }
  };
  using OrdinalSet = absl::flat_hash_set<uint32_t, OrdinalHash, OrdinalEq>;

  void CopyFrom(const AccountsState& other, bool with_details);
  void Swap(AccountsState& other);
  // `s`'s bytes, copied into the arena.
  absl::string_view Keep(absl::string_view s);

  std::unique_ptr<google::protobuf::Arena> arena_;
  // Behind a pointer: the sets' functors view its deques, which must not
  // move when the state does.
  std::unique_ptr<Strings> strings_;
  std::deque<AccountState> states_;  // [ordinal - 1]
  OrdinalSet by_id_, by_key_;
  std::deque<AccountDetails> details_;
};

// The key company names are matched by: leading and trailing white space
// dropped, each run of white space inside as one ASCII space (U+3000
// IDEOGRAPHIC SPACE and U+00A0 count as white space), full-width ASCII forms
// (U+FF01..U+FF5E: "（", "Ａ") as their ASCII characters, ASCII letters in
// lower case. Nothing else changes: "杭州云帆科技" and "杭州云帆科技有限公司"
// are two names. Bytes that are not UTF-8 are kept as they are.
std::string AccountMatchKey(absl::string_view company);

// The account a lead identified with `request` (already validated) joins,
// and whether the identification opens it. Errors: NOT_FOUND for an
// account_id or referred_by_account_id no account has (naming the field),
// ALREADY_EXISTS for a new account whose id is taken, INVALID_ARGUMENT for a
// referral by the lead's own account.
struct ResolvedAccount {
  std::string account_id;
  bool opens = false;
};
absl::StatusOr<ResolvedAccount> ResolveAccount(const AccountsState& accounts, const v1::IdentifyLeadRequest& request,
                                               absl::string_view lead_id);

// The AccountOpened of an identification that opens an account.
v1::Event AccountOpenedBy(const v1::LeadIdentified& identified, absl::string_view lead_id);

// Folds one event of the account's stream `account_id`.
void EvolveAccount(AccountsState& accounts, absl::string_view account_id, const v1::EventEnvelope& envelope);

// The views' part of the same (after EvolveAccount): an AccountOpened's
// company, lead and time into the account's details.
void RecordAccountDetails(AccountsState& accounts, absl::string_view account_id, const v1::EventEnvelope& envelope);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_ACCOUNT_H_
