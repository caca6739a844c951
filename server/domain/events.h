// Helpers over the event catalogue (proto/salesops/v1/events.proto):
// event type names, stream ids and the stage change an event records.
#ifndef SALESOPS_SERVER_DOMAIN_EVENTS_H_
#define SALESOPS_SERVER_DOMAIN_EVENTS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "salesops/v1/events.pb.h"

namespace salesops::domain {

// The stored event_type of `event`: its payload message's name, e.g.
// "LeadIdentified". Empty for an event without a payload.
std::string EventTypeName(const v1::Event& event);

// True when `name` is the type name of some event in the catalogue.
bool IsKnownEventType(absl::string_view name);

// The stage transition an event records, if any.
std::optional<v1::StageTransition> TransitionOf(const v1::Event& event);

// "lead-<lead_id>".
std::string LeadStreamId(absl::string_view lead_id);
inline constexpr absl::string_view kLeadStreamPrefix = "lead-";

// Enum names without their prefix: "QUALIFIED" for STAGE_QUALIFIED,
// "REFERRAL", "NO_BUDGET"; the number for a value this build does not know.
std::string StageName(v1::Stage stage);
std::string SourceName(v1::LeadSource source);
std::string LossReasonName(v1::LossReason reason);
// "SALES_REP, BD_MANAGER".
std::string RoleNames(const google::protobuf::RepeatedField<int>& roles);

// A one-line human summary of an event, e.g. "quote Q-7 rev 2: 1200.00 CNY".
std::string DescribeEvent(const v1::Event& event);

// "1200.50 CNY".
std::string FormatMoney(const v1::Money& money);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_EVENTS_H_
