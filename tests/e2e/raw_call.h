// A call made with grpc::GenericStub, bytes in and bytes out: for requests a
// generated stub cannot send (malformed messages) and services we have no
// stubs for (reflection).
#ifndef SALESOPS_TESTS_E2E_RAW_CALL_H_
#define SALESOPS_TESTS_E2E_RAW_CALL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"

namespace salesops::testing {

struct RawReplies {
  std::vector<std::string> messages;
  grpc::Status status;
};

// Sends `request` as the call's only message, reads every reply, and
// returns them with the call's status.
inline RawReplies CallRaw(const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& ctx,
                          const std::string& method, const std::string& request) {
  RawReplies out;
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  void* tag = nullptr;
  bool ok = false;
  const auto step = [&](intptr_t id) {
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), id);
    return ok;
  };
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  if (step(1)) {
    grpc::Slice bytes(request);
    call->WriteLast(grpc::ByteBuffer(&bytes, 1), grpc::WriteOptions(), reinterpret_cast<void*>(2));
    step(2);
    for (;;) {
      grpc::ByteBuffer reply;
      call->Read(&reply, reinterpret_cast<void*>(3));
      if (!step(3)) break;
      std::vector<grpc::Slice> slices;
      EXPECT_TRUE(reply.Dump(&slices).ok());
      std::string& message = out.messages.emplace_back();
      for (const grpc::Slice& s : slices) message.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  call->Finish(&out.status, reinterpret_cast<void*>(4));
  step(4);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_E2E_RAW_CALL_H_
