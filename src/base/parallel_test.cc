#include "base/parallel.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace uncut {
namespace {

TEST(RunTasksOnThreads, RunsEveryTaskOnceOnAtMostTheThreadsGiven) {
  for (size_t threads : {1, 2, 5}) {
    std::vector<int> runs(37, 0);
    std::mutex mu;
    std::set<std::thread::id> ids;
    RunTasksOnThreads(runs.size(), threads, [&](size_t k) {
      std::lock_guard<std::mutex> lock(mu);
      ++runs[k];
      ids.insert(std::this_thread::get_id());
    });
    for (size_t k = 0; k < runs.size(); ++k) EXPECT_EQ(runs[k], 1) << "task " << k;
    EXPECT_LE(ids.size(), threads);
  }
}

TEST(RunTasksOnThreads, NoTasksRunsNothing) {
  int runs = 0;
  RunTasksOnThreads(0, 4, [&](size_t) { ++runs; });
  EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace uncut
