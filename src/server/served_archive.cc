#include "server/served_archive.h"

#include "base/status_macros.h"
#include "server/catalog_jobs.h"
#include "storage/pg_conn.h"

namespace uncut::server {

absl::StatusOr<std::unique_ptr<ServedArchive>> ServedArchive::Open(const std::string& location) {
  std::unique_ptr<ServedArchive> a(new ServedArchive());
  if (IsPostgresUri(location)) {
    ASSIGN_OR_RETURN(a->postgres_, PgArchive::Open(location));
  } else {
    ASSIGN_OR_RETURN(a->embedded_, Archive::Open(location, Archive::Mode::kReadOnly));
  }
  return a;
}

absl::StatusOr<std::unique_ptr<JobStore>> MakeJobStore(const std::string& location,
                                                       JobStoreOptions options) {
  if (IsPostgresUri(location)) {
    ASSIGN_OR_RETURN(std::unique_ptr<CatalogJobStore> store,
                     CatalogJobStore::Open(location, std::move(options)));
    return std::unique_ptr<JobStore>(std::move(store));
  }
  return std::unique_ptr<JobStore>(new MemoryJobStore(std::move(options)));
}

}  // namespace uncut::server
