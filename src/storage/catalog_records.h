// What an archive keeps besides its items: the trace reports saved in it
// (`uncut trace --save`, and every trace run through the server) and the
// audit log of who changed or exported what. Implemented by the embedded
// archive (store/archive.h), PostgreSQL (storage/postgres_storage.h) and
// memory (storage/memory_storage.h).
#ifndef UNCUT_STORAGE_CATALOG_RECORDS_H_
#define UNCUT_STORAGE_CATALOG_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "storage/item.h"

namespace uncut {

// A trace report kept in the archive, so that an evidence bundle of an item
// can carry the traces that found it.
struct SavedTrace {
  int64_t id = 0;  // set by SaveTrace
  std::string saved_at;
  std::string traced_at;
  std::string query_kind;
  std::string query_sha256;
  std::string verdict;
  std::vector<int64_t> item_ids;  // the sources it found, in id order
  std::string report_json;        // schema uncut.trace/1
  std::string report_html;        // report/html_report.h
};

// One entry of the archive's audit log: who changed or exported what, and
// when. Entries are only ever appended, each in the same transaction as the
// change it records, so an entry exists iff its change committed.
struct AuditEntry {
  int64_t seq = 0;     // 1, 2, ... in the order the entries were written
  std::string at;      // RFC 3339, UTC, to the second
  std::string actor;   // OS user name, or "token" for the server
  std::string client;  // the client's address (server), or ""
  std::string action;  // "add", "remove", "export", "upgrade"
  // What: {"items": [{"id", "name", "sha256"}...], "count": n, ...}.
  nlohmann::json details = nlohmann::json::object();
};

// An item as audit entries name it: id, name (with name_bytes_hex when the
// name is not UTF-8) and SHA-256.
nlohmann::json AuditItem(const Item& item);

// Current time as RFC 3339 in UTC, to the second.
std::string NowRfc3339();

// The name of the user running this process ("uid N" when it has none).
std::string CurrentUserName();

class CatalogRecords {
 public:
  virtual ~CatalogRecords() = default;

  // Stores `trace` (its id and saved_at are ignored) and links it to those
  // of its item_ids that are still archived. Returns the new trace id.
  virtual absl::StatusOr<int64_t> SaveTrace(const SavedTrace& trace) = 0;
  // One saved trace, with its reports; kNotFound when there is none.
  virtual absl::StatusOr<SavedTrace> GetSavedTrace(int64_t id) = 0;
  // The saved traces that found `item_id`, oldest first, with their
  // reports. Removing an item drops its links, not the traces.
  virtual absl::StatusOr<std::vector<SavedTrace>> SavedTracesOfItem(int64_t item_id) = 0;

  // The audit log, oldest first. There is no way to change or delete an
  // entry.
  virtual absl::StatusOr<std::vector<AuditEntry>> AuditLog() = 0;
  // Appends an entry, by CurrentUserName(), for an action that changes
  // nothing in the catalog (an export); changes record their own.
  virtual absl::Status RecordAction(std::string action, nlohmann::json details) = 0;
};

}  // namespace uncut

#endif  // UNCUT_STORAGE_CATALOG_RECORDS_H_
