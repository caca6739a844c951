// salesopsd's metrics, rendered in the Prometheus text format for
// /metrics (docs/OPERATIONS.md, "Metrics"). Counters and histograms are
// updated on the paths they measure with relaxed atomics (no lock, no
// allocation); gauges are read from their sources at scrape time.
//
// Names follow Prometheus' conventions: salesops_ prefix, base units
// (seconds, bytes), _total for counters; process_* as client libraries
// name them.
#ifndef SALESOPS_SERVER_SERVICE_METRICS_H_
#define SALESOPS_SERVER_SERVICE_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "server/common/prometheus_text.h"
#include "server/store/event_log.h"

namespace salesops::service {

// Observations into fixed buckets; thread-safe, lock-free.
class FixedHistogram {
 public:
  explicit FixedHistogram(std::vector<double> upper_bounds);
  void Observe(double value);
  void Render(PrometheusText& out, absl::string_view name, const MetricLabels& labels) const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<uint64_t> sum_micros_{0};              // the sum, in millionths
};

// What the gauges read at scrape time; every member may be empty.
struct MetricSources {
  std::function<uint64_t()> head_position;
  std::function<uint64_t()> views_position;
  std::function<size_t()> queue_depth;
  std::function<size_t()> live_subscriptions;
  std::function<uint64_t()> subscription_fallbacks;  // times a subscriber fell behind the live buffer
  // Positions the live subscriptions have yet to examine: in all, and the
  // furthest behind.
  std::function<std::pair<uint64_t, uint64_t>()> subscription_backlog;
  std::function<size_t()> parked_reads;
  std::function<size_t()> long_reads_queued;
  std::function<store::StorageStats()> storage;
  std::function<bool()> writes_accepted;
  std::function<bool()> reads_serving;  // the salesops.reads health
  // Cluster mode only: whether this node leads, and the log of record's
  // head as this node last read it.
  std::function<bool()> cluster_leading;
  std::function<uint64_t()> cluster_head;
};

class ServerMetrics {
 public:
  ServerMetrics();

  // One RPC ended with `code` after `took` (`method` as gRPC names it,
  // "/salesops.v1.Leads/IdentifyLead"; unknown methods count as "other").
  void RecordCall(absl::string_view method, grpc::StatusCode code, absl::Duration took);
  // A group commit: its commands and the append's time (fsync included).
  void RecordAppend(size_t commands, absl::Duration append);
  // Commands refused before being decided (SequencerOptions::on_refused).
  void RecordRefusedWrites(absl::string_view reason, size_t commands);
  // Request-log lines not written for the rate limit.
  void RecordRequestLogDropped() { request_log_dropped_.fetch_add(1, std::memory_order_relaxed); }

  // The whole exposition.
  std::string Render(const MetricSources& sources) const;

 private:
  struct Method {
    std::string name;  // "salesops.v1.Leads/IdentifyLead"
    std::array<std::atomic<uint64_t>, 17> codes{};
    FixedHistogram latency;
    Method(std::string n);
  };
  std::vector<std::unique_ptr<Method>> methods_;         // the last: "other"
  absl::flat_hash_map<std::string, Method*> by_path_;    // "/salesops.v1.Leads/IdentifyLead" -> method
  FixedHistogram commands_per_commit_;
  FixedHistogram append_seconds_;
  std::array<std::atomic<uint64_t>, 4> refused_writes_{};  // queue_full, queue_bytes, stopping, storage
  std::atomic<uint64_t> request_log_dropped_{0};
  const absl::Time started_;
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_METRICS_H_
