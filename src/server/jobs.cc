#include "server/jobs.h"

#include <sys/random.h>

#include <cmath>
#include <random>

#include "base/strings.h"
#include "store/archive.h"

namespace uncut::server {

struct JobQueue::Job {
  JobSnapshot snap;
  JobWork work;
  std::string lane;
  std::chrono::steady_clock::time_point started;
};

// Updates a running job under the queue's lock.
class JobQueue::Control : public JobControl {
 public:
  Control(JobQueue* q, std::shared_ptr<Job> job) : q_(q), job_(std::move(job)) {}
  void Progress(const JobProgress& p) override {
    std::lock_guard<std::mutex> lock(q_->mu_);
    job_->snap.progress = p;
  }
  void SetResult(nlohmann::json result) override {
    std::lock_guard<std::mutex> lock(q_->mu_);
    job_->snap.result = std::move(result);
  }
  void SetReport(std::shared_ptr<const TraceReport> report) override {
    std::lock_guard<std::mutex> lock(q_->mu_);
    job_->snap.report = std::move(report);
  }

 private:
  JobQueue* q_;
  std::shared_ptr<Job> job_;
};

std::string NewJobId() {
  unsigned char raw[16];
  if (::getrandom(raw, sizeof(raw), 0) != static_cast<ssize_t>(sizeof(raw))) {
    std::random_device rd;  // getrandom cannot fail for 16 bytes; this is belt and braces
    for (unsigned char& c : raw) c = static_cast<unsigned char>(rd());
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

JobQueue::JobQueue(JobQueueOptions options) : options_(std::move(options)) {
  for (const auto& [lane, threads] : options_.lanes) {
    queues_[lane];
    for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this, l = lane] { WorkerLoop(l); });
  }
}

JobQueue::~JobQueue() { Shutdown(); }

absl::StatusOr<std::string> JobQueue::Submit(const std::string& lane, const std::string& kind,
                                             JobWork work, std::string id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto q = queues_.find(lane);
  if (q == queues_.end()) return absl::InternalError(StrCat("no job lane ", lane));
  if (stopping_) return absl::UnavailableError("the server is shutting down");
  if (q->second.size() >= options_.max_queued) {
    return absl::UnavailableError(
        StrCat("too many ", kind, " jobs are waiting (", q->second.size(), "); try again later"));
  }
  auto job = std::make_shared<Job>();
  job->snap.id = id.empty() ? NewJobId() : std::move(id);
  job->snap.kind = kind;
  job->snap.created_at = NowRfc3339();
  job->work = std::move(work);
  job->lane = lane;
  jobs_[job->snap.id] = job;
  order_.push_back(job->snap.id);
  q->second.push_back(job);
  work_cv_.notify_all();
  return job->snap.id;
}

void JobQueue::WorkerLoop(const std::string& lane) {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto& q = queues_[lane];
      work_cv_.wait(lock, [&] { return stopping_ || !q.empty(); });
      if (stopping_ && q.empty()) return;
      job = q.front();
      q.pop_front();
      job->snap.state = JobState::kRunning;
      job->snap.started_at = NowRfc3339();
      job->started = std::chrono::steady_clock::now();
    }
    Control control(this, job);
    absl::Status status;
    try {
      status = job->work(control);
    } catch (const std::exception& e) {
      status = absl::InternalError(StrCat("internal error: ", e.what()));
    }
    Finish(job, status);
  }
}

void JobQueue::Finish(const std::shared_ptr<Job>& job, absl::Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  JobSnapshot& s = job->snap;
  s.state = status.ok() ? JobState::kSucceeded : JobState::kFailed;
  s.error = status;
  s.finished_at = NowRfc3339();
  s.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job->started)
          .count();
  job->work = nullptr;  // frees what the work captured (uploaded file lists, ...)
  // Forget the oldest finished jobs beyond max_kept.
  size_t finished = 0;
  for (const std::string& id : order_) {
    JobState st = jobs_[id]->snap.state;
    if (st == JobState::kSucceeded || st == JobState::kFailed) ++finished;
  }
  for (auto it = order_.begin(); finished > options_.max_kept && it != order_.end();) {
    JobState st = jobs_[*it]->snap.state;
    if (st == JobState::kSucceeded || st == JobState::kFailed) {
      jobs_.erase(*it);
      it = order_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
  done_cv_.notify_all();
}

JobSnapshot JobQueue::Snapshot(const Job& job) const {
  JobSnapshot s = job.snap;
  if (s.state == JobState::kRunning) {
    s.elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.started)
            .count();
  }
  return s;
}

std::optional<JobSnapshot> JobQueue::Get(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return Snapshot(*it->second);
}

std::optional<JobSnapshot> JobQueue::Wait(const std::string& id,
                                          std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  auto finished = [&] {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return true;
    JobState st = it->second->snap.state;
    return st == JobState::kSucceeded || st == JobState::kFailed;
  };
  done_cv_.wait_for(lock, timeout, finished);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return Snapshot(*it->second);
}

std::vector<JobSnapshot> JobQueue::Recent(size_t n) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobSnapshot> out;
  for (auto it = order_.rbegin(); it != order_.rend() && out.size() < n; ++it) {
    out.push_back(Snapshot(*jobs_.at(*it)));
  }
  return out;
}

void JobQueue::Shutdown() {
  std::vector<std::shared_ptr<Job>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [lane, q] : queues_) {
      dropped.insert(dropped.end(), q.begin(), q.end());
      q.clear();
    }
    work_cv_.notify_all();
  }
  for (const auto& job : dropped) {
    job->started = std::chrono::steady_clock::now();
    Finish(job, absl::UnavailableError("the server stopped before this job ran"));
  }
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::optional<JobState> JobStateNamed(std::string_view name) {
  for (JobState s : {JobState::kQueued, JobState::kRunning, JobState::kSucceeded, JobState::kFailed}) {
    if (name == JobStateName(s)) return s;
  }
  return std::nullopt;
}

nlohmann::json JobToJson(const JobSnapshot& job, bool with_result) {
  nlohmann::json j = {{"id", job.id},
                      {"kind", job.kind},
                      {"state", JobStateName(job.state)},
                      {"progress",
                       {{"done", job.progress.done},
                        {"total", job.progress.total},
                        {"unit", job.progress.unit},
                        {"stage", job.progress.stage}}},
                      {"created_at", job.created_at},
                      {"elapsed_ms", std::round(job.elapsed_ms * 10) / 10}};
  if (!job.started_at.empty()) j["started_at"] = job.started_at;
  if (!job.finished_at.empty()) j["finished_at"] = job.finished_at;
  if (job.state == JobState::kFailed) {
    j["error"] = {{"message", std::string(job.error.message())}};
  }
  // A failed job keeps what it set before failing (an add's failures, file
  // by file).
  if (with_result && (job.state == JobState::kSucceeded ||
                      (job.state == JobState::kFailed && !job.result.is_null()))) {
    j["result"] = job.result;
  }
  return j;
}

}  // namespace uncut::server
