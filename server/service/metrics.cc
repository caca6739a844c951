#include "server/service/metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "server/common/build_info.h"
#include "server/common/proc_stats.h"

namespace salesops::service {
namespace {

// RPC latency: 0.25 ms to 10 s.
const std::vector<double> kLatencyBounds = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,    0.1,    0.25,  0.5,    1,     2.5,   5, 10};
// Append with fsync: 50 µs to 1 s.
const std::vector<double> kAppendBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                           0.01,    0.025,  0.05,    0.1,    0.25,  1};
// Commands per group commit: 1 to the batch limit (1024).
const std::vector<double> kBatchBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

constexpr const char* kRefusalReasons[] = {"queue_full", "queue_bytes", "stopping", "storage"};

// Services served besides ours (no descriptor in the generated pool).
constexpr const char* kOtherMethods[] = {"grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch",
                                         "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"};
constexpr const char* kOurServices[] = {"salesops.v1.Leads", "salesops.v1.Orders", "salesops.v1.Support",
                                        "salesops.v1.Team",  "salesops.v1.Audit",  "salesops.v1.Views",
                                        "salesops.v1.Admin"};

const char* CodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",        "CANCELLED",        "UNKNOWN",           "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED",   "INTERNAL",          "UNAVAILABLE",      "DATA_LOSS",         "UNAUTHENTICATED"};
  return kNames[code];
}

size_t OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  size_t n = 0;
  while (readdir(dir) != nullptr) ++n;
  closedir(dir);
  return n >= 3 ? n - 3 : 0;  // ".", ".." and the directory's own descriptor
}

}  // namespace

FixedHistogram::FixedHistogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void FixedHistogram::Observe(double value) {
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(std::max(0.0, value) * 1e6)), std::memory_order_relaxed);
}

void FixedHistogram::Render(PrometheusText& out, absl::string_view name, const MetricLabels& labels) const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  out.Histogram(name, labels, bounds_, counts, static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
}

ServerMetrics::Method::Method(std::string n) : name(std::move(n)), latency(kLatencyBounds) {}

ServerMetrics::ServerMetrics()
    : commands_per_commit_(kBatchBounds), append_seconds_(kAppendBounds), started_(absl::Now()) {
  std::vector<std::string> names;
  for (const char* service : kOurServices) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    if (descriptor == nullptr) continue;
    for (int i = 0; i < descriptor->method_count(); ++i) names.push_back(absl::StrCat(service, "/", descriptor->method(i)->name()));
  }
  for (const char* other : kOtherMethods) names.emplace_back(other);
  for (std::string& name : names) {
    methods_.push_back(std::make_unique<Method>(name));
    by_path_.emplace(absl::StrCat("/", name), methods_.back().get());
  }
  methods_.push_back(std::make_unique<Method>("other"));
}

void ServerMetrics::RecordCall(absl::string_view method, grpc::StatusCode code, absl::Duration took) {
  auto it = by_path_.find(method);
  Method& m = it != by_path_.end() ? *it->second : *methods_.back();
  const int c = static_cast<int>(code);
  if (c >= 0 && c < 17) m.codes[c].fetch_add(1, std::memory_order_relaxed);
  m.latency.Observe(absl::ToDoubleSeconds(took));
}

void ServerMetrics::RecordAppend(size_t commands, absl::Duration append) {
  commands_per_commit_.Observe(static_cast<double>(commands));
  append_seconds_.Observe(absl::ToDoubleSeconds(append));
}

void ServerMetrics::RecordRefusedWrites(absl::string_view reason, size_t commands) {
  for (size_t i = 0; i < std::size(kRefusalReasons); ++i) {
    if (reason == kRefusalReasons[i]) refused_writes_[i].fetch_add(commands, std::memory_order_relaxed);
  }
}

std::string ServerMetrics::Render(const MetricSources& sources) const {
  PrometheusText out;
  out.Family("salesops_build_info", "gauge", "The running salesopsd: version, git commit and build type (always 1).");
  out.Sample("salesops_build_info",
             {{"version", Build().version}, {"commit", Build().commit}, {"build_type", Build().build_type}}, 1);

  out.Family("salesops_rpc_requests_total", "counter", "RPCs that ended, by method and gRPC status code.");
  for (const auto& m : methods_) {
    for (int c = 0; c < 17; ++c) {
      const uint64_t n = m->codes[c].load(std::memory_order_relaxed);
      // OK always (so rate() has a series from the start); other codes once seen.
      if (n > 0 || c == 0) out.Sample("salesops_rpc_requests_total", {{"method", m->name}, {"code", CodeName(c)}}, n);
    }
  }
  out.Family("salesops_rpc_duration_seconds", "histogram",
             "Time from a call's start to its status, by method (authentication, queueing and fsync included).");
  for (const auto& m : methods_) m->latency.Render(out, "salesops_rpc_duration_seconds", {{"method", m->name}});

  out.Family("salesops_commit_commands", "histogram", "Commands per group commit (one append and one fsync each).");
  commands_per_commit_.Render(out, "salesops_commit_commands", {});
  out.Family("salesops_append_duration_seconds", "histogram", "Time to append one group commit to the log, fsync included.");
  append_seconds_.Render(out, "salesops_append_duration_seconds", {});
  out.Family("salesops_refused_writes_total", "counter",
             "Commands refused before being decided, by reason (queue_full, queue_bytes, stopping, storage: the log "
             "refuses writes, e.g. a disk below --min-free-bytes).");
  for (size_t i = 0; i < std::size(kRefusalReasons); ++i) {
    out.Sample("salesops_refused_writes_total", {{"reason", kRefusalReasons[i]}},
               refused_writes_[i].load(std::memory_order_relaxed));
  }
  out.Family("salesops_request_log_dropped_total", "counter", "Request-log lines not written for the rate limit.");
  out.Sample("salesops_request_log_dropped_total", {}, request_log_dropped_.load(std::memory_order_relaxed));

  const auto gauge = [&out](absl::string_view name, absl::string_view help, const auto& source) {
    if (!source) return;
    out.Family(name, "gauge", help);
    out.Sample(name, {}, static_cast<double>(source()));
  };
  gauge("salesops_log_head_position", "The position of the last event in the log.", sources.head_position);
  gauge("salesops_views_applied_position", "The last log position the views have applied.", sources.views_position);
  if (sources.head_position && sources.views_position) {
    const uint64_t head = sources.head_position(), applied = sources.views_position();
    out.Family("salesops_views_lag_events", "gauge", "Events in the log the views have not applied yet.");
    out.Sample("salesops_views_lag_events", {}, static_cast<double>(head > applied ? head - applied : 0));
  }
  gauge("salesops_sequencer_queue_depth", "Commands waiting to be decided.", sources.queue_depth);
  gauge("salesops_subscriptions_live", "Audit.Subscribe streams open.", sources.live_subscriptions);
  if (sources.subscription_backlog) {
    const auto [total, max] = sources.subscription_backlog();
    out.Family("salesops_subscription_backlog_events", "gauge",
               "Log positions the live Audit.Subscribe streams have yet to examine to reach the head, in all.");
    out.Sample("salesops_subscription_backlog_events", {}, static_cast<double>(total));
    out.Family("salesops_subscription_backlog_max_events", "gauge",
               "Log positions the subscription furthest behind has yet to examine to reach the head.");
    out.Sample("salesops_subscription_backlog_max_events", {}, static_cast<double>(max));
  }
  if (sources.subscription_fallbacks) {
    out.Family("salesops_subscription_fallbacks_total", "counter",
               "Times a subscriber fell behind the live buffer and read the log instead (docs/AUDIT.md).");
    out.Sample("salesops_subscription_fallbacks_total", {}, static_cast<double>(sources.subscription_fallbacks()));
  }
  gauge("salesops_parked_reads", "Reads waiting for their min_position.", sources.parked_reads);
  gauge("salesops_long_reads_queued", "Long reads waiting for the long-read pool.", sources.long_reads_queued);
  if (sources.writes_accepted) {
    out.Family("salesops_writes_accepted", "gauge", "1 while the log takes writes, 0 while it refuses them.");
    out.Sample("salesops_writes_accepted", {}, sources.writes_accepted() ? 1 : 0);
  }
  if (sources.reads_serving) {
    out.Family("salesops_reads_serving", "gauge",
               "1 while the read services serve (health salesops.reads), 0 on a follower far behind.");
    out.Sample("salesops_reads_serving", {}, sources.reads_serving() ? 1 : 0);
  }
  if (sources.cluster_leading) {
    out.Family("salesops_cluster_leading", "gauge", "Cluster mode: 1 while this node leads, 0 while it follows.");
    out.Sample("salesops_cluster_leading", {}, sources.cluster_leading() ? 1 : 0);
  }
  if (sources.cluster_head && sources.views_position) {
    const uint64_t head = sources.cluster_head(), applied = sources.views_position();
    out.Family("salesops_cluster_lag_events", "gauge",
               "Cluster mode: events of the log of record (its head as last read) this node has not applied.");
    out.Sample("salesops_cluster_lag_events", {}, static_cast<double>(head > applied ? head - applied : 0));
  }
  if (sources.storage) {
    const store::StorageStats s = sources.storage();
    out.Family("salesops_storage_table_bytes", "gauge", "Size of the log's table files on disk.");
    out.Sample("salesops_storage_table_bytes", {}, static_cast<double>(s.table_bytes));
    out.Family("salesops_storage_pending_compaction_bytes", "gauge", "Bytes compaction estimates it has to rewrite.");
    out.Sample("salesops_storage_pending_compaction_bytes", {}, static_cast<double>(s.pending_compaction_bytes));
    out.Family("salesops_storage_memtable_bytes", "gauge", "Memory of the storage engine's write buffers.");
    out.Sample("salesops_storage_memtable_bytes", {}, static_cast<double>(s.memtable_bytes));
    out.Family("salesops_storage_writes_stopped", "gauge", "1 while the storage engine stops writes (a stall).");
    out.Sample("salesops_storage_writes_stopped", {}, s.writes_stopped ? 1 : 0);
    out.Family("salesops_storage_delayed_write_rate_bytes", "gauge",
               "The write rate (bytes/s) the storage engine slows writes to; 0 when not slowing them.");
    out.Sample("salesops_storage_delayed_write_rate_bytes", {}, static_cast<double>(s.delayed_write_rate));
  }

  out.Family("process_cpu_seconds_total", "counter", "User and system CPU time of salesopsd.");
  out.Sample("process_cpu_seconds_total", {}, SelfCpuSeconds());
  if (absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(getpid()); usage.ok()) {
    out.Family("process_resident_memory_bytes", "gauge", "Resident memory of salesopsd.");
    out.Sample("process_resident_memory_bytes", {}, static_cast<double>(usage->rss_bytes));
  }
  out.Family("process_open_fds", "gauge", "Open file descriptors of salesopsd.");
  out.Sample("process_open_fds", {}, static_cast<double>(OpenFds()));
  out.Family("process_start_time_seconds", "gauge", "When salesopsd started serving, in seconds since the epoch.");
  out.Sample("process_start_time_seconds", {}, absl::ToDoubleSeconds(started_ - absl::UnixEpoch()));
  return std::move(out).Take();
}

}  // namespace salesops::service
