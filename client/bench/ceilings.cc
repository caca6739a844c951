#include "ceilings.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "server/store/event_store.h"

namespace salesops::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t NanosSince(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - start).count();
}

}  // namespace

absl::StatusOr<LatencySummary> MeasureFdatasync(const std::string& dir, int samples, size_t bytes) {
  const std::string path = absl::StrCat(dir, "/fdatasync-probe");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  const std::string block(bytes, 'x');
  std::vector<int64_t> latencies;
  absl::Status status;
  for (int i = 0; i < samples && status.ok(); ++i) {
    const SteadyClock::time_point start = SteadyClock::now();
    if (write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) || fdatasync(fd) != 0) {
      status = absl::UnavailableError(absl::StrCat("write+fdatasync of ", path, ": ", std::strerror(errno)));
    }
    latencies.push_back(NanosSince(start));
  }
  close(fd);
  unlink(path.c_str());
  if (!status.ok()) return status;
  return Summarize(latencies);
}

absl::StatusOr<ScanResult> ScanStore(const std::string& path, absl::string_view template_stream) {
  store::StoreOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<store::EventStore>> store = store::EventStore::Open(options);
  if (!store.ok()) return store.status();
  ScanResult result;
  const SteadyClock::time_point start = SteadyClock::now();
  const absl::Status scanned = (*store)->Scan(1, [&](const v1::EventEnvelope& e) {
    ++result.events;
    result.bytes += e.ByteSizeLong();
    if (e.stream_id() == template_stream) result.template_events.push_back(e);
    return absl::OkStatus();
  });
  result.seconds = static_cast<double>(NanosSince(start)) / 1e9;
  if (!scanned.ok()) return scanned;
  return result;
}

absl::StatusOr<RawAppendResult> RawAppend(const std::string& path, const std::vector<v1::EventEnvelope>& command_events,
                                          int batch_commands, absl::Duration warmup, absl::Duration duration) {
  if (command_events.empty()) return absl::FailedPreconditionError("raw append: no template events");
  store::StoreOptions options;
  options.path = path;
  options.sync = true;
  absl::StatusOr<std::unique_ptr<store::EventStore>> opened = store::EventStore::Open(options);
  if (!opened.ok()) return opened.status();
  store::EventStore& store = **opened;

  RawAppendResult result;
  result.batch_commands = batch_commands;
  std::vector<int64_t> latencies;
  uint64_t stream = 0;
  const SteadyClock::time_point measure_from = SteadyClock::now() + absl::ToChronoNanoseconds(warmup);
  const SteadyClock::time_point until = measure_from + absl::ToChronoNanoseconds(duration);
  for (;;) {
    // Building the batch counts in the rate (the sequencer builds one too)
    // but not in the per-call latency.
    store::AppendBatch batch;
    batch.expected_head = store.Head();
    for (int i = 0; i < batch_commands; ++i) {
      store::StreamAppend& append = batch.streams.emplace_back();
      append.stream_id = absl::StrCat("lead-raw-", stream++);
      append.expected_version = 0;
      for (const v1::EventEnvelope& e : command_events) {
        v1::EventEnvelope& copy = append.events.emplace_back(e);
        copy.set_stream_id(append.stream_id);
      }
    }
    const SteadyClock::time_point start = SteadyClock::now();
    absl::StatusOr<std::vector<v1::EventEnvelope>> appended = store.Append(std::move(batch));
    const SteadyClock::time_point end = SteadyClock::now();
    if (!appended.ok()) return appended.status();
    if (start >= measure_from && end <= until) {
      latencies.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
      result.commands += static_cast<uint64_t>(batch_commands);
      result.events += appended->size();
    }
    if (end >= until) break;
  }
  result.seconds = absl::ToDoubleSeconds(duration);
  result.batch_latency = Summarize(latencies);
  return result;
}

}  // namespace salesops::bench
