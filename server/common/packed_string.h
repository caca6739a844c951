// PackedString: an immutable string in one heap block — its length (8
// bytes), then its bytes — and 8 bytes in place, null when empty. For values
// kept by the hundred thousand and rarely read (a review fact's lead, ticket
// or note), where a std::string's 32 bytes in place cost more than the bytes
// it holds.
#ifndef SALESOPS_SERVER_COMMON_PACKED_STRING_H_
#define SALESOPS_SERVER_COMMON_PACKED_STRING_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"

namespace salesops {

class PackedString {
 public:
  PackedString() = default;
  // Implicit, as a string; from a std::string or a literal, assign (one
  // conversion to absl::string_view) or construct directly.
  PackedString(absl::string_view s) { Assign(s); }  // NOLINT
  PackedString(const PackedString& other) { Assign(other.view()); }
  PackedString& operator=(const PackedString& other) {
    if (this != &other) Assign(other.view());
    return *this;
  }
  PackedString(PackedString&&) noexcept = default;
  PackedString& operator=(PackedString&&) noexcept = default;
  PackedString& operator=(absl::string_view s) {
    Assign(s);
    return *this;
  }

  absl::string_view view() const {
    if (data_ == nullptr) return {};
    size_t size = 0;
    std::memcpy(&size, data_.get(), sizeof size);
    return {data_.get() + sizeof size, size};
  }
  operator absl::string_view() const { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  bool empty() const { return data_ == nullptr; }

  friend bool operator==(const PackedString& a, const PackedString& b) { return a.view() == b.view(); }
  friend bool operator==(const PackedString& a, absl::string_view b) { return a.view() == b; }
  friend bool operator==(const PackedString& a, const char* b) {
    return b == nullptr ? a.empty() : a.view() == absl::string_view(b);
  }
  friend std::ostream& operator<<(std::ostream& os, const PackedString& s) { return os << s.view(); }

 private:
  void Assign(absl::string_view s) {
    if (s.empty()) {
      data_.reset();
      return;
    }
    // The whole length (8 bytes): a 16-byte id still fits tcmalloc's
    // 32-byte class, as a std::string's heap block does.
    const size_t size = s.size();
    auto block = std::make_unique_for_overwrite<char[]>(sizeof size + s.size());
    std::memcpy(block.get(), &size, sizeof size);
    std::memcpy(block.get() + sizeof size, s.data(), s.size());
    data_ = std::move(block);
  }

  std::unique_ptr<char[]> data_;
};

}  // namespace salesops

#endif  // SALESOPS_SERVER_COMMON_PACKED_STRING_H_
