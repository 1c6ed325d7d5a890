#include "server/jobs.h"

#include <gtest/gtest.h>

#include <atomic>

namespace uncut::server {
namespace {

using std::chrono::milliseconds;

TEST(JobQueue, RunsAJobAndKeepsItsResult) {
  JobQueue q({{{"a", 1}}, 8, 8});
  auto id = q.Submit("a", "test", [](JobControl& c) {
    c.Progress({1, 2, "steps", "halfway"});
    c.SetResult({{"answer", 42}});
    return absl::OkStatus();
  });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->size(), 32u);
  auto job = q.Wait(*id, milliseconds(5000));
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, JobState::kSucceeded);
  EXPECT_EQ(job->result["answer"], 42);
  EXPECT_EQ(JobToJson(*job, true)["progress"]["stage"], "halfway");
}

TEST(JobQueue, AFailedJobCarriesItsError) {
  JobQueue q({{{"a", 1}}, 8, 8});
  auto id =
      q.Submit("a", "test", [](JobControl&) -> absl::Status { throw std::runtime_error("boom"); });
  auto job = q.Wait(*id, milliseconds(5000));
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, JobState::kFailed);
  EXPECT_EQ(JobToJson(*job, true)["error"]["message"], "internal error: boom");
}

TEST(JobQueue, RefusesWorkBeyondTheQueueLimit) {
  JobQueue q({{{"a", 1}}, 2, 8});
  std::atomic<bool> release{false};
  auto blocker = [&](JobControl&) {
    while (!release) std::this_thread::sleep_for(milliseconds(1));
    return absl::OkStatus();
  };
  auto first = q.Submit("a", "t", blocker);
  ASSERT_TRUE(first.ok());
  while (q.Get(*first)->state != JobState::kRunning) std::this_thread::sleep_for(milliseconds(1));
  int accepted = 0;
  for (int i = 0; i < 4; ++i) accepted += q.Submit("a", "t", blocker).ok();
  EXPECT_EQ(accepted, 2);
  release = true;
}

TEST(JobQueue, ForgetsTheOldestFinishedJobs) {
  JobQueue q({{{"a", 1}}, 16, 2});
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(*q.Submit("a", "t", [](JobControl&) { return absl::OkStatus(); }));
    q.Wait(ids.back(), milliseconds(5000));
  }
  EXPECT_FALSE(q.Get(ids[0]));
  EXPECT_FALSE(q.Get(ids[1]));
  EXPECT_TRUE(q.Get(ids[3]));
}

TEST(JobQueue, ALongJobOnOneLaneDoesNotHoldUpAnother) {
  JobQueue q({{{"slow", 1}, {"fast", 1}}, 8, 8});
  std::atomic<bool> release{false};
  q.Submit("slow", "t", [&](JobControl&) {
     while (!release) std::this_thread::sleep_for(milliseconds(1));
     return absl::OkStatus();
   }).IgnoreError();
  auto fast = q.Submit("fast", "t", [](JobControl&) { return absl::OkStatus(); });
  auto job = q.Wait(*fast, milliseconds(5000));
  EXPECT_EQ(job->state, JobState::kSucceeded);
  release = true;
}

}  // namespace
}  // namespace uncut::server
