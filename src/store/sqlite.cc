#include "store/sqlite.h"

#include <cstdio>

#include "base/strings.h"
#include "base/status_macros.h"

namespace uncut {

SqliteStmt& SqliteStmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_.get(), i, v);
  return *this;
}
SqliteStmt& SqliteStmt::Bind(int i, double v) {
  sqlite3_bind_double(stmt_.get(), i, v);
  return *this;
}
SqliteStmt& SqliteStmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStmt& SqliteStmt::BindUncopied(int i, std::string_view text) {
  sqlite3_bind_text64(stmt_.get(), i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}
SqliteStmt& SqliteStmt::BindBlob(int i, std::string_view blob) {
  if (blob.empty()) {
    sqlite3_bind_zeroblob(stmt_.get(), i, 0);  // empty, not NULL
    return *this;
  }
  sqlite3_bind_blob64(stmt_.get(), i, blob.data(), blob.size(), SQLITE_TRANSIENT);
  return *this;
}
SqliteStmt& SqliteStmt::BindNull(int i) {
  sqlite3_bind_null(stmt_.get(), i);
  return *this;
}
SqliteStmt& SqliteStmt::Bind(int i, const std::optional<std::string>& text) {
  return text ? Bind(i, std::string_view(*text)) : BindNull(i);
}

absl::StatusOr<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, "step");
}

absl::Status SqliteStmt::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

absl::Status SqliteStmt::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  return absl::OkStatus();
}

int64_t SqliteStmt::ColumnInt(int i) const { return sqlite3_column_int64(stmt_.get(), i); }
double SqliteStmt::ColumnDouble(int i) const { return sqlite3_column_double(stmt_.get(), i); }
std::string SqliteStmt::ColumnText(int i) const {
  const unsigned char* t = sqlite3_column_text(stmt_.get(), i);
  int n = sqlite3_column_bytes(stmt_.get(), i);
  return t ? std::string(reinterpret_cast<const char*>(t), n) : std::string();
}
std::optional<std::string> SqliteStmt::ColumnOptText(int i) const {
  if (ColumnIsNull(i)) return std::nullopt;
  return ColumnText(i);
}
std::string_view SqliteStmt::ColumnBlob(int i) const {
  const void* b = sqlite3_column_blob(stmt_.get(), i);
  int n = sqlite3_column_bytes(stmt_.get(), i);
  return b ? std::string_view(static_cast<const char*>(b), n) : std::string_view();
}
bool SqliteStmt::ColumnIsNull(int i) const {
  return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool create) {
  auto db = std::make_unique<SqliteDb>();
  db->path_ = path;
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db->db_.reset(raw);
  if (rc != SQLITE_OK) return db->Error(rc, "open");
  sqlite3_busy_timeout(raw, 30000);
  RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  // A writer's transaction (thousands of items, their texts and search
  // index) stays in memory up to this size instead of spilling pages to the
  // WAL mid-transaction and reading them back; the commit still writes and
  // syncs every page (synchronous=FULL).
  RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-65536"));
  return db;
}

namespace {

// A path as a URI file name: the characters URIs reserve are escaped.
std::string FileUri(const std::string& path) {
  std::string out = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::OpenReadOnly(const std::string& path,
                                                                 bool immutable) {
  auto db = std::make_unique<SqliteDb>();
  db->path_ = path;
  sqlite3* raw = nullptr;
  std::string uri = StrCat(FileUri(path), immutable ? "?immutable=1" : "?mode=ro");
  int rc = sqlite3_open_v2(uri.c_str(), &raw,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, nullptr);
  db->db_.reset(raw);
  if (rc != SQLITE_OK) return db->Error(rc, "open");
  sqlite3_busy_timeout(raw, 30000);
  // Reading the schema proves the file can be read this way.
  RETURN_IF_ERROR(db->Exec("SELECT count(*) FROM sqlite_master"));
  return db;
}

absl::StatusOr<std::vector<std::string>> SqliteDb::Check(bool full, int max_errors) {
  ASSIGN_OR_RETURN(SqliteStmt s, Prepare(StrCat("PRAGMA ", full ? "integrity_check" : "quick_check",
                                                "(", max_errors, ")")));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.ColumnText(0));
  }
  return out;
}

absl::StatusOr<SqliteStmt> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return Error(rc, StrCat("prepare ", sql));
  SqliteStmt s;
  s.stmt_.reset(raw);
  s.db_ = this;
  return s;
}

absl::Status SqliteDb::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    // The code decides the exit status: a damaged file is not an internal error.
    return absl::Status(Error(rc, "").code(), StrCat(path_, ": ", sql, ": ", msg));
  }
  return absl::OkStatus();
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }

absl::Status SqliteDb::Error(int rc, std::string_view what) const {
  std::string msg = StrCat(path_, ": ", what, ": ",
                                 db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(msg);
    case SQLITE_READONLY:
      return absl::FailedPreconditionError(msg);
    case SQLITE_CANTOPEN:
      return absl::NotFoundError(msg);
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(msg);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(msg);
    default:
      return absl::InternalError(msg);
  }
}

absl::StatusOr<std::unique_ptr<SqliteTransaction>> SqliteTransaction::Begin(SqliteDb* db) {
  RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<SqliteTransaction>(new SqliteTransaction(db));
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) db_->Exec("ROLLBACK").IgnoreError();
}

absl::Status SqliteTransaction::Commit() {
  RETURN_IF_ERROR(db_->Exec("COMMIT"));
  done_ = true;
  return absl::OkStatus();
}

}  // namespace uncut
