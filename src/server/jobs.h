// Jobs: long work (adding uploaded files, tracing) runs on worker threads
// while clients poll its progress.
//
// Work is submitted to a lane; each lane has its own workers, so a long
// add on the "write" lane never holds up traces on the "trace" lane. A lane
// queues at most `max_queued` jobs (Submit fails with ResourceExhausted
// beyond that), and only the `max_kept` most recent finished jobs are kept.
// Job ids are random (128 bits), so they cannot be guessed.
//
// Thread-safe.
#ifndef UNCUT_SERVER_JOBS_H_
#define UNCUT_SERVER_JOBS_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "report/trace_report.h"

namespace uncut::server {

enum class JobState { kQueued, kRunning, kSucceeded, kFailed };

struct JobProgress {
  uint64_t done = 0;
  uint64_t total = 0;  // 0: unknown
  std::string unit;    // "bytes", "files", ...
  std::string stage;   // what is happening now, for people
};

struct JobSnapshot {
  std::string id;
  std::string kind;  // "add", "remove", "trace"
  JobState state = JobState::kQueued;
  JobProgress progress;
  std::string created_at, started_at, finished_at;
  double elapsed_ms = 0;                      // running time so far, or in all
  absl::Status error;                         // when failed
  nlohmann::json result;                      // when succeeded
  std::shared_ptr<const TraceReport> report;  // trace jobs, in this process
  bool has_report = false;                    // trace jobs, in the catalog
};

// What a job's work uses to report progress and its result.
class JobControl {
 public:
  virtual ~JobControl() = default;
  virtual void Progress(const JobProgress& p) = 0;
  virtual void SetResult(nlohmann::json result) = 0;
  virtual void SetReport(std::shared_ptr<const TraceReport> report) = 0;
};

using JobWork = std::function<absl::Status(JobControl&)>;

struct JobQueueOptions {
  std::map<std::string, size_t> lanes;  // lane name → worker threads
  size_t max_queued = 256;
  size_t max_kept = 200;
};

class JobQueue {
 public:
  explicit JobQueue(JobQueueOptions options);
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Queues `work`; returns the job id: `id` when given (from NewJobId),
  // else a new one.
  absl::StatusOr<std::string> Submit(const std::string& lane, const std::string& kind,
                                     JobWork work, std::string id = "");
  std::optional<JobSnapshot> Get(const std::string& id) const;
  // Waits until the job has finished or `timeout` has passed.
  std::optional<JobSnapshot> Wait(const std::string& id, std::chrono::milliseconds timeout) const;
  // The most recent jobs, newest first.
  std::vector<JobSnapshot> Recent(size_t n) const;
  // Lets running jobs finish, fails queued ones, and joins the workers.
  void Shutdown();

 private:
  struct Job;
  class Control;
  void WorkerLoop(const std::string& lane);
  void Finish(const std::shared_ptr<Job>& job, absl::Status status);
  JobSnapshot Snapshot(const Job& job) const;

  const JobQueueOptions options_;
  mutable std::mutex mu_;
  mutable std::condition_variable work_cv_, done_cv_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::string> order_;  // job ids, oldest first
  std::map<std::string, std::deque<std::shared_ptr<Job>>> queues_;
  std::vector<std::thread> workers_;
};

// A new job id: 128 random bits as 32 hex digits.
std::string NewJobId();

const char* JobStateName(JobState s);
// The state named by JobStateName; nullopt for another name.
std::optional<JobState> JobStateNamed(std::string_view name);
// The job as the API shows it; `with_result` adds the result.
nlohmann::json JobToJson(const JobSnapshot& job, bool with_result);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_JOBS_H_
