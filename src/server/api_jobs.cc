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
  auto jobs = ctx.jobs->Recent(50);
  if (!jobs.ok()) return SendError(res, jobs.status());
  nlohmann::json list = nlohmann::json::array();
  for (const JobSnapshot& j : *jobs) list.push_back(JobToJson(j, false));
  SendJson(res, 200, {{"jobs", std::move(list)}});
}

void ShowJob(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  auto job = ctx.jobs->Get(req.matches[1]);
  if (!job.ok()) return SendError(res, job.status());
  if (!*job)
    return SendError(res, absl::NotFoundError("no such job (finished jobs are kept a while)"));
  SendJson(res, 200, JobToJson(**job, true));
}

void JobReport(ApiContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const bool html = req.matches[2] == "html";
  auto page = ctx.jobs->Report(req.matches[1], html);
  if (!page.ok()) return SendError(res, page.status());
  if (!html) {
    res.status = 200;
    res.set_content(std::move(*page), "application/json; charset=utf-8");
    return;
  }
  res.set_header("Content-Security-Policy", kReportCsp);
  res.set_content(std::move(*page), "text/html; charset=utf-8");
}

}  // namespace

std::string JobReportHtml(const ApiContext& ctx, const TraceReport& report) {
  HtmlReportOptions options;
  options.uncut_version = ctx.version;
  options.rerun_command = RerunCommand(ctx.archive_name, report);
  return ReportToHtml(report, options);
}

JobSubmitter SubmitterOf(const ApiContext& ctx, const httplib::Request& req) {
  return {req.remote_addr, HasToken(ctx, req)};
}

void SendSubmitted(ApiContext& ctx, const std::string& id, httplib::Response& res) {
  res.set_header("Location", StrCat("/api/jobs/", id));
  auto job = ctx.jobs->Get(id);
  if (job.ok() && *job) return SendJson(res, 202, JobToJson(**job, false));
  SendJson(res, 202, {{"id", id}, {"state", "queued"}});
}

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
