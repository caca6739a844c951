// LeadDetails: the part of a lead that only the views need (what
// Leads.GetLead shows beyond the decider's LeadState), held compactly: free
// text (UTF-8, kept byte for byte) in one allocation, times as the
// Timestamp's own seconds and nanos, amounts as integers with an interned
// currency, presence as bits. The views fold it (EvolveLeadDetails) beside
// the decider's fields of the same LeadState, and build the v1::Lead reply
// from both on demand (ToLeadMessage), equal to what folding the events into
// a v1::Lead gives.
#ifndef SALESOPS_SERVER_DOMAIN_LEAD_DETAILS_H_
#define SALESOPS_SERVER_DOMAIN_LEAD_DETAILS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "salesops/v1/common.pb.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/leads.pb.h"
#include "server/common/interned.h"
#include "server/domain/lead.h"

namespace salesops::domain {

// A google.protobuf.Timestamp's two numbers, as stored (12 bytes).
struct __attribute__((packed, aligned(4))) Stamp {
  int64_t seconds = 0;
  int32_t nanos = 0;

  static Stamp Of(const google::protobuf::Timestamp& t) { return {t.seconds(), t.nanos()}; }
  google::protobuf::Timestamp ToProto() const;
  absl::Time ToTime() const;  // as FromProtoTime
  bool operator==(const Stamp&) const = default;
};

// Short strings held in one allocation (null when all are empty): each
// field's length as a varint, then the bytes, in field order.
class TextFields {
 public:
  enum Field : uint8_t {
    kLeadId,  // only when the LeadIdentified named another id than the stream's
    kCompany,
    kContactName,
    kContactEmail,
    kContactPhone,
    kCloseReason,
    kQuoteId,
    kSignedDate,
    kCompetitor,
    kProducts,  // the latest proposal's products, packed (PackProducts)
    kAccountId,
    kReferredBy,  // the referring account
    kCount
  };

  TextFields() = default;
  TextFields(TextFields&&) noexcept = default;
  TextFields& operator=(TextFields&&) noexcept = default;
  TextFields(const TextFields& other);
  TextFields& operator=(const TextFields& other);

  absl::string_view Get(Field field) const;
  void Set(Field field, absl::string_view value);
  bool operator==(const TextFields& other) const;

 private:
  size_t Size() const;  // bytes in data_
  std::unique_ptr<char[]> data_;
};

struct LeadDetails {
  // Which optional parts are present (a message field set, even to its
  // default value).
  enum Presence : uint16_t {
    kIdentified = 1 << 0,  // lead_id set by a LeadIdentified
    kLeadIdDiffers = 1 << 1,  // ... to another id than the stream's (text kLeadId)
    kContact = 1 << 2,
    kEstimatedValue = 1 << 3,
    kQuotedAmount = 1 << 4,
    kWonAmount = 1 << 5,
    kStageEnteredAt = 1 << 6,
    kIdentifiedAt = 1 << 7,
    kUpdatedAt = 1 << 8,
    kAssignedAt = 1 << 9,
  };
  enum Money : uint8_t { kEstimated, kQuoted, kWon };
  enum Time : uint8_t { kStageEntered, kIdentifiedTime, kUpdated, kAssigned };

  TextFields text;
  uint64_t last_position = 0;
  int64_t amount_minor[3] = {};  // by Money
  InternedString currency[3];    // by Money
  Stamp times[4];                // by Time
  v1::LeadSource source = v1::LEAD_SOURCE_UNSPECIFIED;
  v1::LossReason loss_reason = v1::LOSS_REASON_UNSPECIFIED;
  v1::Stage furthest_stage = v1::STAGE_UNSPECIFIED;
  int32_t qualification_score = 0;
  uint16_t presence = 0;

  bool has(Presence p) const { return (presence & p) != 0; }
  void set(Presence p, bool on) { presence = on ? (presence | p) : (presence & ~p); }
  const std::string& currency_of(Money m) const { return currency[m].str(); }
  absl::Time time(Time t) const { return times[t].ToTime(); }

  bool operator==(const LeadDetails&) const = default;
};

// Folds one event of the lead's stream into `lead.details` (created when
// null). Call after EvolveLead folded the same event into `lead`; `lead_id`
// is the stream's lead id.
void EvolveLeadDetails(LeadState& lead, absl::string_view lead_id, const v1::EventEnvelope& envelope);

// The lead as Leads.GetLead shows it; `lead.details` must be set.
v1::Lead ToLeadMessage(absl::string_view lead_id, const LeadState& lead);

// Sets `lead.details` from `view`, a message ToLeadMessage built (a
// snapshot's): the inverse of ToLeadMessage for the details. The fields
// `lead` holds itself (owner, stage, version, ...) are not read from `view`.
void RestoreLeadDetails(LeadState& lead, absl::string_view lead_id, const v1::Lead& view);

// A list of product names as one string (each name's length as a varint,
// then its bytes; "" for no names), and back. UnpackProducts takes only what
// PackProducts made; its views point into `packed`.
std::string PackProducts(const google::protobuf::RepeatedPtrField<std::string>& products);
std::vector<absl::string_view> UnpackProducts(absl::string_view packed);

// The lead_id field of that message, without building it.
absl::string_view ShownLeadId(absl::string_view lead_id, const LeadState& lead);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_LEAD_DETAILS_H_
