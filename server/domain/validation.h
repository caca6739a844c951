// Field rules shared by every command. Each returns OK or INVALID_ARGUMENT
// whose message starts with the field path and states the rule, e.g.
//   "company: must be 1..200 characters (got 0)".
// Limits count Unicode code points, so Chinese text gets the same limits as
// Latin text. The limits are documented in docs/API.md.
#ifndef SALESOPS_SERVER_DOMAIN_VALIDATION_H_
#define SALESOPS_SERVER_DOMAIN_VALIDATION_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "salesops/v1/common.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesops::domain {

inline constexpr size_t kMaxNameChars = 200;       // company, competitor, product
inline constexpr size_t kMaxPersonChars = 100;     // contact name
inline constexpr size_t kMaxShortTextChars = 1000; // authority, timeline
inline constexpr size_t kMaxTextChars = 4000;      // reasons, notes, requirements, summary
inline constexpr size_t kMaxProducts = 50;
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;  // 10^15 minor units
inline constexpr size_t kMaxRequestIdBytes = 128;

enum class TextKind {
  kSingleLine,  // no control characters at all
  kMultiLine,   // newlines and tabs allowed
};

// Valid UTF-8 of min_chars..max_chars code points, without control characters
// (except newlines and tabs for kMultiLine).
absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t min_chars,
                          size_t max_chars, TextKind kind = TextKind::kSingleLine);

// [A-Za-z0-9_-]{1,64} (also allows '.' when allow_dot).
absl::Status ValidateId(absl::string_view field, absl::string_view value, bool allow_dot = false);

// Printable ASCII, at most kMaxRequestIdBytes; empty allowed.
absl::Status ValidateToken(absl::string_view field, absl::string_view value);

// currency one of ISO 4217's codes (currencies.h), 0 <= amount_minor <=
// kMaxAmountMinor.
absl::Status ValidateMoney(absl::string_view field, const v1::Money& money);

// A protobuf Timestamp between 1970-01-01 and 9999-12-31 (nanos in range).
absl::Status ValidateTimestamp(absl::string_view field, const google::protobuf::Timestamp& t);

// A real calendar date written YYYY-MM-DD.
absl::Status ValidateDate(absl::string_view field, absl::string_view value);

// email: at most 254 bytes, one '@' with text on both sides, no spaces.
absl::Status ValidateEmail(absl::string_view field, absl::string_view value);

// phone: at most 32 characters of digits, spaces and + - ( ) .
absl::Status ValidatePhone(absl::string_view field, absl::string_view value);

// Contact: name required (1..100), email and phone optional.
absl::Status ValidateContact(absl::string_view field, const v1::Contact& contact);

// CommandOptions: request_id and correlation_id tokens, override_reason
// text, occurred_at a valid time.
absl::Status ValidateCommandOptions(const v1::CommandOptions& options);

}  // namespace salesops::domain

#endif  // SALESOPS_SERVER_DOMAIN_VALIDATION_H_
