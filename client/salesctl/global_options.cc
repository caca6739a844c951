#include "global_options.h"

#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace salesctl {

GlobalOptions DefaultGlobalOptions(const EnvLookup& env) {
  GlobalOptions options;
  if (std::optional<std::string> server = env("SALESOPS_SERVER"); server.has_value() && !server->empty()) {
    options.server = *server;
  }
  if (std::optional<std::string> token = env("SALESOPS_TOKEN"); token.has_value()) {
    options.token = *token;
  }
  for (const auto& [variable, field] : {std::pair{"SALESOPS_TLS_CA", &options.security.ca_file},
                                        std::pair{"SALESOPS_TLS_CERT", &options.security.cert_file},
                                        std::pair{"SALESOPS_TLS_KEY", &options.security.key_file}}) {
    if (std::optional<std::string> value = env(variable); value.has_value() && !value->empty()) *field = *value;
  }
  return options;
}

bool IsGlobalFlag(absl::string_view name) {
  return name == "server" || name == "token" || name == "json" || name == "timeout" || name == "tls" ||
         name == "tls_ca" || name == "tls_cert" || name == "tls_key" || name == "tls_server_name";
}

bool GlobalFlagNeedsValue(absl::string_view name) { return IsGlobalFlag(name) && name != "json" && name != "tls"; }

absl::Status ApplyGlobalFlag(absl::string_view name, const std::optional<std::string>& value,
                             GlobalOptions* options) {
  if (name == "json" || name == "tls") {
    const std::string text = absl::AsciiStrToLower(value.value_or(std::string("true")));
    if (text != "true" && text != "false") {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " takes true or false, not '", *value, "'"));
    }
    (name == "json" ? options->json : options->security.tls) = text == "true";
    return absl::OkStatus();
  }
  if (!value.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
  }
  if (name == "server") {
    if (value->empty()) {
      return absl::InvalidArgumentError("--server needs HOST:PORT");
    }
    options->server = *value;
    return absl::OkStatus();
  }
  if (name == "token") {
    for (const char ch : *value) {
      if (ch < 0x20 || ch > 0x7E) {
        return absl::InvalidArgumentError("--token must be printable ASCII (it is sent as gRPC metadata)");
      }
    }
    options->token = *value;
    return absl::OkStatus();
  }
  if (std::string* file = name == "tls_ca"            ? &options->security.ca_file
                          : name == "tls_cert"        ? &options->security.cert_file
                          : name == "tls_key"         ? &options->security.key_file
                          : name == "tls_server_name" ? &options->security.server_name
                                                      : nullptr;
      file != nullptr) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat("--", absl::StrReplaceAll(name, {{"_", "-"}}), " needs a value"));
    *file = *value;
    return absl::OkStatus();
  }
  if (name == "timeout") {
    absl::Duration timeout;
    double seconds;
    if (absl::SimpleAtod(*value, &seconds) && std::isfinite(seconds)) {
      timeout = absl::Seconds(seconds);
    } else if (!absl::ParseDuration(*value, &timeout)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--timeout takes seconds (\"2.5\") or a duration (\"500ms\"), not '", *value, "'"));
    }
    if (timeout <= absl::ZeroDuration() || timeout == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--timeout must be positive and finite, not '", *value, "'"));
    }
    options->timeout = timeout;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown global flag --", name));
}

}  // namespace salesctl
