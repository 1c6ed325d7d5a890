// The jobs of the servers on a PostgreSQL archive, kept in the
// coordinator's catalog (table `jobs`, storage/postgres_storage.cc), so that
// a load balancer may send a job's polls to any server.
//
// The server that accepts a job runs it on its own lanes (a JobQueue, whose
// limits hold per server) and writes its row: queued at Submit, running at
// its start, its progress at most every `progress_interval`, and its end
// (state, error, result; a trace's HTML report, or the saved trace its
// result names instead of a copy). While a job is queued or running its
// server renews the row's lease every sixth of `lease` (so one late
// renewal does not let it run out); any server reading
// a queued or running job whose lease is older than `lease` reports it
// failed: the server running it stopped (killed, or cut off from the
// coordinator), and writes that into the row (unless the row changed
// since it was read), so the list and every other server see it failed. Times are the coordinator's, so the servers' clocks need
// not agree.
//
// A server keeps its `max_kept` most recent finished jobs; older ones, and
// every row last written more than a week ago, are deleted.
//
// Thread-safe: one coordinator session, used by one call at a time.
#ifndef UNCUT_SERVER_CATALOG_JOBS_H_
#define UNCUT_SERVER_CATALOG_JOBS_H_

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "server/job_store.h"
#include "storage/pg_conn.h"

namespace uncut::server {

class CatalogJobStore : public JobStore {
 public:
  // Connects to the coordinator at `uri` (an archive opened once, so its
  // schema has the table).
  static absl::StatusOr<std::unique_ptr<CatalogJobStore>> Open(const std::string& uri,
                                                               JobStoreOptions options);
  ~CatalogJobStore() override;

  absl::StatusOr<std::string> Submit(const std::string& lane, const std::string& kind,
                                     const JobSubmitter& by, JobWork work) override;
  absl::StatusOr<std::optional<JobSnapshot>> Get(const std::string& id) override;
  absl::StatusOr<std::optional<JobSnapshot>> Wait(const std::string& id,
                                                  std::chrono::milliseconds timeout) override;
  absl::StatusOr<std::vector<JobSnapshot>> Recent(size_t n) override;
  absl::StatusOr<std::string> Report(const std::string& id, bool html) override;
  // Also marks this server's queued jobs failed in the catalog.
  void Shutdown() override;

  // This server's name in the rows it owns (host, process, a random part).
  const std::string& server() const { return server_; }

 private:
  class RowControl;
  // A finished job's row, kept until written.
  struct Final {
    JobState state = JobState::kFailed;
    absl::Status error;
    JobProgress progress;
    std::string finished_at;
    nlohmann::json result;
    std::optional<std::string> report_html;
    std::optional<int64_t> saved_trace;
    double elapsed_ms = 0;
  };
  CatalogJobStore(std::string uri, JobStoreOptions options);
  // Runs one statement on the session, connecting again once when it was
  // lost.
  absl::StatusOr<PgResult> Exec(const std::string& sql, const std::vector<PgParam>& params,
                                bool binary = false);
  absl::Status WriteProgress(const std::string& id, const JobProgress& p);
  absl::Status WriteFinal(const std::string& id, const Final& f);
  absl::Status RunJob(const std::string& id, JobWork& work, JobControl& local);
  // The jobs `where` selects. A queued or running job whose lease ran out
  // is reported failed and, with `settle`, written so (Settle).
  absl::StatusOr<std::vector<JobSnapshot>> Query(const std::string& where,
                                                 const std::vector<PgParam>& params,
                                                 bool with_result, bool settle);
  // Writes `lapsed` (read with its lease run out, at `lease_at`) failed in
  // its row, unless the row changed since it was read; returns the job as
  // it then is (nullopt when it is gone).
  absl::StatusOr<std::optional<JobSnapshot>> Settle(const JobSnapshot& lapsed,
                                                    const std::string& lease_at, bool with_result);
  // Renews the leases of this server's jobs and writes the ends that could
  // not be written, every sixth of the lease, until Shutdown.
  void HeartbeatLoop();
  void Heartbeat();

  const std::string uri_;
  const JobStoreOptions options_;
  const std::string server_;
  std::mutex conn_mu_;
  std::unique_ptr<PgConn> conn_;
  std::mutex mu_;  // guards what follows
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::set<std::string> active_;          // queued or running here
  std::map<std::string, Final> unwritten_;  // finished, their end not yet written
  std::thread heartbeat_;
  JobQueue queue_;  // last: its workers stop first
};

}  // namespace uncut::server

#endif  // UNCUT_SERVER_CATALOG_JOBS_H_
