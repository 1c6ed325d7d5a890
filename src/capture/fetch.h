// Fetching what a URL serves for a capture (capture/capture.h), with the
// tools that do it best: GNU Wget writes a page (or any file) into a WARC
// file with the HTTP exchange; yt-dlp fetches media (a video or audio file,
// an HLS or DASH stream, or the media of a page it knows) with its metadata.
//
// Which tool: a HEAD request asks what the URL serves. A media type
// (video/*, audio/*, an HLS or DASH playlist, or a path ending in .m3u8 or
// .mpd) goes to yt-dlp alone; anything else is a page for Wget, and an HTML
// page is then shown to yt-dlp (--simulate) to learn whether it embeds media
// that yt-dlp can fetch.
//
// Every failure is an error whose message is "URL: not captured: reason"
// (one line); an HTTP 404 or 410 is NotFound, so that a re-capture can say
// the page is gone.
#ifndef UNCUT_CAPTURE_FETCH_H_
#define UNCUT_CAPTURE_FETCH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace uncut {

struct FetchLimits {
  uint64_t max_bytes = uint64_t{2} << 30;  // largest file a fetch may write
  int time_limit_s = 1800;                 // longest one tool may run
};

// What a HEAD request learnt about a URL (after redirects).
struct UrlProbe {
  bool answered = false;     // an HTTP answer came, whatever its status
  int status = 0;            // the final answer's HTTP status
  std::string content_type;  // lower-case, without parameters
  nlohmann::json headers = nlohmann::json::object();  // the final answer's headers
};
UrlProbe ProbeUrl(const std::string& url, const std::string& scratch);

// True when the URL serves media that yt-dlp should fetch rather than Wget.
bool IsMediaUrl(const std::string& url, const UrlProbe& probe);

// "GNU Wget 1.21.3" / "yt-dlp 2023.03.04"; "" when the tool is not installed.
std::string WgetVersion(const std::string& scratch);
std::string YtDlpVersion(const std::string& scratch);

// "Chromium 120.0.6099.224"; "" when Debian's chromium is not installed.
std::string ChromiumVersion(const std::string& scratch);

// Loads `url` in headless Chromium, lets its scripts run (up to 5 s of the
// page's own time), and writes the document they leave (the DOM, as HTML)
// under `scratch`; returns its path. Chromium runs with a fresh profile in
// `scratch`, and without its sandbox only when this process is root (which
// the sandbox refuses).
absl::StatusOr<std::string> RenderPage(const std::string& url, const std::string& scratch,
                                       const FetchLimits& limits);

// Fetches `url` with Wget into a WARC file under `scratch`; returns its path.
absl::StatusOr<std::string> FetchPage(const std::string& url, const std::string& scratch,
                                      const FetchLimits& limits);

struct FetchedMedia {
  std::string path;  // the media file under the scratch folder
  // What yt-dlp says about it: uploader, upload_date (YYYY-MM-DD),
  // original_url, webpage_url, extractor, platform_id, title, duration_s,
  // request_headers; keys it does not know are left out.
  nlohmann::json metadata = nlohmann::json::object();
};

// Whether yt-dlp finds media at (or embedded in) `url`, without fetching it.
bool YtDlpFindsMedia(const std::string& url, const std::string& scratch,
                     const FetchLimits& limits);

// Fetches the media at `url` with yt-dlp (one item, no playlist, no cache,
// no configuration files) into `scratch`.
absl::StatusOr<FetchedMedia> FetchMedia(const std::string& url, const std::string& scratch,
                                        const FetchLimits& limits);

}  // namespace uncut

#endif  // UNCUT_CAPTURE_FETCH_H_
