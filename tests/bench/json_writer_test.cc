#include "json_writer.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace salesops::bench {
namespace {

TEST(JsonWriterTest, NestsAndSeparatesInWrittenOrder) {
  JsonWriter w;
  w.BeginObject();
  w.Field("b", 1);
  w.Key("list");
  w.BeginArray();
  w.Int(1);
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.Null();
  w.EndArray();
  w.Field("a", true);
  w.EndObject();
  EXPECT_EQ(w.Take(), R"({"b":1,"list":[1,{},[],null],"a":true})");
}

TEST(JsonWriterTest, EscapesStringsAndKeepsUtf8) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  EXPECT_EQ(JsonQuote("王芳"), "\"王芳\"");
}

TEST(JsonWriterTest, NumbersRoundTripShortAndNonFiniteIsNull) {
  JsonWriter w;
  w.BeginArray();
  w.Number(0.5);
  w.Number(1234567.0);
  w.Number(0.1 + 0.2);
  w.Number(std::numeric_limits<double>::infinity());
  w.Number(std::nan(""));
  w.EndArray();
  EXPECT_EQ(w.Take(), "[0.5,1234567,0.30000000000000004,null,null]");
}

TEST(JsonWriterTest, TakeLeavesTheWriterEmpty) {
  JsonWriter w;
  w.BeginArray();
  w.EndArray();
  EXPECT_EQ(w.Take(), "[]");
  w.BeginObject();
  w.EndObject();
  EXPECT_EQ(w.Take(), "{}");
}

}  // namespace
}  // namespace salesops::bench
