#include "server/store/keys.h"

#include <limits>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/testing.h"

namespace salesops::store::keys {
namespace {

using ::salesops::testing::StatusIs;
using ::testing::HasSubstr;

TEST(KeysTest, U64IsBigEndianAndRoundTrips) {
  EXPECT_EQ(EncodeU64(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_EQ(EncodeU64(0x0102030405060708ull), "\x01\x02\x03\x04\x05\x06\x07\x08");
  for (uint64_t v : std::vector<uint64_t>{0, 1, 255, 256, 1ull << 40, std::numeric_limits<uint64_t>::max()}) {
    EXPECT_EQ(DecodeU64(EncodeU64(v)), v);
  }
  EXPECT_EQ(DecodeU64("short"), std::nullopt);
}

TEST(KeysTest, PositionKeysSortNumerically) {
  std::vector<uint64_t> positions = {1, 2, 9, 10, 255, 256, 65535, 65536, 1ull << 33};
  for (size_t i = 1; i < positions.size(); ++i) {
    EXPECT_LT(PositionKey(positions[i - 1]), PositionKey(positions[i])) << positions[i];
  }
}

TEST(KeysTest, StreamKeysSortByStreamThenVersionAndRoundTrip) {
  EXPECT_LT(StreamKey("lead-a", 2), StreamKey("lead-a", 10));
  EXPECT_LT(StreamKey("lead-a", std::numeric_limits<uint64_t>::max()), StreamKey("lead-ab", 0));
  const auto decoded = DecodeStreamKey(StreamKey("lead-客户1", 42));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->stream_id, "lead-客户1");
  EXPECT_EQ(decoded->version, 42u);
  EXPECT_EQ(DecodeStreamKey("no separator"), std::nullopt);
}

TEST(KeysTest, StreamPrefixesOfDifferentStreamsAreDisjoint) {
  // A stream that extends another's id never falls in the other's range.
  const std::string a = StreamPrefix("lead-a");
  for (const std::string& other : {StreamKey("lead-ab", 1), StreamKey("lead-a-1", 1), StreamKey("lead-", 1)}) {
    EXPECT_FALSE(other.rfind(a, 0) == 0) << "collides: " << other;
  }
  EXPECT_TRUE(StreamKey("lead-a", 7).rfind(a, 0) == 0);
}

TEST(KeysTest, IdempotencyKeysDoNotCollideAcrossActors) {
  // ("ab", "c") and ("a", "bc") would collide without the separator.
  EXPECT_NE(IdempotencyKey("ab", "c"), IdempotencyKey("a", "bc"));
  std::set<std::string> keys;
  for (const char* actor : {"a", "ab", "abc"}) {
    for (const char* rid : {"", "c", "bc", "x"}) EXPECT_TRUE(keys.insert(IdempotencyKey(actor, rid)).second);
  }
}

TEST(KeysTest, EventValuesDecodeOrNameTheirPosition) {
  v1::EventEnvelope e;
  e.set_position(7);
  e.set_stream_id("lead-a");
  e.set_event_type("LeadQualified");
  absl::StatusOr<v1::EventEnvelope> decoded = DecodeEvent(PositionKey(7), e.SerializeAsString());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->SerializeAsString(), e.SerializeAsString());
  // A truncated length-delimited field does not parse.
  EXPECT_THAT(DecodeEvent(PositionKey(7), "\x1a\x05ab"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("event at position 7 is unreadable")));
  EXPECT_THAT(DecodeEvent("short", "\x1a\x05ab"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("position 0")));
}

TEST(KeysTest, FamiliesAreDistinct) {
  const std::set<std::string> names = {kEventsFamily, kStreamsFamily, kIdempotencyFamily, kMetaFamily, "default"};
  EXPECT_EQ(names.size(), 5u);
}

}  // namespace
}  // namespace salesops::store::keys
