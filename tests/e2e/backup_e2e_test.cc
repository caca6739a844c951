// Admin.Backup over real gRPC: a checkpoint taken while writers run, a second
// server started on it, and the same log and views up to the position the
// backup reported.
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/admin.grpc.pb.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;
using ::testing::HasSubstr;

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  const std::string token = member == "root" ? std::string(kRootToken) : TokenOf(member);
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

TEST(BackupE2eTest, BackupDuringWritesRestoresTheSameLogAndViews) {
  TempDir source_dir;
  TempDir backup_dir;  // the checkpoint goes to backup_dir/db, which must not exist yet
  ServerProcess source(source_dir.path());
  std::string error;
  ASSERT_TRUE(source.Start(&error)) << error;
  auto channel = source.Channel();
  auto team = v1::Team::NewStub(channel);
  auto admin = v1::Admin::NewStub(channel);
  for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
           {"rep1", v1::ROLE_SALES_REP}, {"bd1", v1::ROLE_BD_MANAGER}, {"mgr", v1::ROLE_SALES_MANAGER}}) {
    v1::AddMemberRequest add;
    add.set_member_id(id);
    add.set_display_name(absl::StrCat(id, " 张"));
    add.add_roles(role);
    v1::TeamCommandReply r;
    ASSERT_TRUE(team->AddMember(Ctx("root").get(), add, &r).ok()) << id;
  }

  // Writers run throughout the backup.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    auto leads = v1::Leads::NewStub(channel);
    for (int i = 0; !stop.load() || written.load() < 20; ++i) {
      v1::IdentifyLeadRequest r;
      r.set_lead_id(absl::StrCat("bk-", i));
      r.set_company("苏州某某精密制造");
      r.mutable_contact()->set_name("孙丽");
      r.set_source(v1::LEAD_SOURCE_INBOUND);
      r.mutable_estimated_value()->set_amount_minor(1'000'000 + i);
      r.mutable_estimated_value()->set_currency("CNY");
      v1::LeadCommandReply reply;
      if (leads->IdentifyLead(Ctx("rep1").get(), r, &reply).ok()) ++written;
    }
  });
  while (written.load() < 10) std::this_thread::yield();
  v1::BackupRequest request;
  request.set_dir(backup_dir.path() + "/db");
  v1::BackupResponse backup;
  const grpc::Status backed_up = admin->Backup(Ctx("root").get(), request, &backup);
  stop = true;
  writer.join();
  ASSERT_TRUE(backed_up.ok()) << backed_up.error_message();
  EXPECT_GT(backup.position(), 0u);
  EXPECT_EQ(backup.digest().size(), 64u);

  // Refusals name the field and change nothing.
  v1::BackupResponse refused;
  request.set_dir("relative/backup");
  grpc::Status status = admin->Backup(Ctx("root").get(), request, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("dir: 'relative/backup' is relative"));
  request.set_dir(backup_dir.path() + "/db");  // exists now
  status = admin->Backup(Ctx("root").get(), request, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("already exists"));
  request.set_dir(source_dir.path() + "/other");
  EXPECT_EQ(admin->Backup(Ctx("mgr").get(), request, &refused).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Restore: a second server on the copy.
  ServerProcess restored(backup_dir.path());
  ASSERT_TRUE(restored.Start(&error)) << error;
  auto restored_audit = v1::Audit::NewStub(restored.Channel());
  auto source_audit = v1::Audit::NewStub(channel);
  v1::GetLogDigestResponse head;
  ASSERT_TRUE(restored_audit->GetLogDigest(Ctx("mgr").get(), v1::GetLogDigestRequest(), &head).ok());
  EXPECT_EQ(head.position(), backup.position());
  EXPECT_EQ(head.digest(), backup.digest());
  v1::GetLogDigestRequest at;
  at.set_position(backup.position());
  v1::GetLogDigestResponse source_digest;
  ASSERT_TRUE(source_audit->GetLogDigest(Ctx("mgr").get(), at, &source_digest).ok());
  EXPECT_EQ(source_digest.digest(), backup.digest());
  v1::VerifyLogResponse verified;
  ASSERT_TRUE(restored_audit->VerifyLog(Ctx("mgr").get(), v1::VerifyLogRequest(), &verified).ok());
  EXPECT_TRUE(verified.ok()) << verified.detail();

  // The views, as of the backup's position, are the same on both.
  auto source_views = v1::Views::NewStub(channel);
  auto restored_views = v1::Views::NewStub(restored.Channel());
  v1::GetPipelineRequest pipeline;
  pipeline.mutable_view()->set_as_of_position(backup.position());
  v1::Pipeline a, b;
  ASSERT_TRUE(source_views->GetPipeline(Ctx("mgr").get(), pipeline, &a).ok());
  ASSERT_TRUE(restored_views->GetPipeline(Ctx("mgr").get(), pipeline, &b).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(a, b)) << a.DebugString() << "\nvs\n" << b.DebugString();
  v1::GetWorkloadRequest workload;
  workload.mutable_view()->set_as_of_position(backup.position());
  v1::Workload wa, wb;
  ASSERT_TRUE(source_views->GetWorkload(Ctx("mgr").get(), workload, &wa).ok());
  ASSERT_TRUE(restored_views->GetWorkload(Ctx("mgr").get(), workload, &wb).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(wa, wb)) << wa.DebugString() << "\nvs\n" << wb.DebugString();
  // And the restored server serves writes after the copied head.
  auto restored_leads = v1::Leads::NewStub(restored.Channel());
  v1::IdentifyLeadRequest more;
  more.set_lead_id("after-restore");
  more.set_company("恢复之后");
  more.mutable_contact()->set_name("周");
  more.set_source(v1::LEAD_SOURCE_INBOUND);
  v1::LeadCommandReply reply;
  ASSERT_TRUE(restored_leads->IdentifyLead(Ctx("rep1").get(), more, &reply).ok());
  EXPECT_EQ(reply.position(), backup.position() + 3);  // identified, handed to bd1, the new account
}

}  // namespace
}  // namespace salesops
