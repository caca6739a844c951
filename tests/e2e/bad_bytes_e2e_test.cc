// End-to-end: requests whose bytes do not make a valid message, and
// requests too large, sent raw to the real salesopsd. Every unary method of
// every service the server lists through reflection must answer invalid
// UTF-8 and unparsable bytes with INVALID_ARGUMENT naming the field, never
// gRPC's UNIMPLEMENTED (server/service/checked_unary.h).
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"
#include "gtest/gtest.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/orders.grpc.pb.h"
#include "salesops/v1/support.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/raw_call.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::MethodDescriptor;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A length-delimited field: tag, length, bytes.
std::string LengthDelimited(int number, const std::string& bytes) {
  std::string out;
  auto varint = [&out](uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  };
  varint((static_cast<uint64_t>(number) << 3) | 2);
  varint(bytes.size());
  out += bytes;
  return out;
}

const std::string kBadUtf8("ok\xC3\x28\xFF", 5);  // a broken two-byte sequence and a byte never in UTF-8

// A request of `type` with invalid UTF-8 in its first string field (looked
// for depth first through message fields) and that field's path; nullopt
// when the type holds no string field.
std::optional<std::pair<std::string, std::string>> WithBadString(const Descriptor& type, int depth = 0) {
  if (depth > 3) return std::nullopt;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    std::string name = field.name();
    if (field.is_repeated()) absl::StrAppend(&name, "[0]");
    if (field.type() == FieldDescriptor::TYPE_STRING) {
      return std::make_pair(LengthDelimited(field.number(), kBadUtf8), name);
    }
  }
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    if (field.type() != FieldDescriptor::TYPE_MESSAGE || field.is_map()) continue;
    if (auto inner = WithBadString(*field.message_type(), depth + 1)) {
      std::string name = field.name();
      if (field.is_repeated()) absl::StrAppend(&name, "[0]");
      return std::make_pair(LengthDelimited(field.number(), inner->first), absl::StrCat(name, ".", inner->second));
    }
  }
  return std::nullopt;
}

class BadBytesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    channel_ = server_->Channel();
  }

  testing::RawReplies Call(const std::string& method, const std::string& bytes, const char* token = kRootToken) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (token != nullptr) ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    return testing::CallRaw(channel_, ctx, method, bytes);
  }

  // The salesops services the server serves, by reflection's list_services.
  std::vector<std::string> ServedServices() {
    const testing::RawReplies replies = Call("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                             std::string("\x3A\x00", 2), nullptr);
    EXPECT_TRUE(replies.status.ok()) << replies.status.error_message();
    std::vector<std::string> names;
    if (replies.messages.size() != 1) return names;
    // ServerReflectionResponse.list_services_response (6) . service (1) . name (1)
    google::protobuf::UnknownFieldSet response;
    EXPECT_TRUE(response.ParseFromString(replies.messages[0]));
    for (int i = 0; i < response.field_count(); ++i) {
      if (response.field(i).number() != 6) continue;
      google::protobuf::UnknownFieldSet list;
      EXPECT_TRUE(list.ParseFromString(response.field(i).length_delimited()));
      for (int j = 0; j < list.field_count(); ++j) {
        google::protobuf::UnknownFieldSet service;
        EXPECT_TRUE(service.ParseFromString(list.field(j).length_delimited()));
        const std::string name = service.field(0).length_delimited();
        if (name.rfind("salesops.", 0) == 0) names.push_back(name);
      }
    }
    return names;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Links every service's descriptors into this binary's generated pool.
const Descriptor* const kAnchors[] = {
    v1::PingRequest::descriptor(),        v1::ReadLogRequest::descriptor(),   v1::GetLeadRequest::descriptor(),
    v1::GetOrderRequest::descriptor(),    v1::GetTicketRequest::descriptor(), v1::GetMemberRequest::descriptor(),
    v1::GetPipelineRequest::descriptor()};

TEST_F(BadBytesTest, EveryUnaryMethodRefusesInvalidUtf8AndUnparsableBytesNamingTheField) {
  ASSERT_NE(kAnchors[0], nullptr);
  const std::vector<std::string> services = ServedServices();
  ASSERT_GE(services.size(), 7u) << "reflection lists our services";
  int methods = 0;
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name << " is served but not linked into this test: add an anchor";
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor& method = *service->method(i);
      if (method.client_streaming() || method.server_streaming()) continue;
      ++methods;
      const std::string path = absl::StrCat("/", name, "/", method.name());
      SCOPED_TRACE(path);
      // Field 1, length-delimited, claiming far more bytes than follow.
      testing::RawReplies replies = Call(path, std::string("\x0A\xFF\xFF\xFF", 4));
      EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << replies.status.error_message();
      EXPECT_EQ(replies.status.error_message(),
                absl::StrCat("request: not a valid ", method.input_type()->name(), " message"));
      const auto bad = WithBadString(*method.input_type());
      if (!bad.has_value()) continue;  // nothing to hold text (PingRequest)
      replies = Call(path, bad->first);
      EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << replies.status.error_message();
      EXPECT_EQ(replies.status.error_message(), absl::StrCat(bad->second, ": not valid UTF-8"));
    }
  }
  EXPECT_GE(methods, 50);
  // The server is still up and serves a good request.
  EXPECT_TRUE(Call("/salesops.v1.Admin/Ping", "").status.ok());
}

TEST_F(BadBytesTest, NestedFieldsAreNamedByPath) {
  v1::IdentifyLeadRequest request;
  request.set_company("Acme");
  request.mutable_contact()->set_name("x");  // replaced below
  std::string bytes = request.SerializeAsString();
  // contact (4) { name (1): invalid }, appended: the last occurrence wins for a parse,
  // and the first offence found is named.
  bytes += LengthDelimited(4, LengthDelimited(1, kBadUtf8));
  const testing::RawReplies replies = Call("/salesops.v1.Leads/IdentifyLead", bytes);
  EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(replies.status.error_message(), "contact.name: not valid UTF-8");
}

TEST_F(BadBytesTest, WithoutATokenNothingIsParsed) {
  const testing::RawReplies replies =
      Call("/salesops.v1.Leads/IdentifyLead", LengthDelimited(3, kBadUtf8), /*token=*/nullptr);
  EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << replies.status.error_message();
  // libprotobuf logs each invalid string it parses; nothing was parsed.
  EXPECT_THAT(server_->Log(), ::testing::Not(HasSubstr("invalid UTF-8")));
}

// Without a token: above a method's limit the request is refused before the
// token check and the parse; above gRPC's message limit gRPC refuses it.
// The server stays up.
TEST_F(BadBytesTest, OversizeRequestsAreRefusedWithoutATokenAndTheServerStaysUp) {
  testing::RawReplies replies =
      Call("/salesops.v1.Leads/IdentifyLead", LengthDelimited(3, std::string(2 << 20, 'a')), /*token=*/nullptr);
  EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << replies.status.error_message();
  EXPECT_THAT(replies.status.error_message(), StartsWith("request: 2097157 bytes, more than salesops.v1.Leads.IdentifyLead"));
  replies = Call("/salesops.v1.Admin/ImportEvents", std::string(5 << 20, 'a'), /*token=*/nullptr);
  EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << replies.status.error_message();
  EXPECT_THAT(replies.status.error_message(), HasSubstr("larger than max"));
  // ImportEvents takes up to the message limit: 3 MiB reaches the token check.
  replies = Call("/salesops.v1.Admin/ImportEvents", std::string(3 << 20, 'a'), /*token=*/nullptr);
  EXPECT_EQ(replies.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << replies.status.error_message();
  EXPECT_TRUE(Call("/salesops.v1.Admin/Ping", "").status.ok());
}

// libprotobuf logs each invalid string it parses; what it logs reaches our
// log rate-limited (at most 10 lines a second, then a count of what was
// suppressed), so a caller sending bad bytes in a loop cannot flood the disk.
TEST_F(BadBytesTest, LibprotobufLinesAreRateLimited) {
  const absl::Time start = absl::Now();
  for (int i = 0; i < 2000; ++i) {
    const testing::RawReplies replies = Call("/salesops.v1.Leads/IdentifyLead", LengthDelimited(3, kBadUtf8));
    ASSERT_EQ(replies.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  const int64_t seconds = absl::ToInt64Seconds(absl::Now() - start) + 1;
  ASSERT_TRUE(server_->WaitForLog("invalid UTF-8", absl::Seconds(5)));
  const std::string log = server_->Log();
  int64_t lines = 0;
  for (size_t at = log.find("libprotobuf "); at != std::string::npos; at = log.find("libprotobuf ", at + 1)) ++lines;
  EXPECT_GE(lines, 1);
  EXPECT_LE(lines, 10 * (seconds + 1)) << "over " << seconds << " s";
}

}  // namespace
}  // namespace salesops
