// Interned: one process-wide copy of each short string from a small value
// set (member ids, currency codes), named by a 32-bit number. Records that
// are held per lead keep the number instead of a std::string, so a member id
// costs 4 bytes per mention instead of 32.
//
// Equal strings always get the same number (0 for the empty string), so
// numbers compare for equality as the strings do; they say nothing about
// order (compare the names for that). Names are never freed: intern only
// values from a set that stays small (not free text, not lead ids).
//
// Thread-safe: Intern takes a mutex; Name reads without one. Name must not
// be given a number that Intern did not return.
#ifndef SALESOPS_SERVER_COMMON_INTERNED_H_
#define SALESOPS_SERVER_COMMON_INTERNED_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"

namespace salesops {

// The number of `name` (interning it on first sight).
uint32_t Intern(absl::string_view name);
// The string behind a number Intern returned; valid for the whole process.
const std::string& InternedName(uint32_t id);

// A field holding an interned string, used like a read-only std::string.
class InternedString {
 public:
  InternedString() = default;
  InternedString(absl::string_view s) : id_(Intern(s)) {}  // NOLINT: implicit, as a string
  InternedString(const std::string& s) : id_(Intern(s)) {}  // NOLINT
  InternedString(const char* s) : id_(Intern(s)) {}  // NOLINT

  const std::string& str() const { return InternedName(id_); }
  operator const std::string&() const { return str(); }  // NOLINT
  operator absl::string_view() const { return str(); }  // NOLINT
  bool empty() const { return id_ == 0; }
  void clear() { id_ = 0; }
  uint32_t id() const { return id_; }

  friend bool operator==(InternedString a, InternedString b) { return a.id_ == b.id_; }
  friend bool operator==(InternedString a, absl::string_view b) { return a.str() == b; }
  friend bool operator==(InternedString a, const std::string& b) { return a.str() == b; }
  friend bool operator==(InternedString a, const char* b) { return a.str() == b; }
  friend std::ostream& operator<<(std::ostream& os, InternedString s) { return os << s.str(); }
  template <typename H>
  friend H AbslHashValue(H h, InternedString s) {
    return H::combine(std::move(h), s.id_);
  }

 private:
  uint32_t id_ = 0;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_INTERNED_H_
