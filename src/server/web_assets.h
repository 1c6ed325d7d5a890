// The web page's files (src/server/web/), compiled into the binary so the
// server needs nothing else on disk and serves nothing from the file system.
#ifndef UNCUT_SERVER_WEB_ASSETS_H_
#define UNCUT_SERVER_WEB_ASSETS_H_

#include <string_view>

namespace uncut::server {

struct WebAsset {
  std::string_view path;  // "/index.html", "/app.js", ...
  std::string_view content_type;
  std::string_view body;
};

// The asset at `path`, or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_WEB_ASSETS_H_
