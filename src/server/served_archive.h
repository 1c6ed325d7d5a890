// The archive a server serves, whichever backend keeps it: the embedded
// directory (store/archive.h) or a PostgreSQL archive
// (storage/postgres_storage.h). Handlers read it through the storage
// interfaces (storage(), catalog(), records()); what only one backend has
// (the embedded archive's files, a cluster's write batches) is reached
// through embedded() or postgres(), exactly one of which is set.
//
// A handle serves one thread at a time, as the handles it wraps.
#ifndef UNCUT_SERVER_SERVED_ARCHIVE_H_
#define UNCUT_SERVER_SERVED_ARCHIVE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/job_store.h"
#include "storage/postgres_storage.h"
#include "storage/storage.h"
#include "store/archive.h"

namespace uncut::server {

class ServedArchive {
 public:
  // Opens the archive at `location`: a postgresql:// URI, else a directory
  // (which must hold an archive).
  static absl::StatusOr<std::unique_ptr<ServedArchive>> Open(const std::string& location);

  Storage storage() { return embedded_ ? embedded_->storage() : postgres_->storage(); }
  CatalogReader* catalog() { return storage().catalog; }
  CatalogRecords* records() { return storage().records; }
  // By numeric id, SHA-256 or a unique prefix of one.
  absl::StatusOr<Item> FindItem(const std::string& ref) {
    return embedded_ ? embedded_->FindItem(ref) : postgres_->FindItem(ref);
  }
  // Changes whenever a writer commits items or removals.
  absl::StatusOr<int64_t> CatalogGeneration() {
    return embedded_ ? embedded_->CatalogGeneration() : postgres_->CatalogGeneration();
  }

  Archive* embedded() const { return embedded_.get(); }
  PgArchive* postgres() const { return postgres_.get(); }

 private:
  ServedArchive() = default;
  std::unique_ptr<Archive> embedded_;
  std::unique_ptr<PgArchive> postgres_;
};

// The jobs of a server on the archive at `location`: in the catalog of a
// PostgreSQL archive (any server on it answers for them), in this process
// for a directory (one server per directory).
absl::StatusOr<std::unique_ptr<JobStore>> MakeJobStore(const std::string& location,
                                                       JobStoreOptions options);

}  // namespace uncut::server

#endif  // UNCUT_SERVER_SERVED_ARCHIVE_H_
