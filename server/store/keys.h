// Every RocksDB key and value encoding of the event store, in one place.
// See docs/STORAGE.md. All integers are big-endian so that byte order equals
// numeric order. Column families:
//
//   events       Position(pos)                 -> EventEnvelope (serialized)
//   streams      StreamKey(stream_id, version) -> Position(pos)
//   idempotency  IdempotencyKey(actor, rid)    -> IdempotencyRecord (serialized)
//   meta         fixed ASCII names (kMetaFormatVersion, ...)
//   snapshots    SnapshotKey(name, chunk)      -> a projection snapshot's chunk (opaque bytes)
//   chain        Position(pos)                 -> SHA-256(chain(pos - 1) || events value at pos), 32 bytes
//
// Stream ids and actors never contain a 0x00 byte (validated ids), so the
// 0x00 separator makes "lead-a" and "lead-ab" key ranges disjoint.
#ifndef SALESOPS_SERVER_STORE_KEYS_H_
#define SALESOPS_SERVER_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "salesops/v1/events.pb.h"

namespace salesops::store::keys {

inline constexpr char kEventsFamily[] = "events";
inline constexpr char kStreamsFamily[] = "streams";
inline constexpr char kIdempotencyFamily[] = "idempotency";
inline constexpr char kMetaFamily[] = "meta";
inline constexpr char kSnapshotsFamily[] = "snapshots";
inline constexpr char kChainFamily[] = "chain";

inline constexpr char kMetaFormatVersion[] = "format_version";
// The head position (u64 BE) when a format-1 log got its hash chain computed,
// once, at the upgrade to format 2. Absent in a log created as format 2.
inline constexpr char kMetaChainUpgrade[] = "chain_upgraded_at";
// Present while the stream index is being rebuilt from the events (any
// value); an Open that finds it finishes the rebuild.
inline constexpr char kMetaStreamIndexRebuild[] = "stream_index_rebuild";
// 2: the hash chain (a format-1 log gets its chain computed at its first
// open as format 2, recorded in kMetaChainUpgrade; never again).
inline constexpr uint32_t kFormatVersion = 2;

// 8 bytes, big-endian.
std::string EncodeU64(uint64_t value);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<uint64_t> DecodeU64(absl::string_view bytes);

// events family.
inline std::string PositionKey(uint64_t position) { return EncodeU64(position); }
// An events family value read back: the envelope stored at `key`. DATA_LOSS
// naming the position (0 when `key` is not 8 bytes) when `value` does not
// parse as an EventEnvelope. Checks nothing else about the envelope.
absl::StatusOr<v1::EventEnvelope> DecodeEvent(absl::string_view key, absl::string_view value);

// streams family: stream_id, 0x00, version (8 bytes BE).
std::string StreamKey(absl::string_view stream_id, uint64_t version);
// The prefix shared by every key of one stream: stream_id, 0x00.
std::string StreamPrefix(absl::string_view stream_id);
struct DecodedStreamKey {
  std::string stream_id;
  uint64_t version;
};
std::optional<DecodedStreamKey> DecodeStreamKey(absl::string_view key);

// idempotency family: actor, 0x00, request_id.
std::string IdempotencyKey(absl::string_view actor, absl::string_view request_id);

// snapshots family: name, 0x00, chunk index (8 bytes BE).
std::string SnapshotKey(absl::string_view name, uint64_t chunk);
// The prefix shared by every chunk of one snapshot: name, 0x00.
std::string SnapshotPrefix(absl::string_view name);

}  // namespace salesops::store::keys

#endif  // SALESOPS_SERVER_STORE_KEYS_H_
