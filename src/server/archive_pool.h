// Archive handles for concurrent requests, on either backend
// (server/served_archive.h). A handle serves one thread at a time; the pool
// lends each caller a handle of its own and takes it back afterwards,
// keeping up to `max_idle` open so that catalog connections (SQLite, or the
// coordinator's and the shards' sessions) and mapped index segments are
// reused.
//
// Writers (adding, removing) open a fresh handle per job instead: on a
// directory the archive's writer lock serialises them with each other and
// with the command line; on PostgreSQL each batch is a transaction of its
// own. Readers never wait for them.
//
// Thread-safe.
#ifndef UNCUT_SERVER_ARCHIVE_POOL_H_
#define UNCUT_SERVER_ARCHIVE_POOL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/served_archive.h"

namespace uncut::server {

class ArchivePool {
 public:
  // `location`: a directory or a postgresql:// URI.
  ArchivePool(std::string location, size_t max_idle)
      : location_(std::move(location)), max_idle_(max_idle) {}
  ArchivePool(const ArchivePool&) = delete;
  ArchivePool& operator=(const ArchivePool&) = delete;

  // A handle on loan; returned to the pool when destroyed.
  class Lease {
   public:
    Lease(ArchivePool* pool, std::unique_ptr<ServedArchive> a) : pool_(pool), archive_(std::move(a)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (archive_) pool_->Return(std::move(archive_));
    }
    ServedArchive* get() const { return archive_.get(); }
    ServedArchive* operator->() const { return archive_.get(); }

   private:
    ArchivePool* pool_;
    std::unique_ptr<ServedArchive> archive_;
  };

  absl::StatusOr<Lease> Acquire();
  const std::string& location() const { return location_; }

 private:
  void Return(std::unique_ptr<ServedArchive> a);

  const std::string location_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<ServedArchive>> idle_;
};

}  // namespace uncut::server

#endif  // UNCUT_SERVER_ARCHIVE_POOL_H_
