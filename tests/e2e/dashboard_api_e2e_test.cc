// The dashboard's HTTP listener end to end: the real salesopsd with
// --http-listen on loopback, called with cpp-httplib's client. The JSON API
// answers the same numbers as gRPC for the same as_of_position, with the
// same access rules; errors carry the google.rpc.Status; every response has
// the security headers; the files are the ones compiled in.
#include <cstdio>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "server/domain/proto_time.h"
#include "tests/common/test_certs.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::NumberAfter;
using ::salesops::testing::TempDir;
using ::salesops::testing::TokenOf;
using ::testing::HasSubstr;

std::string Bearer(const std::string& member) {
  return absl::StrCat("Bearer ", member == "root" ? std::string(kRootToken) : TokenOf(member));
}

// The google.rpc.Status of an error body, and its ErrorInfo reason.
google::rpc::Status StatusOf(const std::string& body) {
  google::rpc::Status status;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &status).ok()) << body;
  return status;
}
std::string ReasonOf(const google::rpc::Status& status) {
  for (const google::protobuf::Any& detail : status.details()) {
    google::rpc::ErrorInfo info;
    if (detail.UnpackTo(&info)) return info.reason();
  }
  return "";
}

class DashboardApiE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::vector<std::string>{"--http-listen=127.0.0.1:0", "--request-log-per-second=1000"});
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_TRUE(server_->WaitForLog("dashboard port ", absl::Seconds(10)));
    http_port_ = NumberAfter(server_->Log(), "dashboard port ");
    ASSERT_GT(http_port_, 0);
    EXPECT_THAT(server_->Log(), HasSubstr("dashboard on http://127.0.0.1:0/"));
    leads_ = v1::Leads::NewStub(server_->Channel());
    views_ = v1::Views::NewStub(server_->Channel());
    auto team = v1::Team::NewStub(server_->Channel());
    for (const auto& [id, role] : std::vector<std::pair<std::string, v1::Role>>{
             {"rep1", v1::ROLE_SALES_REP}, {"rep2", v1::ROLE_SALES_REP}, {"mgr", v1::ROLE_SALES_MANAGER}}) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", Bearer("root"));
      v1::AddMemberRequest add;
      add.set_member_id(id);
      add.set_display_name(absl::StrCat("销售", id));
      add.add_roles(role);
      v1::TeamCommandReply reply;
      ASSERT_TRUE(team->AddMember(&ctx, add, &reply).ok()) << id;
    }
  }

  uint64_t Identify(const std::string& member, const std::string& id, int64_t value) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", Bearer(member));
    v1::IdentifyLeadRequest r;
    r.set_lead_id(id);
    r.set_company("深圳前海看板科技有限公司");
    r.mutable_contact()->set_name("陈静");
    r.set_source(v1::LEAD_SOURCE_REFERRAL);
    r.mutable_estimated_value()->set_amount_minor(value);
    r.mutable_estimated_value()->set_currency("CNY");
    v1::LeadCommandReply reply;
    const grpc::Status s = leads_->IdentifyLead(&ctx, r, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return reply.position();
  }

  httplib::Result Get(const std::string& path, const std::string& authorization = "") {
    httplib::Client http("127.0.0.1", http_port_);
    httplib::Headers headers;
    if (!authorization.empty()) headers.emplace("Authorization", authorization);
    return http.Get(path, headers);
  }

  // GET `path` as `member`, the body parsed into `reply`; the HTTP status.
  int GetJson(const std::string& path, const std::string& member, google::protobuf::Message* reply) {
    httplib::Result result = Get(path, Bearer(member));
    EXPECT_TRUE(result) << path;
    if (!result) return 0;
    if (result->status == 200) {
      EXPECT_EQ(result->get_header_value("Content-Type"), "application/json; charset=utf-8");
      const auto parsed = google::protobuf::util::JsonStringToMessage(result->body, reply);
      EXPECT_TRUE(parsed.ok()) << parsed << "\n" << result->body;
    }
    return result->status;
  }

  template <typename Call, typename Request, typename Reply>
  void GrpcCall(const std::string& member, Call call, const Request& request, Reply* reply) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", Bearer(member));
    const grpc::Status s = (views_.get()->*call)(&ctx, request, reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  std::unique_ptr<v1::Views::Stub> views_;
  int http_port_ = 0;
};

TEST_F(DashboardApiE2eTest, TheSameNumbersAsGrpcForTheSameAsOfPosition) {
  const uint64_t first = Identify("rep1", "sz-1", 120'000'00);
  Identify("rep2", "sz-2", 80'000'00);
  const uint64_t last = Identify("rep1", "sz-3", 45'500'00);
  for (const uint64_t position : {first, last}) {
    SCOPED_TRACE(absl::StrCat("as of position ", position));
    v1::GetPipelineRequest request;
    request.mutable_view()->set_as_of_position(position);
    v1::Pipeline by_grpc, by_http;
    GrpcCall("mgr", &v1::Views::Stub::GetPipeline, request, &by_grpc);
    // Proto names and JSON names both work.
    ASSERT_EQ(GetJson(absl::StrCat("/api/v1/Views/GetPipeline?view.as_of_position=", position), "mgr", &by_http), 200);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(by_grpc, by_http))
        << by_grpc.DebugString() << "\n---\n" << by_http.DebugString();
    EXPECT_EQ(by_http.view().position(), position);
    EXPECT_TRUE(by_http.view().as_of());

    v1::GetWorkloadRequest workload_request;
    workload_request.mutable_view()->set_as_of_position(position);
    v1::Workload workload_grpc, workload_http;
    GrpcCall("rep1", &v1::Views::Stub::GetWorkload, workload_request, &workload_grpc);
    ASSERT_EQ(GetJson(absl::StrCat("/api/v1/Views/GetWorkload?view.asOfPosition=", position), "rep1", &workload_http),
              200);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(workload_grpc, workload_http));
  }
  v1::Pipeline at_last;
  ASSERT_EQ(GetJson(absl::StrCat("/api/v1/Views/GetPipeline?view.as_of_position=", last), "mgr", &at_last), 200);
  ASSERT_EQ(at_last.stages(0).stage(), v1::STAGE_IDENTIFIED);
  EXPECT_EQ(at_last.stages(0).open_leads(), 3u);
  EXPECT_EQ(at_last.stages(0).values(0).total().amount_minor(), 245'500'00);

  // min_position: the call waits for the views (here: already there).
  v1::Pipeline live;
  ASSERT_EQ(GetJson(absl::StrCat("/api/v1/Views/GetPipeline?view.min_position=", last), "mgr", &live), 200);
  EXPECT_GE(live.view().position(), last);
  EXPECT_FALSE(live.view().as_of());

  // Other read RPCs: a lead, the team.
  v1::Lead lead;
  ASSERT_EQ(GetJson("/api/v1/Leads/GetLead?lead_id=sz-1", "rep1", &lead), 200);
  EXPECT_EQ(lead.company(), "深圳前海看板科技有限公司");
  v1::ListMembersResponse members;
  ASSERT_EQ(GetJson("/api/v1/Team/ListMembers?role=ROLE_SALES_REP", "rep2", &members), 200);
  ASSERT_EQ(members.members_size(), 2);
  EXPECT_EQ(members.members(0).display_name(), "销售rep1");
}

TEST_F(DashboardApiE2eTest, ErrorsAreGoogleRpcStatusWithTheirHttpStatus) {
  Identify("rep1", "sz-1", 100);
  // Bad parameters: every one named, 400.
  httplib::Result bad = Get("/api/v1/Views/GetPipeline?view.as_of_position=x&colour=red", Bearer("mgr"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  google::rpc::Status status = StatusOf(bad->body);
  EXPECT_EQ(status.code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "FIELD_INVALID");
  EXPECT_THAT(bad->body, HasSubstr(R"("@type":"type.googleapis.com/google.rpc.BadRequest")"));
  EXPECT_THAT(bad->body, HasSubstr(R"("field":"view.as_of_position")"));
  EXPECT_THAT(bad->body, HasSubstr(R"("field":"colour")"));

  // The server's own validation, unchanged: an as_of beyond the head.
  httplib::Result ahead = Get("/api/v1/Views/GetPipeline?view.as_of_position=999999", Bearer("mgr"));
  ASSERT_TRUE(ahead);
  EXPECT_EQ(ahead->status, 400);
  EXPECT_THAT(StatusOf(ahead->body).message(), HasSubstr("view.as_of_position"));

  // No token, a bad token: 401 with a clear body.
  for (const std::string& authorization : {std::string(), std::string("Bearer not-a-token-0123456789")}) {
    httplib::Result refused = Get("/api/v1/Views/GetPipeline", authorization);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401);
    EXPECT_THAT(refused->get_header_value("WWW-Authenticate"), HasSubstr("Bearer"));
    status = StatusOf(refused->body);
    EXPECT_EQ(status.code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(ReasonOf(status), authorization.empty() ? "TOKEN_MISSING" : "TOKEN_UNKNOWN");
    EXPECT_FALSE(status.message().empty());
  }
  // The refusal log names the HTTP client, not the in-process channel.
  EXPECT_TRUE(server_->WaitForLog("refused salesops.v1.Views/GetPipeline: UNAUTHENTICATED, member unknown, peer http:127.0.0.1:",
                                  absl::Seconds(5)))
      << server_->Log();

  // Not found: a lead, and a method the API does not serve (writes included).
  httplib::Result missing = Get("/api/v1/Leads/GetLead?lead_id=nope", Bearer("mgr"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ReasonOf(StatusOf(missing->body)), "NOT_FOUND");
  httplib::Result write = Get("/api/v1/Leads/IdentifyLead?lead_id=x", Bearer("mgr"));
  ASSERT_TRUE(write);
  EXPECT_EQ(write->status, 404);
  EXPECT_THAT(StatusOf(write->body).message(), HasSubstr("no JSON API method 'Leads/IdentifyLead'"));
  httplib::Client http("127.0.0.1", http_port_);
  httplib::Result post = http.Post("/api/v1/Views/GetPipeline", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST_F(DashboardApiE2eTest, ARepCannotReadAnotherRepsReview) {
  Identify("rep1", "sz-1", 100);
  // The period: a day either side of now.
  const auto rfc3339 = [](absl::Time t) { return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone()); };
  const std::string period = absl::StrCat("&from=", rfc3339(absl::Now() - absl::Hours(24)),
                                          "&to=", rfc3339(absl::Now() + absl::Hours(24)));
  v1::PerformanceReview own;
  ASSERT_EQ(GetJson("/api/v1/Views/GetPerformanceReview?member_id=rep1" + period, "rep1", &own), 200);
  EXPECT_EQ(own.member_id(), "rep1");
  httplib::Result other = Get("/api/v1/Views/GetPerformanceReview?member_id=rep2" + period, Bearer("rep1"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  const google::rpc::Status status = StatusOf(other->body);
  EXPECT_EQ(status.code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(status), "ROLE_REQUIRED");
  EXPECT_THAT(status.message(), HasSubstr("SALES_MANAGER or ADMIN"));
  // A manager may.
  v1::PerformanceReview theirs;
  EXPECT_EQ(GetJson("/api/v1/Views/GetPerformanceReview?member_id=rep2" + period, "mgr", &theirs), 200);
  // And the audit trail is for its roles only, as over gRPC.
  httplib::Result log = Get("/api/v1/Audit/ReadLog?from_position=1", Bearer("rep1"));
  ASSERT_TRUE(log);
  EXPECT_EQ(log->status, 403);
}

TEST_F(DashboardApiE2eTest, SecurityHeadersAndTheCompiledInFiles) {
  for (const std::string path : {"/", "/pipeline", "/app.js", "/style.css", "/chart.min.js",
                                 "/api/v1/Views/GetPipeline", "/no-such-file"}) {
    SCOPED_TRACE(path);
    httplib::Result result = Get(path);
    ASSERT_TRUE(result);
    const std::string csp = result->get_header_value("Content-Security-Policy");
    EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
    EXPECT_THAT(csp, HasSubstr("script-src 'self';"));
    EXPECT_THAT(csp, ::testing::Not(HasSubstr("unsafe-inline")));
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
    EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(result->get_header_value("X-Frame-Options"), "DENY");
    EXPECT_EQ(result->get_header_value("Referrer-Policy"), "no-referrer");
    EXPECT_FALSE(result->has_header("Set-Cookie"));
    EXPECT_FALSE(result->has_header("Access-Control-Allow-Origin"));
    EXPECT_FALSE(result->has_header("Strict-Transport-Security"));  // plaintext loopback
  }
  httplib::Result index = Get("/pipeline?view.as_of_position=3");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Content-Type"), "text/html; charset=utf-8");
  // No inline script: every <script> names its file.
  const std::regex script("<script([^>]*)>");
  for (std::sregex_iterator it(index->body.begin(), index->body.end(), script), end; it != end; ++it) {
    EXPECT_THAT((*it)[1].str(), HasSubstr("src=\"/")) << (*it)[0].str();
  }
  EXPECT_FALSE(std::regex_search(index->body, std::regex(R"(\son[a-z]+\s*=)")));  // no onclick= and the like
  // Chart.js is Debian's, byte for byte.
  httplib::Result chart = Get("/chart.min.js");
  ASSERT_TRUE(chart);
  std::stringstream debian;
  debian << std::ifstream("/usr/share/javascript/chart.js/chart.min.js").rdbuf();
  EXPECT_EQ(chart->body, debian.str());
  EXPECT_EQ(chart->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  // Revalidation.
  const std::string etag = chart->get_header_value("ETag");
  httplib::Client http("127.0.0.1", http_port_);
  httplib::Result again = http.Get("/chart.min.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
}

TEST(DashboardListenTest, PlaintextBeyondLoopbackIsRefusedUnlessAllowed) {
  TempDir dir;
  ServerProcess refused(dir.path(), {"--http-listen=0.0.0.0:0"});
  std::string error;
  EXPECT_FALSE(refused.Start(&error));
  EXPECT_THAT(error, HasSubstr("--http-listen=0.0.0.0:0 is not a loopback address"));

  TempDir allowed_dir;
  ServerProcess allowed(allowed_dir.path(), {"--http-listen=0.0.0.0:0", "--allow-insecure"});
  ASSERT_TRUE(allowed.Start(&error)) << error;
  EXPECT_TRUE(allowed.WaitForLog("dashboard over PLAINTEXT HTTP on 0.0.0.0:0", absl::Seconds(10)));
  EXPECT_EQ(allowed.Stop(), 0);
}

TEST(DashboardTlsTest, HttpsWithTheServersCertificate) {
  TempDir dir;
  testing::TestCa ca("salesops dashboard test CA");
  const testing::CertifiedKey key = ca.IssueServer();
  testing::WriteTextFile(dir.path() + "/server.pem", key.cert_pem);
  testing::WriteTextFile(dir.path() + "/server.key", key.key_pem);
  testing::WriteTextFile(dir.path() + "/ca.pem", ca.cert_pem());
  ServerProcess server(dir.path(), {"--http-listen=127.0.0.1:0", "--tls-cert=" + dir.path() + "/server.pem",
                                    "--tls-key=" + dir.path() + "/server.key"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  ASSERT_TRUE(server.WaitForLog("dashboard port ", absl::Seconds(10)));
  EXPECT_THAT(server.Log(), HasSubstr("dashboard on https://"));
  const int port = NumberAfter(server.Log(), "dashboard port ");
  httplib::SSLClient https("127.0.0.1", port);
  https.set_ca_cert_path((dir.path() + "/ca.pem").c_str());
  https.enable_server_certificate_verification(true);
  httplib::Result members = https.Get("/api/v1/Team/ListMembers", {{"Authorization", Bearer("root")}});
  ASSERT_TRUE(members) << httplib::to_string(members.error());
  EXPECT_EQ(members->status, 200);
  EXPECT_THAT(members->body, HasSubstr(R"("memberId":"root")"));
  EXPECT_THAT(members->get_header_value("Strict-Transport-Security"), HasSubstr("max-age="));
  // Plaintext to the HTTPS port gets nothing.
  httplib::Client plain("127.0.0.1", port);
  httplib::Result cleartext = plain.Get("/");
  EXPECT_TRUE(!cleartext || cleartext->status != 200);
  EXPECT_EQ(server.Stop(), 0);
}

// Replacing the certificate files rotates the dashboard's certificate with
// gRPC's, without a restart (docs/DASHBOARD.md, "Transport"): a browser that
// trusts only the new CA connects once the server has re-read the files, and
// one that trusts only the old CA no longer does.
TEST(DashboardTlsTest, ReplacedCertificateFilesAreServedWithoutARestart) {
  TempDir dir;
  testing::TestCa old_ca("salesops dashboard old CA");
  testing::TestCa new_ca("salesops dashboard new CA");
  const testing::CertifiedKey first = old_ca.IssueServer();
  testing::WriteTextFile(dir.path() + "/server.pem", first.cert_pem);
  testing::WriteTextFile(dir.path() + "/server.key", first.key_pem);
  testing::WriteTextFile(dir.path() + "/old-ca.pem", old_ca.cert_pem());
  testing::WriteTextFile(dir.path() + "/new-ca.pem", new_ca.cert_pem());
  ServerProcess server(dir.path(), {"--http-listen=127.0.0.1:0", "--tls-cert=" + dir.path() + "/server.pem",
                                    "--tls-key=" + dir.path() + "/server.key", "--tls-refresh-interval=1s"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  ASSERT_TRUE(server.WaitForLog("dashboard port ", absl::Seconds(10)));
  const int port = NumberAfter(server.Log(), "dashboard port ");
  // A new connection that trusts only `ca` lists the members, or fails.
  auto members_with = [&](const std::string& ca) {
    httplib::SSLClient https("127.0.0.1", port);
    https.set_ca_cert_path((dir.path() + "/" + ca).c_str());
    https.enable_server_certificate_verification(true);
    https.set_keep_alive(false);
    httplib::Result r = https.Get("/api/v1/Team/ListMembers", {{"Authorization", Bearer("root")}});
    return r && r->status == 200;
  };
  ASSERT_TRUE(members_with("old-ca.pem"));
  ASSERT_FALSE(members_with("new-ca.pem"));

  // Written under other names, then renamed over the old ones, so that no
  // re-read finds a certificate without its key.
  const testing::CertifiedKey next = new_ca.IssueServer();
  testing::WriteTextFile(dir.path() + "/server.key.new", next.key_pem);
  testing::WriteTextFile(dir.path() + "/server.pem.new", next.cert_pem);
  ASSERT_EQ(std::rename((dir.path() + "/server.key.new").c_str(), (dir.path() + "/server.key").c_str()), 0);
  ASSERT_EQ(std::rename((dir.path() + "/server.pem.new").c_str(), (dir.path() + "/server.pem").c_str()), 0);
  // The files are re-read at the first handshake after each refresh
  // interval: poll with new connections until the new CA is accepted.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  bool rotated = false;
  while (!(rotated = members_with("new-ca.pem")) && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
  EXPECT_TRUE(rotated) << "the dashboard still serves the old certificate after 20 s";
  EXPECT_FALSE(members_with("old-ca.pem"));
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace salesops
