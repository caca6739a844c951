#include "proto_docs.h"

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.pb.h"

// Written by embed_file.cmake: the serialized FileDescriptorSet of the API
// sources, with source info.
extern const unsigned char kSalesctlProtoDocs[];
extern const size_t kSalesctlProtoDocsSize;

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;

// The pool of the embedded sources, and the names of the files it built;
// empty if they do not parse or build.
struct Docs {
  pb::DescriptorPool pool;
  std::vector<std::string> files;
};

const Docs& EmbeddedDocs() {
  static const Docs* const kDocs = [] {
    auto* docs = new Docs();
    pb::FileDescriptorSet files;
    if (files.ParseFromArray(kSalesctlProtoDocs, static_cast<int>(kSalesctlProtoDocsSize))) {
      // Files come dependencies first (protoc --include_imports); one that
      // fails to build only loses its own comments.
      for (const pb::FileDescriptorProto& file : files.file()) {
        if (docs->pool.BuildFile(file) != nullptr) docs->files.push_back(file.name());
      }
    }
    return docs;
  }();
  return *kDocs;
}

const pb::DescriptorPool& DocsPool() { return EmbeddedDocs().pool; }

std::string OneLine(const std::string& comment) {
  std::vector<absl::string_view> words =
      absl::StrSplit(comment, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

template <typename Descriptor>
std::string Comment(const Descriptor* documented, bool prefer_trailing) {
  pb::SourceLocation location;
  if (documented == nullptr || !documented->GetSourceLocation(&location)) {
    return "";
  }
  const std::string leading = OneLine(location.leading_comments);
  const std::string trailing = OneLine(location.trailing_comments);
  if (prefer_trailing) return trailing.empty() ? leading : trailing;
  return leading.empty() ? trailing : leading;
}

}  // namespace

std::string MethodComment(const pb::MethodDescriptor& method) {
  return Comment(DocsPool().FindMethodByName(method.full_name()),
                 /*prefer_trailing=*/false);
}

std::string FieldComment(const pb::FieldDescriptor& field) {
  return Comment(DocsPool().FindFieldByName(field.full_name()),
                 /*prefer_trailing=*/true);
}

std::vector<const pb::FileDescriptor*> DocumentedApiFiles() {
  std::vector<const pb::FileDescriptor*> out;
  for (const std::string& name : EmbeddedDocs().files) {
    if (absl::StartsWith(name, "salesops/")) out.push_back(DocsPool().FindFileByName(name));
  }
  return out;
}

}  // namespace salesctl
