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

// The raw comment of `documented`: the leading one, or the trailing one
// (the other way round with `prefer_trailing`); "" when there is none.
template <typename Descriptor>
std::string RawComment(const Descriptor* documented, bool prefer_trailing) {
  pb::SourceLocation location;
  if (documented == nullptr || !documented->GetSourceLocation(&location)) {
    return "";
  }
  const bool leading = !OneLine(location.leading_comments).empty();
  const bool trailing = !OneLine(location.trailing_comments).empty();
  if (prefer_trailing) return trailing ? location.trailing_comments : location.leading_comments;
  return leading ? location.leading_comments : location.trailing_comments;
}

template <typename Descriptor>
std::string Comment(const Descriptor* documented, bool prefer_trailing) {
  return OneLine(RawComment(documented, prefer_trailing));
}

}  // namespace

std::string MethodComment(const pb::MethodDescriptor& method) {
  return Comment(DocsPool().FindMethodByName(method.full_name()),
                 /*prefer_trailing=*/false);
}

std::vector<std::string> MethodParagraphs(const pb::MethodDescriptor& method) {
  const std::string comment =
      RawComment(DocsPool().FindMethodByName(method.full_name()), /*prefer_trailing=*/false);
  std::vector<std::string> paragraphs;
  std::string paragraph;
  for (absl::string_view line : absl::StrSplit(comment, '\n')) {
    const std::string text = OneLine(std::string(line));
    if (text.empty()) {
      if (!paragraph.empty()) paragraphs.push_back(std::move(paragraph));
      paragraph.clear();
      continue;
    }
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += text;
  }
  if (!paragraph.empty()) paragraphs.push_back(std::move(paragraph));
  return paragraphs;
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
