#include "server/served_archive.h"

#include "base/status_macros.h"
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

}  // namespace uncut::server
