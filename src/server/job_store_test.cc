// Both job stores (server/job_store.h) held to the one interface: in
// memory, and in a PostgreSQL archive's catalog (on the test cluster;
// skipped, saying why, without PostgreSQL). Then what only the catalog
// does: a job seen from another server, and a job whose server stopped.
#include "server/job_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/strings.h"
#include "report/trace_report.h"
#include "server/catalog_jobs.h"
#include "storage/pg_archive_testing.h"

namespace uncut::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

JobStoreOptions Options(size_t max_queued = 8, size_t max_kept = 8) {
  JobStoreOptions o;
  o.queue = JobQueueOptions{{{"a", 1}, {"b", 1}}, max_queued, max_kept};
  o.render_html = [](const TraceReport& r) {
    return StrCat("<html>", r.sources.size(), " sources</html>");
  };
  o.progress_interval = milliseconds(0);
  return o;
}

// Work that runs until `release` is set.
JobWork WaitFor(const std::atomic<bool>& release) {
  return [&release](JobControl&) {
    while (!release) std::this_thread::sleep_for(milliseconds(1));
    return absl::OkStatus();
  };
}

bool Finished(const JobSnapshot& j) {
  return j.state == JobState::kSucceeded || j.state == JobState::kFailed;
}

// Polls `store` until the job is in `state` (two minutes at most).
std::optional<JobSnapshot> PollUntil(JobStore& store, const std::string& id,
                                     const std::function<bool(const JobSnapshot&)>& done) {
  std::optional<JobSnapshot> last;
  for (int i = 0; i < 1200; ++i) {
    auto job = store.Get(id);
    EXPECT_TRUE(job.ok()) << job.status();
    if (!job.ok()) return std::nullopt;
    last = *job;
    if (last && done(*last)) return last;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return last;
}

// Makes stores of one kind; the catalog's share an archive.
class MemoryStores {
 public:
  std::unique_ptr<JobStore> Make(JobStoreOptions o) {
    return std::make_unique<MemoryJobStore>(std::move(o));
  }
};

class CatalogStores {
 public:
  // An archive of its own on the test cluster (as ClusterArchiveTest makes
  // one); skips the test without PostgreSQL.
  void Start() {
    std::string why;
    testing::TestCluster* cluster = testing::TestCluster::Get(&why);
    if (cluster == nullptr && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
    ASSERT_NE(cluster, nullptr) << why;
    testing::TestCluster::Databases dbs = cluster->NewDatabases();
    ASSERT_TRUE(PgArchive::Init(dbs.coordinator, dbs.shards).ok());
    uri_ = dbs.coordinator;
  }
  std::unique_ptr<JobStore> Make(JobStoreOptions o) {
    auto store = CatalogJobStore::Open(uri_, std::move(o));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

 private:
  std::string uri_;
};

template <typename Stores>
class JobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (std::is_same_v<Stores, CatalogStores>) stores_.Start();
  }
  // nullptr (the test skipped or failed) when there is no archive to keep them.
  std::unique_ptr<JobStore> Make(JobStoreOptions o = Options()) {
    if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) return nullptr;
    return stores_.Make(std::move(o));
  }
  Stores stores_;
};

using StoreKinds = ::testing::Types<MemoryStores, CatalogStores>;
TYPED_TEST_SUITE(JobStoreTest, StoreKinds);

TYPED_TEST(JobStoreTest, RunsAJobAndKeepsItsProgressAndResult) {
  auto store = this->Make();
  if (!store) return;
  auto id = store->Submit("a", "test", {"10.0.0.1", true}, [](JobControl& c) {
    c.Progress({1, 2, "steps", "halfway"});
    c.SetResult({{"answer", 42}});
    return absl::OkStatus();
  });
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->size(), 32u);
  auto job = store->Wait(*id, seconds(120));
  ASSERT_TRUE(job.ok()) << job.status();
  ASSERT_TRUE(*job);
  EXPECT_EQ((*job)->state, JobState::kSucceeded);
  EXPECT_EQ((*job)->kind, "test");
  EXPECT_EQ((*job)->result["answer"], 42);
  nlohmann::json shown = JobToJson(**job, true);
  EXPECT_EQ(shown["progress"]["stage"], "halfway");
  EXPECT_EQ(shown["progress"]["done"], 1);
  EXPECT_FALSE(shown["finished_at"].get<std::string>().empty());
}

TYPED_TEST(JobStoreTest, AFailedJobCarriesItsErrorAndWhatItSetBefore) {
  auto store = this->Make();
  if (!store) return;
  auto id = store->Submit("a", "test", {}, [](JobControl& c) -> absl::Status {
    c.SetResult({{"failures", {"a.txt: unreadable"}}});
    return absl::DataLossError("a.txt: unreadable \xff");
  });
  ASSERT_TRUE(id.ok()) << id.status();
  auto job = store->Wait(*id, seconds(120));
  ASSERT_TRUE(job.ok() && *job);
  EXPECT_EQ((*job)->state, JobState::kFailed);
  EXPECT_EQ((*job)->error.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ((*job)->error.message(), "a.txt: unreadable \xff");
  EXPECT_EQ(JobToJson(**job, true)["result"]["failures"][0], "a.txt: unreadable");
}

TYPED_TEST(JobStoreTest, AJobThatThrowsFailsWithAnInternalError) {
  auto store = this->Make();
  if (!store) return;
  auto id = store->Submit("a", "test", {},
                          [](JobControl&) -> absl::Status { throw std::runtime_error("boom"); });
  ASSERT_TRUE(id.ok());
  auto job = store->Wait(*id, seconds(120));
  ASSERT_TRUE(job.ok() && *job);
  EXPECT_EQ((*job)->state, JobState::kFailed);
  EXPECT_EQ(JobToJson(**job, true)["error"]["message"], "internal error: boom");
}

TYPED_TEST(JobStoreTest, RefusesWorkBeyondTheQueueLimit) {
  auto store = this->Make(Options(2, 8));
  if (!store) return;
  std::atomic<bool> release{false};
  auto blocker = WaitFor(release);
  auto first = store->Submit("a", "t", {}, blocker);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(PollUntil(*store, *first,
                        [](const JobSnapshot& j) { return j.state == JobState::kRunning; }));
  int accepted = 0;
  for (int i = 0; i < 4; ++i) {
    auto next = store->Submit("a", "t", {}, blocker);
    if (next.ok()) {
      ++accepted;
    } else {
      EXPECT_EQ(next.status().code(), absl::StatusCode::kUnavailable);
    }
  }
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(store->Recent(50)->size(), 3u);  // a refused job leaves nothing behind
  release = true;
}

TYPED_TEST(JobStoreTest, ForgetsTheOldestFinishedJobsAndListsNewestFirst) {
  auto store = this->Make(Options(16, 2));
  if (!store) return;
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(*store->Submit("a", "t", {}, [](JobControl&) { return absl::OkStatus(); }));
    ASSERT_TRUE(Finished(**store->Wait(ids.back(), seconds(120))));
  }
  EXPECT_FALSE(*store->Get(ids[0]));
  EXPECT_FALSE(*store->Get(ids[1]));
  EXPECT_TRUE(*store->Get(ids[3]));
  auto recent = store->Recent(50);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].id, ids[3]);
  EXPECT_EQ((*recent)[1].id, ids[2]);
}

TYPED_TEST(JobStoreTest, ATraceJobsReportIsServedAsJsonAndHtml) {
  auto store = this->Make();
  if (!store) return;
  auto report = std::make_shared<TraceReport>();
  report->sources.resize(2);
  const nlohmann::json report_json = ReportToJson(*report);
  auto id = store->Submit("a", "trace", {}, [&](JobControl& c) {
    nlohmann::json result = report_json;
    result["summary"] = "two sources";
    c.SetReport(report);
    c.SetResult(result);
    return absl::OkStatus();
  });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(Finished(**store->Wait(*id, seconds(120))));
  auto html = store->Report(*id, true);
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_EQ(*html, "<html>2 sources</html>");
  auto json = store->Report(*id, false);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(nlohmann::json::parse(*json), report_json);

  auto plain = store->Submit("a", "add", {}, [](JobControl&) { return absl::OkStatus(); });
  ASSERT_TRUE(Finished(**store->Wait(*plain, seconds(120))));
  EXPECT_EQ(store->Report(*plain, true).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Report(NewJobId(), true).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(JobStoreTest, ShutdownFailsTheJobsThatNeverRan) {
  auto store = this->Make();
  if (!store) return;
  std::atomic<bool> release{false};
  auto running = store->Submit("a", "t", {}, WaitFor(release));
  ASSERT_TRUE(PollUntil(*store, *running,
                        [](const JobSnapshot& j) { return j.state == JobState::kRunning; }));
  auto waiting = store->Submit("a", "t", {}, [](JobControl&) { return absl::OkStatus(); });
  ASSERT_TRUE(waiting.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(200));
    release = true;
  });
  store->Shutdown();
  releaser.join();
  auto ran = store->Get(*running);
  ASSERT_TRUE(ran.ok() && *ran);
  EXPECT_EQ((*ran)->state, JobState::kSucceeded);
  auto never = store->Get(*waiting);
  ASSERT_TRUE(never.ok() && *never);
  EXPECT_EQ((*never)->state, JobState::kFailed);
  EXPECT_EQ((*never)->error.message(), "the server stopped before this job ran");
  EXPECT_FALSE(store->Submit("a", "t", {}, [](JobControl&) { return absl::OkStatus(); }).ok());
}

// What only the catalog does: servers answer for each other's jobs.
class CatalogJobs : public testing::ClusterArchiveTest {
 protected:
  std::unique_ptr<CatalogJobStore> Open(JobStoreOptions o = Options()) {
    auto store = CatalogJobStore::Open(uri_, std::move(o));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
};

TEST_F(CatalogJobs, AnotherServerSeesAJobsProgressAndResult) {
  auto runner = Open(), other = Open();
  ASSERT_TRUE(runner && other);
  EXPECT_NE(runner->server(), other->server());
  std::atomic<int> step{0};
  auto id = runner->Submit("a", "add", {}, [&](JobControl& c) {
    c.Progress({1, 3, "files", "adding a.txt"});
    step = 1;
    while (step != 2) std::this_thread::sleep_for(milliseconds(1));
    c.SetResult({{"added", 3}});
    return absl::OkStatus();
  });
  ASSERT_TRUE(id.ok()) << id.status();
  auto seen = PollUntil(*other, *id, [](const JobSnapshot& j) { return j.progress.done == 1; });
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->state, JobState::kRunning);
  EXPECT_EQ(seen->progress.stage, "adding a.txt");
  EXPECT_FALSE(seen->started_at.empty());
  step = 2;
  auto done = PollUntil(*other, *id, Finished);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, JobState::kSucceeded);
  EXPECT_EQ(done->result["added"], 3);
  auto listed = other->Recent(10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, *id);
}

TEST_F(CatalogJobs, ARunningJobStaysRunningWhileItsServerRenewsTheLease) {
  JobStoreOptions o = Options();
  o.lease = seconds(3);
  auto runner = Open(o), other = Open(o);
  ASSERT_TRUE(runner && other);
  std::atomic<bool> release{false};
  auto id = runner->Submit("a", "t", {}, WaitFor(release));
  ASSERT_TRUE(id.ok());
  // Twice the lease: renewed every half second, it has not run out.
  const auto until = std::chrono::steady_clock::now() + seconds(6);
  while (std::chrono::steady_clock::now() < until) {
    auto job = other->Get(*id);
    ASSERT_TRUE(job.ok() && *job);
    EXPECT_NE((*job)->state, JobState::kFailed) << (*job)->error;
    std::this_thread::sleep_for(milliseconds(250));
  }
  release = true;
  auto done = PollUntil(*other, *id, Finished);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, JobState::kSucceeded);
}

TEST_F(CatalogJobs, AJobWhoseServerStoppedRenewingItsLeaseIsReportedFailed) {
  // The runner renews once an hour; to the other server, with a lease of
  // half a second, it has gone silent.
  JobStoreOptions silent = Options();
  silent.lease = std::chrono::hours(3);
  JobStoreOptions reader = Options();
  reader.lease = milliseconds(500);
  auto runner = Open(silent), other = Open(reader);
  ASSERT_TRUE(runner && other);
  std::atomic<bool> release{false};
  auto id = runner->Submit("a", "t", {}, WaitFor(release));
  ASSERT_TRUE(id.ok());
  auto lost = PollUntil(*other, *id, Finished);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->state, JobState::kFailed);
  EXPECT_NE(std::string(lost->error.message()).find("the server running it stopped"),
            std::string::npos)
      << lost->error;
  EXPECT_NE(std::string(lost->error.message()).find(runner->server()), std::string::npos);
  release = true;
}

// The reader that finds the lease run out writes the failure into the job's
// row: a server that would wait hours before calling the job lost, and the
// list, then see it failed too, with the same message. The runner, alive
// after all, writes the job's real end over it when the work ends.
TEST_F(CatalogJobs, AJobWhoseLeaseRanOutIsWrittenFailedForEveryServer) {
  JobStoreOptions patient = Options();
  patient.lease = std::chrono::hours(3);
  JobStoreOptions reader = Options();
  reader.lease = milliseconds(500);
  auto runner = Open(patient), other = Open(reader), third = Open(patient);
  ASSERT_TRUE(runner && other && third);
  std::atomic<bool> release{false};
  auto id = runner->Submit("a", "t", {}, WaitFor(release));
  ASSERT_TRUE(id.ok());
  auto lost = PollUntil(*other, *id, Finished);
  ASSERT_TRUE(lost);
  ASSERT_EQ(lost->state, JobState::kFailed);
  EXPECT_FALSE(lost->finished_at.empty());
  auto seen = third->Get(*id);
  ASSERT_TRUE(seen.ok() && *seen) << seen.status();
  EXPECT_EQ((*seen)->state, JobState::kFailed);
  EXPECT_EQ((*seen)->error, lost->error);
  EXPECT_EQ((*seen)->finished_at, lost->finished_at);
  auto listed = third->Recent(10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].state, JobState::kFailed);
  auto conn = PgConn::Connect(uri_);
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto row = (*conn)->Exec("SELECT state FROM jobs WHERE id = $1", {PgParam::Text(*id)});
  ASSERT_TRUE(row.ok() && row->rows() == 1) << row.status();
  EXPECT_EQ(row->Get(0, 0), "failed");
  release = true;
  auto done = PollUntil(*third, *id, [](const JobSnapshot& j) { return j.state == JobState::kSucceeded; });
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, JobState::kSucceeded);
}

}  // namespace
}  // namespace uncut::server
