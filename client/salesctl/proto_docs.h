// Comments written in the .proto sources, for help text.
//
// Generated C++ code keeps no comments, so the build compiles the sources of
// proto/salesops/v1/ into a descriptor set with source info and embeds it in
// salesctl (CMakeLists.txt, embed_file.cmake). Lookups go by full name, so a
// stale or missing entry only costs a comment, never a command.
//
// The embedded pool is built once, on first use; thread-safe.
#ifndef SALESOPS_CLIENT_SALESCTL_PROTO_DOCS_H_
#define SALESOPS_CLIENT_SALESCTL_PROTO_DOCS_H_

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace salesctl {

// The comment above the method (else after it), as one line with runs of
// whitespace collapsed; "" when there is none.
std::string MethodComment(const google::protobuf::MethodDescriptor& method);

// The same comment as paragraphs (a blank comment line separates them), each
// one line with runs of whitespace collapsed; empty when there is none.
std::vector<std::string> MethodParagraphs(const google::protobuf::MethodDescriptor& method);

// The comment after the field on its line (else above it), as one line;
// "" when there is none.
std::string FieldComment(const google::protobuf::FieldDescriptor& field);

// The files of the embedded set under salesops/ (the API sources, with their
// comments; not the google/protobuf imports), dependencies first. Empty if
// the set does not parse. For the test that every element is documented
// (tests/client/proto_docs_test.cc).
std::vector<const google::protobuf::FileDescriptor*> DocumentedApiFiles();

}  // namespace salesctl

#endif  // SALESOPS_CLIENT_SALESCTL_PROTO_DOCS_H_
