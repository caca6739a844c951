#include "tests/common/testing.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"

namespace salesops::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/salesops-test-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

int NumberAfter(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return 0;
  size_t end = at + marker.size();
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  int value = 0;
  return absl::SimpleAtoi(text.substr(at + marker.size(), end - at - marker.size()), &value) ? value : 0;
}

}  // namespace salesops::testing
