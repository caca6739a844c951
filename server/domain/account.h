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
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
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
// only (RecordAccountDetails), so the deciders' fold does not pay for it.
struct AccountDetails {
  std::string company;  // as the opening lead gave it
  std::string opened_by_lead_id;
  absl::Time opened_at;
  bool operator==(const AccountDetails&) const = default;
};

class AccountsState {
 public:
  AccountsState() = default;
  // A copy's by_id points at the copy's own ids.
  AccountsState(const AccountsState& other) { CopyFrom(other, /*with_details=*/true); }
  AccountsState& operator=(const AccountsState& other) {
    if (this != &other) CopyFrom(other, /*with_details=*/true);
    return *this;
  }
  // A moved deque keeps its elements where they are, so by_id stays valid.
  AccountsState(AccountsState&&) = default;
  AccountsState& operator=(AccountsState&& other) {
    // Not defaulted: a deque moved onto itself is emptied while the map
    // keeps its keys, which would then view destroyed strings.
    if (this != &other) {
      by_id = std::move(other.by_id);
      by_key = std::move(other.by_key);
      in_order = std::move(other.in_order);
      details = std::move(other.details);
    }
    return *this;
  }

  // A copy without the views' details (what the deciders' fold keeps).
  AccountsState WithoutDetails() const {
    AccountsState out;
    out.CopyFrom(*this, /*with_details=*/false);
    return out;
  }

  // The account `account_id`, added with the next ordinal when new (then
  // `added`). The only way accounts are added: by_id's keys are the ids in
  // in_order.
  AccountState& FindOrAdd(absl::string_view account_id, bool* added = nullptr);

  // By id. The keys view the strings in in_order (a deque: an element never
  // moves), so an id is held once per fold, not twice. Add accounts only
  // with FindOrAdd, and never change or remove an id in in_order: a key
  // would then view a string that is gone.
  absl::flat_hash_map<absl::string_view, AccountState> by_id;
  // Match key -> the ordinal of the first account opened with it (a later
  // one opened with new_account under the same name is found only by its id).
  absl::flat_hash_map<std::string, uint32_t> by_key;
  // Account ids in the order the log opened them: in_order[ordinal - 1].
  // Deques here: accounts come one at a time, and a vector's doubling would
  // leave about a third of its room unused.
  std::deque<std::string> in_order;
  // In the views' fold, details[ordinal - 1] (an account whose stream had
  // no AccountOpened yet has empty details); empty in the deciders' fold.
  std::deque<AccountDetails> details;

  const AccountState* Find(absl::string_view account_id) const;
  // The account's ordinal; 0 for an id no account has.
  uint32_t OrdinalOf(absl::string_view account_id) const;
  // The id of the account with `ordinal`; "" for 0 or an unknown ordinal.
  const std::string& IdOf(uint32_t ordinal) const;
  // Its details (views' fold); null for 0, an unknown ordinal, or the
  // deciders' fold.
  const AccountDetails* DetailsOf(uint32_t ordinal) const;
  bool operator==(const AccountsState& other) const {
    return by_id == other.by_id && by_key == other.by_key && in_order == other.in_order && details == other.details;
  }

 private:
  void CopyFrom(const AccountsState& other, bool with_details);
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
// company, lead and time into `accounts.details`.
void RecordAccountDetails(AccountsState& accounts, absl::string_view account_id, const v1::EventEnvelope& envelope);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_ACCOUNT_H_
