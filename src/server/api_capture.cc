// POST /api/captures: captures a URL (capture/capture.h) as a job on the
// capture lane; the job's result lists the items it made.
#include "base/strings.h"
#include "capture/capture.h"
#include "capture/capture_into.h"
#include "report/trace_report.h"
#include "server/api.h"
#include "server/http_util.h"

namespace uncut::server {
namespace {

// The longest URL a capture takes.
constexpr size_t kMaxUrlBytes = 8 << 10;
// A fetching tool runs at most this long (as `uncut capture` by default).
constexpr int kCaptureTimeLimitS = 1800;

struct CaptureRequest {
  std::string url, title, note;
  bool browser = false;  // also render the page in headless Chromium
};

absl::StatusOr<CaptureRequest> ParseCaptureRequest(const httplib::Request& req) {
  nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        "send a JSON object: {\"url\": \"https://…\", \"title\": …, \"note\": …}");
  }
  CaptureRequest c;
  const std::pair<const char*, std::string*> fields[] = {
      {"url", &c.url}, {"title", &c.title}, {"note", &c.note}};
  for (const auto& [key, field] : fields) {
    if (!j.contains(key) || j[key].is_null()) continue;
    if (!j[key].is_string()) {
      return absl::InvalidArgumentError(StrCat("\"", key, "\" must be a string"));
    }
    *field = j[key].get<std::string>();
  }
  if (j.contains("browser") && !j["browser"].is_null()) {
    if (!j["browser"].is_boolean()) return absl::InvalidArgumentError("\"browser\" must be true or false");
    c.browser = j["browser"].get<bool>();
  }
  const std::string& url = c.url;
  if (url.empty()) return absl::InvalidArgumentError("no \"url\" to capture");
  if (url.size() > kMaxUrlBytes) {
    return absl::InvalidArgumentError(
        StrCat("the URL is ", url.size(), " bytes; at most ", kMaxUrlBytes));
  }
  bool web = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  bool printable = url.find_first_of(std::string(" \t\r\n\v\f\0", 7)) == std::string::npos;
  if (!web || !printable) {
    return absl::InvalidArgumentError(
        StrCat(Printable(url), ": not an http:// or https:// URL; nothing captured"));
  }
  return c;
}

// The job: fetches into a scratch folder, then adds as `uncut capture` does
// (capture/capture_into.h: on a directory under the writer lock, on a
// cluster staged and copied in one transaction), time-stamped when the
// archive names an authority (`uncut config tsa`). The audit log names the
// token and `client` (the request's address).
absl::Status CaptureJob(const std::string& archive, const CaptureRequest& r,
                        uint64_t max_bytes, const std::string& client, JobControl& job) {
  job.Progress({0, 0, "", StrCat("fetching ", r.url)});
  CaptureScratch scratch;
  if (scratch.path().empty()) return absl::InternalError("cannot make a temporary folder");
  FetchLimits limits;
  limits.max_bytes = max_bytes;
  limits.time_limit_s = kCaptureTimeLimitS;
  auto capture = CaptureUrl(r.url, scratch.path(), limits, {.browser = r.browser});
  if (!capture.ok()) return capture.status();
  job.Progress({0, 0, "", "adding to the archive"});
  CaptureInto to;
  to.archive = archive;
  to.options.title = r.title;
  to.options.note = r.note;
  to.options.actor = "token";
  to.options.client = client;
  std::vector<std::string> warnings = capture->warnings;
  auto added = AddCaptureInto(to, *capture, nullptr, &warnings);
  if (!added.ok()) return added.status();
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < added->size(); ++i) {
    const AddedFile& a = (*added)[i];
    nlohmann::json j = ItemToJson(a.item);
    j["existed"] = a.existed;
    j["role"] = CapturedRole(capture->files[i], a.item);
    j["tool"] = capture->files[i].tool;
    items.push_back(std::move(j));
  }
  job.SetResult({{"url", r.url}, {"items", std::move(items)}, {"warnings", warnings}});
  job.Progress({1, 1, "", "done"});
  return absl::OkStatus();
}

void PostCapture(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto r = ParseCaptureRequest(req);
  if (!r.ok()) return SendError(res, r.status());
  std::string dir = ctx.archive_dir;
  uint64_t max_bytes = ctx.max_upload_bytes;
  std::string client = req.remote_addr;
  CaptureRequest request = *r;
  auto id = ctx.jobs->Submit(kCaptureLane, "capture", SubmitterOf(ctx, req), [=](JobControl& job) {
    return CaptureJob(dir, request, max_bytes, client, job);
  });
  if (!id.ok()) return SendError(res, id.status());
  SendSubmitted(ctx, *id, res);
}

}  // namespace

void RegisterCaptureRoutes(httplib::Server& http, ApiContext& ctx) {
  ApiContext* c = &ctx;
  http.Post("/api/captures", Guarded([c](const httplib::Request& req, httplib::Response& res) {
              PostCapture(*c, req, res);
            }));
}

}  // namespace uncut::server
