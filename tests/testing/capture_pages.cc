#include "testing/capture_pages.h"

#include "absl/strings/str_cat.h"

namespace uncut::testing {

CapturePagesServer::CapturePagesServer() {
  server_.Get("/scripted.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kScripted, "text/html; charset=utf-8");
  });
  server_.Get("/story.html", [this](const httplib::Request&, httplib::Response& res) {
    const int version = story_version_.load();
    if (version == 3) {
      res.status = 404;
      res.set_content("not found", "text/plain");
      return;
    }
    res.set_content(version == 1 ? kStoryV1 : kStoryV2, "text/html; charset=utf-8");
  });
}

void CapturePagesServer::Stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

bool CapturePagesServer::Start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return false;
  // Connections wait in the listening socket's queue until the loop runs.
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  return true;
}

std::string CapturePagesServer::Url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

}  // namespace uncut::testing
