// The dashboard's live updates: Audit.Subscribe as Server-Sent Events
// (docs/DASHBOARD.md, "Live updates"). A stream is an Audit.Subscribe call
// on the in-process channel to the server itself, with the HTTP request's
// authorization, so it has Subscribe's read rules, per-member bound,
// catch-up on the long-read pool and live tail from the EventHub; this file
// only turns its messages into SSE text:
//
//   id: 42                 (the position: resume with Last-Event-ID)
//   event: event           (or checkpoint, caught_up; error at the end)
//   data: {...}            (the message in protobuf's JSON mapping)
//
// Each open stream holds one HTTP thread while it lasts, so their number is
// bounded here (EventStreamOptions::max_streams; RESOURCE_EXHAUSTED beyond)
// and the HTTP server has that many threads more than it needs for the JSON
// API (dashboard_http.h). A stream whose client went away is noticed at its
// next message, a checkpoint at the latest: checkpoints are asked for at
// least every max_checkpoint_seconds.
//
// Thread safety: EventStreams may be used from any number of threads; one
// Stream from one thread at a time (Cancel from any).
#ifndef SALESOPS_SERVER_SERVICE_EVENT_STREAM_H_
#define SALESOPS_SERVER_SERVICE_EVENT_STREAM_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "server/service/json_gateway.h"

namespace salesops::service {

struct EventStreamOptions {
  size_t max_streams = 8;                // open at once, over all members
  uint32_t max_checkpoint_seconds = 15;  // the longest silence (see above)
};

// SSE text for one Subscribe message: one block per event (a packed
// `events` message gives several), a checkpoint or the caught-up marker.
std::string SseText(const v1::SubscribeResponse& message);

class EventStreams {
 public:
  EventStreams(std::shared_ptr<grpc::Channel> channel, EventStreamOptions options)
      : channel_(std::move(channel)), options_(options) {}

  class Stream {
   public:
    ~Stream();  // cancels the call if it is still running, frees the slot
    // The SSE text of the next message; blocks until there is one. False
    // when the subscription ended (the server's drain, a limit, Cancel):
    // `text` then holds a last `event: error` block with the
    // google.rpc.Status, or nothing after Cancel.
    bool Next(std::string* text);
    // Ends the call (the client went away); Next returns false soon.
    void Cancel() { context_.TryCancel(); }

   private:
    friend class EventStreams;
    explicit Stream(std::atomic<size_t>* slots) : slots_(slots) {}
    std::atomic<size_t>* const slots_;
    grpc::ClientContext context_;
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
    std::string first_;  // the first message's text, waiting for Next
    bool finished_ = false;
  };

  // What Open gives: a stream, or the error to answer instead.
  struct Opened {
    std::unique_ptr<Stream> stream;
    JsonReply error;  // when !stream
  };

  // Starts a subscription from the query `params` (SubscribeRequest's
  // fields) and `last_event_id` (the Last-Event-ID header: resume after
  // that position), and waits for its first message, so that a refusal
  // (a bad token, a rule, a bound, a bad field) is answered as an HTTP
  // error rather than inside the stream.
  // `peer` as for JsonGateway::Call.
  Opened Open(const QueryParams& params, absl::string_view last_event_id, absl::string_view authorization,
              absl::string_view peer = "");

  size_t active() const { return active_.load(); }

 private:
  const std::shared_ptr<grpc::Channel> channel_;
  const EventStreamOptions options_;
  std::atomic<size_t> active_{0};
};

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_EVENT_STREAM_H_
