// The metrics endpoint and the request log end to end: the real salesopsd
// with --metrics-listen, scraped over HTTP, checked by promtool, and read
// back through a real Prometheus (Debian's `prometheus`) on loopback.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/bench/server_process.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.grpc.pb.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/run_program.h"
#include "tests/e2e/server_process.h"

namespace salesops {
namespace {

using ::salesops::testing::kRootToken;
using ::salesops::testing::ServerProcess;
using ::salesops::testing::NumberAfter;
using ::salesops::testing::TempDir;
using ::testing::HasSubstr;

// A loopback port nobody listens on now (for Prometheus, which cannot
// report a port it picked itself).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t size = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

class MetricsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        dir_.path(), std::vector<std::string>{"--metrics-listen=127.0.0.1:0", "--request-log-per-second=1000"});
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_TRUE(server_->WaitForLog("bound port ", absl::Seconds(10)));
    metrics_port_ = NumberAfter(server_->Log(), "bound port ");
    ASSERT_GT(metrics_port_, 0);
    leads_ = v1::Leads::NewStub(server_->Channel());
  }

  grpc::Status Identify(const std::string& id, const std::string& token) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    v1::IdentifyLeadRequest r;
    r.set_lead_id(id);
    r.set_company("成都指标科技有限公司");
    r.mutable_contact()->set_name("周敏");
    r.set_source(v1::LEAD_SOURCE_REFERRAL);
    r.mutable_options()->set_request_id("req-" + id);
    v1::LeadCommandReply reply;
    const grpc::Status s = leads_->IdentifyLead(&ctx, r, &reply);
    last_position_ = reply.position();
    return s;
  }

  std::string Get(const std::string& path, int* status = nullptr) {
    httplib::Client http("127.0.0.1", metrics_port_);
    httplib::Result result = http.Get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return "";
    if (status != nullptr) *status = result->status;
    return result->body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  int metrics_port_ = 0;
  uint64_t last_position_ = 0;
};

TEST_F(MetricsE2eTest, MetricsCountCallsAndPassPromtool) {
  // root holds ADMIN only: IdentifyLead is PERMISSION_DENIED; an unknown
  // token is UNAUTHENTICATED.
  EXPECT_EQ(Identify("m-1", kRootToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Identify("m-2", "no-such-token-0123456789").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  int status = 0;
  const std::string text = Get("/metrics", &status);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(text, HasSubstr("salesops_rpc_requests_total{method=\"salesops.v1.Leads/IdentifyLead\","
                              "code=\"PERMISSION_DENIED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("salesops_rpc_requests_total{method=\"salesops.v1.Leads/IdentifyLead\","
                              "code=\"UNAUTHENTICATED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("salesops_rpc_duration_seconds_count{method=\"salesops.v1.Leads/IdentifyLead\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("salesops_log_head_position 1\n"));  // the bootstrap
  EXPECT_THAT(text, HasSubstr("salesops_commit_commands_count 1\n"));
  EXPECT_THAT(text, HasSubstr("salesops_writes_accepted 1\n"));
  EXPECT_THAT(text, HasSubstr("salesops_reads_serving 1\n"));
  EXPECT_EQ(text.find("salesops_cluster_leading"), std::string::npos);  // an embedded server
  EXPECT_THAT(text, HasSubstr("salesops_build_info{version=\""));
  // The format as Prometheus' own checker reads it.
  const std::string file = dir_.path() + "/metrics.txt";
  std::ofstream(file) << text;
  const testing::CliRun check = testing::RunProgram({"/bin/sh", "-c", "promtool check metrics < " + file}, dir_.path());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(Get("/healthz", &status), "ok\n");
  EXPECT_EQ(status, 200);

  // The Grafana dashboard in deploy/ is JSON, and every series it queries
  // is one salesopsd exports.
  std::stringstream dashboard;
  dashboard << std::ifstream(GRAFANA_DASHBOARD).rdbuf();
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(dashboard.str(), &parsed).ok());
  const std::regex metric("(salesops|process)_[a-z_]+");
  int checked = 0;
  const std::string json = dashboard.str();
  for (auto it = std::sregex_iterator(json.begin(), json.end(), metric); it != std::sregex_iterator(); ++it) {
    std::string name = it->str();
    EXPECT_THAT(text, HasSubstr("\n" + name)) << name << " is in the dashboard but not in /metrics";
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

TEST_F(MetricsE2eTest, TheRequestLogHasOneLinePerCallWithWhatItWrote) {
  // rep1 (not in the team) is refused: the line names it and the code.
  ASSERT_EQ(Identify("m-3", testing::TokenOf("rep1")).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(server_->WaitForLog("rpc method=salesops.v1.Leads/IdentifyLead member=rep1", absl::Seconds(10)));
  EXPECT_THAT(server_->Log(), HasSubstr("code=PERMISSION_DENIED"));
  EXPECT_THAT(server_->Log(), HasSubstr("reason=MEMBER_NOT_IN_TEAM"));
  const std::vector<std::string> flags = {"--metrics-listen=127.0.0.1:0", "--request-log-per-second=1000",
                                          "--log-format=json"};
  ASSERT_EQ(server_->Stop(), 0);
  server_ = std::make_unique<ServerProcess>(dir_.path(), flags);
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  leads_ = v1::Leads::NewStub(server_->Channel());
  // root bootstrapped; make it a SALES_REP too so the write succeeds.
  ASSERT_EQ(testing::RunProgram({SALESCTL_PATH, "--server=" + server_->address(), std::string("--token=") + kRootToken,
                                 "set-member-roles", "--member_id=root", "--roles=admin", "--roles=sales_rep"},
                                dir_.path())
                .exit_code,
            0);
  ASSERT_TRUE(Identify("m-4", kRootToken).ok());
  const std::string line = absl::StrCat("\"msg\":\"rpc\",\"method\":\"salesops.v1.Leads/IdentifyLead\",\"member\":\"root\"");
  ASSERT_TRUE(server_->WaitForLog(line, absl::Seconds(10))) << server_->Log();
  EXPECT_THAT(server_->Log(), HasSubstr(absl::StrCat("\"request_id\":\"req-m-4\",\"position\":\"", last_position_, "\"")));
}

// A real Prometheus scrapes salesopsd every second; the rate of calls it
// computes comes back through its HTTP query API.
// The value of an unlabelled sample `name` in a scrape (-1 when absent).
double Sample(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  const size_t begin = at + name.size() + 2;
  double value = -1;
  return absl::SimpleAtod(text.substr(begin, text.find('\n', begin) - begin), &value) ? value : -1;
}

TEST_F(MetricsE2eTest, SubscriptionBacklogFollowsASlowSubscriber) {
  // root takes SALES_REP too, and writes 400 leads (800 events with their
  // hand-offs).
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
    v1::SetMemberRolesRequest roles;
    roles.set_member_id("root");
    roles.add_roles(v1::ROLE_ADMIN);
    roles.add_roles(v1::ROLE_SALES_REP);
    v1::TeamCommandReply reply;
    ASSERT_TRUE(v1::Team::NewStub(server_->Channel())->SetMemberRoles(&ctx, roles, &reply).ok());
  }
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(Identify(absl::StrCat("b-", i), kRootToken).ok());
  const uint64_t head = last_position_;
  EXPECT_EQ(Sample(Get("/metrics"), "salesops_subscription_backlog_max_events"), 0);

  // A subscriber from the start that reads nothing yet: once the stream's
  // flow-control window (kept small here) is full, it holds one page (256
  // events) and examines no further.
  grpc::ChannelArguments args;
  args.SetInt("grpc.http2.bdp_probe", 0);
  args.SetInt("grpc.http2.lookahead_bytes", 8192);
  auto audit = v1::Audit::NewStub(
      grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kRootToken));
  v1::SubscribeRequest request;
  request.set_from_position(1);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader = audit->Subscribe(&ctx, request);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  double behind = -1;
  while (absl::Now() < deadline) {
    const std::string text = Get("/metrics");
    behind = Sample(text, "salesops_subscription_backlog_max_events");
    if (Sample(text, "salesops_subscriptions_live") == 1 && behind > 0 && behind < static_cast<double>(head)) break;
  }
  EXPECT_GT(behind, static_cast<double>(head) - 300) << "head " << head;
  EXPECT_LT(behind, static_cast<double>(head));
  EXPECT_EQ(Sample(Get("/metrics"), "salesops_subscription_backlog_events"), behind);  // the only one

  // Once it has read to the head, nothing is behind.
  v1::SubscribeResponse message;
  while (reader->Read(&message) && !message.has_caught_up()) {
  }
  ASSERT_TRUE(message.has_caught_up());
  EXPECT_EQ(message.caught_up().position(), head);
  EXPECT_EQ(Sample(Get("/metrics"), "salesops_subscription_backlog_max_events"), 0);
  ctx.TryCancel();
  reader->Finish();
}

TEST_F(MetricsE2eTest, PrometheusScrapesAndReadsARateBack) {
  const int port = FreePort();
  const std::string config = dir_.path() + "/prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        << "scrape_configs:\n  - job_name: salesopsd\n    static_configs:\n"
                        << "      - targets: ['127.0.0.1:" << metrics_port_ << "']\n";
  bench::ServerProcess prometheus("/usr/bin/prometheus", {});
  // Spawned like salesopsd, its log collected; ready when it says so.
  ASSERT_TRUE(prometheus
                  .Spawn({"--config.file=" + config, "--storage.tsdb.path=" + dir_.path() + "/tsdb",
                          absl::StrCat("--web.listen-address=127.0.0.1:", port)})
                  .ok());
  ASSERT_TRUE(prometheus.WaitForLog("Server is ready to receive web requests.", absl::Seconds(60)))
      << prometheus.Log();
  httplib::Client api("127.0.0.1", port);
  const std::string query = "/api/v1/query?query=sum(rate(salesops_rpc_requests_total[5s]))";
  // Prometheus offers no notification of a scrape: calls go on and the
  // query is asked again until the rate it computes is above zero.
  std::string answer;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  bool positive = false;
  while (!positive && absl::Now() < deadline) {
    Identify(absl::StrCat("p-", absl::ToUnixMicros(absl::Now())), "no-such-token-0123456789");
    httplib::Result result = api.Get(query);
    if (!result || result->status != 200) continue;
    answer = result->body;
    // {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[T,"R"]}]}}
    const size_t value = answer.rfind(",\"");
    double rate = 0;
    positive = value != std::string::npos &&
               absl::SimpleAtod(answer.substr(value + 2, answer.find('"', value + 2) - value - 2), &rate) && rate > 0;
    if (!positive) absl::SleepFor(absl::Milliseconds(200));  // the next scrape is up to a second away
  }
  EXPECT_TRUE(positive) << answer << "\n" << prometheus.Log();
}

}  // namespace
}  // namespace salesops
