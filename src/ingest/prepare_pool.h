// Preparing files on several threads for one writer that adds them in order.
#ifndef UNCUT_INGEST_PREPARE_POOL_H_
#define UNCUT_INGEST_PREPARE_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ingest/ingest.h"

namespace uncut {

// The number of cores this process may run on (its CPU affinity), at least 1.
int AvailableCores();

// Runs PrepareFile on `jobs` threads over `paths`, ahead of a consumer that
// takes the results in the order of `paths` and hands each to AddFile. The
// consumer's order alone decides what the archive holds, so it is the same
// for any number of threads.
//
// Memory stays bounded: a file is prepared only while fewer than
// 2 x `jobs` results wait ahead of the consumer and their bytes are under
// 256 MiB (the file the consumer waits for is always prepared).
//
// `archive_dir` is the archive the files go to: files whose bytes it holds
// already are not analysed (an interrupted add, run again, only hashes what
// it added before). Each thread reads it through its own handle.
class PreparePool {
 public:
  PreparePool(const std::string& archive_dir, std::vector<std::string> paths,
              const AddOptions& options, int jobs);
  // Stops the threads (a file being prepared is finished first).
  ~PreparePool();
  PreparePool(const PreparePool&) = delete;
  PreparePool& operator=(const PreparePool&) = delete;

  // The prepared `paths[i]`, waiting for it as needed. Call with i = 0, 1,
  // 2, ... each once.
  PreparedFile Take(size_t i);

 private:
  void Work();
  bool MayStart() const;  // REQUIRES: mu_ held

  const std::string archive_dir_;
  const std::vector<std::string> paths_;
  const AddOptions options_;
  const size_t window_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::optional<PreparedFile>> done_;  // guarded by mu_
  std::vector<uint64_t> held_of_;                  // bytes each result holds
  size_t next_ = 0;                                // the next file to start
  size_t taken_ = 0;                               // files the consumer took
  uint64_t held_bytes_ = 0;                        // bytes results hold
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace uncut

#endif  // UNCUT_INGEST_PREPARE_POOL_H_
