// POST /api/trace: traces an extract as a job on the trace lane; the
// report is then read from the job (JSON or HTML).
#include <chrono>

#include "base/strings.h"
#include "report/html_report.h"
#include "report/rerun_command.h"
#include "report/summary.h"
#include "server/api.h"
#include "server/http_util.h"
#include "store/saved_traces.h"
#include "trace/text_trace.h"

namespace uncut::server {
namespace {

constexpr size_t kMaxExtractBytes = 1 << 20;

struct TraceRequest {
  std::string text;
  int context = 1;
  bool save = false;
};

absl::StatusOr<TraceRequest> ParseTraceRequest(const httplib::Request& req) {
  TraceRequest t;
  if (req.is_multipart_form_data()) {
    if (req.has_file("clip")) {
      return absl::UnimplementedError(
          "this server traces text extracts; tracing video and audio clips is not available yet");
    }
    t.text = req.get_file_value("text").content;
    if (req.has_file("context")) {
      t.context = std::atoi(req.get_file_value("context").content.c_str());
    }
    t.save = req.get_file_value("save").content == "true";
  } else {
    nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
    if (!j.is_object()) {
      return absl::InvalidArgumentError(
          "send a JSON object such as {\"text\": \"the extract\", \"context\": 1}");
    }
    if (!j.contains("text") || !j["text"].is_string()) {
      return absl::InvalidArgumentError("\"text\" (the extract) is missing");
    }
    t.text = j["text"].get<std::string>();
    if (j.contains("context")) {
      if (!j["context"].is_number_integer()) {
        return absl::InvalidArgumentError("\"context\" must be a whole number");
      }
      t.context = j["context"].get<int>();
    }
    if (j.contains("save")) t.save = j["save"].is_boolean() && j["save"].get<bool>();
  }
  if (t.context < 0 || t.context > 20) {
    return absl::InvalidArgumentError("\"context\" must be from 0 to 20 sentences");
  }
  if (t.text.empty()) return absl::InvalidArgumentError("the extract is empty");
  if (t.text.size() > kMaxExtractBytes) {
    return absl::InvalidArgumentError("the extract is longer than 1 MiB");
  }
  return t;
}

absl::Status RunTrace(const ApiContext& ctx, const TraceRequest& t, JobControl& job) {
  job.Progress({0, 0, "", "tracing"});
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return archive.status();
  TextTraceOptions options;
  options.context_sentences = t.context;
  auto report = TraceText(archive->get(), t.text, options);
  if (!report.ok()) return report.status();
  auto shared = std::make_shared<const TraceReport>(std::move(*report));
  nlohmann::json result = ReportToJson(*shared);
  result["summary"] = SummarizeTrace(*shared, PlainSummaryMarkup());
  if (t.save) {
    HtmlReportOptions html;
    html.uncut_version = ctx.version;
    html.rerun_command = RerunCommand(ctx.archive_dir, *shared);
    SavedTrace saved;
    saved.traced_at = shared->traced_at;
    saved.query_kind = shared->query_kind;
    saved.query_sha256 = shared->query_sha256;
    saved.verdict = shared->verdict;
    for (const SourceMatch& m : shared->sources) saved.item_ids.push_back(m.item.id);
    saved.report_json = result.dump(2);
    saved.report_html = ReportToHtml(*shared, html);
    auto id = SaveTrace(archive->get(), saved);
    if (!id.ok()) return id.status();
    result["saved_trace"] = *id;
  }
  job.SetReport(shared);
  job.SetResult(std::move(result));
  job.Progress({1, 1, "", "done"});
  return absl::OkStatus();
}

void PostTrace(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto t = ParseTraceRequest(req);
  if (!t.ok()) return SendError(res, t.status());
  if (t->save && !HasToken(ctx, req)) {
    return SendError(res, absl::UnauthenticatedError("saving a trace needs the access token"));
  }
  auto wait_s = IntParam(req, "wait", 0, 0, 60);
  if (!wait_s.ok()) return SendError(res, wait_s.status());
  ApiContext* c = &ctx;
  TraceRequest request = std::move(*t);
  auto id = ctx.jobs->Submit(kTraceLane, "trace",
                             [c, request](JobControl& job) { return RunTrace(*c, request, job); });
  if (!id.ok()) return SendError(res, id.status());
  std::optional<JobSnapshot> job =
      *wait_s > 0 ? ctx.jobs->Wait(*id, std::chrono::seconds(*wait_s)) : ctx.jobs->Get(*id);
  if (!job) return SendError(res, absl::NotFoundError("the job is gone"));
  res.set_header("Location", StrCat("/api/jobs/", *id));
  bool finished = job->state == JobState::kSucceeded || job->state == JobState::kFailed;
  SendJson(res, finished ? 200 : 202, JobToJson(*job, true));
}

}  // namespace

void RegisterTraceRoutes(httplib::Server& http, ApiContext& ctx) {
  ApiContext* c = &ctx;
  http.Post("/api/trace", Guarded([c](const httplib::Request& req, httplib::Response& res) {
              PostTrace(*c, req, res);
            }));
}

}  // namespace uncut::server
