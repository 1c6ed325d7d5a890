// Archive handles for concurrent requests. An Archive handle serves one
// thread at a time (store/archive.h); the pool lends each caller a handle of
// its own and takes it back afterwards, keeping up to `max_idle` open so
// that catalog connections and mapped index segments are reused.
//
// Writers (adding, removing) open a fresh handle per job instead: the
// archive's writer lock serialises them with each other and with the
// command line, and readers never wait for them.
//
// Thread-safe.
#ifndef UNCUT_SERVER_ARCHIVE_POOL_H_
#define UNCUT_SERVER_ARCHIVE_POOL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/archive.h"

namespace uncut::server {

class ArchivePool {
 public:
  ArchivePool(std::string dir, size_t max_idle) : dir_(std::move(dir)), max_idle_(max_idle) {}
  ArchivePool(const ArchivePool&) = delete;
  ArchivePool& operator=(const ArchivePool&) = delete;

  // A handle on loan; returned to the pool when destroyed.
  class Lease {
   public:
    Lease(ArchivePool* pool, std::unique_ptr<Archive> a) : pool_(pool), archive_(std::move(a)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (archive_) pool_->Return(std::move(archive_));
    }
    Archive* get() const { return archive_.get(); }
    Archive* operator->() const { return archive_.get(); }

   private:
    ArchivePool* pool_;
    std::unique_ptr<Archive> archive_;
  };

  absl::StatusOr<Lease> Acquire();
  const std::string& dir() const { return dir_; }

 private:
  void Return(std::unique_ptr<Archive> a);

  const std::string dir_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Archive>> idle_;
};

}  // namespace uncut::server

#endif  // UNCUT_SERVER_ARCHIVE_POOL_H_
