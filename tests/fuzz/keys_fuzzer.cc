// Fuzz target "keys": the store's key encodings (server/store/keys.h).
//
// Input, read twice:
//   * whole, as a key read back from RocksDB: DecodeU64 (positions, the
//     streams family's values) and DecodeStreamKey (the streams family);
//   * as fields (fuzz_input.h): two ids (parts), two 8-byte numbers and a
//     request id (the rest), from which keys are encoded.
//
// Invariants checked:
//   * decoding round-trips: what DecodeU64 / DecodeStreamKey accept encodes
//     back to the same bytes; what they refuse is no encoding at all;
//   * encoding round-trips: DecodeStreamKey(StreamKey(id, v)) == (id, v);
//   * order: StreamKey and SnapshotKey sort by version for one id, and
//     PositionKey by position;
//   * separation (for ids without 0x00, as validated ids are): another
//     stream's keys never fall under a stream's prefix, and idempotency keys
//     of different (actor, request id) pairs differ.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/store/keys.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"

namespace salesops::fuzz {
namespace {

namespace keys = store::keys;

uint64_t U64(FuzzInput& input) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | input.Byte();
  return v;
}

bool HasNul(absl::string_view s) { return s.find('\0') != absl::string_view::npos; }

void CheckDecoding(absl::string_view bytes) {
  const std::optional<uint64_t> u64 = keys::DecodeU64(bytes);
  FUZZ_CHECK(u64.has_value() == (bytes.size() == 8), bytes.size());
  if (u64.has_value()) FUZZ_CHECK(keys::EncodeU64(*u64) == bytes, *u64);

  const std::optional<keys::DecodedStreamKey> stream = keys::DecodeStreamKey(bytes);
  if (stream.has_value()) {
    FUZZ_CHECK(!HasNul(stream->stream_id), stream->stream_id);
    FUZZ_CHECK(keys::StreamKey(stream->stream_id, stream->version) == bytes, stream->stream_id);
    FUZZ_CHECK(absl::StartsWith(bytes, keys::StreamPrefix(stream->stream_id)), stream->stream_id);
  } else {
    // Refused: no (id without 0x00, version) encodes to these bytes.
    const bool encodable =
        bytes.size() >= 9 && bytes[bytes.size() - 9] == '\0' && !HasNul(bytes.substr(0, bytes.size() - 9));
    FUZZ_CHECK(!encodable, "DecodeStreamKey refused a stream key");
  }
}

void CheckEncoding(FuzzInput& input) {
  const absl::string_view a = input.Part();
  const absl::string_view b = input.Part();
  const uint64_t v = U64(input);
  const uint64_t w = U64(input);
  const absl::string_view request_id = input.Rest();

  FUZZ_CHECK((keys::PositionKey(v) < keys::PositionKey(w)) == (v < w), absl::StrCat(v, " ", w));
  if (HasNul(a) || HasNul(b)) return;  // not an id: ids are validated before they become keys

  const std::optional<keys::DecodedStreamKey> decoded = keys::DecodeStreamKey(keys::StreamKey(a, v));
  FUZZ_CHECK(decoded.has_value() && decoded->stream_id == a && decoded->version == v, a);
  FUZZ_CHECK((keys::StreamKey(a, v) < keys::StreamKey(a, w)) == (v < w), a);
  FUZZ_CHECK((keys::SnapshotKey(a, v) < keys::SnapshotKey(a, w)) == (v < w), a);
  FUZZ_CHECK(absl::StartsWith(keys::SnapshotKey(a, v), keys::SnapshotPrefix(a)), a);
  if (a != b) {
    FUZZ_CHECK(!absl::StartsWith(keys::StreamKey(b, w), keys::StreamPrefix(a)), absl::StrCat(a, " / ", b));
    FUZZ_CHECK(!absl::StartsWith(keys::SnapshotKey(b, w), keys::SnapshotPrefix(a)),
               absl::StrCat(a, " / ", b));
    FUZZ_CHECK(keys::IdempotencyKey(a, request_id) != keys::IdempotencyKey(b, request_id), a);
  }
  // (a, b + request_id) and (a + b, request_id) would meet without the
  // separator.
  if (!b.empty()) {
    FUZZ_CHECK(keys::IdempotencyKey(a, absl::StrCat(b, request_id)) !=
                   keys::IdempotencyKey(absl::StrCat(a, b), request_id),
               a);
  }
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  salesops::fuzz::CheckDecoding(absl::string_view(reinterpret_cast<const char*>(data), size));
  salesops::fuzz::FuzzInput input(data, size);
  salesops::fuzz::CheckEncoding(input);
  return 0;
}
