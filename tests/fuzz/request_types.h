// The request types the field_flags target fuzzes: the input of every
// method of the services salesctl calls, sorted by full name. Shared with
// the seed generator, whose seeds name a type by its index here.
// Header-only; tests/fuzz only.
#ifndef SALESOPS_TESTS_FUZZ_REQUEST_TYPES_H_
#define SALESOPS_TESTS_FUZZ_REQUEST_TYPES_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "salesops/v1/admin.pb.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"
#include "salesops/v1/orders.pb.h"
#include "salesops/v1/support.pb.h"
#include "salesops/v1/team.pb.h"
#include "salesops/v1/views.pb.h"
#include "tests/fuzz/fuzz_check.h"

namespace salesops::fuzz {

inline const std::vector<const google::protobuf::Descriptor*>& RequestTypes() {
  namespace pb = ::google::protobuf;
  static const auto* const types = [] {
    // Naming one message of each file links its descriptors in.
    const pb::FileDescriptor* files[] = {
        v1::IdentifyLeadRequest::descriptor()->file(), v1::ListStageChangesRequest::descriptor()->file(),
        v1::AddMemberRequest::descriptor()->file(),    v1::ConfirmOrderRequest::descriptor()->file(),
        v1::OpenTicketRequest::descriptor()->file(),   v1::ListLeadsRequest::descriptor()->file(),
        v1::PingRequest::descriptor()->file(),
    };
    std::map<std::string, const pb::Descriptor*> by_name;
    for (const pb::FileDescriptor* file : files) {
      for (int s = 0; s < file->service_count(); ++s) {
        for (int m = 0; m < file->service(s)->method_count(); ++m) {
          const pb::Descriptor* input = file->service(s)->method(m)->input_type();
          by_name[input->full_name()] = input;
        }
      }
    }
    auto* out = new std::vector<const pb::Descriptor*>();
    for (const auto& [name, type] : by_name) out->push_back(type);
    return out;
  }();
  return *types;
}

// The index of the type called `full_name` in RequestTypes().
inline size_t RequestTypeIndex(absl::string_view full_name) {
  const auto& types = RequestTypes();
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i]->full_name() == full_name) return i;
  }
  InvariantBroken(absl::StrCat("no request type ", full_name));
}

}  // namespace salesops::fuzz

#endif  // SALESOPS_TESTS_FUZZ_REQUEST_TYPES_H_
