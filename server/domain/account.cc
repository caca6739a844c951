#include "server/domain/account.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
namespace {

bool Continuation(absl::string_view s, size_t i) {
  return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
}

// The code point at s[i] and its length in bytes; a byte that starts no
// well-formed sequence is returned alone as 0xFFFFFFFF.
std::pair<uint32_t, size_t> CodePointAt(absl::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  const uint32_t c = b(0);
  if (c < 0x80) return {c, 1};
  if ((c >> 5) == 0x6 && Continuation(s, i + 1)) return {((c & 0x1F) << 6) | (b(1) & 0x3F), 2};
  if ((c >> 4) == 0xE && Continuation(s, i + 1) && Continuation(s, i + 2)) {
    return {((c & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F), 3};
  }
  if ((c >> 3) == 0x1E && Continuation(s, i + 1) && Continuation(s, i + 2) && Continuation(s, i + 3)) {
    return {((c & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F), 4};
  }
  return {0xFFFFFFFF, 1};
}

bool IsWhiteSpace(uint32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || c == 0x3000;
}

}  // namespace

std::string AccountStreamId(absl::string_view account_id) { return absl::StrCat(kAccountStreamPrefix, account_id); }

AccountsState::AccountsState()
    : strings_(std::make_unique<Strings>()),
      by_id_(0, OrdinalHash{&strings_->ids}, OrdinalEq{&strings_->ids}),
      by_key_(0, OrdinalHash{&strings_->keys}, OrdinalEq{&strings_->keys}) {}
AccountsState::~AccountsState() = default;
AccountsState::AccountsState(const AccountsState& other) : AccountsState() { CopyFrom(other, /*with_details=*/true); }
AccountsState& AccountsState::operator=(const AccountsState& other) {
  if (this != &other) CopyFrom(other, /*with_details=*/true);
  return *this;
}
AccountsState::AccountsState(AccountsState&& other) : AccountsState() { Swap(other); }
AccountsState& AccountsState::operator=(AccountsState&& other) {
  if (this != &other) {
    AccountsState taken(std::move(other));
    Swap(taken);
  }
  return *this;
}

void AccountsState::Swap(AccountsState& other) {
  // The sets' functors travel with them and keep viewing the same deques.
  arena_.swap(other.arena_);
  strings_.swap(other.strings_);
  states_.swap(other.states_);
  by_id_.swap(other.by_id_);
  by_key_.swap(other.by_key_);
  details_.swap(other.details_);
}

bool AccountsState::operator==(const AccountsState& other) const {
  // The sets hold what the ids and keys say (every ordinal by its id, an
  // ordinal by its key when it has one).
  return states_ == other.states_ && strings_->ids == other.strings_->ids &&
         strings_->keys == other.strings_->keys && details_ == other.details_;
}

AccountsState AccountsState::WithoutDetails() const {
  AccountsState out;
  out.CopyFrom(*this, /*with_details=*/false);
  return out;
}

absl::string_view AccountsState::Keep(absl::string_view s) {
  if (s.empty()) return {};
  if (arena_ == nullptr) {
    // Blocks from 4 KiB up to 64 KiB: a few accounts cost little, a million
    // cost a block per thousand or so.
    google::protobuf::ArenaOptions options;
    options.start_block_size = 4 << 10;
    options.max_block_size = 64 << 10;
    arena_ = std::make_unique<google::protobuf::Arena>(options);
  }
  char* bytes = google::protobuf::Arena::CreateArray<char>(arena_.get(), s.size());
  std::memcpy(bytes, s.data(), s.size());
  return {bytes, s.size()};
}

void AccountsState::CopyFrom(const AccountsState& other, bool with_details) {
  AccountsState copy;  // built aside: `other`'s views stay valid while read
  copy.by_id_.reserve(other.by_id_.size());
  copy.by_key_.reserve(other.by_key_.size());
  for (uint32_t ordinal = 1; ordinal <= other.size(); ++ordinal) {
    copy.FindOrAdd(other.IdOf(ordinal)).version = other.states_[ordinal - 1].version;
    copy.AddKey(other.KeyOf(ordinal), ordinal);
  }
  if (with_details) {
    for (uint32_t ordinal = 1; ordinal <= other.details_.size(); ++ordinal) {
      copy.RecordDetails(ordinal, &other.details_[ordinal - 1]);
    }
  }
  Swap(copy);
}

AccountState& AccountsState::FindOrAdd(absl::string_view account_id, bool* added) {
  auto it = by_id_.find(account_id);
  if (added != nullptr) *added = it == by_id_.end();
  if (it != by_id_.end()) return states_[*it - 1];
  // The id, key and state lists grow together or not at all: an ordinal
  // names the same index in each, and the sets hash by it.
  const size_t before = states_.size();
  try {
    strings_->ids.push_back(Keep(account_id));
    strings_->keys.emplace_back();
    AccountState& account = states_.emplace_back();
    account.ordinal = static_cast<uint32_t>(states_.size());
    by_id_.insert(account.ordinal);
    return account;
  } catch (...) {
    strings_->ids.resize(before);
    strings_->keys.resize(before);
    states_.resize(before);
    throw;
  }
}

const AccountState* AccountsState::Find(absl::string_view account_id) const {
  auto it = by_id_.find(account_id);
  return it == by_id_.end() ? nullptr : &states_[*it - 1];
}

uint32_t AccountsState::OrdinalOf(absl::string_view account_id) const {
  if (account_id.empty()) return 0;
  const AccountState* account = Find(account_id);
  return account == nullptr ? 0 : account->ordinal;
}

absl::string_view AccountsState::IdOf(uint32_t ordinal) const {
  return ordinal == 0 || ordinal > size() ? absl::string_view() : strings_->ids[ordinal - 1];
}

const AccountDetails* AccountsState::DetailsOf(uint32_t ordinal) const {
  return ordinal == 0 || ordinal > details_.size() ? nullptr : &details_[ordinal - 1];
}

uint32_t AccountsState::OrdinalOfKey(absl::string_view key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? 0 : *it;
}

absl::string_view AccountsState::KeyOf(uint32_t ordinal) const {
  return ordinal == 0 || ordinal > size() ? absl::string_view() : strings_->keys[ordinal - 1];
}

void AccountsState::AddKey(absl::string_view key, uint32_t ordinal) {
  if (key.empty() || ordinal == 0 || ordinal > size() || !KeyOf(ordinal).empty() || by_key_.contains(key)) return;
  strings_->keys[ordinal - 1] = Keep(key);
  by_key_.insert(ordinal);
}

void AccountsState::RecordDetails(uint32_t ordinal, const AccountDetails* details) {
  if (ordinal == 0) return;
  if (details_.size() < ordinal) details_.resize(ordinal);
  if (details == nullptr) return;
  AccountDetails& d = details_[ordinal - 1];
  // Bytes already held are viewed again: the opening lead's id is most
  // often the account's own, the company most often its match key.
  const absl::string_view id = IdOf(ordinal);
  const absl::string_view key = KeyOf(ordinal);
  d.opened_by_lead_id = details->opened_by_lead_id == id ? id : Keep(details->opened_by_lead_id);
  d.company = details->company == key ? key : Keep(details->company);
  d.opened_at = details->opened_at;
}

std::string AccountMatchKey(absl::string_view company) {
  std::string out;
  out.reserve(company.size());
  bool space = false;  // white space seen since the last character kept
  for (size_t i = 0; i < company.size();) {
    auto [c, length] = CodePointAt(company, i);
    if (IsWhiteSpace(c)) {
      space = !out.empty();
      i += length;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;  // full-width ASCII forms
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.append(company.data() + i, length);
    }
    i += length;
  }
  return out;
}

absl::StatusOr<ResolvedAccount> ResolveAccount(const AccountsState& accounts, const v1::IdentifyLeadRequest& request,
                                               absl::string_view lead_id) {
  const std::string& referrer = request.referred_by_account_id();
  if (!referrer.empty() && accounts.Find(referrer) == nullptr) {
    return errors::NotFound("account", referrer,
                            absl::StrCat("referred_by_account_id: account '", referrer, "' not found"));
  }
  ResolvedAccount r;
  if (request.new_account() || request.account_id().empty()) {
    // A named account, else the company's, else a new one with the lead's id.
    if (!request.new_account()) {
      const std::string key = AccountMatchKey(request.company());
      if (const uint32_t ordinal = key.empty() ? 0 : accounts.OrdinalOfKey(key); ordinal != 0) {
        r.account_id = std::string(accounts.IdOf(ordinal));
      }
    }
    if (r.account_id.empty()) {
      r.account_id = request.account_id().empty() ? std::string(lead_id) : request.account_id();
      r.opens = true;
      if (accounts.Find(r.account_id) != nullptr) {
        return errors::AlreadyExists(
            "account", r.account_id,
            absl::StrCat("account_id: account '", r.account_id,
                         "' exists; name it without new_account to join it, or give another account_id"));
      }
    }
  } else {
    r.account_id = request.account_id();
    if (accounts.Find(r.account_id) == nullptr) {
      return errors::NotFound("account", r.account_id,
                              absl::StrCat("account_id: account '", r.account_id,
                                           "' not found (to open an account with this id, set new_account)"));
    }
  }
  if (referrer == r.account_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "referred_by_account_id: must be another account than the lead's own ('", r.account_id, "')"));
  }
  return r;
}

v1::Event AccountOpenedBy(const v1::LeadIdentified& identified, absl::string_view lead_id) {
  v1::Event event;
  v1::AccountOpened* opened = event.mutable_account_opened();
  opened->set_account_id(identified.account_id());
  opened->set_company(identified.company());
  opened->set_match_key(AccountMatchKey(identified.company()));
  opened->set_lead_id(std::string(lead_id));
  return event;
}

void EvolveAccount(AccountsState& accounts, absl::string_view account_id, const v1::EventEnvelope& envelope) {
  AccountState& account = accounts.FindOrAdd(account_id);
  account.version = envelope.stream_version();
  if (!envelope.event().has_account_opened()) return;
  const v1::AccountOpened& opened = envelope.event().account_opened();
  accounts.AddKey(opened.match_key(), account.ordinal);
}

void RecordAccountDetails(AccountsState& accounts, absl::string_view account_id, const v1::EventEnvelope& envelope) {
  // By the stream's id as EvolveAccount found it (an imported "account-"
  // stream has the empty id, which OrdinalOf leaves out).
  const AccountState* account = accounts.Find(account_id);
  if (account == nullptr) return;
  if (!envelope.event().has_account_opened()) {
    accounts.RecordDetails(account->ordinal);
    return;
  }
  const v1::AccountOpened& opened = envelope.event().account_opened();
  const AccountDetails details{
      .company = opened.company(), .opened_by_lead_id = opened.lead_id(), .opened_at = FromProtoTime(envelope.occurred_at())};
  accounts.RecordDetails(account->ordinal, &details);
}

}  // namespace salesops::domain
