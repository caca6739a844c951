// salesctl: the command-line client of the salesops gRPC server.
// See run.h for the program and help_text.cc for its usage.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "console.h"
#include "rpc_client.h"
#include "run.h"
#include "server/common/openssl_exit.h"

int main(int argc, char** argv) {
  salesops::KeepOpenSslUntilExit();  // first: before gRPC's TLS (openssl_exit.h)
  const std::vector<std::string> args(argv + 1, argv + argc);
  const salesctl::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  salesctl::Console console;
  console.stdout_is_terminal = isatty(STDOUT_FILENO) == 1;
  console.stderr_is_terminal = isatty(STDERR_FILENO) == 1;
  std::unique_ptr<salesctl::RpcClient> rpc = salesctl::NewGrpcRpcClient();
  return salesctl::RunSalesctl(args, env, *rpc, std::cout, std::cerr, console);
}
