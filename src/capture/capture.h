// Capturing a URL into the archive, for `uncut capture` and the server's
// "capture a link": what the URL serves is fetched (capture/fetch.h) into
// a scratch folder, then added in one transaction, each new item with its
// capture record (capture/record.h) and, with a time-stamping authority,
// its RFC 3161 token. A capture that fails leaves nothing in the archive.
#ifndef UNCUT_CAPTURE_CAPTURE_H_
#define UNCUT_CAPTURE_CAPTURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "capture/fetch.h"
#include "nlohmann/json.hpp"
#include "proof/timestamp.h"
#include "store/archive.h"

namespace uncut {

// A temporary folder ($TMPDIR, else /tmp), removed with what it holds.
class CaptureScratch {
 public:
  CaptureScratch();
  ~CaptureScratch();
  CaptureScratch(const CaptureScratch&) = delete;
  CaptureScratch& operator=(const CaptureScratch&) = delete;
  // "" when it could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One fetched file, ready to add.
struct CapturedFile {
  std::string path;
  std::string url;
  std::string tool;       // "GNU Wget 1.21.3", "yt-dlp 2023.03.04"
  nlohmann::json record;  // its capture record (embedded_in is set when added)
  std::string title;      // the platform's title for media
  int embedded_in = -1;   // index of the page file that embeds this media
  int rendered_from = -1; // index of the page file a browser rendered this from
};

// What one URL gave: a page (its WARC), media, or a page and its media.
struct Capture {
  std::string url;
  std::vector<CapturedFile> files;
  std::vector<std::string> warnings;  // one line each: what was not captured
};

// How a page is captured.
struct CaptureHow {
  // Also render an HTML page in headless Chromium and keep the document its
  // scripts leave (for pages that write their text with JavaScript), as an
  // item beside the WARC.
  bool browser = false;
};

// Fetches what `url` serves into `scratch`. kFailedPrecondition when a
// tool the capture needs is not installed; otherwise every failure is
// "URL: not captured: reason" (kNotFound for HTTP 404 and 410).
absl::StatusOr<Capture> CaptureUrl(const std::string& url, const std::string& scratch,
                                   const FetchLimits& limits, const CaptureHow& how = {});

// The reason in a "URL: not captured: reason" message.
std::string NotCapturedReason(const absl::Status& s);

struct CaptureOptions {
  std::string title;  // else the platform's title, for media
  std::string note;   // kept after "captured with TOOL by uncut capture; "
  TsaOptions tsa;     // url empty: no timestamps
  // A TSA that fails: capture without timestamps (a warning) instead of
  // failing the capture.
  bool tsa_optional = false;
  // Who the audit log names (empty: the user running this process).
  std::string actor, client;
};

// An item a capture made, or found (the same bytes archived before).
struct AddedFile {
  Item item;
  bool existed = false;
};

// Adds a capture's files to `archive` in one transaction, each new item
// with its capture record; `recapture_of` (when not null) goes into the
// first file's record. The items come in the order of `c.files`. Warnings
// (a TSA skipped under tsa_optional) are appended to `warnings`. On error
// nothing is kept; a file that cannot be added is named by its URL.
absl::StatusOr<std::vector<AddedFile>> AddCapture(Archive* archive, const CaptureOptions& options,
                                                  const Capture& c,
                                                  const nlohmann::json& recapture_of,
                                                  std::vector<std::string>* warnings);

// What a captured item is, for people: "page", "video", "video embedded in
// the page", ...
std::string CapturedRole(const CapturedFile& f, const Item& item);

}  // namespace uncut

#endif  // UNCUT_CAPTURE_CAPTURE_H_
