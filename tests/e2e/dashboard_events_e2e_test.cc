// The dashboard's live updates end to end (docs/DASHBOARD.md, "Live
// updates"): Server-Sent Events from the real salesopsd's --http-listen,
// read with cpp-httplib's streaming client, fed by Audit.Subscribe's
// machinery: a gRPC write arrives within a second, the read rules and the
// stream bound hold, a closed client frees its thread, Last-Event-ID
// resumes, and a drain ends the streams.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::NumberAfter;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;
using ::testing::HasSubstr;

std::string Bearer(const std::string& member) {
  return absl::StrCat("Bearer ", member == "root" ? std::string(kRootToken) : TokenOf(member));
}

// One SSE request on its own thread: what arrived so far, the HTTP status.
class SseClient {
 public:
  SseClient(int port, const std::string& path, httplib::Headers headers) {
    thread_ = std::thread([this, port, path, headers] {
      httplib::Client http("127.0.0.1", port);
      http.set_read_timeout(60, 0);
      httplib::Result result = http.Get(
          path, headers,
          [this](const httplib::Response& response) {
            absl::MutexLock lock(&mu_);
            status_ = response.status;
            return true;
          },
          [this](const char* data, size_t size) {
            absl::MutexLock lock(&mu_);
            text_.append(data, size);
            return !stop_;
          });
      absl::MutexLock lock(&mu_);
      if (result) {
        status_ = result->status;
        if (text_.empty()) text_ = result->body;
      }
      ended_ = true;
    });
  }
  ~SseClient() {
    Close();
    thread_.join();
  }

  // Waits until the text contains `what`; false after `timeout`.
  bool WaitFor(const std::string& what, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    wanted_ = what;
    return mu_.AwaitWithTimeout(absl::Condition(this, &SseClient::HasWanted), timeout);
  }
  bool WaitEnded(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&ended_), timeout);
  }
  // The client stops reading at its next chunk and drops the connection.
  void Close() {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  std::string text() {
    absl::MutexLock lock(&mu_);
    return text_;
  }
  int status() {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  bool HasWanted() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return text_.find(wanted_) != std::string::npos; }

  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
  int status_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::string wanted_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

class DashboardEventsE2eTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    flags.push_back("--http-listen=127.0.0.1:0");
    server_ = std::make_unique<ServerProcess>(dir_.path(), flags);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_TRUE(server_->WaitForLog("dashboard port ", absl::Seconds(10)));
    port_ = NumberAfter(server_->Log(), "dashboard port ");
    leads_ = v1::Leads::NewStub(server_->Channel());
    auto team = v1::Team::NewStub(server_->Channel());
    for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
             {"rep1", v1::ROLE_SALES_REP}, {"mgr", v1::ROLE_SALES_MANAGER}}) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", Bearer("root"));
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(id);
      add.add_roles(role);
      v1::TeamCommandReply reply;
      ASSERT_TRUE(team->AddMember(&ctx, add, &reply).ok()) << id;
    }
  }

  uint64_t Identify(const std::string& id) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", Bearer("rep1"));
    v1::IdentifyLeadRequest r;
    r.set_lead_id(id);
    r.set_company("武汉实时数据有限公司");
    r.mutable_contact()->set_name("黄磊");
    r.set_source(v1::LEAD_SOURCE_REFERRAL);
    v1::LeadCommandReply reply;
    EXPECT_TRUE(leads_->IdentifyLead(&ctx, r, &reply).ok());
    return reply.position();
  }

  std::unique_ptr<SseClient> Events(const std::string& query, const std::string& member,
                                    httplib::Headers extra = {}) {
    extra.emplace("Authorization", Bearer(member));
    return std::make_unique<SseClient>(port_, "/api/v1/events" + query, extra);
  }

  int Status(const std::string& path, const std::string& member) {
    httplib::Client http("127.0.0.1", port_);
    httplib::Result result = http.Get(path, {{"Authorization", Bearer(member)}});
    return result ? result->status : 0;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  int port_ = 0;
};

TEST_F(DashboardEventsE2eTest, AWriteArrivesWithinASecond) {
  Start({});
  // As a browser asks: httplib would gzip, and so hold back, a text body
  // other than exactly text/event-stream.
  std::unique_ptr<SseClient> live =
      Events("?from_now=true&checkpoint_seconds=1", "mgr", {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_TRUE(live->WaitFor("event: caught_up", absl::Seconds(10))) << live->text();
  EXPECT_EQ(live->status(), 200);
  const absl::Time written = absl::Now();
  // The reply names the command's last event: the new company's
  // AccountOpened, after the LeadIdentified and the hand-off.
  const uint64_t position = Identify("wh-1");
  ASSERT_TRUE(live->WaitFor("\"streamId\":\"lead-wh-1\"", absl::Seconds(2))) << live->text();
  const absl::Duration latency = absl::Now() - written;
  EXPECT_LT(latency, absl::Seconds(1));
  EXPECT_THAT(live->text(), HasSubstr(absl::StrCat("id: ", position - 2, "\nevent: event\ndata: {")));
  EXPECT_THAT(live->text(), HasSubstr("武汉实时数据有限公司"));

  // Filters are Subscribe's: only DealWon events, so the next lead is not sent.
  std::unique_ptr<SseClient> won = Events("?from_position=1&event_types=DealWon&checkpoint_seconds=1", "mgr");
  ASSERT_TRUE(won->WaitFor("event: caught_up", absl::Seconds(10)));
  Identify("wh-2");
  ASSERT_TRUE(live->WaitFor("lead-wh-2", absl::Seconds(2)));
  ASSERT_TRUE(won->WaitFor("event: checkpoint", absl::Seconds(5)));
  EXPECT_THAT(won->text(), ::testing::Not(HasSubstr("lead-wh-2")));
}

TEST_F(DashboardEventsE2eTest, TheReadRulesAndTokensAreSubscribes) {
  Start({});
  Identify("wh-1");
  // The whole log is the audit trail: not for a rep. Refusals are plain
  // JSON errors, not streams.
  std::unique_ptr<SseClient> rep = Events("?from_position=1", "rep1");
  ASSERT_TRUE(rep->WaitEnded(absl::Seconds(10)));
  EXPECT_EQ(rep->status(), 403);
  EXPECT_THAT(rep->text(), HasSubstr("\"reason\":\"ROLE_REQUIRED\""));
  // The rep's own lead's stream is theirs to read.
  std::unique_ptr<SseClient> own = Events("?stream_id=lead-wh-1&checkpoint_seconds=1", "rep1");
  ASSERT_TRUE(own->WaitFor("event: caught_up", absl::Seconds(10))) << own->text();
  EXPECT_THAT(own->text(), HasSubstr("\"streamId\":\"lead-wh-1\""));
  auto bad = std::make_unique<SseClient>(port_, "/api/v1/events", httplib::Headers{{"Authorization", "Bearer nope-0123456789abcdef"}});
  ASSERT_TRUE(bad->WaitEnded(absl::Seconds(10)));
  EXPECT_EQ(bad->status(), 401);
  EXPECT_THAT(bad->text(), HasSubstr("TOKEN_UNKNOWN"));
  std::unique_ptr<SseClient> field = Events("?from_position=x", "mgr");
  ASSERT_TRUE(field->WaitEnded(absl::Seconds(10)));
  EXPECT_EQ(field->status(), 400);
}

TEST_F(DashboardEventsE2eTest, StreamsAreBoundedAndAClosedOneFreesItsThread) {
  Start({"--http-max-event-streams=2", "--http-threads=1"});
  std::unique_ptr<SseClient> first = Events("?from_now=true&checkpoint_seconds=1", "mgr");
  std::unique_ptr<SseClient> second = Events("?from_now=true&checkpoint_seconds=1", "mgr");
  ASSERT_TRUE(first->WaitFor("caught_up", absl::Seconds(10)));
  ASSERT_TRUE(second->WaitFor("caught_up", absl::Seconds(10)));
  // A third is refused, and the JSON API still has its thread.
  std::unique_ptr<SseClient> third = Events("?from_now=true&checkpoint_seconds=1", "mgr");
  ASSERT_TRUE(third->WaitEnded(absl::Seconds(10)));
  EXPECT_EQ(third->status(), 429);
  EXPECT_THAT(third->text(), HasSubstr("--http-max-event-streams"));
  EXPECT_EQ(Status("/api/v1/Team/ListMembers", "mgr"), 200);
  // The first client goes away: its stream ends at its next checkpoint
  // (a second), and a new one is taken.
  first->Close();
  ASSERT_TRUE(first->WaitEnded(absl::Seconds(5)));
  std::unique_ptr<SseClient> again;
  for (absl::Time deadline = absl::Now() + absl::Seconds(5); absl::Now() < deadline;) {
    again = Events("?from_now=true&checkpoint_seconds=1", "mgr");
    if (again->WaitFor("caught_up", absl::Seconds(2))) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_THAT(again->text(), HasSubstr("caught_up"));
}

TEST_F(DashboardEventsE2eTest, LastEventIdResumesAndADrainEndsTheStreams) {
  Start({});
  const uint64_t first = Identify("wh-1");
  const uint64_t second = Identify("wh-2");
  std::unique_ptr<SseClient> resumed = Events("", "mgr", {{"Last-Event-ID", absl::StrCat(first)}});
  ASSERT_TRUE(resumed->WaitFor("event: caught_up", absl::Seconds(10))) << resumed->text();
  EXPECT_THAT(resumed->text(), ::testing::Not(HasSubstr(absl::StrCat("id: ", first, "\n"))));
  EXPECT_THAT(resumed->text(), HasSubstr(absl::StrCat("id: ", second, "\nevent: event")));
  // SIGTERM: the stream ends with an error event (UNAVAILABLE) and the
  // server exits cleanly, not held by the open connection.
  const absl::Time stop = absl::Now();
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_LT(absl::Now() - stop, absl::Seconds(12));
  ASSERT_TRUE(resumed->WaitEnded(absl::Seconds(5)));
  EXPECT_THAT(resumed->text(), HasSubstr("event: error\ndata: {\"code\":14"));
}

}  // namespace
}  // namespace salesops
