#include "bench_options.h"
#include "postgres_ceiling.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::bench {
namespace {

using ::salesops::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(BenchOptionsTest, DefaultsRunEveryScenarioAtFourLevels) {
  absl::StatusOr<BenchOptions> o = ParseBenchArgs({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->concurrency, ElementsAre(1, 16, 64, 256));
  EXPECT_EQ(o->duration, absl::Seconds(10));
  EXPECT_TRUE(o->Wants("append"));
  EXPECT_TRUE(o->Wants("subscribe"));
  EXPECT_FALSE(o->Wants("restart"));  // minutes at 10 M events: only when named
  EXPECT_EQ(o->restart_log_events, 10'000'000u);
  EXPECT_TRUE(o->own_server());
  EXPECT_FALSE(o->json);
}

TEST(BenchOptionsTest, RestartRunsWhenNamedOrQuick) {
  absl::StatusOr<BenchOptions> named = ParseBenchArgs({"--scenarios=restart", "--restart-log-events=50000"});
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_TRUE(named->Wants("restart"));
  EXPECT_FALSE(named->Wants("append"));
  EXPECT_EQ(named->restart_log_events, 50'000u);
  absl::StatusOr<BenchOptions> quick = ParseBenchArgs({"--quick"});
  ASSERT_TRUE(quick.ok()) << quick.status();
  EXPECT_TRUE(quick->Wants("restart"));
  EXPECT_TRUE(quick->Wants("append"));
  EXPECT_EQ(quick->restart_log_events, 30'000u);
  EXPECT_THAT(ParseBenchArgs({"--restart-log-events=999"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--restart-log-events: must be a whole number of at least 1000")));
}

TEST(BenchOptionsTest, QuickSetsSmallSizesThatLaterFlagsOverrideInAnyOrder) {
  absl::StatusOr<BenchOptions> o = ParseBenchArgs({"--duration=3", "--quick", "--json"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->quick);
  EXPECT_TRUE(o->json);
  EXPECT_EQ(o->duration, absl::Seconds(3));  // given explicitly, before --quick
  EXPECT_EQ(o->warmup, absl::Milliseconds(200));
  EXPECT_THAT(o->query_log_events, ElementsAre(3000, 6000));
  EXPECT_EQ(o->subscribe_log_events, 6000u);
  EXPECT_EQ(o->subscribers, 50);
}

TEST(BenchOptionsTest, SubscribeSizes) {
  absl::StatusOr<BenchOptions> o =
      ParseBenchArgs({"--subscribe-log-events=20000", "--quick", "--subscribers=8"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->subscribe_log_events, 20'000u);
  EXPECT_EQ(o->subscribers, 8);
  EXPECT_EQ(ParseBenchArgs({}).value().subscribe_log_events, 1'000'000u);
  EXPECT_FALSE(ParseBenchArgs({"--subscribers=0"}).ok());
  EXPECT_FALSE(ParseBenchArgs({"--subscribe-log-events=0"}).ok());
}

TEST(BenchOptionsTest, ParsesListsDurationsAndHyphenOrUnderscoreNames) {
  absl::StatusOr<BenchOptions> o = ParseBenchArgs(
      {"--concurrency=1, 8,32", "--warmup=500ms", "--query_log_events=1000,5000", "--scenarios=append,query",
       "--hot-leads=3", "--repeat=3", "--channels=2", "--work-dir=/var/tmp", "--keep-data", "--query-concurrency=4"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->concurrency, ElementsAre(1, 8, 32));
  EXPECT_EQ(o->warmup, absl::Milliseconds(500));
  EXPECT_THAT(o->query_log_events, ElementsAre(1000, 5000));
  EXPECT_THAT(o->query_concurrency, ElementsAre(4));
  EXPECT_TRUE(o->Wants("query"));
  EXPECT_FALSE(o->Wants("lifecycle"));
  EXPECT_EQ(o->hot_leads, 3);
  EXPECT_EQ(o->repeat, 3);
  EXPECT_EQ(o->channels, 2);
  EXPECT_EQ(o->work_dir, "/var/tmp");
  EXPECT_TRUE(o->keep_data);
}

TEST(BenchOptionsTest, RefusesWhatItCannotRun) {
  EXPECT_THAT(ParseBenchArgs({"--concurrency=0"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1..4096")));
  EXPECT_THAT(ParseBenchArgs({"--concurrency=a"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a whole number")));
  EXPECT_THAT(ParseBenchArgs({"--duration=0"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positive")));
  EXPECT_THAT(ParseBenchArgs({"--repeat=0"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--repeat")));
  EXPECT_THAT(ParseBenchArgs({"--repeat=21"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--repeat")));
  EXPECT_THAT(ParseBenchArgs({"--duration=soon"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--duration")));
  EXPECT_THAT(ParseBenchArgs({"--scenarios=append,teleport"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown scenario 'teleport'")));
  EXPECT_THAT(ParseBenchArgs({"--query-log-events=5000,1000"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("increasing")));
  EXPECT_THAT(ParseBenchArgs({"--frobnicate=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown flag --frobnicate")));
  EXPECT_THAT(ParseBenchArgs({"--json=yes"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no value")));
  EXPECT_THAT(ParseBenchArgs({"--duration"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a value")));
  EXPECT_THAT(ParseBenchArgs({"quick"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unexpected")));
}

TEST(BenchOptionsTest, AnExistingServerNeedsAnAdminTokenAndTheMembersTokens) {
  EXPECT_THAT(ParseBenchArgs({"--server=127.0.0.1:50051"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tokens-file")));
  EXPECT_THAT(ParseBenchArgs({"--token=x"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--server")));
  absl::StatusOr<BenchOptions> o =
      ParseBenchArgs({"--server=127.0.0.1:50051", "--token=t", "--tokens-file=/etc/salesops/tokens"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->own_server());
}

// The cluster scenario starts its own nodes: not with --server or --soak;
// its connection string is the keyword/value form (the bench adds dbname).
TEST(BenchOptionsTest, ClusterPostgresGoesWithTheBenchsOwnServers) {
  absl::StatusOr<BenchOptions> o = ParseBenchArgs({"--cluster-postgres=host=127.0.0.1 port=5499 user=postgres"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->cluster_postgres, "host=127.0.0.1 port=5499 user=postgres");
  EXPECT_THAT(ParseBenchArgs({"--cluster-postgres="}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--cluster-postgres")));
  EXPECT_THAT(ParseBenchArgs({"--cluster-postgres=host=a", "--server=127.0.0.1:50051", "--token=t",
                              "--tokens-file=/etc/salesops/tokens"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("for the bench's own servers")));
  EXPECT_THAT(ParseBenchArgs({"--cluster-postgres=host=a", "--soak=1m"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without --server or --soak")));
  absl::StatusOr<std::string> with = WithDatabase("host=a port=5", "salesops_bench_x");
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(*with, "host=a port=5 dbname=salesops_bench_x");
  EXPECT_THAT(WithDatabase("postgresql://u@a/db", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("keyword/value")));
}

// TLS is for an existing server (--server); the bench's own server is
// plaintext on loopback.
TEST(BenchOptionsTest, TlsFlagsGoWithAnExistingServer) {
  EXPECT_THAT(ParseBenchArgs({"--tls-ca=/etc/salesops/ca.pem"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("are for --server")));
  absl::StatusOr<BenchOptions> o =
      ParseBenchArgs({"--server=salesops.internal:50051", "--token=t", "--tokens-file=/etc/salesops/tokens",
                      "--tls-ca=/etc/salesops/ca.pem", "--tls-cert=/etc/salesops/bench.pem",
                      "--tls-key=/etc/salesops/bench.key", "--tls-server-name=salesops.internal", "--tls"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->security.UsesTls());
  EXPECT_EQ(o->security.ca_file, "/etc/salesops/ca.pem");
  EXPECT_EQ(o->security.key_file, "/etc/salesops/bench.key");
  EXPECT_EQ(o->security.server_name, "salesops.internal");
}

TEST(BenchOptionsTest, HelpIsAskedForEvenWithOtherFlags) {
  absl::StatusOr<BenchOptions> o = ParseBenchArgs({"--quick", "--help"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->help);
  EXPECT_THAT(BenchUsage(), HasSubstr("--quick"));
}

TEST(BenchOptionsTest, SoakDefaultsAndFlags) {
  absl::StatusOr<BenchOptions> o = ParseBenchArgs({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->soaking());

  o = ParseBenchArgs({"--soak=10m"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->soaking());
  EXPECT_EQ(o->soak, absl::Minutes(10));
  EXPECT_EQ(o->soak_fraction, 0.8);
  EXPECT_EQ(o->soak_sample, absl::Seconds(10));
  EXPECT_EQ(o->soak_in_flight, 256);

  o = ParseBenchArgs({"--soak-fraction=0.5", "--soak=1h", "--soak_sample=30s", "--soak-in-flight=64", "--quick"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->soak, absl::Hours(1));
  EXPECT_EQ(o->soak_fraction, 0.5);
  EXPECT_EQ(o->soak_sample, absl::Seconds(30));
  EXPECT_EQ(o->soak_in_flight, 64);
  EXPECT_EQ(o->duration, absl::Seconds(1));  // --quick sizes the maximum-rate run
}

TEST(BenchOptionsTest, SoakFlagsAreChecked) {
  EXPECT_THAT(ParseBenchArgs({"--soak=0"}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak:")));
  EXPECT_THAT(ParseBenchArgs({"--soak=forever"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a duration")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-fraction=0"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-fraction")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-fraction=2.5"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 2")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-fraction=x"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-fraction")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-sample=0s"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-sample: must be positive")));
  EXPECT_THAT(ParseBenchArgs({"--soak=20s", "--soak-sample=30s"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not be longer than --soak")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-in-flight=0"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-in-flight")));
  EXPECT_THAT(ParseBenchArgs({"--soak-fraction=0.5"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs --soak=DURATION")));
  EXPECT_THAT(BenchUsage(), HasSubstr("--soak=DURATION"));
}

TEST(BenchOptionsTest, SoakMixDefaultsToGrowth) {
  absl::StatusOr<BenchOptions> o = ParseBenchArgs({"--soak=10m"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->soak_mix, BenchOptions::SoakMix::kGrowth);
  EXPECT_EQ(SoakMixName(o->soak_mix), "growth");

  o = ParseBenchArgs({"--soak=10m", "--soak-mix=steady"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->soak_mix, BenchOptions::SoakMix::kSteady);
  EXPECT_EQ(SoakMixName(o->soak_mix), "steady");
  EXPECT_EQ(o->soak_leads, 20'000);

  o = ParseBenchArgs({"--soak_leads=500", "--soak=1h", "--soak-mix=steady"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->soak_leads, 500);

  o = ParseBenchArgs({"--quick", "--soak=20s", "--soak-mix=steady"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->soak_leads, 2'000);
  o = ParseBenchArgs({"--soak-leads=700", "--quick", "--soak=20s", "--soak-mix=steady"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->soak_leads, 700);  // a flag overrides --quick in any order

  o = ParseBenchArgs({"--soak=10m", "--soak-mix=growth"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->soak_mix, BenchOptions::SoakMix::kGrowth);
}

TEST(BenchOptionsTest, SoakMixFlagsAreChecked) {
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-mix=flat"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-mix: must be growth or steady")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-mix="}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-mix: needs a value")));
  EXPECT_THAT(ParseBenchArgs({"--soak-mix=steady"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs --soak=DURATION")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-leads=100"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-leads: is for --soak-mix=steady")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-mix=steady", "--soak-leads=0"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-leads")));
  EXPECT_THAT(ParseBenchArgs({"--soak=1m", "--soak-mix=steady", "--soak-leads=10000001"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--soak-leads")));
  EXPECT_THAT(BenchUsage(), HasSubstr("--soak-mix=growth|steady"));
}

TEST(ParseSecondsTest, AcceptsPlainSecondsAndUnits) {
  EXPECT_EQ(*ParseSeconds("2.5"), absl::Milliseconds(2500));
  EXPECT_EQ(*ParseSeconds("1m"), absl::Minutes(1));
  EXPECT_EQ(*ParseSeconds("0"), absl::ZeroDuration());
  EXPECT_FALSE(ParseSeconds("-1").ok());
  EXPECT_FALSE(ParseSeconds("1 minute").ok());
}

}  // namespace
}  // namespace salesops::bench
