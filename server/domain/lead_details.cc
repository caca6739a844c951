#include "server/domain/lead_details.h"

#include <array>
#include <cstring>

#include "server/domain/events.h"

namespace salesops::domain {
namespace {

using P = LeadDetails::Presence;
using T = TextFields;

// Varints: 7 bits a byte, low first.
size_t PutVarint(char* out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out[n++] = static_cast<char>(v);
  return n;
}

uint64_t GetVarint(const char*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
}

// Every field of a non-null blob.
std::array<absl::string_view, T::kCount> Fields(const char* data) {
  std::array<absl::string_view, T::kCount> out;
  std::array<uint64_t, T::kCount> sizes;
  const char* p = data;
  for (auto& size : sizes) size = GetVarint(p);
  for (size_t i = 0; i < T::kCount; ++i) {
    out[i] = absl::string_view(p, sizes[i]);
    p += sizes[i];
  }
  return out;
}

void SetMoney(LeadDetails& d, LeadDetails::Money m, P presence, const v1::Money& money) {
  d.amount_minor[m] = money.amount_minor();
  d.currency[m] = money.currency();
  d.set(presence, true);
}

void PutMoney(const LeadDetails& d, LeadDetails::Money m, v1::Money* out) {
  out->set_amount_minor(d.amount_minor[m]);
  out->set_currency(d.currency_of(m));
}

void SetContact(LeadDetails& d, const v1::Contact& c) {
  d.set(P::kContact, true);
  d.text.Set(T::kContactName, c.name());
  d.text.Set(T::kContactEmail, c.email());
  d.text.Set(T::kContactPhone, c.phone());
}

}  // namespace

std::string PackProducts(const google::protobuf::RepeatedPtrField<std::string>& products) {
  std::string out;
  char length[10];
  for (const std::string& name : products) {
    out.append(length, PutVarint(length, name.size()));
    out.append(name);
  }
  return out;
}

std::vector<absl::string_view> UnpackProducts(absl::string_view packed) {
  std::vector<absl::string_view> out;
  const char* p = packed.data();
  const char* const end = packed.data() + packed.size();
  while (p < end) {
    const uint64_t size = GetVarint(p);
    out.emplace_back(p, size);
    p += size;
  }
  return out;
}

google::protobuf::Timestamp Stamp::ToProto() const {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

absl::Time Stamp::ToTime() const { return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos); }

TextFields::TextFields(const TextFields& other) { *this = other; }

TextFields& TextFields::operator=(const TextFields& other) {
  if (this == &other) return *this;
  if (other.data_ == nullptr) {
    data_.reset();
  } else {
    const size_t size = other.Size();
    data_.reset(new char[size]);
    std::memcpy(data_.get(), other.data_.get(), size);
  }
  return *this;
}

size_t TextFields::Size() const {
  if (data_ == nullptr) return 0;
  const std::array<absl::string_view, kCount> fields = Fields(data_.get());
  return static_cast<size_t>(fields[kCount - 1].data() + fields[kCount - 1].size() - data_.get());
}

absl::string_view TextFields::Get(Field field) const {
  if (data_ == nullptr) return {};
  return Fields(data_.get())[field];
}

void TextFields::Set(Field field, absl::string_view value) {
  std::array<absl::string_view, kCount> fields;  // all empty
  if (data_ != nullptr) fields = Fields(data_.get());
  if (fields[field] == value) return;
  fields[field] = value;  // may point into data_: copied out below before data_ is replaced
  size_t size = 0;
  bool empty = true;
  for (absl::string_view f : fields) {
    size += f.size() + 10;
    empty = empty && f.empty();
  }
  if (empty) {
    data_.reset();
    return;
  }
  std::unique_ptr<char[]> scratch(new char[size]);
  char* p = scratch.get();
  for (absl::string_view f : fields) p += PutVarint(p, f.size());
  for (absl::string_view f : fields) {
    if (!f.empty()) std::memcpy(p, f.data(), f.size());
    p += f.size();
  }
  // The exact size, so the blob costs what it holds.
  const size_t used = static_cast<size_t>(p - scratch.get());
  data_.reset(new char[used]);
  std::memcpy(data_.get(), scratch.get(), used);
}

bool TextFields::operator==(const TextFields& other) const {
  for (int i = 0; i < kCount; ++i) {
    if (Get(static_cast<Field>(i)) != other.Get(static_cast<Field>(i))) return false;
  }
  return true;
}

void EvolveLeadDetails(LeadState& lead, absl::string_view lead_id, const v1::EventEnvelope& envelope) {
  if (lead.details == nullptr) lead.details = std::make_unique<LeadDetails>();
  LeadDetails& d = *lead.details;
  const v1::Event& event = envelope.event();
  d.last_position = envelope.position();
  d.times[LeadDetails::kUpdated] = Stamp::Of(envelope.occurred_at());
  d.set(P::kUpdatedAt, true);
  switch (event.body_case()) {
    case v1::Event::kLeadIdentified: {
      const auto& e = event.lead_identified();
      // An empty lead_id shows as never set (the same answer).
      const bool differs = !e.lead_id().empty() && e.lead_id() != lead_id;
      d.set(P::kIdentified, !e.lead_id().empty());
      d.set(P::kLeadIdDiffers, differs);
      d.text.Set(T::kLeadId, differs ? absl::string_view(e.lead_id()) : absl::string_view());
      d.text.Set(T::kCompany, e.company());
      SetContact(d, e.contact());
      d.source = e.source();
      if (e.has_estimated_value()) SetMoney(d, LeadDetails::kEstimated, P::kEstimatedValue, e.estimated_value());
      d.text.Set(T::kAccountId, e.account_id());
      d.text.Set(T::kReferredBy, e.referred_by_account_id());
      d.times[LeadDetails::kIdentifiedTime] = Stamp::Of(envelope.occurred_at());
      d.set(P::kIdentifiedAt, true);
      break;
    }
    case v1::Event::kLeadQualified:
      d.qualification_score = event.lead_qualified().score();
      break;
    case v1::Event::kLeadDisqualified:
      d.text.Set(T::kCloseReason, event.lead_disqualified().reason());
      break;
    case v1::Event::kSolutionProposed:
      SetMoney(d, LeadDetails::kEstimated, P::kEstimatedValue, event.solution_proposed().value());
      d.text.Set(T::kProducts, PackProducts(event.solution_proposed().products()));
      break;
    case v1::Event::kQuoteSent:
      d.text.Set(T::kQuoteId, event.quote_sent().quote_id());
      SetMoney(d, LeadDetails::kQuoted, P::kQuotedAmount, event.quote_sent().amount());
      break;
    case v1::Event::kDealWon:
      SetMoney(d, LeadDetails::kWon, P::kWonAmount, event.deal_won().final_amount());
      d.text.Set(T::kSignedDate, event.deal_won().signed_date());
      break;
    case v1::Event::kDealLost: {
      const auto& e = event.deal_lost();
      d.loss_reason = e.reason();
      d.text.Set(T::kCompetitor, e.competitor());
      d.text.Set(T::kCloseReason, e.note());
      break;
    }
    case v1::Event::kLeadReopened:
      d.text.Set(T::kCloseReason, "");
      d.loss_reason = v1::LOSS_REASON_UNSPECIFIED;
      d.text.Set(T::kCompetitor, "");
      break;
    case v1::Event::kLeadUpdated: {
      const auto& e = event.lead_updated();
      if (e.has_contact()) SetContact(d, e.contact());
      if (e.has_estimated_value()) SetMoney(d, LeadDetails::kEstimated, P::kEstimatedValue, e.estimated_value());
      if (e.source() != v1::LEAD_SOURCE_UNSPECIFIED) d.source = e.source();
      break;
    }
    case v1::Event::kLeadAssigned:
      d.times[LeadDetails::kAssigned] = Stamp::Of(envelope.occurred_at());
      d.set(P::kAssignedAt, true);
      break;
    default:
      break;
  }
  if (const std::optional<v1::StageTransition> t = TransitionOf(event)) {
    if (t->from_stage() != t->to_stage()) {
      d.times[LeadDetails::kStageEntered] = Stamp::Of(envelope.occurred_at());
      d.set(P::kStageEnteredAt, true);
    }
    if (FunnelIndex(t->to_stage()) > FunnelIndex(d.furthest_stage)) d.furthest_stage = t->to_stage();
    if (!IsOpenStage(t->to_stage())) {  // EvolveLead cleared the assignee and the awaited role
      d.times[LeadDetails::kAssigned] = Stamp();
      d.set(P::kAssignedAt, false);
    }
  }
}

void RestoreLeadDetails(LeadState& lead, absl::string_view lead_id, const v1::Lead& view) {
  lead.details = std::make_unique<LeadDetails>();
  LeadDetails& d = *lead.details;
  const bool differs = !view.lead_id().empty() && view.lead_id() != lead_id;
  d.set(P::kIdentified, !view.lead_id().empty());
  d.set(P::kLeadIdDiffers, differs);
  if (differs) d.text.Set(T::kLeadId, view.lead_id());
  d.text.Set(T::kCompany, view.company());
  if (view.has_contact()) SetContact(d, view.contact());
  d.source = view.source();
  if (view.has_estimated_value()) SetMoney(d, LeadDetails::kEstimated, P::kEstimatedValue, view.estimated_value());
  const auto time = [&](LeadDetails::Time t, P presence, bool has, const google::protobuf::Timestamp& value) {
    if (!has) return;
    d.times[t] = Stamp::Of(value);
    d.set(presence, true);
  };
  time(LeadDetails::kStageEntered, P::kStageEnteredAt, view.has_stage_entered_at(), view.stage_entered_at());
  time(LeadDetails::kIdentifiedTime, P::kIdentifiedAt, view.has_identified_at(), view.identified_at());
  time(LeadDetails::kUpdated, P::kUpdatedAt, view.has_updated_at(), view.updated_at());
  time(LeadDetails::kAssigned, P::kAssignedAt, view.has_assigned_at(), view.assigned_at());
  d.last_position = view.last_position();
  d.text.Set(T::kCloseReason, view.close_reason());
  d.qualification_score = view.qualification_score();
  d.text.Set(T::kQuoteId, view.quote_id());
  if (view.has_quoted_amount()) SetMoney(d, LeadDetails::kQuoted, P::kQuotedAmount, view.quoted_amount());
  if (view.has_won_amount()) SetMoney(d, LeadDetails::kWon, P::kWonAmount, view.won_amount());
  d.text.Set(T::kSignedDate, view.signed_date());
  d.loss_reason = view.loss_reason();
  d.text.Set(T::kCompetitor, view.competitor());
  d.furthest_stage = view.furthest_stage();
  d.text.Set(T::kProducts, PackProducts(view.products()));
  d.text.Set(T::kAccountId, view.account_id());
  d.text.Set(T::kReferredBy, view.referred_by_account_id());
}

absl::string_view ShownLeadId(absl::string_view lead_id, const LeadState& lead) {
  const LeadDetails& d = *lead.details;
  if (!d.has(P::kIdentified)) return {};
  return d.has(P::kLeadIdDiffers) ? d.text.Get(T::kLeadId) : lead_id;
}

v1::Lead ToLeadMessage(absl::string_view lead_id, const LeadState& lead) {
  const LeadDetails& d = *lead.details;
  v1::Lead m;
  m.set_lead_id(std::string(ShownLeadId(lead_id, lead)));
  m.set_company(std::string(d.text.Get(T::kCompany)));
  if (d.has(P::kContact)) {
    v1::Contact* c = m.mutable_contact();
    c->set_name(std::string(d.text.Get(T::kContactName)));
    c->set_email(std::string(d.text.Get(T::kContactEmail)));
    c->set_phone(std::string(d.text.Get(T::kContactPhone)));
  }
  m.set_source(d.source);
  if (d.has(P::kEstimatedValue)) PutMoney(d, LeadDetails::kEstimated, m.mutable_estimated_value());
  m.set_owner(lead.owner.str());
  m.set_stage(lead.stage);
  m.set_version(lead.version);
  if (d.has(P::kStageEnteredAt)) *m.mutable_stage_entered_at() = d.times[LeadDetails::kStageEntered].ToProto();
  if (d.has(P::kIdentifiedAt)) *m.mutable_identified_at() = d.times[LeadDetails::kIdentifiedTime].ToProto();
  if (d.has(P::kUpdatedAt)) *m.mutable_updated_at() = d.times[LeadDetails::kUpdated].ToProto();
  m.set_last_position(d.last_position);
  m.set_closed_from_stage(lead.closed_from);
  m.set_close_reason(std::string(d.text.Get(T::kCloseReason)));
  m.set_qualification_score(d.qualification_score);
  m.set_quote_id(std::string(d.text.Get(T::kQuoteId)));
  if (d.has(P::kQuotedAmount)) PutMoney(d, LeadDetails::kQuoted, m.mutable_quoted_amount());
  m.set_quote_revision(lead.quote_revisions);
  if (d.has(P::kWonAmount)) PutMoney(d, LeadDetails::kWon, m.mutable_won_amount());
  m.set_signed_date(std::string(d.text.Get(T::kSignedDate)));
  m.set_loss_reason(d.loss_reason);
  m.set_competitor(std::string(d.text.Get(T::kCompetitor)));
  m.set_assignee(lead.assignee.str());
  m.set_awaiting_role(lead.awaiting_role);
  if (d.has(P::kAssignedAt)) *m.mutable_assigned_at() = d.times[LeadDetails::kAssigned].ToProto();
  m.set_furthest_stage(d.furthest_stage);
  for (absl::string_view name : UnpackProducts(d.text.Get(T::kProducts))) m.add_products(std::string(name));
  m.set_account_id(std::string(d.text.Get(T::kAccountId)));
  m.set_referred_by_account_id(std::string(d.text.Get(T::kReferredBy)));
  return m;
}

}  // namespace salesops::domain
