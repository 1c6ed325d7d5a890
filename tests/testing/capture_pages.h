// Web pages the capture tests serve from a local test server, on a
// directory archive and on a cluster alike.
#ifndef UNCUT_TESTING_CAPTURE_PAGES_H_
#define UNCUT_TESTING_CAPTURE_PAGES_H_

#include <atomic>
#include <string>
#include <thread>

#include "httplib.h"

namespace uncut::testing {

// A news story, and the same story with its second paragraph edited: the
// fees promise is gone and a new sentence added.
inline constexpr char kStoryV1[] =
    "<!DOCTYPE html><html><head><title>Council vote</title></head><body>"
    "<p>The council met on Tuesday evening to vote on the new budget for the harbour.</p>"
    "<p>The mayor said that the harbour would be dredged before the spring and that the "
    "fishing fleet would pay no new fees for three years.</p>"
    "<p>The vote passed with nine members in favour and two against.</p></body></html>";
inline constexpr char kStoryV2[] =
    "<!DOCTYPE html><html><head><title>Council vote</title></head><body>"
    "<p>The council met on Tuesday evening to vote on the new budget for the harbour.</p>"
    "<p>The mayor said that the harbour would be dredged before the spring. "
    "Harbour fees will be reviewed by a committee next year.</p>"
    "<p>The vote passed with nine members in favour and two against.</p></body></html>";

// A page whose text its script writes: the HTML the server sends has none
// (the script holds its words in reverse order).
inline constexpr char kScripted[] =
    "<!DOCTYPE html><html><head><title>Harbour notice</title></head><body><div id=\"t\"></div>"
    "<script>document.getElementById('t').textContent = 'wall northern the inspect divers the "
    "while noon at closes harbour The'.split(' ').reverse().join(' ');</script></body></html>";

// A local web server on 127.0.0.1 serving /scripted.html (kScripted) and
// /story.html: kStoryV1 or kStoryV2 as set_story_version says, or 404 for
// version 3 (the page gone). More routes may be added on server() before
// Start().
class CapturePagesServer {
 public:
  CapturePagesServer();
  ~CapturePagesServer() { Stop(); }
  CapturePagesServer(const CapturePagesServer&) = delete;
  CapturePagesServer& operator=(const CapturePagesServer&) = delete;

  httplib::Server& server() { return server_; }
  // Binds a free port and serves; false when no port could be bound.
  bool Start();
  // Stops serving (then connections are refused); Start() is not called again.
  void Stop();
  std::string Url(const std::string& path) const;
  void set_story_version(int version) { story_version_ = version; }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::atomic<int> story_version_{1};
};

}  // namespace uncut::testing

#endif  // UNCUT_TESTING_CAPTURE_PAGES_H_
