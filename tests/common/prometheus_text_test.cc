#include "server/common/prometheus_text.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

TEST(PrometheusTextTest, WritesFamiliesSamplesAndEscapedLabels) {
  PrometheusText out;
  out.Family("salesops_x_total", "counter", "Help with a \\ and\na newline.");
  out.Sample("salesops_x_total", {{"member", "王\"芳\\\n"}, {"code", "OK"}}, 3);
  out.Sample("salesops_x_total", {}, 0.25);
  EXPECT_EQ(std::move(out).Take(),
            "# HELP salesops_x_total Help with a \\\\ and\\na newline.\n"
            "# TYPE salesops_x_total counter\n"
            "salesops_x_total{member=\"王\\\"芳\\\\\\n\",code=\"OK\"} 3\n"
            "salesops_x_total 0.25\n");
}

TEST(PrometheusTextTest, FormatsValuesAsPrometheusReadsThem) {
  EXPECT_EQ(PrometheusText::FormatValue(12345678901234), "12345678901234");
  EXPECT_EQ(PrometheusText::FormatValue(0.005), "0.005");
  EXPECT_EQ(PrometheusText::FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(PrometheusText::FormatValue(std::nan("")), "NaN");
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  PrometheusText out;
  out.Histogram("h_seconds", {{"method", "m"}}, {0.1, 1}, {2, 3, 1}, 4.5);
  EXPECT_EQ(std::move(out).Take(),
            "h_seconds_bucket{method=\"m\",le=\"0.1\"} 2\n"
            "h_seconds_bucket{method=\"m\",le=\"1\"} 5\n"
            "h_seconds_bucket{method=\"m\",le=\"+Inf\"} 6\n"
            "h_seconds_sum{method=\"m\"} 4.5\n"
            "h_seconds_count{method=\"m\"} 6\n");
}

}  // namespace
}  // namespace salesops
