// Thin RAII wrappers over SQLite: a connection, prepared statements and a
// transaction guard. SQLite result codes become absl::Status values that
// name the database file.
#ifndef UNCUT_STORE_SQLITE_H_
#define UNCUT_STORE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace uncut {

class SqliteDb;

// A prepared statement. Bind indexes start at 1, column indexes at 0.
class SqliteStmt {
 public:
  SqliteStmt() = default;
  SqliteStmt(SqliteStmt&&) = default;
  SqliteStmt& operator=(SqliteStmt&&) = default;

  SqliteStmt& Bind(int i, int64_t v);
  SqliteStmt& Bind(int i, double v);
  SqliteStmt& Bind(int i, std::string_view text);
  SqliteStmt& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  SqliteStmt& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  SqliteStmt& BindBlob(int i, std::string_view blob);
  // Binds `text` without copying it: it must stay valid until the statement
  // is next reset (Reset() clears the bindings) or finalized.
  SqliteStmt& BindUncopied(int i, std::string_view text);
  SqliteStmt& BindNull(int i);
  SqliteStmt& Bind(int i, const std::optional<std::string>& text);

  // Steps once: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  absl::Status Run();
  absl::Status Reset();

  int64_t ColumnInt(int i) const;
  double ColumnDouble(int i) const;
  std::string ColumnText(int i) const;
  std::optional<std::string> ColumnOptText(int i) const;
  std::string_view ColumnBlob(int i) const;
  bool ColumnIsNull(int i) const;
  sqlite3_stmt* raw() const { return stmt_.get(); }

 private:
  friend class SqliteDb;
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  SqliteDb* db_ = nullptr;
};

class SqliteDb {
 public:
  // Opens (creating if allowed) the database with WAL journaling, full
  // synchronous commits and a busy timeout so that several processes can
  // share one archive.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create);
  // Opens an existing database for reading only (SQLite's mode=ro), without
  // changing its journal mode or creating anything beside it. `immutable`
  // tells SQLite that nothing can change the file while it is open (a
  // read-only medium), which lets it read a WAL database whose -shm file
  // cannot be created; it must only be set when no -wal file holds commits.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> OpenReadOnly(const std::string& path,
                                                                bool immutable);

  absl::StatusOr<SqliteStmt> Prepare(std::string_view sql);
  absl::Status Exec(std::string_view sql);
  int64_t LastInsertRowId() const;
  absl::Status Error(int rc, std::string_view what) const;
  // "ok", or SQLite's first complaint, from PRAGMA integrity_check (every
  // page, index and constraint) or quick_check (no index contents).
  absl::StatusOr<std::vector<std::string>> Check(bool full, int max_errors = 100);
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* d) const { sqlite3_close_v2(d); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

// BEGIN IMMEDIATE on construction (taking SQLite's write lock at once);
// ROLLBACK on destruction unless Commit() succeeded.
class SqliteTransaction {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteTransaction>> Begin(SqliteDb* db);
  ~SqliteTransaction();
  absl::Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
  bool done_ = false;
};

}  // namespace uncut

#endif  // UNCUT_STORE_SQLITE_H_
