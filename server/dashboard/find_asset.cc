#include "server/dashboard/assets.h"

namespace salesops::dashboard {

const Asset* FindAsset(absl::string_view path) {
  if (path == "/") path = "/index.html";
  for (const Asset& asset : Assets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace salesops::dashboard
