// The web page (compiled-in files) and GET /api/status, which the page
// reads before it knows the token.
#include "server/api.h"
#include "server/http_util.h"
#include "server/web_assets.h"

namespace uncut::server {
namespace {

// The page runs only its own script; reports are shown in a sandboxed
// frame built from their HTML (inline styles, data: images).
constexpr char kPageCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-src blob: data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void ServeAsset(const std::string& path, httplib::Response& res) {
  const WebAsset* a = FindWebAsset(path);
  if (!a) return SendError(res, absl::NotFoundError("no such page"));
  res.set_header("Content-Security-Policy", kPageCsp);
  res.set_header("Cache-Control", "no-cache");
  res.set_content(a->body.data(), a->body.size(), std::string(a->content_type));
}

}  // namespace

void RegisterPageRoutes(httplib::Server& http, ApiContext& ctx) {
  ApiContext* c = &ctx;
  http.Get("/", Guarded([](const httplib::Request&, httplib::Response& res) {
             ServeAsset("/index.html", res);
           }));
  http.Get(R"(/(app\.js|app\.css))",
           Guarded([](const httplib::Request& req, httplib::Response& res) {
             ServeAsset("/" + req.matches[1].str(), res);
           }));
  http.Get("/api/status", Guarded([c](const httplib::Request& req, httplib::Response& res) {
             SendJson(res, 200,
                      {{"service", "uncut"},
                       {"version", c->version},
                       {"read_requires_token", !c->public_read},
                       {"token_valid", HasToken(*c, req)},
                       {"trace_kinds", {"text", "video", "audio", "image"}},
                       {"max_upload_bytes", c->max_upload_bytes}});
           }));
}

}  // namespace uncut::server
