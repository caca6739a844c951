// Reading a fuzz input as a few fields: single bytes and length-prefixed
// parts. A target that needs more than one value (an actor and a command, a
// request and a forged token, several snapshot chunks) takes them in order
// from one input; the seed generator (make_seeds.cc) writes inputs with
// FramePart. Every read succeeds: past the end, bytes are 0 and parts empty,
// so any input is a valid one. Header-only; tests/fuzz only.
#ifndef SALESOPS_TESTS_FUZZ_FUZZ_INPUT_H_
#define SALESOPS_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace salesops::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  // The next byte; 0 past the end.
  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // A part: a 2-byte big-endian length, then that many bytes (fewer when
  // the input ends first).
  absl::string_view Part() {
    const size_t length = static_cast<size_t>(Byte()) << 8 | Byte();
    const absl::string_view part = rest_.substr(0, length);
    rest_.remove_prefix(part.size());
    return part;
  }

  // Everything not read yet.
  absl::string_view Rest() {
    const absl::string_view rest = rest_;
    rest_ = {};
    return rest;
  }

 private:
  absl::string_view rest_;
};

// `bytes` as a part FuzzInput::Part reads back (at most 65535 bytes kept).
inline std::string FramePart(absl::string_view bytes) {
  if (bytes.size() > 0xFFFF) bytes = bytes.substr(0, 0xFFFF);
  std::string out;
  out.push_back(static_cast<char>(bytes.size() >> 8));
  out.push_back(static_cast<char>(bytes.size() & 0xFF));
  out.append(bytes.data(), bytes.size());
  return out;
}

}  // namespace salesops::fuzz

#endif  // SALESOPS_TESTS_FUZZ_FUZZ_INPUT_H_
