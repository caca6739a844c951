// Period labels (server/domain/period.h) as given(label) / when(parsed,
// previous) / then(period or label) tables: months and quarters, the year
// boundary, the first labels (which have no previous) and what is not a
// label.
#include "server/domain/period.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace salesops::domain {
namespace {

TEST(PeriodTest, ParsesLabelsAndWritesThemBack) {
  struct Case {
    std::string label;
    std::optional<NamedPeriod> period;  // nullopt: not a label
    int first_month = 0;
    int months = 0;
  };
  const std::vector<Case> cases = {
      {"2026-01", NamedPeriod{.year = 2026, .month = 1}, 1, 1},
      {"2026-12", NamedPeriod{.year = 2026, .month = 12}, 12, 1},
      {"1900-01", NamedPeriod{.year = 1900, .month = 1}, 1, 1},
      {"9999-12", NamedPeriod{.year = 9999, .month = 12}, 12, 1},
      {"2026-Q1", NamedPeriod{.year = 2026, .quarter = 1}, 1, 3},
      {"2026-Q3", NamedPeriod{.year = 2026, .quarter = 3}, 7, 3},
      {"2026-Q4", NamedPeriod{.year = 2026, .quarter = 4}, 10, 3},
      // Not labels.
      {"", std::nullopt},
      {"2026-13", std::nullopt},
      {"2026-00", std::nullopt},
      {"2026-Q0", std::nullopt},
      {"2026-Q5", std::nullopt},
      {"2026-q1", std::nullopt},
      {"1899-12", std::nullopt},
      {"1899-Q4", std::nullopt},
      {"0000-01", std::nullopt},
      {"2026-1", std::nullopt},
      {"2026-001", std::nullopt},
      {"2026-Q12", std::nullopt},
      {"2026/01", std::nullopt},
      {"+202-01", std::nullopt},
      {" 2026-01", std::nullopt},
      {"2026-01 ", std::nullopt},
      {"2026- 1", std::nullopt},
      {"2026-+1", std::nullopt},
      {"2026-Q+", std::nullopt},
      {"2026-01-01", std::nullopt},
      {"２０２６-01", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    const std::optional<NamedPeriod> parsed = ParsePeriod(c.label);
    EXPECT_EQ(parsed, c.period);
    EXPECT_EQ(IsValidPeriod(c.label), c.period.has_value());
    if (!parsed.has_value() || !c.period.has_value()) continue;
    EXPECT_EQ(parsed->first_month(), c.first_month);
    EXPECT_EQ(parsed->months(), c.months);
    EXPECT_EQ(PeriodLabel(*parsed), c.label);
  }
}

TEST(PeriodTest, ThePreviousPeriodHasTheSameLength) {
  struct Case {
    std::string label;
    std::string previous;  // "": none
  };
  const std::vector<Case> cases = {
      {"2026-11", "2026-10"},
      {"2026-10", "2026-09"},
      {"2026-02", "2026-01"},
      // The year boundary.
      {"2026-01", "2025-12"},
      {"2000-01", "1999-12"},
      {"2026-Q3", "2026-Q2"},
      {"2026-Q2", "2026-Q1"},
      {"2026-Q1", "2025-Q4"},
      {"1901-01", "1900-12"},
      {"1901-Q1", "1900-Q4"},
      // The first labels have no previous one.
      {"1900-01", ""},
      {"1900-Q1", ""},
      {"1900-02", "1900-01"},
      // Nor does what is not a label.
      {"2026-13", ""},
      {"2026-Q5", ""},
      {"1899-12", ""},
      {"", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    EXPECT_EQ(PreviousPeriod(c.label), c.previous);
    if (!c.previous.empty()) EXPECT_TRUE(IsValidPeriod(c.previous));
  }
}

}  // namespace
}  // namespace salesops::domain
