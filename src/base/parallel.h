// Runs a fixed number of independent tasks on a few threads.
#ifndef UNCUT_BASE_PARALLEL_H_
#define UNCUT_BASE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace uncut {

// Calls task(0) ... task(tasks - 1), each once, on up to `threads` threads
// (the calling thread is one of them), each thread taking the next task not
// yet taken; returns when all are done. Tasks must not throw.
inline void RunTasksOnThreads(size_t tasks, size_t threads,
                              const std::function<void(size_t)>& task) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < tasks;) task(k);
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < std::min(tasks, threads); ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace uncut

#endif  // UNCUT_BASE_PARALLEL_H_
