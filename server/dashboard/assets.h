// The dashboard's static files (HTML, JavaScript, CSS and Debian's
// Chart.js), compiled into salesopsd at build time by embed.cmake, so that
// the binary serves exactly the page its JSON API was built with, needs no
// installed directory, and works offline (docs/DASHBOARD.md, "Serving").
//
// Thread safety: immutable data; every function may be called from any
// thread.
#ifndef SALESOPS_SERVER_DASHBOARD_ASSETS_H_
#define SALESOPS_SERVER_DASHBOARD_ASSETS_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace salesops::dashboard {

struct Asset {
  absl::string_view path;          // the URL path, e.g. "/app.js"
  absl::string_view content_type;  // with the charset for text
  absl::string_view body;
  absl::string_view etag;          // "\"<sha-256 of body>\""
};

// Every embedded file.
absl::Span<const Asset> Assets();

// The file served at `path` ("/" is "/index.html"); nullptr when none.
const Asset* FindAsset(absl::string_view path);

}  // namespace salesops::dashboard

#endif  // SALESOPS_SERVER_DASHBOARD_ASSETS_H_
