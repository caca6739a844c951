#include "server/store/keys.h"

#include "absl/strings/str_cat.h"

namespace salesops::store::keys {

std::string EncodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  return out;
}

std::optional<uint64_t> DecodeU64(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (unsigned char c : bytes) value = (value << 8) | c;
  return value;
}

absl::StatusOr<v1::EventEnvelope> DecodeEvent(absl::string_view key, absl::string_view value) {
  v1::EventEnvelope envelope;
  if (!envelope.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(
        absl::StrCat("event at position ", DecodeU64(key).value_or(0), " is unreadable"));
  }
  return envelope;
}

std::string StreamPrefix(absl::string_view stream_id) {
  return absl::StrCat(stream_id, absl::string_view("\0", 1));
}

std::string StreamKey(absl::string_view stream_id, uint64_t version) {
  return absl::StrCat(StreamPrefix(stream_id), EncodeU64(version));
}

std::optional<DecodedStreamKey> DecodeStreamKey(absl::string_view key) {
  if (key.size() < 9 || key[key.size() - 9] != '\0') return std::nullopt;
  const absl::string_view stream = key.substr(0, key.size() - 9);
  if (stream.find('\0') != absl::string_view::npos) return std::nullopt;
  return DecodedStreamKey{std::string(stream), *DecodeU64(key.substr(key.size() - 8))};
}

std::string IdempotencyKey(absl::string_view actor, absl::string_view request_id) {
  return absl::StrCat(actor, absl::string_view("\0", 1), request_id);
}

std::string SnapshotKey(absl::string_view name, uint64_t chunk) {
  return absl::StrCat(SnapshotPrefix(name), EncodeU64(chunk));
}

std::string SnapshotPrefix(absl::string_view name) { return absl::StrCat(name, absl::string_view("\0", 1)); }

}  // namespace salesops::store::keys
