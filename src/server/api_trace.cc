// POST /api/trace: traces an extract, or an uploaded video or audio clip or
// picture, as a job on the trace lane; the report is then read from the job
// (JSON or HTML).
#include <chrono>

#include "base/status_macros.h"
#include "base/strings.h"
#include "query/trace_query.h"
#include "report/html_report.h"
#include "report/rerun_command.h"
#include "report/saved_trace.h"
#include "report/summary.h"
#include "server/api.h"
#include "server/http_util.h"
#include "server/upload_receiver.h"
#include "store/saved_traces.h"
#include "trace/text_trace.h"

namespace uncut::server {
namespace {

// The extract's cap is the trace library's (kMaxExtractBytes). A JSON body
// may escape the extract (\u00e9 is six bytes for two), and a body or form
// field up to this size is read whole so that the error can say how long
// the extract is.
constexpr size_t kMaxJsonBodyBytes = 4 * kMaxExtractBytes;

struct TraceRequest {
  std::string text;
  std::shared_ptr<const Upload> clip;  // a clip to trace instead of text
  int context = 1;
  bool save = false;
};

absl::Status ParseContext(const std::string& s, int* context) {
  if (s.empty()) return absl::OkStatus();
  if (s.size() > 2 || s.find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError("\"context\" must be a whole number");
  }
  *context = std::atoi(s.c_str());
  return absl::OkStatus();
}

absl::Status Validate(const TraceRequest& t) {
  if (t.context < 0 || t.context > 20) {
    return absl::InvalidArgumentError("\"context\" must be from 0 to 20 sentences");
  }
  if (t.clip) return absl::OkStatus();
  if (t.text.empty()) return absl::InvalidArgumentError("the extract is empty");
  return CheckExtractSize(t.text.size());
}

// multipart/form-data: fields text, context, save, and optionally a file
// in "clip", streamed to ARCHIVE/uploads/.
absl::StatusOr<TraceRequest> ParseForm(const ApiContext& ctx, const httplib::Request& req,
                                       const httplib::ContentReader& reader) {
  UploadRules rules;
  rules.fields = {"text", "context", "save"};
  rules.max_field_bytes = kMaxJsonBodyBytes;
  rules.file_field = "clip";
  rules.max_files = 1;
  rules.max_upload_bytes = ctx.max_upload_bytes;
  rules.allow_files = HasToken(ctx, req);  // a clip is an upload, whatever --public-read says
  bool too_large = false;
  auto up = ReceiveUpload(ctx.uploads_dir, rules,
                          LimitedReader(reader, ctx.max_upload_bytes, &too_large));
  if (too_large) return UploadTooLarge(ctx.max_upload_bytes);
  if (!up.ok()) return up.status();
  TraceRequest t;
  t.text = up->fields["text"];
  t.save = up->fields["save"] == "true";
  absl::Status s = ParseContext(up->fields["context"], &t.context);
  if (up->files.empty()) {
    RemoveUploadDir(*up);
  } else {
    t.clip = std::make_shared<const Upload>(std::move(*up));
  }
  if (s.ok()) s = Validate(t);
  if (!s.ok()) {
    if (t.clip) RemoveUploadDir(*t.clip);
    return s;
  }
  return t;
}

absl::StatusOr<TraceRequest> ParseJson(const httplib::ContentReader& reader) {
  std::string body;
  bool too_long = false;
  reader([&](const char* data, size_t n) {
    too_long = body.size() + n > kMaxJsonBodyBytes;
    if (!too_long) body.append(data, n);
    return !too_long;
  });
  if (too_long) {
    return absl::ResourceExhaustedError(StrCat("the request is larger than ",
                                               kMaxJsonBodyBytes >> 10, " KiB; one trace takes at most ",
                                               kMaxExtractBytes >> 10, " KiB of extract"));
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        "send a JSON object such as {\"text\": \"the extract\", \"context\": 1}, or a clip as "
        "multipart/form-data (field \"clip\")");
  }
  if (!j.contains("text") || !j["text"].is_string()) {
    return absl::InvalidArgumentError("\"text\" (the extract) is missing");
  }
  TraceRequest t;
  t.text = j["text"].get<std::string>();
  if (j.contains("context")) {
    if (!j["context"].is_number_integer()) {
      return absl::InvalidArgumentError("\"context\" must be a whole number");
    }
    t.context = j["context"].get<int>();
  }
  if (j.contains("save")) t.save = j["save"].is_boolean() && j["save"].get<bool>();
  RETURN_IF_ERROR(Validate(t));
  return t;
}

// Traces the request's extract or clip; messages name the clip as the
// client sent it, not where the server keeps it.
absl::StatusOr<TraceReport> Trace(ServedArchive* archive, const TraceRequest& t) {
  TraceQuery query;
  query.text = t.text;
  query.context_sentences = t.context;
  query.quote_hint = "; to trace a quote, send it as \"text\"";
  query.frames = true;
  if (t.clip) {
    query.file = t.clip->files[0].path;
    query.file_name = t.clip->files[0].name;
  }
  ASSIGN_OR_RETURN(TraceQueryKind kind, TraceQueryKindOf(query));
  return RunTraceQuery(archive->storage(), query, kind);
}

absl::Status RunTrace(const ApiContext& ctx, const TraceRequest& t, JobControl& job) {
  job.Progress({0, 0, "", t.clip ? StrCat("tracing ", t.clip->files[0].name) : "tracing"});
  auto archive = ctx.pool->Acquire();
  if (!archive.ok()) return archive.status();
  auto report = Trace(archive->get(), t);
  if (!report.ok()) return report.status();
  auto shared = std::make_shared<const TraceReport>(std::move(*report));
  nlohmann::json result = ReportToJson(*shared);
  result["summary"] = SummarizeTrace(*shared, PlainSummaryMarkup());
  if (t.save) {
    HtmlReportOptions html;
    html.uncut_version = ctx.version;
    html.rerun_command = RerunCommand(ctx.archive_name, *shared);
    SavedTrace saved = SavedTraceOf(*shared, SafeDump(result, 2), ReportToHtml(*shared, html));
    auto id = (*archive)->records()->SaveTrace(saved);
    if (!id.ok()) return id.status();
    result["saved_trace"] = *id;
  }
  job.SetReport(shared);
  job.SetResult(std::move(result));
  job.Progress({1, 1, "", "done"});
  return absl::OkStatus();
}

void PostTrace(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const httplib::ContentReader& reader) {
  auto t = req.is_multipart_form_data() ? ParseForm(ctx, req, reader) : ParseJson(reader);
  if (!t.ok()) return SendError(res, t.status());
  auto drop_clip = [&] {
    if (t->clip) RemoveUploadDir(*t->clip);
  };
  if (t->save && !HasToken(ctx, req)) {
    drop_clip();
    return SendError(res, absl::UnauthenticatedError("saving a trace needs the access token"));
  }
  auto wait_s = IntParam(req, "wait", 0, 0, 60);
  if (!wait_s.ok()) {
    drop_clip();
    return SendError(res, wait_s.status());
  }
  ApiContext* c = &ctx;
  TraceRequest request = std::move(*t);
  auto id = ctx.jobs->Submit(kTraceLane, "trace", SubmitterOf(ctx, req), [c, request](JobControl& job) {
    absl::Status s = RunTrace(*c, request, job);
    if (request.clip) RemoveUploadDir(*request.clip);
    return s;
  });
  if (!id.ok()) {
    if (request.clip) RemoveUploadDir(*request.clip);
    return SendError(res, id.status());
  }
  absl::StatusOr<std::optional<JobSnapshot>> job =
      *wait_s > 0 ? ctx.jobs->Wait(*id, std::chrono::seconds(*wait_s)) : ctx.jobs->Get(*id);
  if (!job.ok() || !*job) return SendSubmitted(ctx, *id, res);
  res.set_header("Location", StrCat("/api/jobs/", *id));
  const JobSnapshot& snap = **job;
  bool finished = snap.state == JobState::kSucceeded || snap.state == JobState::kFailed;
  SendJson(res, finished ? 200 : 202, JobToJson(snap, true));
}

}  // namespace

void RegisterTraceRoutes(httplib::Server& http, ApiContext& ctx) {
  ApiContext* c = &ctx;
  http.Post("/api/trace", Guarded([c](const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
              PostTrace(*c, req, res, reader);
            }));
}

}  // namespace uncut::server
