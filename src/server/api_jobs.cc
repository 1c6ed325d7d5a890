// Routes for jobs: their status and progress, and a trace job's report.
#include "base/strings.h"
#include "report/html_report.h"
#include "report/rerun_command.h"
#include "server/api.h"
#include "server/http_util.h"

namespace uncut::server {
namespace {

constexpr char kReportCsp[] =
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

void ListJobs(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  nlohmann::json list = nlohmann::json::array();
  for (const JobSnapshot& j : ctx.jobs->Recent(50)) list.push_back(JobToJson(j, false));
  SendJson(res, 200, {{"jobs", std::move(list)}});
}

void ShowJob(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto job = ctx.jobs->Get(req.matches[1]);
  if (!job)
    return SendError(res, absl::NotFoundError("no such job (finished jobs are kept a while)"));
  SendJson(res, 200, JobToJson(*job, true));
}

void JobReport(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto job = ctx.jobs->Get(req.matches[1]);
  if (!job) return SendError(res, absl::NotFoundError("no such job"));
  if (job->state != JobState::kSucceeded || !job->report) {
    return SendError(res, absl::FailedPreconditionError(StrCat("the job has no report (it is ",
                                                               JobStateName(job->state), ")")));
  }
  if (req.matches[2] == "json") {
    SendJson(res, 200, ReportToJson(*job->report));
    return;
  }
  HtmlReportOptions options;
  options.uncut_version = ctx.version;
  options.rerun_command = RerunCommand(ctx.archive_name, *job->report);
  res.set_header("Content-Security-Policy", kReportCsp);
  res.set_content(ReportToHtml(*job->report, options), "text/html; charset=utf-8");
}

}  // namespace

void RegisterJobRoutes(httplib::Server& http, ApiContext& ctx) {
  ApiContext* c = &ctx;
  http.Get("/api/jobs", Guarded([c](const httplib::Request& req, httplib::Response& res) {
             ListJobs(*c, req, res);
           }));
  http.Get(
      "/api/jobs/([0-9a-f]{32})",
      Guarded([c](const httplib::Request& req, httplib::Response& res) { ShowJob(*c, req, res); }));
  http.Get(R"(/api/jobs/([0-9a-f]{32})/report\.(html|json))",
           Guarded([c](const httplib::Request& req, httplib::Response& res) {
             JobReport(*c, req, res);
           }));
}

}  // namespace uncut::server
