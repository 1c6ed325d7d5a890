// Where a server's jobs (server/jobs.h) live while clients poll them: the
// one interface the routes use, with two implementations, chosen where the
// served archive is opened (MakeJobStore, server/served_archive.h):
//
//   MemoryJobStore   a directory archive: the jobs live in this process
//                    (one server per directory), as a JobQueue keeps them;
//   CatalogJobStore  a PostgreSQL archive: every job is a row of the
//                    coordinator's catalog, so any server on the archive
//                    answers for a job another one runs
//                    (server/catalog_jobs.h).
//
// Either way the work runs on this process's job lanes, with the queue
// limits of JobQueueOptions (per server).
//
// Thread-safe.
#ifndef UNCUT_SERVER_JOB_STORE_H_
#define UNCUT_SERVER_JOB_STORE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "report/trace_report.h"
#include "server/jobs.h"

namespace uncut::server {

// Who submitted a job: the client's address, and whether it sent the
// access token.
struct JobSubmitter {
  std::string client;
  bool with_token = false;
};

struct JobStoreOptions {
  JobQueueOptions queue;
  // The HTML page of a trace job's report (report/html_report.h).
  std::function<std::string(const TraceReport&)> render_html;
  // Catalog: a queued or running job whose server has not renewed its lease
  // for this long is reported failed (that server stopped); the lease is
  // renewed every sixth of it.
  std::chrono::milliseconds lease{std::chrono::seconds(30)};
  // Catalog: a running job's progress is written at most this often (its
  // start and end always).
  std::chrono::milliseconds progress_interval{std::chrono::seconds(1)};
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // Queues `work` on `lane`; returns the job id. kUnavailable when the
  // lane's queue is full or the server is stopping.
  virtual absl::StatusOr<std::string> Submit(const std::string& lane, const std::string& kind,
                                             const JobSubmitter& by, JobWork work) = 0;
  // The job; nullopt when there is none (or it is no longer kept).
  virtual absl::StatusOr<std::optional<JobSnapshot>> Get(const std::string& id) = 0;
  // As Get, once the job has finished or `timeout` has passed.
  virtual absl::StatusOr<std::optional<JobSnapshot>> Wait(const std::string& id,
                                                          std::chrono::milliseconds timeout) = 0;
  // The most recent jobs, newest first, without their results.
  virtual absl::StatusOr<std::vector<JobSnapshot>> Recent(size_t n) = 0;
  // A finished trace job's report: its HTML page (`html`), else its JSON
  // report (the job's result without `summary` and `saved_trace`).
  // kNotFound without such a job, kFailedPrecondition when it has no report.
  virtual absl::StatusOr<std::string> Report(const std::string& id, bool html) = 0;
  // Lets running jobs finish, fails queued ones, and joins the workers.
  virtual void Shutdown() = 0;
};

// The jobs of this process only.
class MemoryJobStore : public JobStore {
 public:
  explicit MemoryJobStore(JobStoreOptions options);
  absl::StatusOr<std::string> Submit(const std::string& lane, const std::string& kind,
                                     const JobSubmitter& by, JobWork work) override;
  absl::StatusOr<std::optional<JobSnapshot>> Get(const std::string& id) override;
  absl::StatusOr<std::optional<JobSnapshot>> Wait(const std::string& id,
                                                  std::chrono::milliseconds timeout) override;
  absl::StatusOr<std::vector<JobSnapshot>> Recent(size_t n) override;
  absl::StatusOr<std::string> Report(const std::string& id, bool html) override;
  void Shutdown() override { queue_.Shutdown(); }

 private:
  const JobStoreOptions options_;
  JobQueue queue_;
};

// The report.json of a trace job whose result is `result`.
nlohmann::json JobReportJson(const nlohmann::json& result);

// "the job has no report (it is STATE)".
absl::Status NoJobReport(JobState state);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_JOB_STORE_H_
