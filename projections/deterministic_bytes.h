// The deterministic serialization of a message: equal messages give equal
// bytes (map order fixed), so bytes can be compared, hashed or used as keys.
#ifndef SALESOPS_PROJECTIONS_DETERMINISTIC_BYTES_H_
#define SALESOPS_PROJECTIONS_DETERMINISTIC_BYTES_H_

#include <string>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"

namespace salesops::projections {

inline std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_DETERMINISTIC_BYTES_H_
