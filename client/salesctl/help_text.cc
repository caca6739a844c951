#include "help_text.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "display_width.h"
#include "field_flags.h"
#include "proto_docs.h"
#include "text_wrap.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;

constexpr absl::string_view kUsage =
    "Usage: salesctl [--server=HOST:PORT] [--token=TOKEN] [--json] "
    "[--timeout=SECONDS] [--tls|--tls-ca=FILE [--tls-cert=FILE --tls-key=FILE]] "
    "<command> [--field=value ...]\n"
    "       salesctl help [<command>]\n"
    "       salesctl <command> --help\n";

constexpr absl::string_view kGlobalFlags =
    "Global flags:\n"
    "  --server=HOST:PORT  server address (default $SALESOPS_SERVER, else "
    "127.0.0.1:50051)\n"
    "  --token=TOKEN       bearer token (default $SALESOPS_TOKEN)\n"
    "  --json              print the reply in the protobuf JSON mapping, one "
    "line\n"
    "  --timeout=SECONDS   deadline of the call (default 10; none for "
    "streams)\n"
    "  --tls               TLS, verifying the server against the system's CAs\n"
    "  --tls-ca=FILE       TLS, verifying the server against these PEM CAs "
    "(default $SALESOPS_TLS_CA)\n"
    "  --tls-cert=FILE     client certificate for mutual TLS (default "
    "$SALESOPS_TLS_CERT)\n"
    "  --tls-key=FILE      its private key (default $SALESOPS_TLS_KEY)\n"
    "  --tls-server-name=NAME  the name in the server's certificate, when not "
    "the --server host\n";

std::string Signature(const pb::MethodDescriptor& method) {
  return absl::StrCat(method.client_streaming() ? "stream " : "", method.input_type()->name(), " \u2192 ",
                      method.server_streaming() ? "stream " : "", method.output_type()->name());
}

// The first sentence of the method's comment, or else its signature.
std::string Summary(const pb::MethodDescriptor& method) {
  const std::vector<std::string> paragraphs = MethodParagraphs(method);
  return paragraphs.empty() ? Signature(method) : FirstSentence(paragraphs.front());
}

// The widest left column of `rows`.
size_t LeftWidth(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, DisplayWidth(row.first));
  return width;
}

// Rows "  <left>  <right>" with the right column at `width` + 4, wrapped to
// kHelpWidth with its continuation lines under it.
std::string TwoColumns(const std::vector<std::pair<std::string, std::string>>& rows, size_t width) {
  std::string out;
  const std::string hanging(width + 4, ' ');
  for (const auto& [left, right] : rows) {
    out += WrapIndented(right, kHelpWidth, absl::StrCat("  ", PadToWidth(left, width), "  "), hanging);
  }
  return out;
}

}  // namespace

std::string GeneralHelp(const std::vector<Command>& commands) {
  std::string out = absl::StrCat("salesctl: command-line client of the salesops gRPC server.\n\n", kUsage,
                                 "\n", kGlobalFlags, "\nCommands:\n");
  size_t width = 0;
  for (const Command& command : commands) {
    width = std::max(width, command.name.size());
  }
  const pb::ServiceDescriptor* service = nullptr;
  for (const Command& command : commands) {
    if (command.method->service() != service) {
      service = command.method->service();
      absl::StrAppend(&out, "  ", service->name(), " (", service->full_name(), ")\n");
    }
    out += WrapIndented(Summary(*command.method), kHelpWidth,
                        absl::StrCat("    ", PadToWidth(command.name, width), "  "),
                        std::string(width + 6, ' '));
  }
  if (commands.empty()) absl::StrAppend(&out, "  (none)\n");
  absl::StrAppend(&out, "\nRun 'salesctl <command> --help' for a command's fields.\n");
  return out;
}

std::string CommandHelp(const Command& command) {
  const pb::MethodDescriptor& method = *command.method;
  std::string out = absl::StrCat(
      "Usage: salesctl [GLOBAL FLAGS] ", command.name, " [--field=value ...]\n\n",
      WrapIndented(absl::StrCat(method.full_name(), ": ", Signature(method)), kHelpWidth, "", "    "));
  for (const std::string& paragraph : MethodParagraphs(method)) {
    absl::StrAppend(&out, "\n", WrapIndented(paragraph, kHelpWidth, "", ""));
  }
  if (command.IsStreaming()) {
    absl::StrAppend(&out, "\n",
                    method.client_streaming() ? "salesctl cannot call client-streaming methods.\n"
                                              : "Prints every reply of the stream as it arrives.\n");
  }

  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::pair<std::string, std::string>> options;
  for (const FlagInfo& flag : ListFlags(*method.input_type())) {
    std::string about = DescribeFieldType(*flag.field);
    if (const std::string comment = FieldComment(*flag.field); !comment.empty()) {
      absl::StrAppend(&about, " \u2014 ", comment);
    }
    (flag.via_options ? options : fields).emplace_back(absl::StrCat("--", flag.path), std::move(about));
  }
  const size_t width = std::max(LeftWidth(fields), LeftWidth(options));
  absl::StrAppend(&out, "\nFields of ", method.input_type()->name(), ":\n");
  out += fields.empty() ? "  (none)\n" : TwoColumns(fields, width);
  if (!options.empty()) {
    absl::StrAppend(&out, "\nCommand options (also accepted as --options.<name>):\n",
                    TwoColumns(options, width));
  }
  absl::StrAppend(&out,
                  "\nValues: --name=value or --name value; '-' and '_' are the same in "
                  "names;\nrepeat a flag for each element of a repeated field; enums take "
                  "the value\nname with or without its prefix, in any case; Money is "
                  "AMOUNT CURRENCY with\nat most 2 decimals (\"1200.50 CNY\" = 120050 "
                  "minor units).\n");
  return out;
}

}  // namespace salesctl
