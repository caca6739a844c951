// A small streaming JSON writer for the --json report: objects and arrays
// nest, keys keep the order they are written in (so the report reads top to
// bottom like the table), strings are escaped per RFC 8259 and non-finite
// numbers are written as null.
//
//   JsonWriter w;
//   w.BeginObject();
//   w.Key("ops_per_s"); w.Number(1234.5);
//   w.Key("errors"); w.BeginObject(); w.EndObject();
//   w.EndObject();
//   std::string text = w.Take();   // {"ops_per_s":1234.5,"errors":{}}
//
// The caller is responsible for balanced Begin/End calls and for calling Key
// exactly before each value inside an object. Not thread-safe.
#ifndef SALESOPS_CLIENT_BENCH_JSON_WRITER_H_
#define SALESOPS_CLIENT_BENCH_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace salesops::bench {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(absl::string_view key);
  void String(absl::string_view value);
  void Number(double value);  // shortest form that round-trips; null when not finite
  void Int(int64_t value);
  void Bool(bool value);
  void Null();

  // Shorthands for Key(key) followed by the value.
  void Field(absl::string_view key, absl::string_view value) { Key(key), String(value); }
  void Field(absl::string_view key, const char* value) { Key(key), String(value); }
  void Field(absl::string_view key, double value) { Key(key), Number(value); }
  void Field(absl::string_view key, int64_t value) { Key(key), Int(value); }
  void Field(absl::string_view key, uint64_t value) { Key(key), Int(static_cast<int64_t>(value)); }
  void Field(absl::string_view key, int value) { Key(key), Int(value); }
  void Field(absl::string_view key, bool value) { Key(key), Bool(value); }

  // The text written so far; leaves the writer empty.
  std::string Take();

 private:
  // Writes the comma that separates this value from the previous one.
  void BeforeValue();

  std::string out_;
  // One entry per open object or array: whether it holds a value yet.
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

// `text` as a quoted JSON string.
std::string JsonQuote(absl::string_view text);

}  // namespace salesops::bench

#endif  // SALESOPS_CLIENT_BENCH_JSON_WRITER_H_
