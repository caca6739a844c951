#include "server/domain/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "server/common/status_macros.h"
#include "server/common/utf8.h"
#include "server/domain/currencies.h"
#include "server/domain/errors.h"

namespace salesops::domain {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

}  // namespace

absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t min_chars,
                          size_t max_chars, TextKind kind) {
  const std::optional<size_t> length = Utf8Length(value);
  if (!length.has_value()) return Invalid(field, "must be valid UTF-8");
  if (*length < min_chars || *length > max_chars) {
    return Invalid(field, min_chars == 0
                              ? absl::StrCat("must be at most ", max_chars, " characters (got ", *length, ")")
                              : absl::StrCat("must be ", min_chars, "..", max_chars,
                                             " characters (got ", *length, ")"));
  }
  if (HasControlCharacters(value, kind == TextKind::kMultiLine)) {
    return Invalid(field, kind == TextKind::kMultiLine
                              ? "must not contain control characters other than newline and tab"
                              : "must not contain control characters or line breaks");
  }
  return absl::OkStatus();
}

absl::Status ValidateId(absl::string_view field, absl::string_view value, bool allow_dot) {
  const absl::string_view pattern = allow_dot ? "[A-Za-z0-9_.-]{1,64}" : "[A-Za-z0-9_-]{1,64}";
  bool ok = !value.empty() && value.size() <= 64;
  for (char c : value) {
    ok = ok && (absl::ascii_isalnum(c) || c == '_' || c == '-' || (allow_dot && c == '.'));
  }
  return ok ? absl::OkStatus() : Invalid(field, absl::StrCat("must match ", pattern));
}

absl::Status ValidateToken(absl::string_view field, absl::string_view value) {
  if (value.size() > kMaxRequestIdBytes) {
    return Invalid(field, absl::StrCat("must be at most ", kMaxRequestIdBytes, " bytes"));
  }
  for (char c : value) {
    if (c < 0x21 || c > 0x7E) return Invalid(field, "must be printable ASCII without spaces");
  }
  return absl::OkStatus();
}

absl::Status ValidateMoney(absl::string_view field, const v1::Money& money) {
  errors::FieldViolations v;
  const std::string& c = money.currency();
  if (c.size() != 3 || !absl::ascii_isupper(c[0]) || !absl::ascii_isupper(c[1]) ||
      !absl::ascii_isupper(c[2])) {
    v.Add(Invalid(absl::StrCat(field, ".currency"), "must be an ISO 4217 code, [A-Z]{3}"));
  } else if (!IsIso4217Code(c)) {
    v.Add(Invalid(absl::StrCat(field, ".currency"),
                  absl::StrCat("'", c, "' is not an ISO 4217 currency code (e.g. CNY, USD, EUR)")));
  }
  if (money.amount_minor() < 0 || money.amount_minor() > kMaxAmountMinor) {
    v.Add(Invalid(absl::StrCat(field, ".amount_minor"),
                  absl::StrCat("must be between 0 and ", kMaxAmountMinor, " minor units")));
  }
  return std::move(v).Finish();
}

absl::Status ValidateTimestamp(absl::string_view field, const google::protobuf::Timestamp& t) {
  constexpr int64_t kYear10000 = 253402300800;  // 10000-01-01T00:00:00Z
  if (t.nanos() >= 0 && t.nanos() <= 999'999'999 && t.seconds() >= 0 && t.seconds() < kYear10000) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": must be a valid time between 1970 and 9999"));
}

absl::Status ValidateDate(absl::string_view field, absl::string_view value) {
  int year = 0, month = 0, day = 0;
  bool shape = value.size() == 10 && value[4] == '-' && value[7] == '-';
  for (size_t i = 0; shape && i < value.size(); ++i) {
    shape = i == 4 || i == 7 || absl::ascii_isdigit(value[i]);
  }
  shape = shape && absl::SimpleAtoi(value.substr(0, 4), &year) &&
          absl::SimpleAtoi(value.substr(5, 2), &month) && absl::SimpleAtoi(value.substr(8, 2), &day);
  if (shape) {
    const absl::CivilDay civil(year, month, day);
    if (civil.year() == year && civil.month() == month && civil.day() == day && year >= 1900) {
      return absl::OkStatus();
    }
  }
  return Invalid(field, "must be a valid date YYYY-MM-DD");
}

absl::Status ValidateEmail(absl::string_view field, absl::string_view value) {
  const size_t at = value.find('@');
  const bool ok = value.size() <= 254 && at != absl::string_view::npos && at > 0 &&
                  at + 1 < value.size() && value.find('@', at + 1) == absl::string_view::npos &&
                  value.find_first_of(" \t\r\n") == absl::string_view::npos &&
                  Utf8Length(value).has_value() && !HasControlCharacters(value, false);
  return ok ? absl::OkStatus() : Invalid(field, "must be an address local@domain of at most 254 bytes");
}

absl::Status ValidatePhone(absl::string_view field, absl::string_view value) {
  bool ok = value.size() <= 32;
  for (char c : value) {
    ok = ok && (absl::ascii_isdigit(c) || c == ' ' || c == '+' || c == '-' || c == '(' || c == ')' ||
                c == '.');
  }
  return ok ? absl::OkStatus() : Invalid(field, "must be at most 32 characters of digits, space, + - ( ) .");
}

absl::Status ValidateContact(absl::string_view field, const v1::Contact& contact) {
  errors::FieldViolations v;
  v.Add(ValidateText(absl::StrCat(field, ".name"), contact.name(), 1, kMaxPersonChars));
  if (!contact.email().empty()) v.Add(ValidateEmail(absl::StrCat(field, ".email"), contact.email()));
  if (!contact.phone().empty()) v.Add(ValidatePhone(absl::StrCat(field, ".phone"), contact.phone()));
  return std::move(v).Finish();
}

absl::Status ValidateCommandOptions(const v1::CommandOptions& o) {
  errors::FieldViolations v;
  v.Add(ValidateToken("options.request_id", o.request_id()));
  v.Add(ValidateToken("options.correlation_id", o.correlation_id()));
  v.Add(ValidateText("options.override_reason", o.override_reason(), 0, kMaxShortTextChars, TextKind::kMultiLine));
  if (!o.assign_to().empty()) v.Add(ValidateId("options.assign_to", o.assign_to()));
  if (o.has_occurred_at() &&
      (o.occurred_at().nanos() < 0 || o.occurred_at().nanos() > 999'999'999 || o.occurred_at().seconds() < 0)) {
    v.Add("options.occurred_at", "must be a valid time after 1970-01-01");
  }
  return std::move(v).Finish();
}

}  // namespace salesops::domain
