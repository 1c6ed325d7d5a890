#include "server/job_store.h"

#include "base/strings.h"
#include "report/trace_report.h"
#include "server/http_util.h"

namespace uncut::server {

MemoryJobStore::MemoryJobStore(JobStoreOptions options)
    : options_(std::move(options)), queue_(options_.queue) {}

absl::StatusOr<std::string> MemoryJobStore::Submit(const std::string& lane,
                                                   const std::string& kind, const JobSubmitter&,
                                                   JobWork work) {
  return queue_.Submit(lane, kind, std::move(work));
}

absl::StatusOr<std::optional<JobSnapshot>> MemoryJobStore::Get(const std::string& id) {
  return queue_.Get(id);
}

absl::StatusOr<std::optional<JobSnapshot>> MemoryJobStore::Wait(
    const std::string& id, std::chrono::milliseconds timeout) {
  return queue_.Wait(id, timeout);
}

absl::StatusOr<std::vector<JobSnapshot>> MemoryJobStore::Recent(size_t n) {
  std::vector<JobSnapshot> jobs = queue_.Recent(n);
  for (JobSnapshot& j : jobs) {
    j.result = nullptr;
    j.report = nullptr;
  }
  return jobs;
}

absl::StatusOr<std::string> MemoryJobStore::Report(const std::string& id, bool html) {
  std::optional<JobSnapshot> job = queue_.Get(id);
  if (!job) return absl::NotFoundError("no such job");
  if (job->state != JobState::kSucceeded || !job->report) return NoJobReport(job->state);
  if (html) return options_.render_html(*job->report);
  return SafeDump(ReportToJson(*job->report));
}

nlohmann::json JobReportJson(const nlohmann::json& result) {
  nlohmann::json j = result;
  if (j.is_object()) {
    j.erase("summary");
    j.erase("saved_trace");
  }
  return j;
}

absl::Status NoJobReport(JobState state) {
  return absl::FailedPreconditionError(
      StrCat("the job has no report (it is ", JobStateName(state), ")"));
}

}  // namespace uncut::server
