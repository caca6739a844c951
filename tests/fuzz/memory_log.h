// A read-only EventLog (server/store/event_log.h) over events held in
// memory, for the fuzz targets that read a log without RocksDB: the reads
// follow the interface's contract, but for one thing: Scan's visitor gets
// the log's own event, not a copy, so it must not move from it (copying
// every event of every scan would cost a fuzz target most of its time).
// Every write answers UNIMPLEMENTED. Header-only; tests/fuzz only.
// Thread-compatible (reads only).
#ifndef SALESOPS_TESTS_FUZZ_MEMORY_LOG_H_
#define SALESOPS_TESTS_FUZZ_MEMORY_LOG_H_

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "server/store/event_log.h"

namespace salesops::fuzz {

class MemoryLog final : public store::EventLog {
 public:
  // `events` must hold positions 1..n in order.
  explicit MemoryLog(std::vector<v1::EventEnvelope> events) : events_(std::move(events)) {}

  absl::StatusOr<std::vector<v1::EventEnvelope>> Append(store::AppendBatch) override { return ReadOnly(); }
  bool failed() const override { return false; }
  store::WriteState write_state() const override { return {ReadOnly(), false}; }

  absl::StatusOr<std::vector<v1::EventEnvelope>> ReadStream(absl::string_view stream_id,
                                                            uint64_t from_version, size_t limit,
                                                            size_t max_bytes) const override {
    std::vector<v1::EventEnvelope> out;
    size_t bytes = 0;
    for (const v1::EventEnvelope& e : events_) {
      if (out.size() >= limit || (!out.empty() && bytes >= max_bytes)) break;
      if (e.stream_id() != stream_id || e.stream_version() < std::max<uint64_t>(from_version, 1)) continue;
      bytes += e.ByteSizeLong();
      out.push_back(e);
    }
    return out;
  }

  absl::StatusOr<store::LogPage> ReadLog(uint64_t from_position, size_t limit, const store::LogFilter& filter,
                                         size_t max_scan, size_t max_bytes) const override {
    store::LogPage page;
    page.head = Head();
    uint64_t p = std::max<uint64_t>(from_position, 1);
    size_t scanned = 0;
    size_t bytes = 0;
    for (; p <= page.head && scanned < max_scan && page.events.size() < limit; ++p, ++scanned) {
      if (!page.events.empty() && bytes >= max_bytes) break;
      const v1::EventEnvelope& e = events_[p - 1];
      if (!absl::StartsWith(e.stream_id(), filter.stream_prefix)) continue;
      if (!filter.event_types.empty() && std::find(filter.event_types.begin(), filter.event_types.end(),
                                                   e.event_type()) == filter.event_types.end()) {
        continue;
      }
      bytes += e.ByteSizeLong();
      page.events.push_back(e);
    }
    page.next_position = p;
    page.reached_head = p > page.head;
    return page;
  }

  absl::Status ScanRange(uint64_t from_position, uint64_t to_position,
                         absl::FunctionRef<absl::Status(v1::EventEnvelope&)> visit) const override {
    const uint64_t last = std::min<uint64_t>(to_position, Head());
    for (uint64_t p = std::max<uint64_t>(from_position, 1); p <= last; ++p) {
      if (absl::Status s = visit(events_[p - 1]); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> StreamVersion(absl::string_view stream_id) const override {
    uint64_t version = 0;
    for (const v1::EventEnvelope& e : events_) {
      if (e.stream_id() == stream_id) version = e.stream_version();
    }
    return version;
  }

  absl::StatusOr<std::optional<v1::IdempotencyRecord>> GetIdempotency(absl::string_view,
                                                                      absl::string_view) const override {
    return std::optional<v1::IdempotencyRecord>();
  }

  uint64_t Head() const override { return events_.size(); }

  absl::StatusOr<std::string> ChainDigest(uint64_t) const override { return ReadOnly(); }
  absl::StatusOr<store::ChainCheck> VerifyChain(uint64_t, uint64_t) const override { return ReadOnly(); }
  const absl::Status& open_check() const override { return ok_; }
  absl::StatusOr<uint64_t> Checkpoint(const std::string&) const override { return ReadOnly(); }
  absl::Status PutSnapshot(absl::string_view, const std::vector<std::string>&) override { return ReadOnly(); }
  absl::StatusOr<std::vector<std::string>> GetSnapshot(absl::string_view) const override {
    return std::vector<std::string>();
  }

 private:
  static absl::Status ReadOnly() { return absl::UnimplementedError("the fuzz targets' log is read-only"); }

  // mutable: Scan's visitor takes a non-const event (see above).
  mutable std::vector<v1::EventEnvelope> events_;
  absl::Status ok_;
};

}  // namespace salesops::fuzz

#endif  // SALESOPS_TESTS_FUZZ_MEMORY_LOG_H_
