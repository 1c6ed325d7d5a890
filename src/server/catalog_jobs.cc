#include "server/catalog_jobs.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "server/http_util.h"
#include "storage/catalog_records.h"

namespace uncut::server {
namespace {

constexpr char kFinished[] = "('succeeded', 'failed')";
constexpr char kUnfinished[] = "('queued', 'running')";

std::string JsonText(const nlohmann::json& j) { return SafeDump(j); }

nlohmann::json ProgressJson(const JobProgress& p) {
  return {{"done", p.done}, {"total", p.total}, {"unit", p.unit}, {"stage", p.stage}};
}

JobProgress ProgressOf(std::string_view text) {
  JobProgress p;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return p;
  p.done = j.value("done", uint64_t{0});
  p.total = j.value("total", uint64_t{0});
  p.unit = j.value("unit", "");
  p.stage = j.value("stage", "");
  return p;
}

std::string ThisServerName() {
  char host[256] = {0};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = 0;
  return StrCat(host[0] ? host : "localhost", ":", ::getpid(), ":", NewJobId().substr(0, 8));
}

// A text array literal of job ids (hex digits only, so nothing to quote).
std::string IdArray(const std::set<std::string>& ids) {
  std::string out = "{";
  for (const std::string& id : ids) out += StrCat(out.size() > 1 ? "," : "", id);
  return out + "}";
}

std::string Bool(bool b) { return b ? "true" : "false"; }

// The session jobs are read and written through. Its statements are short:
// one that waits longer than the timeout (a lock, a server in trouble)
// fails, and the heartbeat writes a job's end again, rather than every job
// of the server waiting behind it.
absl::StatusOr<std::unique_ptr<PgConn>> ConnectForJobs(const std::string& uri) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Connect(uri));
  RETURN_IF_ERROR(conn->ExecScript("SET statement_timeout = '30s'"));
  return conn;
}

}  // namespace

// Passes what the work reports to the local queue (for Wait) and writes its
// progress to the row, at most every progress_interval.
class CatalogJobStore::RowControl : public JobControl {
 public:
  RowControl(CatalogJobStore* store, std::string id, JobControl& local)
      : store_(store), id_(std::move(id)), local_(local) {}

  void Progress(const JobProgress& p) override {
    local_.Progress(p);
    progress_ = p;
    const auto now = std::chrono::steady_clock::now();
    if (written_ && now - *written_ < store_->options_.progress_interval) return;
    written_ = now;
    store_->WriteProgress(id_, p).IgnoreError();  // the end is written whatever happens
  }
  void SetResult(nlohmann::json result) override {
    result_ = result;
    local_.SetResult(std::move(result));
  }
  void SetReport(std::shared_ptr<const TraceReport> report) override {
    if (report && store_->options_.render_html) html_ = store_->options_.render_html(*report);
    local_.SetReport(std::move(report));
  }

  // The job's end. A trace whose result names the trace it saved (whose
  // JSON report is this result without `saved_trace`, server/api_trace.cc)
  // keeps a reference to it rather than a second copy.
  Final End(const absl::Status& status, double elapsed_ms) {
    Final f;
    f.state = status.ok() ? JobState::kSucceeded : JobState::kFailed;
    f.error = status;
    f.progress = progress_;
    f.elapsed_ms = elapsed_ms;
    f.finished_at = NowRfc3339();
    if (html_ && result_.is_object() && result_.contains("saved_trace") &&
        result_["saved_trace"].is_number_integer()) {
      f.saved_trace = result_["saved_trace"].get<int64_t>();
    } else {
      f.result = std::move(result_);
      f.report_html = std::move(html_);
    }
    return f;
  }

 private:
  CatalogJobStore* store_;
  const std::string id_;
  JobControl& local_;
  JobProgress progress_;
  std::optional<std::chrono::steady_clock::time_point> written_;
  nlohmann::json result_;
  std::optional<std::string> html_;
};

absl::StatusOr<std::unique_ptr<CatalogJobStore>> CatalogJobStore::Open(const std::string& uri,
                                                                       JobStoreOptions options) {
  std::unique_ptr<CatalogJobStore> store(new CatalogJobStore(uri, std::move(options)));
  ASSIGN_OR_RETURN(store->conn_, ConnectForJobs(uri));
  ASSIGN_OR_RETURN(PgResult r, store->conn_->Exec("SELECT to_regclass('jobs') IS NOT NULL"));
  if (r.Get(0, 0) != "t") {
    return absl::FailedPreconditionError(
        StrCat(store->conn_->name(), ": the archive has no jobs table (open it with this uncut first)"));
  }
  store->heartbeat_ = std::thread([s = store.get()] { s->HeartbeatLoop(); });
  return store;
}

CatalogJobStore::CatalogJobStore(std::string uri, JobStoreOptions options)
    : uri_(std::move(uri)),
      options_(std::move(options)),
      server_(ThisServerName()),
      queue_(options_.queue) {}

CatalogJobStore::~CatalogJobStore() { Shutdown(); }

absl::StatusOr<PgResult> CatalogJobStore::Exec(const std::string& sql,
                                               const std::vector<PgParam>& params, bool binary) {
  std::lock_guard<std::mutex> lock(conn_mu_);
  for (int attempt = 0;; ++attempt) {
    if (!conn_ || conn_->Broken()) {
      conn_.reset();
      ASSIGN_OR_RETURN(conn_, ConnectForJobs(uri_));
    }
    absl::StatusOr<PgResult> r = conn_->Exec(sql, params, binary);
    if (r.ok() || attempt > 0 || !conn_->Broken()) return r;
  }
}

absl::StatusOr<std::string> CatalogJobStore::Submit(const std::string& lane,
                                                    const std::string& kind,
                                                    const JobSubmitter& by, JobWork work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return absl::UnavailableError("the server is shutting down");
  }
  const std::string id = NewJobId();
  RETURN_IF_ERROR(Exec("INSERT INTO jobs(id, kind, state, progress, client, with_token, server, "
                       "created_at) VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7)",
                       {PgParam::Text(id), PgParam::Text(kind),
                        PgParam::Bytes(JsonText(ProgressJson({}))), PgParam::Bytes(by.client),
                        PgParam::Text(Bool(by.with_token)), PgParam::Text(server_),
                        PgParam::Text(NowRfc3339())})
                      .status());
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_.insert(id);
  }
  absl::StatusOr<std::string> queued = queue_.Submit(
      lane, kind,
      [this, id, work = std::move(work)](JobControl& local) mutable {
        return RunJob(id, work, local);
      },
      id);
  if (!queued.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      active_.erase(id);
    }
    Exec("DELETE FROM jobs WHERE id = $1", {PgParam::Text(id)}).IgnoreError();
    return queued.status();
  }
  return id;
}

absl::Status CatalogJobStore::RunJob(const std::string& id, JobWork& work, JobControl& local) {
  const auto started = std::chrono::steady_clock::now();
  Exec("UPDATE jobs SET state = 'running', started_at = $2, started = now(), updated_at = now(), "
       "lease_at = now() WHERE id = $1",
       {PgParam::Text(id), PgParam::Text(NowRfc3339())})
      .IgnoreError();  // the end is written (or the lease runs out) whatever happens
  RowControl control(this, id, local);
  absl::Status status;
  try {
    status = work(control);
  } catch (const std::exception& e) {
    status = absl::InternalError(StrCat("internal error: ", e.what()));
  }
  work = nullptr;  // frees what it captured
  Final end = control.End(
      status,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  absl::Status written = WriteFinal(id, end);
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_.erase(id);
    if (!written.ok()) unwritten_[id] = std::move(end);  // the heartbeat tries again
  }
  // This server's oldest finished jobs beyond max_kept, and what nobody
  // has written for a week.
  Exec(StrCat("DELETE FROM jobs WHERE server = $1 AND state IN ", kFinished,
              " AND seq <= (SELECT seq FROM jobs WHERE server = $1 AND state IN ", kFinished,
              " ORDER BY seq DESC OFFSET $2 LIMIT 1)"),
       {PgParam::Text(server_), PgParam::Int(static_cast<int64_t>(options_.queue.max_kept))})
      .IgnoreError();
  Exec("DELETE FROM jobs WHERE lease_at < now() - interval '7 days'", {}).IgnoreError();
  return status;
}

absl::Status CatalogJobStore::WriteProgress(const std::string& id, const JobProgress& p) {
  return Exec("UPDATE jobs SET progress = $2, updated_at = now() WHERE id = $1",
              {PgParam::Text(id), PgParam::Bytes(JsonText(ProgressJson(p)))})
      .status();
}

absl::Status CatalogJobStore::WriteFinal(const std::string& id, const Final& f) {
  const bool has_result = !f.result.is_null();
  return Exec(
             "UPDATE jobs SET state = $2, progress = $3, finished_at = $4, elapsed_ms = $5, "
             "error_code = $6, error = $7, result = $8, report_html = $9, saved_trace = $10, "
             "updated_at = now(), lease_at = now() WHERE id = $1",
             {PgParam::Text(id), PgParam::Text(JobStateName(f.state)),
              PgParam::Bytes(JsonText(ProgressJson(f.progress))), PgParam::Text(f.finished_at),
              PgParam::Text(StrCat(f.elapsed_ms)),
              PgParam::Int(static_cast<int64_t>(f.error.code())),
              f.error.ok() ? PgParam::Null() : PgParam::Bytes(std::string(f.error.message())),
              has_result ? PgParam::Bytes(JsonText(f.result)) : PgParam::Null(),
              f.report_html ? PgParam::Bytes(*f.report_html) : PgParam::Null(),
              f.saved_trace ? PgParam::Int(*f.saved_trace) : PgParam::Null()})
      .status();
}

absl::StatusOr<std::vector<JobSnapshot>> CatalogJobStore::Query(
    const std::string& where, const std::vector<PgParam>& params, bool with_result, bool settle) {
  // Cells as bytes (binary results): every column is text or bytea.
  const std::string sql = StrCat(
      "SELECT j.id, j.kind, j.state, j.progress, j.created_at, coalesce(j.started_at, ''), "
      "coalesce(j.finished_at, ''), "
      "(CASE WHEN j.state = 'running' AND j.started IS NOT NULL "
      "THEN extract(epoch FROM now() - j.started) * 1000 ELSE j.elapsed_ms END)::float8::text, "
      "coalesce(j.error_code, 0)::text, coalesce(j.error, ''::bytea), ",
      with_result ? "coalesce(j.result, t.report_json), j.saved_trace::text, "
                  : "NULL::bytea, NULL::text, ",
      "(j.report_html IS NOT NULL OR j.saved_trace IS NOT NULL)::text, "
      "(j.state IN ", kUnfinished, " AND j.lease_at < now() - $1::float8 * interval '1 millisecond')::text, "
      "j.server, j.lease_at::text "
      "FROM jobs j LEFT JOIN saved_traces t ON t.id = j.saved_trace ",
      where);
  std::vector<PgParam> all = {PgParam::Text(StrCat(options_.lease.count()))};
  all.insert(all.end(), params.begin(), params.end());
  ASSIGN_OR_RETURN(PgResult r, Exec(sql, all, true));
  std::vector<JobSnapshot> out;
  for (int i = 0; i < r.rows(); ++i) {
    JobSnapshot s;
    s.id = std::string(r.Get(i, 0));
    s.kind = std::string(r.Get(i, 1));
    s.state = JobStateNamed(r.Get(i, 2)).value_or(JobState::kFailed);
    s.progress = ProgressOf(r.Get(i, 3));
    s.created_at = std::string(r.Get(i, 4));
    s.started_at = std::string(r.Get(i, 5));
    s.finished_at = std::string(r.Get(i, 6));
    double elapsed = 0;
    if (absl::SimpleAtod(std::string(r.Get(i, 7)), &elapsed)) s.elapsed_ms = std::max(0.0, elapsed);
    if (s.state == JobState::kFailed) {
      int64_t code = r.GetInt(i, 8);
      s.error = absl::Status(code > 0 && code <= 16 ? static_cast<absl::StatusCode>(code)
                                                    : absl::StatusCode::kUnknown,
                             std::string(r.Get(i, 9)));
    }
    if (with_result && !r.IsNull(i, 10)) {
      s.result = nlohmann::json::parse(r.Get(i, 10), nullptr, false);
      if (s.result.is_discarded()) s.result = nullptr;
      if (!r.IsNull(i, 11) && s.result.is_object()) s.result["saved_trace"] = r.GetInt(i, 11);
    }
    s.has_report = r.Get(i, 12) == "true";
    if (r.Get(i, 13) == "true") {
      s.state = JobState::kFailed;
      s.finished_at.clear();
      s.error = absl::UnavailableError(
          StrCat("the server running it stopped (", r.Get(i, 14), " was not heard from for ",
                 options_.lease.count() / 1000.0, " s)"));
      if (settle) {
        // A write that fails leaves the row to the next reader; this one
        // reports the job failed all the same.
        absl::StatusOr<std::optional<JobSnapshot>> now =
            Settle(s, std::string(r.Get(i, 15)), with_result);
        if (now.ok() && !*now) continue;  // deleted meanwhile
        if (now.ok()) s = std::move(**now);
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

// The row is written failed only if it is still unfinished with the lease
// this reader saw run out. Its server may renew the lease (or write the
// job's end) between the read and this write: then the condition fails,
// nothing is written, and the row is read again, as that server left it.
// When this write comes first, a server that was only cut off for longer
// than the lease, and whose job went on, finds its row failed: its renewals
// leave it so, and the job's end, once written, replaces it.
absl::StatusOr<std::optional<JobSnapshot>> CatalogJobStore::Settle(const JobSnapshot& lapsed,
                                                                   const std::string& lease_at,
                                                                   bool with_result) {
  const std::string finished_at = NowRfc3339();
  ASSIGN_OR_RETURN(
      PgResult r,
      Exec(StrCat("UPDATE jobs SET state = 'failed', error_code = $3, error = $4, finished_at = $5, "
                  "elapsed_ms = CASE WHEN started IS NULL THEN elapsed_ms "
                  "ELSE greatest(0, extract(epoch FROM lease_at - started) * 1000) END, "
                  "updated_at = now() WHERE id = $1 AND lease_at = $2::timestamptz AND state IN ",
                  kUnfinished, " RETURNING elapsed_ms::text"),
           {PgParam::Text(lapsed.id), PgParam::Text(lease_at),
            PgParam::Int(static_cast<int64_t>(lapsed.error.code())),
            PgParam::Bytes(std::string(lapsed.error.message())), PgParam::Text(finished_at)}));
  if (r.rows() == 0) {
    ASSIGN_OR_RETURN(std::vector<JobSnapshot> again,
                     Query("WHERE j.id = $2", {PgParam::Text(lapsed.id)}, with_result, false));
    if (again.empty()) return std::optional<JobSnapshot>();
    return std::optional<JobSnapshot>(std::move(again[0]));
  }
  JobSnapshot settled = lapsed;
  settled.finished_at = finished_at;
  double elapsed = 0;
  if (absl::SimpleAtod(std::string(r.Get(0, 0)), &elapsed)) settled.elapsed_ms = elapsed;
  return std::optional<JobSnapshot>(std::move(settled));
}

absl::StatusOr<std::optional<JobSnapshot>> CatalogJobStore::Get(const std::string& id) {
  ASSIGN_OR_RETURN(std::vector<JobSnapshot> jobs,
                   Query("WHERE j.id = $2", {PgParam::Text(id)}, true, true));
  if (jobs.empty()) return std::optional<JobSnapshot>();
  return std::optional<JobSnapshot>(std::move(jobs[0]));
}

absl::StatusOr<std::optional<JobSnapshot>> CatalogJobStore::Wait(
    const std::string& id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool local;
  {
    std::lock_guard<std::mutex> lock(mu_);
    local = active_.count(id) > 0;
  }
  // A job of this server ends (its end written) before the queue hears of it.
  if (local) queue_.Wait(id, timeout);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<JobSnapshot> job, Get(id));
    if (!job || job->state == JobState::kSucceeded || job->state == JobState::kFailed ||
        std::chrono::steady_clock::now() >= deadline) {
      return job;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

absl::StatusOr<std::vector<JobSnapshot>> CatalogJobStore::Recent(size_t n) {
  return Query("ORDER BY j.seq DESC LIMIT $2", {PgParam::Int(static_cast<int64_t>(n))}, false,
               true);
}

absl::StatusOr<std::string> CatalogJobStore::Report(const std::string& id, bool html) {
  ASSIGN_OR_RETURN(std::optional<JobSnapshot> job, Get(id));
  if (!job) return absl::NotFoundError("no such job");
  if (job->state != JobState::kSucceeded || !job->has_report) return NoJobReport(job->state);
  if (!html) return SafeDump(JobReportJson(job->result));
  ASSIGN_OR_RETURN(PgResult r, Exec("SELECT coalesce(j.report_html, t.report_html) FROM jobs j "
                                    "LEFT JOIN saved_traces t ON t.id = j.saved_trace "
                                    "WHERE j.id = $1",
                                    {PgParam::Text(id)}, true));
  if (r.rows() != 1 || r.IsNull(0, 0)) return absl::NotFoundError("no such job");
  return std::string(r.Get(0, 0));
}

void CatalogJobStore::HeartbeatLoop() {
  const auto every = std::max(std::chrono::milliseconds(50), options_.lease / 6);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, every, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Heartbeat();
    lock.lock();
  }
}

void CatalogJobStore::Heartbeat() {
  std::set<std::string> active;
  std::map<std::string, Final> unwritten;
  {
    std::lock_guard<std::mutex> lock(mu_);
    active = active_;
    unwritten.swap(unwritten_);
  }
  if (!active.empty()) {
    Exec("UPDATE jobs SET lease_at = now() WHERE id = ANY($1::text[])",
         {PgParam::Text(IdArray(active))})
        .IgnoreError();
  }
  for (auto& [id, end] : unwritten) {
    if (!WriteFinal(id, end).ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      unwritten_.emplace(id, std::move(end));
    }
  }
}

void CatalogJobStore::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !heartbeat_.joinable()) return;
  }
  // Running jobs finish (and write their ends); queued ones never run.
  queue_.Shutdown();
  std::set<std::string> never_ran;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    never_ran.swap(active_);
  }
  stop_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  Heartbeat();  // ends not yet written
  if (!never_ran.empty()) {
    Exec(StrCat("UPDATE jobs SET state = 'failed', error_code = $2, error = $3, finished_at = $4, "
                "updated_at = now(), lease_at = now() WHERE id = ANY($1::text[]) AND state IN ",
                kUnfinished),
         {PgParam::Text(IdArray(never_ran)),
          PgParam::Int(static_cast<int64_t>(absl::StatusCode::kUnavailable)),
          PgParam::Bytes("the server stopped before this job ran"), PgParam::Text(NowRfc3339())})
        .IgnoreError();
  }
}

}  // namespace uncut::server
