// The HTTP routes of `uncut serve` (docs/api.md), grouped by concern. Each
// Register* function adds its routes to the httplib server; handlers only
// parse the request and call the same libraries as the command line.
#ifndef UNCUT_SERVER_API_H_
#define UNCUT_SERVER_API_H_

#include <cstdint>
#include <string>

#include "httplib.h"
#include "server/archive_pool.h"
#include "server/item_cache.h"
#include "server/job_store.h"

namespace uncut::server {

// What every handler shares. Owned by the Server; outlives the routes.
struct ApiContext {
  std::string archive_dir;   // a directory, or a postgresql:// URI
  std::string archive_name;  // as reports name it (a URI without its password)
  // Files being uploaded: ARCHIVE/uploads for a directory; for a cluster, a
  // temporary directory of this process (servers share nothing but the
  // archive).
  std::string uploads_dir;
  std::string token;
  std::string version;
  bool public_read = false;
  uint64_t max_upload_bytes = 0;
  ArchivePool* pool = nullptr;
  JobStore* jobs = nullptr;
  ItemCache* items = nullptr;
};

// The largest body a trace request without the token may send (under
// --public-read): an extract as JSON (at most 4 MiB, escapes included) or as
// a form field, never a file.
inline constexpr uint64_t kMaxBodyWithoutTokenBytes = (4 << 20) + (64 << 10);

// Job lanes: writers one at a time, traces in parallel.
inline constexpr char kWriteLane[] = "write";
inline constexpr char kTraceLane[] = "trace";
// Captures fetch for minutes, so they wait on a lane of their own (and take
// the writer lock only to add what they fetched).
inline constexpr char kCaptureLane[] = "capture";

// Whether the request carries the server's token.
bool HasToken(const ApiContext& ctx, const httplib::Request& req);
// Who sent the request, as its job records it.
JobSubmitter SubmitterOf(const ApiContext& ctx, const httplib::Request& req);
// A trace job's report as an HTML page (as `uncut trace --html` writes it).
std::string JobReportHtml(const ApiContext& ctx, const TraceReport& report);
// Answers a job just submitted: 202 with the job, its URL in Location.
void SendSubmitted(ApiContext& ctx, const std::string& id, httplib::Response& res);

void RegisterPageRoutes(httplib::Server& http, ApiContext& ctx);
void RegisterItemRoutes(httplib::Server& http, ApiContext& ctx);
void RegisterUploadRoutes(httplib::Server& http, ApiContext& ctx);
void RegisterTraceRoutes(httplib::Server& http, ApiContext& ctx);
void RegisterJobRoutes(httplib::Server& http, ApiContext& ctx);
void RegisterCaptureRoutes(httplib::Server& http, ApiContext& ctx);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_API_H_
